"""The one font of every PDF: Be Vietnam Pro, static TTFs from the fontpkg-be-vietnam-pro package.

reportlab embeds them, so names such as "Nguyễn Thị Xa, Đầm Dơi" print (and read back with pdftotext)
with every diacritic.
"""

from functools import cache

import fontpkg_be_vietnam_pro
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR, SEMIBOLD, BOLD = "BeVietnamPro", "BeVietnamPro-SemiBold", "BeVietnamPro-Bold"
_FILES = {REGULAR: "BeVietnamPro-Regular.ttf", SEMIBOLD: "BeVietnamPro-SemiBold.ttf", BOLD: "BeVietnamPro-Bold.ttf"}


@cache
def register_fonts() -> None:
    """Register the three weights with reportlab (once per process)."""
    files = fontpkg_be_vietnam_pro.ROOT / "files"
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(files / file)))
