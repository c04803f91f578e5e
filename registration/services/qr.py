"""QR matrices for badge tokens, with ``qrcode`` doing the layout and a table-driven Reed–Solomon encoder.

``qrcode`` computes error-correction codewords with a generic polynomial class that dominates the cost of a
badge (≈ 60 % of rendering time). The codewords are a pure function of the data, so we compute them with the
classic LFSR over GF(256) using qrcode's own log/antilog tables and generator polynomials, hand them to qrcode
as its ``data_cache``, and let it place modules as usual. ``tests/registration/test_badges_pdf.py`` checks the
result equals qrcode's own for random tokens, and decodes printed codes with zxing-cpp.
"""

from __future__ import annotations

import qrcode
from qrcode import LUT, base, util
from qrcode.constants import ERROR_CORRECT_L

ALNUM_V4_L = 114  # alphanumeric capacity of version 4 at error correction L
_EXP = base.EXP_TABLE
_LOG = base.LOG_TABLE


def _ec_codewords(data: list[int], ec_count: int) -> list[int]:
    generator = LUT.rsPoly_LUT[ec_count]  # [1, g1, …, g_ec]
    gen_logs = [_LOG[g] for g in generator[1:]]
    remainder = [0] * ec_count
    for value in data:
        factor = value ^ remainder[0]
        remainder = remainder[1:]
        remainder.append(0)
        if factor:
            log_factor = _LOG[factor]
            for i, g in enumerate(gen_logs):
                remainder[i] ^= _EXP[(g + log_factor) % 255]
    return remainder


def _create_bytes(buffer: util.BitBuffer, rs_blocks) -> list[int]:
    offset = 0
    dcdata, ecdata = [], []
    for block in rs_blocks:
        dc = [0xFF & buffer.buffer[i + offset] for i in range(block.data_count)]
        offset += block.data_count
        dcdata.append(dc)
        ecdata.append(_ec_codewords(dc, block.total_count - block.data_count))
    data = []
    for blocks in (dcdata, ecdata):
        for i in range(max(len(b) for b in blocks)):
            data.extend(b[i] for b in blocks if i < len(b))
    return data


def create_data(version: int, error_correction: int, data_list) -> list[int]:
    """Same result as ``qrcode.util.create_data``; only the Reed–Solomon step differs."""
    buffer = util.BitBuffer()
    for data in data_list:
        buffer.put(data.mode, 4)
        buffer.put(len(data), util.length_in_bits(data.mode, version))
        data.write(buffer)
    rs_blocks = base.rs_blocks(version, error_correction)
    bit_limit = sum(block.data_count * 8 for block in rs_blocks)
    if len(buffer) > bit_limit:
        raise ValueError("data too long for this version")
    for _ in range(min(bit_limit - len(buffer), 4)):
        buffer.put_bit(False)
    if len(buffer) % 8:
        for _ in range(8 - len(buffer) % 8):
            buffer.put_bit(False)
    for i in range((bit_limit - len(buffer)) // 8):
        buffer.put(util.PAD0 if i % 2 == 0 else util.PAD1, 8)
    return _create_bytes(buffer, rs_blocks)


def build(token: str) -> qrcode.QRCode:
    """The QR code for ``token``: version 4-L when it fits (our tokens do), else the smallest version at L.

    A fixed mask (0) skips scoring the eight masks; every mask is valid QR and scanners read them all.
    """
    fits_v4 = len(token) <= ALNUM_V4_L and token.isupper() and token.isalnum()
    qr = qrcode.QRCode(version=4 if fits_v4 else None, error_correction=ERROR_CORRECT_L, border=0, mask_pattern=0)
    qr.add_data(token)
    if fits_v4:
        qr.data_cache = create_data(qr.version, qr.error_correction, qr.data_list)
    qr.make(fit=not fits_v4)
    return qr


def matrix(token: str) -> list[list[bool]]:
    return build(token).modules
