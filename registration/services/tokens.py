"""Signed badge tokens: what the QR code carries.

Layout (binary, before encoding)::

    version (0x01) | badge id (varint) | event id (varint) | issue counter (varint) | Ed25519 signature (64 B)

The signature covers every byte before it. The whole is encoded in RFC 4648 base32, upper case, without padding,
so the QR code uses alphanumeric mode (5.5 bits per character instead of 8 in byte mode). A typical token is
about 70 bytes → 112–114 characters → QR version 4 at error correction L (capacity 114) or version 5 at M.

Verification needs no database except the event's public key (cached in-process): the same check runs offline
in a browser with the published public key; the server then checks revocation and the registration's state.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import threading
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction

from eventsite.errors import DomainError

from ..models import EventSigningKey

VERSION = 1
SIGNATURE_BYTES = 64
MAX_CODE_CHARS = 200  # generous upper bound: anything longer is not one of ours
_BASE32 = re.compile(r"^[A-Z2-7]+$")
_MAX_VARINT_BYTES = 5  # up to 2**35: enough for ids and counters


class TokenError(DomainError):
    """A code that cannot be admitted on its face: ``malformed``, ``forged`` or ``wrong_event``."""

    code = "malformed"


@dataclass(frozen=True)
class Claims:
    badge_id: int
    event_id: int
    counter: int


# --- encoding ----------------------------------------------------------------------------------------------


def _varint(n: int) -> bytes:
    if n < 0:
        raise ValueError("varints are unsigned")
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    for i in range(_MAX_VARINT_BYTES):
        if pos + i >= len(data):
            raise TokenError("truncated")
        byte = data[pos + i]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if i and byte == 0:
                raise TokenError("non-canonical varint")  # one value, one encoding: no re-encoded twins
            return value, pos + i + 1
        shift += 7
    raise TokenError("varint too long")


def payload(claims: Claims) -> bytes:
    return bytes([VERSION]) + _varint(claims.badge_id) + _varint(claims.event_id) + _varint(claims.counter)


def encode(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def decode(code: str) -> bytes:
    """Base32 text → bytes; tolerant of case, spaces and dashes (people type codes, scanners add noise)."""
    text = re.sub(r"[\s-]+", "", code or "").upper()
    if not text or len(text) > MAX_CODE_CHARS or not _BASE32.match(text):
        raise TokenError("not base32")
    if len(text) % 8 in (1, 3, 6):
        raise TokenError("impossible base32 length")
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        raise TokenError("not base32")
    if encode(raw) != text:
        raise TokenError("non-canonical base32")  # stray bits in the last character
    return raw


def parse(code: str) -> tuple[Claims, bytes, bytes]:
    """Split a code into claims, the signed message and the signature; ``TokenError('malformed')`` if it can't be."""
    raw = decode(code)
    if len(raw) < 1 + 3 + SIGNATURE_BYTES or raw[0] != VERSION:
        raise TokenError("unknown version or too short")
    badge_id, pos = _read_varint(raw, 1)
    event_id, pos = _read_varint(raw, pos)
    counter, pos = _read_varint(raw, pos)
    if len(raw) - pos != SIGNATURE_BYTES:
        raise TokenError("wrong length")
    if badge_id == 0 or event_id == 0 or counter == 0:
        raise TokenError("zero id")
    return Claims(badge_id, event_id, counter), raw[:pos], raw[pos:]


# --- keys ----------------------------------------------------------------------------------------------------


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"ketnoi-badge-keys", info=b"ed25519-private").derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


@dataclass(frozen=True)
class _Keys:
    public: Ed25519PublicKey
    public_raw: bytes
    private_encrypted: bytes


_cache: dict[int, _Keys] = {}
_private_cache: dict[int, Ed25519PrivateKey] = {}
_lock = threading.Lock()


def ensure_event_key(event_id: int) -> EventSigningKey:
    """The event's key pair, created on first use (race-safe: a concurrent creator wins, we reuse its row)."""
    existing = EventSigningKey.objects.filter(event_id=event_id).first()
    if existing is not None:
        return existing
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    try:
        with transaction.atomic():
            return EventSigningKey.objects.create(
                event_id=event_id, public_key=public, private_key_encrypted=_fernet().encrypt(raw_private)
            )
    except IntegrityError:
        return EventSigningKey.objects.get(event_id=event_id)


def _keys(event_id: int) -> _Keys | None:
    keys = _cache.get(event_id)
    if keys is None:
        row = EventSigningKey.objects.filter(event_id=event_id).values_list(
            "public_key", "private_key_encrypted").first()
        if row is None:
            return None
        public_raw = bytes(row[0])
        keys = _Keys(Ed25519PublicKey.from_public_bytes(public_raw), public_raw, bytes(row[1]))
        with _lock:
            _cache[event_id] = keys
    return keys


def public_key(event_id: int) -> bytes:
    """The raw 32-byte public key published for desks (created if the event has none yet)."""
    keys = _keys(event_id)
    if keys is None:
        ensure_event_key(event_id)
        keys = _keys(event_id)
    return keys.public_raw


def _private(event_id: int) -> Ed25519PrivateKey:
    key = _private_cache.get(event_id)
    if key is None:
        keys = _keys(event_id)
        if keys is None:
            ensure_event_key(event_id)
            keys = _keys(event_id)
        key = Ed25519PrivateKey.from_private_bytes(_fernet().decrypt(keys.private_encrypted))
        with _lock:
            _private_cache[event_id] = key
    return key


def forget_cached_keys() -> None:
    """Drop in-process key caches (tests that recreate events with reused ids)."""
    with _lock:
        _cache.clear()
        _private_cache.clear()


def key_fingerprint(event_id: int) -> str:
    return hashlib.sha256(public_key(event_id)).hexdigest()[:16]


# --- sign and verify -------------------------------------------------------------------------------------------


def sign(claims: Claims) -> str:
    message = payload(claims)
    return encode(message + _private(claims.event_id).sign(message))


def verify(code: str, *, event_id: int) -> Claims:
    """Check a code's form and signature for the desk's event.

    Raises ``TokenError`` with code ``malformed`` (cannot be parsed), ``forged`` (signature does not match the
    claimed event's key, or that event has no key) or ``wrong_event`` (genuine, but for another event).
    Revocation and registration state are the server's next step (services.checkin).
    """
    claims, message, signature = parse(code)
    keys = _keys(claims.event_id)
    if keys is None:
        raise TokenError("no key for the claimed event", code="forged")
    try:
        keys.public.verify(signature, message)
    except InvalidSignature:
        raise TokenError("bad signature", code="forged")
    if claims.event_id != event_id:
        raise TokenError("token of another event", code="wrong_event")
    return claims
