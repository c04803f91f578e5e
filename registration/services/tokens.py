"""Signed badge tokens: what the QR code carries.

Layout (binary, before encoding)::

    version (0x01) | badge id (varint) | event id (varint) | issue counter (varint) | Ed25519 signature (64 B)

The signature covers every byte before it. The whole is encoded in RFC 4648 base32, upper case, without padding,
so the QR code uses alphanumeric mode (5.5 bits per character instead of 8 in byte mode). A typical token is
about 70 bytes → 112–114 characters → QR version 4 at error correction L (capacity 114) or version 5 at M.

Verification needs no database except the event's public key (cached in-process): the same check runs offline
in a browser with the published public key; the server then checks revocation and the registration's state.

Speed (issue 3 asks ≥ 5,000 sign + verify pairs/s): Ed25519 runs on libsodium through PyNaCl, which on this
project's machines signs and verifies about 1.5× faster than OpenSSL through ``cryptography`` (measured in
docs/benchmarks/checkin.md); the signatures are the same RFC 8032 bytes either way. Base32 goes through Python's
arbitrary-precision ``int`` (``base64.b32decode`` is a pure-Python loop on 3.11), and the key objects of the
events last used live in a small LRU cache that a change or deletion of the event's key row clears.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from eventsite.activity import log_action
from eventsite.errors import DomainError

from ..models import EventSigningKey

VERSION = 1
SIGNATURE_BYTES = 64
MAX_CODE_CHARS = 200  # generous upper bound: anything longer is not one of ours
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_BASE32 = re.compile(r"[A-Z2-7]+")
_NOISE = re.compile(r"[\s-]+")
# RFC 4648 base32 digits → the digits int(..., 32) reads (0-9a-v: "base32hex" order, same values)
_TO_INT_DIGITS = str.maketrans(_ALPHABET, "0123456789abcdefghijklmnopqrstuv")
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]  # 10 bits → two characters
KEY_CACHE_SIZE = 256  # events whose key objects stay in memory (a desk or a print job uses one or two)
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
    """RFC 4648 base32, upper case, no padding (what ``base64.b32encode(raw).rstrip(b"=")`` gives)."""
    if not raw:
        return ""
    chars = (len(raw) * 8 + 4) // 5
    value = int.from_bytes(raw, "big") << (chars * 5 - len(raw) * 8)  # zero bits fill the last character
    top = chars * 5 - 10
    if chars % 2:  # an odd count: the first character on its own, then pairs
        return _ALPHABET[value >> (chars * 5 - 5)] + "".join(
            [_PAIRS[(value >> shift) & 0x3FF] for shift in range(top - 5, -1, -10)])
    return "".join([_PAIRS[(value >> shift) & 0x3FF] for shift in range(top, -1, -10)])


def decode(code: str) -> bytes:
    """Base32 text → bytes; tolerant of case, spaces and dashes (people type codes, scanners add noise)."""
    text = _NOISE.sub("", code or "").upper()
    if not text or len(text) > MAX_CODE_CHARS or not _BASE32.fullmatch(text):
        raise TokenError("not base32")
    if len(text) % 8 in (1, 3, 6):
        raise TokenError("impossible base32 length")
    bits = len(text) * 5
    size, spare = divmod(bits, 8)
    value = int(text.translate(_TO_INT_DIGITS), 32)  # only [0-9a-v] reach int(): no sign, "_" or spaces
    if value & ((1 << spare) - 1):
        raise TokenError("non-canonical base32")  # stray bits in the last character
    return (value >> spare).to_bytes(size, "big")


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


class BadgeKeyUnavailable(DomainError):
    """No configured badge key secret decrypts this event's signing key (the secret changed without keeping the
    old one in ``KETNOI_BADGE_KEY_FALLBACKS``): badges cannot be signed until an operator restores it."""

    code = "badge_key_unavailable"
    status = 503


def _fernet_for(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"ketnoi-badge-keys", info=b"ed25519-private").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> MultiFernet:
    """Encrypts with the current badge key secret; decrypts with it, then each fallback, in order.

    ``KETNOI_BADGE_KEY_SECRET`` is the current secret (settings.py; derived from SECRET_KEY only in development),
    ``KETNOI_BADGE_KEY_FALLBACKS`` the old ones, as Django's SECRET_KEY_FALLBACKS. SECRET_KEY and its fallbacks
    come last, because keys stored before the badge key had its own setting were encrypted with them: rotating
    SECRET_KEY no longer touches badges, and ``manage.py rekey_badge_keys`` moves every row to the current secret.
    """
    candidates = [settings.KETNOI_BADGE_KEY_SECRET, *settings.KETNOI_BADGE_KEY_FALLBACKS,
               settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(secret) for secret in dict.fromkeys(s for s in candidates if s)])


def _decrypt(event_id: int, encrypted: bytes) -> bytes:
    try:
        return _fernet().decrypt(encrypted)
    except InvalidToken:
        raise BadgeKeyUnavailable(
            _("Badges of this event cannot be signed now: the server's badge key setting changed. An administrator "
              "must add the previous value to KETNOI_BADGE_KEY_FALLBACKS."),
        ) from None


def rekey_all() -> tuple[int, int]:
    """Re-encrypt every event's signing key with the current badge key secret (after a rotation, so old secrets
    can be dropped from the fallbacks). Returns (re-encrypted, undecryptable); the latter are left untouched."""
    fernet = _fernet()
    done = failed = 0
    for pk in EventSigningKey.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            row = EventSigningKey.objects.select_for_update().get(pk=pk)
            try:
                rotated = fernet.rotate(bytes(row.private_key_encrypted))
            except InvalidToken:
                failed += 1
                continue
            row.private_key_encrypted = rotated
            row.save(update_fields=["private_key_encrypted"])
            log_action(action="registration.badge_key_reencrypted", obj=row, event=row.event_id,
                       actor_label="manage.py rekey_badge_keys", note=key_fingerprint(row.event_id))
            done += 1
    return done, failed


@dataclass(frozen=True)
class _Keys:
    public: VerifyKey
    public_raw: bytes
    private_encrypted: bytes


class _LRU:
    """A small thread-safe LRU map: event id → key objects (building a key object costs a curve operation)."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def discard(self, key) -> None:
        with self.lock:
            self.items.pop(key, None)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_cache = _LRU(KEY_CACHE_SIZE)  # event id → _Keys
