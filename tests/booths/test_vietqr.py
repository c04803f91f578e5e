"""VietQR: the rendered code decodes (zxing-cpp) to a payload whose every field and CRC are right, checked with a
TLV parser and binascii's CRC-16/CCITT-FALSE written independently of booths/vietqr.py."""

from __future__ import annotations

import binascii
import io
import subprocess

import pytest
import zxingcpp
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from booths import vietqr


def parse_tlv(text: str) -> dict[str, str]:
    fields, i = {}, 0
    while i < len(text):
        tag, length = text[i:i + 2], int(text[i + 2:i + 4])
        value = text[i + 4:i + 4 + length]
        assert len(value) == length, f"field {tag} is cut short"
        assert tag not in fields, f"field {tag} twice"
        fields[tag] = value
        i += 4 + length
    return fields


def crc_ok(payload: str) -> bool:
    return payload[-8:-4] == "6304" and int(payload[-4:], 16) == binascii.crc_hqx(payload[:-4].encode(), 0xFFFF)


def check_fields(payload: str, *, bin_code: str, account: str, amount: int, purpose: str) -> None:
    top = parse_tlv(payload)
    assert list(top) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert (top["00"], top["01"], top["53"], top["54"], top["58"]) == ("01", "12", "704", str(amount), "VN")
    merchant = parse_tlv(top["38"])
    assert merchant == {"00": "A000000727", "01": merchant["01"], "02": "QRIBFTTA"}
    assert parse_tlv(merchant["01"]) == {"00": bin_code, "01": account}
    assert parse_tlv(top["62"]) == {"08": purpose}
    assert len(top["63"]) == 4 and top["63"] == top["63"].upper()
    assert crc_ok(payload)


def decode(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
            if r.format == zxingcpp.BarcodeFormat.QRCode]


def test_rendered_vietqr_decodes_to_checked_payload():
    payload = vietqr.payload(bank_bin="970436", account="0011001234567", amount=5_000_000, purpose="KNAAAB22")
    [decoded] = decode(vietqr.qr_png(payload))
    assert decoded == payload
    check_fields(decoded, bin_code="970436", account="0011001234567", amount=5_000_000, purpose="KNAAAB22")


def test_known_crc_value():
    # CRC-16/CCITT-FALSE check value of the standard test string.
    assert vietqr.crc16_ccitt_false(b"123456789") == 0x29B1


@given(bin_code=st.sampled_from(["970436", "970415", "970418", "970405", "970407", "970422"]),
       account=st.text(alphabet="0123456789", min_size=4, max_size=19),
       amount=st.integers(min_value=1, max_value=vietqr.MAX_AMOUNT),
       purpose=st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ23456789", min_size=1, max_size=25))
def test_payload_fields_and_crc_for_any_input(bin_code, account, amount, purpose):
    payload = vietqr.payload(bank_bin=bin_code, account=account, amount=amount, purpose=purpose)
    check_fields(payload, bin_code=bin_code, account=account, amount=amount, purpose=purpose)


def test_tampered_payload_fails_crc():
    payload = vietqr.payload(bank_bin="970436", account="0011001234567", amount=5_000_000, purpose="KNAAAB22")
    assert not crc_ok(payload.replace("5000000", "5000001"))


@pytest.mark.parametrize("kwargs", [
    {"bank_bin": "97043"}, {"account": "0011 0012"}, {"amount": 0}, {"amount": 10**13}, {"amount": 1.5},
    {"purpose": "KN7K-3Q"}, {"purpose": "Phí gian hàng"}, {"purpose": "X" * 26},
])
def test_bad_inputs_refused(kwargs):
    args = {"bank_bin": "970436", "account": "0011001234567", "amount": 5_000_000, "purpose": "KNAAAB22", **kwargs}
    with pytest.raises(vietqr.VietQRError):
        vietqr.payload(**args)


def pdf_qrs(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    png = subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(path)], capture_output=True,
                         check=True).stdout
    return decode(png)


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


@pytest.mark.django_db
def test_payment_notice_pdf_has_waiver_and_qr_of_what_is_due(tmp_path):
    from booths.fee_documents import render_payment_notice, render_receipt
    from booths.models import PaymentRequest
    from booths.services import booking as svc
    from booths.services import fees
    from tests.factories import EventFactory

    from .factories import BoothFactory, HallFactory, exhibitor

    event = EventFactory()
    payee = fees.save_payee(event=event, bank_bin="970418", account_number="12010000123456",
                            account_name="SO CONG THUONG TINH CA MAU", pay_within_days=None)
    app = exhibitor(event, organization__name="HTX Tôm lúa Thới Bình")
    booth = BoothFactory(hall=HallFactory(event=event), price=8_000_000)
    booking = svc.reserve_booking(booking_id=svc.hold_booth(booth_id=booth.pk, application=app).pk, application=app)
    request = PaymentRequest.objects.get(booking=booking)
    fees.waive_fee(request_id=request.pk, event_id=event.pk, amount=3_000_000, reason="Hỗ trợ hợp tác xã OCOP 3 sao",
                   by_user=None)
    request.refresh_from_db()
    data = render_payment_notice(request=request, payee=payee, event=event)
    text = " ".join(pdf_text(data, tmp_path).split())
    assert "HTX Tôm lúa Thới Bình" in text
    assert "Hỗ trợ hợp tác xã OCOP 3 sao" in text
    assert request.reference in text
    [decoded] = pdf_qrs(data, tmp_path)
    check_fields(decoded, bin_code="970418", account="12010000123456", amount=5_000_000, purpose=request.reference)

    fees.mark_paid(request_id=request.pk, event_id=event.pk, amount=5_000_000, note="Tiền mặt", by_user=None)
    request.refresh_from_db()
    receipt = " ".join(pdf_text(render_receipt(request=request, event=event), tmp_path).split())
    assert f"{request.reference}-1" in receipt
    assert "5.000.000 ₫" in receipt and "3.000.000 ₫" in receipt
