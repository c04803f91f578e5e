"""Numbers that come from outside (URLs, forms, HTMX posts, JSON bodies, imports), parsed in one place.

Python's ``int()`` and ``float()`` accept far more than a database column can hold: ``int("1" * 30)`` is a fine
Python int that SQLite refuses with OverflowError and PostgreSQL with "out of range", ``float("inf")``,
``float("nan")`` and ``float("1e30")`` pass every comparison a view might forget; ``int()`` also takes
``"1_000"`` and Arabic-Indic digits. Every path that turns text into a number calls this module instead, so the
rule "a number is within bounds and finite, or the caller gets a translated 4xx" lives here once:

* :func:`parse_int`, :func:`parse_id`, :func:`parse_decimal`, :func:`parse_float` return the value or raise
  :class:`NumberError` (a :class:`~eventsite.errors.DomainError` and a ``ValueError``, so code that already
  catches ``ValueError`` keeps working);
* :class:`IdConverter` is the ``<id:…>`` URL converter: an id out of range does not match, so it is a 404;
* form fields (:class:`IdField`, :class:`BoundedIntegerField`, :class:`BoundedDecimalField`,
  :class:`BoundedFloatField`, :class:`BoundedModelChoiceField`, :class:`BoundedModelMultipleChoiceField`)
  give a form error instead of a 500;
* :data:`ApiId` and :func:`api_int` / :func:`api_float` are the same bounds for django-ninja schemas.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pydantic import Field

from .errors import DomainError

# Primary keys are BigAutoField (eventsite.apps.default_auto_field): 64-bit signed on SQLite and PostgreSQL.
ID_MAX = 2**63 - 1
# PositiveIntegerField / IntegerField on PostgreSQL (4 bytes); SQLite would hold more, PostgreSQL would not.
INT32_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1
# Longest text looked at: enough for any 64-bit integer or any decimal a person types, short enough that a
# megabyte of digits is refused before any conversion (Python's int() is quadratic in the digit count).
MAX_TEXT = 64

_INT = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: int() also takes "1_000", " ٣ " and "1e3" is not an int
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,6})?")
_NON_FINITE = re.compile(r"[+-]?(?:inf|infinity|nan|snan)", re.IGNORECASE)


class NumberError(DomainError, ValueError):
    """Text (or a JSON value) that is not a number of the kind asked for, or one outside its bounds."""

    code = "invalid_number"
    status = 400


def _bounds_message(minimum: Any, maximum: Any) -> str:
    if minimum is not None and maximum is not None:
        return _("Enter a number from %(min)s to %(max)s.") % {"min": minimum, "max": maximum}
    if minimum is not None:
        return _("Enter a number of at least %(min)s.") % {"min": minimum}
    return _("Enter a number of at most %(max)s.") % {"max": maximum}


def _check_bounds(value, minimum, maximum):
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise NumberError(_bounds_message(minimum, maximum), code="out_of_range")
    return value


def _text(value: Any) -> str:
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        # A long run of digits is a number too big for any field; anything else that long is not a number.
        if _INT.fullmatch(text):
            raise NumberError(_("This number is too large."), code="out_of_range")
        raise NumberError(_("Enter a number."), code="not_number")
    return text


def parse_int(value: Any, *, minimum: int | None, maximum: int | None) -> int:
    """A whole number within ``[minimum, maximum]`` from text, an int or an integral float/Decimal.

    Both bounds are keyword-only and must be stated (None only where the column itself has no limit, which is
    never the case for a database integer): forgetting them is what let 2**70 reach the database.
    """
    if isinstance(value, bool) or value is None:
        raise NumberError(_("Enter a whole number."), code="not_integer")
    if isinstance(value, int):
        return _check_bounds(value, minimum, maximum)
    if isinstance(value, float | Decimal):
        if not _finite(value):
            raise NumberError(_("Enter a finite number."), code="not_finite")
        _check_bounds(value, minimum, maximum)  # before int(): int(Decimal("1e99999")) is a 100,000-digit number
        if value != int(value):
            raise NumberError(_("Enter a whole number."), code="not_integer")
        return int(value)
    text = _text(value)
    if not _INT.fullmatch(text):
        raise NumberError(_("Enter a whole number."), code="not_integer")
    return _check_bounds(int(text), minimum, maximum)


def parse_id(value: Any) -> int:
    """A database id (1 … 2**63 − 1). Anything else is not an id of ours: the caller answers 404 or a form error."""
    try:
        return parse_int(value, minimum=1, maximum=ID_MAX)
    except NumberError:
        raise NumberError(_("This is not a valid reference."), code="invalid_id") from None


def optional_id(value: Any) -> int | None:
    """:func:`parse_id`, with None for a missing or blank value (an optional hidden field)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_id(value)


def _finite(value: float | Decimal) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