_private_cache = _LRU(KEY_CACHE_SIZE)  # event id → SigningKey


def ensure_event_key(event_id: int) -> EventSigningKey:
    """The event's key pair, created on first use (race-safe: a concurrent creator wins, we reuse its row)."""
    existing = EventSigningKey.objects.filter(event_id=event_id).first()
    if existing is not None:
        return existing
    private = SigningKey.generate()
    raw_private = bytes(private)  # the 32-byte seed (RFC 8032 private key)
    public = bytes(private.verify_key)
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
        keys = _Keys(VerifyKey(public_raw), public_raw, bytes(row[1]))
        _cache.put(event_id, keys)
    return keys


def public_key(event_id: int) -> bytes:
    """The raw 32-byte public key published for desks (created if the event has none yet)."""
    keys = _keys(event_id)
    if keys is None:
        ensure_event_key(event_id)
        keys = _keys(event_id)
    return keys.public_raw


def _private(event_id: int) -> SigningKey:
    key = _private_cache.get(event_id)
    if key is None:
        keys = _keys(event_id)
        if keys is None:
            ensure_event_key(event_id)
            keys = _keys(event_id)
        key = SigningKey(_decrypt(event_id, keys.private_encrypted))
        if bytes(key.verify_key) != keys.public_raw:
            raise RuntimeError(f"event {event_id}: the stored private key does not match the public key")
        _private_cache.put(event_id, key)
    return key


def forget_cached_keys(event_id: int | None = None) -> None:
    """Drop in-process key caches: one event's (its key row changed) or all (tests that reuse event ids)."""
    if event_id is None:
        _cache.clear()
        _private_cache.clear()
    else:
        _cache.discard(event_id)
        _private_cache.discard(event_id)


@receiver(post_save, sender=EventSigningKey, dispatch_uid="tokens-forget-key-on-save")
@receiver(post_delete, sender=EventSigningKey, dispatch_uid="tokens-forget-key-on-delete")
def _key_row_changed(sender, instance: EventSigningKey, **kwargs) -> None:
    """A rotated or deleted key must not keep signing or verifying from this process's cache."""
    forget_cached_keys(instance.event_id)


def key_fingerprint(event_id: int) -> str:
    return hashlib.sha256(public_key(event_id)).hexdigest()[:16]


# --- sign and verify -------------------------------------------------------------------------------------------


def sign(claims: Claims) -> str:
    message = payload(claims)
    return encode(message + _private(claims.event_id).sign(message).signature)


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
        keys.public.verify(message, signature)
    except BadSignatureError:
        raise TokenError("bad signature", code="forged")
    if claims.event_id != event_id:
        raise TokenError("token of another event", code="wrong_event")
    return claims
