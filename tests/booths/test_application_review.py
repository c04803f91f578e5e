"""#15 found items on the exhibitor application: no preselected province, the exhibitor's note reaches the
organizer, and a certificate that lapses before the event ends is flagged on every page that shows it."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from booths.models import ApplicationStatus
from eventsite.models import EventRole
from tests.factories import DAY2, DAY3, EventFactory, ProductFactory, UserFactory, user_with_role

from .factories import ApplicationFactory

pytestmark = pytest.mark.django_db

PRODUCT = {"name": "Mật ong rừng U Minh", "group": "food", "subgroup": "raw", "stars": 4,
           "certificate_number": "2024/OCOP-CM-001", "certifying_authority": "province",
           "certificate_issued_on": "2023-12-10"}


@pytest.fixture
def event():
    return EventFactory(slug="hoi-cho")  # DAY1 to DAY3


def url(name, event, **kw):
    return reverse(f"booths:{name}", kwargs={"event_slug": event.slug, **kw})


def selected_provinces(response) -> list[str]:
    html = response.content.decode()
    select = html[html.index('name="province_code"'):]
    select = select[:select.index("</select>")]
    return [part.split('"')[1] for part in select.split("<option value=")[1:] if " selected" in part.split(">")[0]]


def test_a_new_application_preselects_no_province(client, event):
    client.force_login(UserFactory())
    r = client.get(url("apply", event))
    assert r.context["form"]["province_code"].value() is None
    assert selected_provinces(r) == [""]  # only the empty choice
    assert "— chọn tỉnh/thành —" in r.content.decode()
    r = client.post(url("apply", event), {"org_name": "HTX A", "org_kind": "cooperative", "tax_code": "1900123456",
                                          "contact_name": "A", "contact_phone": "0290 3831 234",
                                          "contact_email": "a@example.vn", "booths_wanted": 1})
    assert r.status_code == 200
    assert r.context["form"].errors["province_code"]


def test_the_organizations_own_province_is_kept(client, event):
    application = ApplicationFactory(event=event, status=ApplicationStatus.SUBMITTED, organization__province_code=92)
    client.force_login(application.applicant)
    assert selected_provinces(client.get(url("apply", event))) == ["92"]


def test_the_exhibitors_note_is_shown_to_the_organizer(client, event):
    ApplicationFactory(event=event, status=ApplicationStatus.SUBMITTED,
                       note="Chúng tôi cần ổ điện cho tủ mát.\nXin gian gần cửa.")
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    html = client.get(url("applications", event)).content.decode()
    assert "Chúng tôi cần ổ điện cho tủ mát.<br>Xin gian gần cửa." in html


@pytest.mark.parametrize("expires, warned", [(f"{DAY2:%Y-%m-%d}", True), (f"{DAY3:%Y-%m-%d}", False),
                                             (f"{DAY3.year + 1}-06-01", False)])
def test_a_certificate_expiring_before_the_event_ends_is_warned(client, event, expires, warned):
    application = ApplicationFactory(event=event, status=ApplicationStatus.SUBMITTED)
    client.force_login(application.applicant)
    r = client.post(url("product_add", event), {**PRODUCT, "certificate_expires_on": expires}, follow=True)
    assert r.status_code == 200
    levels = [m.level_tag for m in r.context["messages"]]
    assert ("warning" in levels) is warned
    product = application.products.get()
    flag = "trước khi sự kiện kết thúc"
    assert (flag in client.get(url("product_edit", event, product_id=product.pk)).content.decode()) is warned
    assert (flag in client.get(url("apply", event)).content.decode()) is warned
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    assert (flag in client.get(url("applications", event)).content.decode()) is warned


def test_an_already_expired_certificate_keeps_its_expired_flag(client, event):
    application = ApplicationFactory(event=event, status=ApplicationStatus.SUBMITTED)
    application.products.add(ProductFactory(producer=application.organization, certificate_issued_on=date(2020, 1, 1),
                                            certificate_expires_on=date(2023, 1, 1)))
    client.force_login(user_with_role(event, EventRole.Role.ORGANIZER))
    html = client.get(url("applications", event)).content.decode()
    assert "trước khi sự kiện kết thúc" not in html
    assert "flag-expired" in html
