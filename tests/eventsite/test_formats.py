from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from eventsite.templatetags.ketnoi import format_vnd


@pytest.mark.parametrize("lang,expected", [("vi", "1.250.000.000 ₫"), ("en", "1,250,000,000 ₫")])
def test_vnd_grouping_per_language(lang, expected):
    assert format_vnd(1_250_000_000, lang) == expected


def test_vnd_empty_for_missing_amount():
    assert format_vnd(None) == ""


def test_vnd_filter_in_template_defaults_to_vietnamese():
    with translation.override("vi"):
        assert Template("{% load ketnoi %}{{ v|vnd }}").render(Context({"v": 35000})) == "35.000 ₫"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_dates_are_day_first_in_both_languages(lang):
    moment = datetime(2026, 12, 9, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with translation.override(lang):
        rendered = Template('{{ m|date:"SHORT_DATE_FORMAT" }}').render(Context({"m": moment}))
    assert rendered == "09/12/2026"
