"""Security headers on every page: a strict Content-Security-Policy, nosniff, no framing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_csp_header_is_strict(client):
    response = client.get("/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_templates_have_no_inline_scripts():
    """Every <script> in the project's templates loads a file (or is a JSON data block)."""
    root = Path(settings.BASE_DIR)
    offenders = []
    for path in root.glob("**/templates/**/*.html"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        for tag in re.findall(r"<script\b[^>]*>", path.read_text()):
            if "src=" not in tag and "application/json" not in tag and "application/ld+json" not in tag:
                offenders.append(f"{path.relative_to(root)}: {tag}")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", path.read_text()):
            offenders.append(f"{path.relative_to(root)}: inline event handler attribute")
    assert not offenders, offenders
