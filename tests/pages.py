"""Helpers for asserting on rendered pages."""

from __future__ import annotations

import re

# A masked CSRF token (64 letters and digits), in forms and in hx-headers: random, so it can hold any short text.
_TOKEN = re.compile(r"[A-Za-z0-9]{64}")


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens, for asserting that short text (a number, "B2B") is absent."""
    return _TOKEN.sub("", html)
