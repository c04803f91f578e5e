"""VietQR: the NAPAS 247 EMVCo merchant-presented QR for a bank transfer, built from the specification's table.

A payload is a string of TLV fields: a 2-digit id, a 2-digit length, the value (nested templates hold TLV fields
in their value). The fields used for "transfer to an account with amount and message" (NAPAS QR specification,
service code QRIBFTTA):

======  ==========================================  =====================================================
ID      Name                                        Value
======  ==========================================  =====================================================
00      Payload format indicator                    ``01``
01      Point of initiation method                  ``12`` (dynamic: the amount is part of the code)
38      Merchant account information (NAPAS)        template:
  00      Globally unique identifier                ``A000000727`` (NAPAS)
  01      Beneficiary organization                  template: 00 acquirer id = bank BIN, 01 account number
  02      Service code                              ``QRIBFTTA`` (transfer to an account)
53      Transaction currency                        ``704`` (VND, ISO 4217)
54      Transaction amount                          whole đồng, digits only
58      Country code                                ``VN``
62      Additional data field template             template: 08 purpose of transaction = our reference
63      CRC                                         CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over the
                                                    whole payload including ``6304``, 4 upper-case hex digits
======  ==========================================  =====================================================

Pure Python, no Django: the CRC is written here from its definition (tests check it against ``binascii``).
"""

from __future__ import annotations

import io
import re

GUID_NAPAS = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
MAX_AMOUNT = 10**13 - 1  # field 54 holds at most 13 characters
_SAFE_PURPOSE = re.compile(r"[A-Za-z0-9 ]{1,25}")


class VietQRError(ValueError):
    pass


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise VietQRError(f"bad tag {tag!r}")
    if not 0 < len(value) <= 99:
        raise VietQRError(f"field {tag} must hold 1 to 99 characters")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt_false(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def payload(*, bank_bin: str, account: str, amount: int, purpose: str) -> str:
    """The VietQR string for a transfer of ``amount`` đồng to ``account`` at the bank ``bank_bin`` with
    ``purpose`` as the transfer message (ASCII letters, digits and spaces, so every bank keeps it as written)."""
    if not (len(bank_bin) == 6 and bank_bin.isdigit()):
        raise VietQRError("the bank BIN has 6 digits")
    if not (1 <= len(account) <= 19 and account.isalnum() and account.isascii()):
        raise VietQRError("the account number has 1 to 19 letters or digits")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise VietQRError("the amount is a whole number of đồng above zero")
    if not _SAFE_PURPOSE.fullmatch(purpose):
        raise VietQRError("the purpose has 1 to 25 ASCII letters, digits or spaces")
    beneficiary = tlv("00", bank_bin) + tlv("01", account)
    merchant = tlv("00", GUID_NAPAS) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    body = (tlv("00", "01") + tlv("01", "12") + tlv("38", merchant) + tlv("53", CURRENCY_VND)
            + tlv("54", str(amount)) + tlv("58", COUNTRY_VN) + tlv("62", tlv("08", purpose)) + "6304")
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def qr_png(data: str, *, box_size: int = 8) -> bytes:
    """The payload as a QR code image (PNG), error correction M, with the 4-module quiet zone scanners need."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(data)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)  # PIL image factory (Pillow is installed): PNG
    return out.getvalue()
