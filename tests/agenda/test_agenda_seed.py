"""The demo programme: five rooms, about 25 sessions over 9–11/12/2026, published as version 1."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from agenda.models import Agenda, Room, Session

pytestmark = pytest.mark.django_db


def test_demo_programme_is_published_as_version_1(client):
    call_command("seed_demo", stdout=io.StringIO())
    agenda = Agenda.objects.select_related("event").get(event__slug="ca-mau-2026")
    assert agenda.version == 1
    assert list(Room.objects.filter(event=agenda.event).values_list("name", flat=True)) == [
        "Hội trường A", "Phòng hội thảo 1", "Phòng hội thảo 2", "Khu B2B", "Khu triển lãm"]
    sessions = Session.objects.filter(event=agenda.event)
    assert 20 <= sessions.count() <= 30
    assert {timezone.localtime(s.starts_at).date().isoformat() for s in sessions} == {
        "2026-12-09", "2026-12-10", "2026-12-11"}
    titles = set(sessions.values_list("title", flat=True))
    assert {"Chính sách mở rộng thị trường cho sản phẩm OCOP", "Đưa sản phẩm OCOP vào hệ thống phân phối",
            "Lễ ký kết biên bản ghi nhớ hợp tác"} <= titles
    assert set(sessions.values_list("type", flat=True)) == set(Session.Type.values)
    page = client.get("/e/ca-mau-2026/agenda/").content.decode()
    assert "Khai mạc Hội nghị kết nối cung cầu sản phẩm OCOP" in page and "Điều phối" in page
