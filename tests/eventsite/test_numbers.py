"""eventsite.numbers: any text, any integer, any float in, and out comes a value within bounds or NumberError.

Property-based (hypothesis): whatever arrives (integer strings of any size, floats including inf, nan, subnormal
and huge ones, arbitrary Unicode text, JSON-ish values), the parsers never raise anything but NumberError, and
what they return is within the bounds asked for.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from django import forms
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404
from hypothesis import given, settings
from hypothesis import strategies as st

from eventsite.errors import DomainError
from eventsite.numbers import (
    ID_MAX,
    BoundedDecimalField,
    BoundedFloatField,
    BoundedIntegerField,
    IdConverter,
    IdField,
    NumberError,
    id_list,
    id_or_none,
    optional_id,
    parse_decimal,
    parse_float,
    parse_id,
    parse_int,
)

BAD = [str(2**70), "-1", "inf", "nan", "1e30", "-inf", "Infinity", "NaN", "0", "1_000", "١٢", "²", "0x10", "",
       " ", "1.5", "9" * 5000]

anything = st.one_of(
    st.text(),
    st.integers(),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(allow_subnormal=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.booleans(),
    st.none(),
    st.from_regex(r"[+-]?[0-9]{1,80}([.,][0-9]{0,40})?([eE][+-]?[0-9]{1,8})?", fullmatch=True),
)
bounds = st.tuples(st.integers(min_value=-(2**70), max_value=2**70), st.integers(min_value=0, max_value=2**70))


@settings(max_examples=400, deadline=None)
@given(value=anything, bounds=bounds)
def test_parse_int_returns_a_value_within_bounds_or_number_error(value, bounds):
    low, span = bounds
    try:
        result = parse_int(value, minimum=low, maximum=low + span)
    except NumberError as error:
        assert error.code in {"not_integer", "not_finite", "out_of_range", "not_number"}
        assert str(error.message)
        return
    assert type(result) is int and low <= result <= low + span


@settings(max_examples=400, deadline=None)
@given(value=anything)
def test_parse_id_returns_a_database_id_or_number_error(value):
    try:
        result = parse_id(value)
    except NumberError as error:
        assert error.code == "invalid_id"
        return
    assert type(result) is int and 1 <= result <= ID_MAX


@settings(max_examples=400, deadline=None)
@given(value=anything, low=st.floats(-1e6, 1e6), span=st.floats(0, 1e6))
def test_parse_float_returns_a_finite_value_within_bounds_or_number_error(value, low, span):
    try:
        result = parse_float(value, minimum=low, maximum=low + span)
    except NumberError:
        return
    assert isinstance(result, float) and math.isfinite(result) and low <= result <= low + span


@settings(max_examples=400, deadline=None)
@given(value=anything, places=st.none() | st.integers(0, 6))
def test_parse_decimal_returns_a_finite_value_within_bounds_or_number_error(value, places):
    try:
        result = parse_decimal(value, minimum=Decimal("-1000"), maximum=Decimal("1000"), places=places, comma=True)
    except NumberError:
        return
    assert result.is_finite() and Decimal("-1000") <= result <= Decimal("1000")
    if places is not None:  # "0.10" has one decimal place, written with a trailing zero: compare values
        assert result == result.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN")


@settings(max_examples=300, deadline=None)
@given(value=st.integers())
def test_every_integer_inside_the_bounds_is_accepted_as_text_and_as_int(value):
    inside = -(2**63) <= value <= 2**63 - 1
    for given_value in (value, str(value), f"  {value} "):
        try:
            assert parse_int(given_value, minimum=-(2**63), maximum=2**63 - 1) == value
            assert inside
        except NumberError as error:
            assert not inside and error.code == "out_of_range"


@settings(max_examples=300, deadline=None)
@given(value=st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True))
def test_floats_of_every_kind_parse_or_fail_by_finiteness_and_range(value):
    for given_value in (value, repr(value)):
        try:
            result = parse_float(given_value, minimum=-1e9, maximum=1e9)
        except NumberError:
            assert not math.isfinite(value) or abs(value) > 1e9
            continue
        assert result == value


@pytest.mark.parametrize("value", BAD)
def test_bad_values_are_refused_as_ids(value):
    with pytest.raises(NumberError):
        parse_id(value)


def test_number_error_is_a_domain_error_and_a_value_error():
    with pytest.raises(DomainError):
        parse_int("inf", minimum=0, maximum=10)
    with pytest.raises(ValueError):
        parse_int(str(2**70), minimum=0, maximum=10)


def test_messages_are_translated_to_vietnamese():
    from django.utils import translation

    with translation.override("vi"), pytest.raises(NumberError) as error:
        parse_int("50", minimum=1, maximum=10)
    assert str(error.value.message) == "Nhập một số từ 1 đến 10."


def test_lenient_helpers_drop_what_is_not_an_id():
    assert id_list(["3", str(2**70), "-1", "inf", "x", "7", "²"]) == [3, 7]
    assert id_or_none("12") == 12 and id_or_none("1e30") is None and id_or_none(None) is None
    assert optional_id("") is None and optional_id(" 5 ") == 5
    with pytest.raises(NumberError):
        optional_id("nan")


def test_decimal_comma_and_places():
    assert parse_decimal("2,5", minimum=0, maximum=10, comma=True) == Decimal("2.5")
    with pytest.raises(NumberError):
        parse_decimal("2,5", minimum=0, maximum=10)
    with pytest.raises(NumberError) as error:
        parse_decimal("2.555", minimum=0, maximum=10, places=2)
    assert error.value.code == "too_many_places"
    with pytest.raises(NumberError):
        parse_float("1e400", minimum=None, maximum=None)  # a finite decimal, an infinite float


class NumbersForm(forms.Form):
    count = BoundedIntegerField(min_value=1, max_value=60)
    ref = IdField(required=False)
    width = BoundedDecimalField(min_value=Decimal("0.5"), max_value=Decimal("100"), decimal_places=2, max_digits=6)
    scale = BoundedFloatField(min_value=0.1, max_value=10.0)


@pytest.mark.parametrize("value", BAD + ["1e999999", "-0", "5"])
def test_form_fields_give_a_form_error_never_an_exception(value):
    form = NumbersForm({"count": value, "ref": value, "width": value, "scale": value})
    valid = form.is_valid()
    if not valid:
        assert set(form.errors) <= {"count", "ref", "width", "scale"}
    else:
        assert 1 <= form.cleaned_data["count"] <= 60


def test_form_fields_accept_good_values():
    form = NumbersForm({"count": "12", "ref": "42", "width": "3,5", "scale": "1.25"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"count": 12, "ref": 42, "width": Decimal("3.5"), "scale": 1.25}


def test_id_converter_refuses_out_of_range_ids():
    converter = IdConverter()
    assert converter.to_python("42") == 42
    for value in ("0", str(2**63), str(2**70)):
        with pytest.raises(ValueError):
            converter.to_python(value)


def test_id_urls_resolve_only_for_real_ids():
    match = resolve("/catalog/products/42/")
    assert match.kwargs == {"product_id": 42}
    for bad in (str(2**63), str(2**70), "0"):
        with pytest.raises(Resolver404):
            resolve(f"/catalog/products/{bad}/")
    assert reverse("catalog:product", kwargs={"product_id": 42}) == "/catalog/products/42/"


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [str(2**70), "-1", "inf", "nan", "1e30", "0"])
def test_model_choice_fields_refuse_what_cannot_be_an_id_before_the_query(bad):
    from eventsite.models import Organization
    from eventsite.numbers import BoundedModelChoiceField, BoundedModelMultipleChoiceField
    from tests.factories import OrganizationFactory

    class PartiesForm(forms.Form):
        one = BoundedModelChoiceField(queryset=Organization.objects.all())
        many = BoundedModelMultipleChoiceField(queryset=Organization.objects.all())

    org = OrganizationFactory()
    form = PartiesForm({"one": bad, "many": [str(org.pk), bad]})
    assert not form.is_valid() and set(form.errors) == {"one", "many"}
    form = PartiesForm({"one": str(org.pk), "many": [str(org.pk)]})
    assert form.is_valid() and form.cleaned_data["one"] == org and list(form.cleaned_data["many"]) == [org]
