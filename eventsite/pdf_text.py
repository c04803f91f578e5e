"""Plain text into reportlab Paragraphs: the one place where it is escaped.

A ``Paragraph`` reads its text as reportlab's mini-markup, so an event, venue, organizer or product name with
``<`` or ``&`` either breaks the PDF ("paraparser: syntax error") or is printed as something else. Every PDF
that lays out text with Paragraphs builds them with ``paragraph(text, style)``; only markup written in code
(``<br/>`` for line breaks here) goes through unescaped.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph


def markup_text(text: object) -> str:
    """``text`` as Paragraph markup that prints exactly that text (line breaks kept)."""
    return escape(str(text)).replace("\n", "<br/>")


def paragraph(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(markup_text(text), style)
