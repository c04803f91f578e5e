"""The one escaping of plain text into reportlab Paragraph markup (eventsite/pdf_text.py)."""

from reportlab.lib.styles import ParagraphStyle

from eventsite.pdf_text import markup_text, paragraph


def test_markup_text_escapes_and_keeps_line_breaks():
    assert markup_text("A <b> & C\nD") == "A &lt;b&gt; &amp; C<br/>D"


def test_paragraph_of_markup_characters_reads_back_as_written():
    assert paragraph("Sở <Công> & Thương", ParagraphStyle("p")).getPlainText() == "Sở <Công> & Thương"