def parse_decimal(value: Any, *, minimum: Decimal | int | None, maximum: Decimal | int | None,
                  places: int | None = None, comma: bool = False) -> Decimal:
    """A finite decimal within bounds, with at most ``places`` digits after the point.

    ``comma=True`` also takes a decimal comma ("2,5", as Vietnamese spreadsheets write it) when the text has no
    point; thousands separators are never guessed.
    """
    if isinstance(value, bool) or value is None:
        raise NumberError(_("Enter a number."), code="not_number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NumberError(_("Enter a finite number."), code="not_finite")
        number = Decimal(repr(value))
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    else:
        text = _text(value)
        if comma and "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")
        if _NON_FINITE.fullmatch(text):
            raise NumberError(_("Enter a finite number."), code="not_finite")
        if not _DECIMAL.fullmatch(text):
            raise NumberError(_("Enter a number."), code="not_number")
        try:
            number = Decimal(text)
        except InvalidOperation:  # the pattern should make this unreachable; never let it become a 500
            raise NumberError(_("Enter a number."), code="not_number") from None
    if not number.is_finite():
        raise NumberError(_("Enter a finite number."), code="not_finite")
    _check_bounds(number, minimum, maximum)
    if places is not None and number != number.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN"):
        raise NumberError(_("Use at most %(places)d digits after the decimal point.") % {"places": places},
                          code="too_many_places")
    return number


def parse_float(value: Any, *, minimum: float | None, maximum: float | None, comma: bool = False) -> float:
    """A finite float within bounds (for coordinates and sizes that are stored or computed as floats)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NumberError(_("Enter a finite number."), code="not_finite")
        return _check_bounds(value, minimum, maximum)
    number = parse_decimal(value, minimum=None, maximum=None, comma=comma)
    result = float(number)
    if not math.isfinite(result):  # "1e400" is a finite Decimal but an infinite float
        raise NumberError(_bounds_message(minimum, maximum), code="out_of_range")
    return _check_bounds(result, minimum, maximum)


# --- URLs --------------------------------------------------------------------------------------------------------


class IdConverter:
    """``<id:name>``: a database id. An id out of range does not match the URL (404), it never reaches a query.

    Registered in ``EventsiteConfig.ready``; every URL that takes an object id uses it instead of ``<int:…>``
    (tests/security/test_number_inputs.py walks the URL configuration and fails on any ``<int:…>``).
    """

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        return parse_id(value)  # NumberError is a ValueError: Django treats the URL as not matching

    def to_url(self, value: Any) -> str:
        # As Django's IntConverter: reversing is our own code, and pages build URL templates with a placeholder 0
        # (agenda's "session_id": 0) that the browser fills in; only incoming paths are checked.
        return str(value)


# --- forms -------------------------------------------------------------------------------------------------------


def _as_validation_error(error: NumberError) -> ValidationError:
    return ValidationError(error.message, code=error.code)


class BoundedIntegerField(forms.IntegerField):
    """An IntegerField whose bounds are required and whose parsing is :func:`parse_int`."""

    def __init__(self, *, min_value: int, max_value: int, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_int(value, minimum=None, maximum=None)
        except NumberError as error:
            raise _as_validation_error(error) from None


class IdField(BoundedIntegerField):
    """A hidden or typed object id: 1 … 2**63 − 1."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_id(value)
        except NumberError as error:
            raise _as_validation_error(error) from None


class BoundedDecimalField(forms.DecimalField):
    """A DecimalField with required bounds; parsing (finite, length-capped) is :func:`parse_decimal`."""

    def __init__(self, *, min_value, max_value, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_decimal(value, minimum=None, maximum=None, comma=True)
        except NumberError as error:
            raise _as_validation_error(error) from None


class BoundedFloatField(forms.FloatField):
    """A FloatField with required bounds; parsing (finite, length-capped) is :func:`parse_float`."""

    def __init__(self, *, min_value: float, max_value: float, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_float(value, minimum=None, maximum=None, comma=True)
        except NumberError as error:
            raise _as_validation_error(error) from None


class BoundedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField (by integer pk) that refuses a value that cannot be an id before it asks the database."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not self.to_field_name:
            try:
                parse_id(value)
            except NumberError:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField (by integer pk): every value must be an id first.

    Django checks each pk with an exact lookup (which knows the column's range) but then filters with ``pk__in``,
    which does not: one value beyond 64 bits made SQLite raise OverflowError.
    """

    def clean(self, value):
        if value and not self.to_field_name and isinstance(value, list | tuple):
            for pk in value:
                try:
                    parse_id(pk)
                except NumberError:
                    raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                          params={"pk": str(pk)[:MAX_TEXT]}) from None
        return super().clean(value)


def id_or_none(value: Any) -> int | None:
    """The id in ``value``, or None when it is missing or not an id (a choice in a query string to fall back from)."""
    try:
        return optional_id(value)
    except NumberError:
        return None


def id_list(values, *, limit: int = 1000) -> list[int]:
    """The valid ids among ``values`` (e.g. ``request.GET.getlist("product")``), silently dropping the rest.

    For optional pre-fills from links, where a bad value should be ignored rather than refused.
    """
    found = []
    for value in list(values)[:limit]:
        try:
            found.append(parse_id(value))
        except NumberError:
            continue
    return found


# --- JSON API (django-ninja / pydantic) ----------------------------------------------------------------------------

ApiId = Annotated[int, Field(ge=1, le=ID_MAX, strict=False)]


def api_int(minimum: int, maximum: int) -> Any:
    """A bounded integer for a ninja schema or query parameter: ``limit: api_int(1, 5000) = 1000``."""
    return Annotated[int, Field(ge=minimum, le=maximum)]


def api_float(minimum: float, maximum: float) -> Any:
    """A bounded, finite float for a ninja schema (pydantic refuses inf/nan with ``allow_inf_nan=False``)."""
    return Annotated[float, Field(ge=minimum, le=maximum, allow_inf_nan=False)]
