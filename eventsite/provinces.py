"""Vietnam's provincial-level units, current and former.

The 34 current units (since 1 July 2025, Resolution 202/2025/QH15) come from the
maintained ``vietnam-provinces`` package. That package only knows today's map, so
the 63 pre-merger names are listed here with the unit each one merged into, as
published in Resolution 202/2025/QH15, so that an event held in "Sóc Trăng" in
2020 still reports under today's "Thành phố Cần Thơ".
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from vietnam_provinces import Province, ProvinceCode

# Former province (as named before 1 July 2025) -> code of the current unit.
FORMER_TO_CURRENT: dict[str, int] = {
    # Unchanged units
    "Hà Nội": 1, "Cao Bằng": 4, "Điện Biên": 11, "Lai Châu": 12, "Sơn La": 14,
    "Lạng Sơn": 20, "Quảng Ninh": 22, "Thanh Hóa": 38, "Nghệ An": 40, "Hà Tĩnh": 42,
    "Thừa Thiên Huế": 46,
    # Merged units
    "Tuyên Quang": 8, "Hà Giang": 8,
    "Lào Cai": 15, "Yên Bái": 15,
    "Thái Nguyên": 19, "Bắc Kạn": 19,
    "Phú Thọ": 25, "Vĩnh Phúc": 25, "Hòa Bình": 25,
    "Bắc Ninh": 24, "Bắc Giang": 24,
    "Hưng Yên": 33, "Thái Bình": 33,
    "Hải Phòng": 31, "Hải Dương": 31,
    "Ninh Bình": 37, "Hà Nam": 37, "Nam Định": 37,
    "Quảng Trị": 44, "Quảng Bình": 44,
    "Đà Nẵng": 48, "Quảng Nam": 48,
    "Quảng Ngãi": 51, "Kon Tum": 51,
    "Gia Lai": 52, "Bình Định": 52,
    "Khánh Hòa": 56, "Ninh Thuận": 56,
    "Đắk Lắk": 66, "Phú Yên": 66,
    "Lâm Đồng": 68, "Đắk Nông": 68, "Bình Thuận": 68,
    "Đồng Nai": 75, "Bình Phước": 75,
    "Hồ Chí Minh": 79, "Bình Dương": 79, "Bà Rịa - Vũng Tàu": 79,
    "Tây Ninh": 80, "Long An": 80,
    "Đồng Tháp": 82, "Tiền Giang": 82,
    "Vĩnh Long": 86, "Bến Tre": 86, "Trà Vinh": 86,
    "An Giang": 91, "Kiên Giang": 91,
    "Cần Thơ": 92, "Sóc Trăng": 92, "Hậu Giang": 92,
    "Cà Mau": 96, "Bạc Liêu": 96,
}


def fold(text: str) -> str:
    """Lower-case ``text`` and strip Vietnamese tone marks (đ -> d) for matching."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=1)
def current_choices() -> list[tuple[int, str]]:
    """(code, name) for the 34 current units, sorted by name as Vietnamese readers expect."""
    return sorted(((int(p.code), p.name) for p in Province.iter_all()), key=lambda c: fold(c[1]))


def current_name(code: int | None) -> str:
    if not code:
        return ""
    return Province.from_code(ProvinceCode(code)).name


def _key(name: str) -> str:
    """Comparable form of a province name: no tone marks, no "tỉnh"/"thành phố" prefix, no dashes."""
    folded = " ".join(fold(name).replace("-", " ").split())
    for prefix in ("thanh pho ", "tinh ", "tp. ", "tp "):
        if folded.startswith(prefix):
            return folded[len(prefix):].strip()
    return folded


@lru_cache(maxsize=1)
def _lookup() -> dict[str, int]:
    table = {_key(name): code for name, code in FORMER_TO_CURRENT.items()}
    table.update({_key(p.name): int(p.code) for p in Province.iter_all()})
    table["hue"] = 46
    table["hcm"] = table["sai gon"] = 79
    return table


def current_code_for(name: str) -> int | None:
    """Map a province name as written at the time (old or new, any tone marks) to today's unit."""
    return _lookup().get(_key(name))


def former_names() -> list[str]:
    return sorted(FORMER_TO_CURRENT, key=fold)
