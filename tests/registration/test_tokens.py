import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registration.models import Badge, RevokedToken
from registration.services import badges, tokens
from registration.services.tokens import Claims, TokenError
from tests.factories import EventFactory

from .factories_checkin import CheckinRegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    tokens.forget_cached_keys()
    yield
    tokens.forget_cached_keys()


def status_of(code: str, event_id: int) -> str:
    try:
        tokens.verify(code, event_id=event_id)
    except TokenError as e:
        return e.code
    return "ok"


def test_round_trip_and_shape():
    reg = CheckinRegistrationFactory()
    badge = badges.ensure_badge(reg)
    code = badges.token_for(badge)
    assert code == code.upper() and "=" not in code
    assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert tokens.verify(code, event_id=reg.event_id) == Claims(badge.pk, reg.event_id, 1)
    raw = base64.b32decode(code + "=" * (-len(code) % 8))
    assert raw[0] == 1 and len(raw) <= 71  # version byte + small payload + 64-byte signature
    assert len(code) <= 114  # QR version 4-L alphanumeric capacity


def test_private_key_is_encrypted_at_rest():
    reg = CheckinRegistrationFactory()
    badges.ensure_badge(reg)
    key = reg.event.signing_key
    assert len(bytes(key.public_key)) == 32
    assert bytes(key.private_key_encrypted).startswith(b"gAAAA")  # a Fernet token, not 32 raw bytes


def test_statuses():
    reg = CheckinRegistrationFactory()
    other = CheckinRegistrationFactory()
    code = badges.token_for(badges.ensure_badge(reg))
    other_code = badges.token_for(badges.ensure_badge(other))
    assert status_of(other_code, reg.event_id) == "wrong_event"
    assert status_of("HELLO", reg.event_id) == "malformed"
    assert status_of("", reg.event_id) == "malformed"
    assert status_of("bánh mì", reg.event_id) == "malformed"
    assert status_of(code[:-4], reg.event_id) == "malformed"  # truncated
    assert status_of(code.lower(), reg.event_id) == "ok"  # scanners in lower-case mode
    # Same payload, signed by another event's key: forged.
    raw = base64.b32decode(code + "=" * (-len(code) % 8))
    foreign_sig = base64.b32decode(other_code + "=" * (-len(other_code) % 8))[-64:]
    assert status_of(tokens.encode(raw[:-64] + foreign_sig), reg.event_id) == "forged"
    # A genuine-looking token for an event without a key.
    ghost = EventFactory()
    fake = tokens.payload(Claims(1, ghost.pk, 1)) + bytes(64)
    assert status_of(tokens.encode(fake), reg.event_id) == "forged"


def test_reissue_increments_counter_and_lists_revocation():
    reg = CheckinRegistrationFactory()
    badge = badges.ensure_badge(reg)
    old = badges.token_for(badge)
    badge = badges.reissue_badge(badge=badge)
    assert badge.counter == 2
    assert tokens.verify(old, event_id=reg.event_id).counter == 1  # signature still genuine: the server revokes
    assert RevokedToken.objects.filter(badge=badge, counter=1).exists()
    assert tokens.verify(badges.token_for(badge), event_id=reg.event_id).counter == 2
    assert Badge.objects.count() == 1


@pytest.fixture
def valid_code(django_db_blocker):
    reg = CheckinRegistrationFactory()
    return reg.event_id, badges.token_for(badges.ensure_badge(reg))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=0, max_size=120))
def test_random_bytes_are_rejected_never_raise(valid_code, data):
    event_id, _ = valid_code
    assert status_of(tokens.encode(data), event_id) in {"malformed", "forged"}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_random_text_is_rejected_never_raise(valid_code, text):
    event_id, _ = valid_code
    assert status_of(text, event_id) in {"malformed", "forged"}


def test_every_bit_flip_is_rejected_with_the_right_status(valid_code):
    event_id, code = valid_code
    raw = base64.b32decode(code + "=" * (-len(code) % 8))
    signed_len = len(raw) - 64
    for i in range(len(raw) * 8):
        flipped = bytearray(raw)
        flipped[i // 8] ^= 1 << (i % 8)
        status = status_of(tokens.encode(bytes(flipped)), event_id)
        if i < 8:
            assert status == "malformed", i  # version byte
        elif i >= signed_len * 8:
            assert status == "forged", i  # signature
        else:
            assert status in {"malformed", "forged"}, (i, status)  # payload: unparsable or not what was signed


@settings(max_examples=300, deadline=None)
@given(data=st.binary(min_size=0, max_size=120))
def test_base32_matches_the_standard_library_both_ways(data):
    reference = base64.b32encode(data).decode("ascii").rstrip("=")
    assert tokens.encode(data) == reference
    if data:
        assert tokens.decode(reference) == data
        assert tokens.decode("-".join(reference[i:i + 4] for i in range(0, len(reference), 4)).lower()) == data


def test_stray_bits_in_the_last_character_are_rejected():
    text = tokens.encode(bytes(range(1, 72)))  # 71 bytes → 114 characters: the last character has 2 spare bits
    assert tokens.decode(text) == bytes(range(1, 72))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    spare = (len(text) * 5) % 8
    assert spare
    for bit in range(spare):
        twin = text[:-1] + alphabet[alphabet.index(text[-1]) ^ (1 << bit)]
        with pytest.raises(TokenError, match="non-canonical"):
            tokens.decode(twin)
    for bad in ("A", "ABC", "ABCDEF", "AB_CD", "+ABCDEFG", "ABCDEFG1", "A" * 201):
        with pytest.raises(TokenError):
            tokens.decode(bad)


def test_a_replaced_key_row_is_not_served_from_the_cache():
    reg = CheckinRegistrationFactory()
    badge = badges.ensure_badge(reg)
    old_code = badges.token_for(badge)  # caches the signing and the verifying key
    assert tokens.verify(old_code, event_id=reg.event_id).badge_id == badge.pk
    key = reg.event.signing_key
    key.delete()  # rotation: the old key row goes, a new one is made on next use
    new_code = badges.token_for(badge)
    assert new_code != old_code
    assert status_of(old_code, reg.event_id) == "forged"
    assert status_of(new_code, reg.event_id) == "ok"
    # a key row edited in place (same event) is picked up too
    from nacl.signing import SigningKey

    replacement = SigningKey.generate()
    row = reg.event.__class__.objects.get(pk=reg.event_id).signing_key
    row.public_key = bytes(replacement.verify_key)
    row.private_key_encrypted = tokens._fernet().encrypt(bytes(replacement))
    row.save()
    assert status_of(new_code, reg.event_id) == "forged"
    assert status_of(badges.token_for(badge), reg.event_id) == "ok"


def test_key_cache_is_bounded():
    small = tokens._LRU(3)
    for i in range(10):
        small.put(i, str(i))
        small.get(max(0, i - 2))  # keep one older entry fresh
    assert len(small.items) == 3
    assert small.get(9) == "9" and small.get(0) is None


def test_signatures_are_standard_ed25519():
    """libsodium and OpenSSL agree byte for byte: keys made by either still verify (and the desk's WebCrypto)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    reg = CheckinRegistrationFactory()
    code = badges.token_for(badges.ensure_badge(reg))
    claims, message, signature = tokens.parse(code)
    seed = tokens._fernet().decrypt(bytes(reg.event.signing_key.private_key_encrypted))
    assert Ed25519PrivateKey.from_private_bytes(seed).sign(message) == signature
