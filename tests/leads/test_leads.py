"""Lead capture: consent, booth staff, scans verified like the door, idempotent nonces, the card, export,
meeting requests and the organizer's figures."""

from __future__ import annotations

import io
import json

import pytest
from django.core import mail
from django.urls import reverse

from eventsite.invitations import accept_invitation
from eventsite.models import EventRole, Invitation
from leads.models import BoothStaff, Lead, LeadScan
from leads.services import capture, staff
from leads.services.access import NotBoothStaff
from leads.services.cards import person_of, update_lead
from leads.services.report import heat_map, top_products, visits_per_booth
from matchmaking.models import MeetingRequest
from registration.models import Badge, ContactConsent, RegistrationStatus, RevokedToken
from registration.services import tokens
from registration.services.badges import reissue_badge, token_for
from registration.services.consent import set_contact_consent
from tests.factories import EventFactory, UserFactory

from .setup import make_buyer, make_fair

pytestmark = pytest.mark.django_db


def scan(client, fair, code, nonce="nonce-0001", booth=None):
    return client.post(reverse("leads:scan_submit", args=[fair.event.slug]),
                       {"booth": (booth or fair.booth).pk, "code": code, "nonce": nonce})


def test_scan_shows_details_only_with_consent_and_withdrawal_hides_them(client):
    fair = make_fair()
    yes, yes_code = make_buyer(fair.event, 1, consent=True)
    no, no_code = make_buyer(fair.event, 2, consent=False)
    client.force_login(fair.staff)
    first = scan(client, fair, yes_code, "nonce-yes-1").json()
    second = scan(client, fair, no_code, "nonce-no-01").json()
    assert first["person"]["email"] == yes.email and first["person"]["phone"] == yes.phone
    assert second["person"] == {"name": no.full_name, "organization": no.company, "buyer_type": "Chuỗi siêu thị",
                                "consented": False, "email": "", "phone": "", "job_title": ""}
    set_contact_consent(registration=yes, shared=False, actor=yes.user)
    lead = Lead.objects.get(registration=yes)
    assert person_of(lead).email == "" and person_of(lead).phone == ""
    page = client.get(reverse("leads:list", args=[fair.event.slug])).content.decode()
    assert yes.email not in page and yes.full_name in page
    export = client.get(reverse("leads:export", args=[fair.event.slug, "csv"])).content.decode("utf-8-sig")
    assert yes.email not in export and yes.phone not in export
    answers = list(ContactConsent.objects.filter(registration=yes).order_by("given_at", "pk")
                   .values_list("shared", flat=True))
    assert answers == [True, False]
    assert "13/2023/NĐ-CP" in ContactConsent.objects.filter(registration=yes).first().wording


def test_buyer_changes_consent_on_their_page_and_sees_who_scanned(client):
    fair = make_fair()
    reg, code = make_buyer(fair.event, 1, consent=False)
    capture.capture_lead(event=fair.event, booth_id=fair.booth.pk, code=code, nonce="nonce-abc-1", user=fair.staff)
    client.force_login(reg.user)
    url = reverse("leads:mine", args=[fair.event.slug])
    page = client.get(url).content.decode()
    assert fair.booth.code in page and fair.org.name in page
    client.post(url, {"share_contact": "on"})
    reg.refresh_from_db()
    assert reg.contact_shared is True
    me = client.get(reverse("registration:my_event", args=[fair.event.slug])).content.decode()
    assert reverse("leads:mine", args=[fair.event.slug]) in me


def test_signup_stores_the_consent_choice_with_its_wording(client):
    from registration.models import Registration
    from tests.registration.factories import RegistrationSettingsFactory

    event = EventFactory()
    RegistrationSettingsFactory(event=event, approval_required=False)
    user = UserFactory(email="mua@example.vn")
    client.force_login(user)
    client.post(reverse("registration:signup", args=[event.slug]), {
        "full_name": "Phạm Mua", "company": "Công ty Mua", "buyer_type": "distributor", "phone": "0912345678",
        "email": "mua@example.vn", "share_contact": "on"})
    reg = Registration.objects.get(event=event)
    assert reg.contact_shared is True
    consent = reg.contact_consents.get()
    assert consent.shared is True and "13/2023" in consent.wording and consent.given_by == user


def test_other_booth_staff_cannot_see_or_edit(client):
    fair = make_fair()
    _reg, code = make_buyer(fair.event, 1, consent=True)
    lead = capture.capture_lead(event=fair.event, booth_id=fair.booth.pk, code=code, nonce="nonce-own-1",
                                user=fair.staff).lead
    client.force_login(fair.other_staff)
    card = reverse("leads:card", args=[fair.event.slug, lead.pk])
    assert client.get(card).status_code == 403
    assert client.post(card, {"interest": "high", "note": "x"}).status_code == 403
    assert client.post(reverse("leads:meeting", args=[fair.event.slug, lead.pk]), {"message": "x"}).status_code == 403
    assert scan(client, fair, code, "nonce-other", booth=fair.booth).status_code == 403
    listing = client.get(reverse("leads:list", args=[fair.event.slug])).content.decode()
    assert _reg.full_name not in listing
    with pytest.raises(NotBoothStaff):
        update_lead(event=fair.event, lead_id=lead.pk, user=fair.other_staff, interest="high", product_ids=[],
                    note="", follow_up_on=None)
    client.force_login(UserFactory())
    assert client.get(reverse("leads:list", args=[fair.event.slug])).status_code == 403
    assert client.get(card).status_code == 403
    client.force_login(fair.other_staff)
    assert client.get(reverse("leads:card", args=[fair.event.slug, 987654321])).status_code == 404


@pytest.mark.parametrize("kind", ["forged", "malformed", "other_event", "empty", "huge"])
def test_bad_codes_get_a_clear_4xx(client, kind):
    fair = make_fair()
    _reg, code = make_buyer(fair.event, 1, consent=True)
    if kind == "forged":
        raw = bytearray(tokens.decode(code))
        raw[-1] ^= 1
        code = tokens.encode(bytes(raw))
    elif kind == "malformed":
        code = "NOT A BADGE ☃"
    elif kind == "other_event":
        _other, code = make_buyer(EventFactory(), 2, consent=True)
    elif kind == "empty":
        code = ""
    else:
        code = "A" * 5000
    client.force_login(fair.staff)
    response = scan(client, fair, code, "nonce-bad-1")
    assert 400 <= response.status_code < 500
    assert response.json()["status"] == "error"
    assert not Lead.objects.exists()


def test_revoked_and_unapproved_badges_are_refused():
    fair = make_fair()
    reg, code = make_buyer(fair.event, 1, consent=True)
    reg.status = RegistrationStatus.CANCELLED
    reg.save()
    with pytest.raises(capture.ScanRefused) as refused:
        capture.capture_lead(event=fair.event, booth_id=fair.booth.pk, code=code, nonce="nonce-na-1",
                             user=fair.staff)
    assert refused.value.code == "not_approved"

    # A lost badge reissued: the old code is refused; so is a code whose counter is on the revocation list.
    other, old_code = make_buyer(fair.event, 2, consent=True)
    new_badge = reissue_badge(badge=Badge.objects.get(registration=other))
    with pytest.raises(capture.ScanRefused) as refused:
        capture.capture_lead(event=fair.event, booth_id=fair.booth.pk, code=old_code, nonce="nonce-old-1",
                             user=fair.staff)
    assert refused.value.code == "revoked"
    RevokedToken.objects.create(event=fair.event, badge=new_badge, counter=new_badge.counter)
    with pytest.raises(capture.ScanRefused) as refused:
        capture.capture_lead(event=fair.event, booth_id=fair.booth.pk, code=token_for(new_badge),
                             nonce="nonce-listed-1", user=fair.staff)
    assert refused.value.code == "revoked"
    assert not Lead.objects.filter(registration=other).exists()


def test_duplicate_scans_and_retried_nonces_make_one_lead(client):
    fair = make_fair()
    _reg, code = make_buyer(fair.event, 1, consent=True)
    client.force_login(fair.staff)
    a = scan(client, fair, code, "nonce-dup-1").json()
    again = scan(client, fair, code, "nonce-dup-1").json()
    b = scan(client, fair, code, "nonce-dup-2").json()
    assert a["created"] is True and again["replayed"] is True and b["created"] is False
    assert a["lead"] == again["lead"] == b["lead"]
    assert Lead.objects.count() == 1 and Lead.objects.get().scans == 2
    assert LeadScan.objects.count() == 2
    body = {"booth": fair.booth.pk, "scans": [{"code": code, "nonce": "nonce-off-1",
                                               "scanned_at": "2020-01-01T08:00:00+07:00"}]}
    url = reverse("leads:upload", args=[fair.event.slug])
    for _ in range(2):
        answer = client.post(url, json.dumps(body), content_type="application/json").json()
        assert answer["results"][0]["s"] == "ok"
    assert Lead.objects.count() == 1 and Lead.objects.get().scans == 3
    assert client.post(url, "not json", content_type="application/json").status_code == 400


def test_other_booth_scanning_same_person_has_its_own_lead():
    fair = make_fair()
    _reg, code = make_buyer(fair.event, 1, consent=True)
    capture.capture_lead(event=fair.event, booth_id=fair.booth.pk, code=code, nonce="nonce-same", user=fair.staff)
    capture.capture_lead(event=fair.event, booth_id=fair.other_booth.pk, code=code, nonce="nonce-same",
                         user=fair.other_staff)
    assert Lead.objects.count() == 2


def test_card_edit_products_from_own_catalog_only(client):
    fair = make_fair()
    _reg, code = make_buyer(fair.event, 1, consent=True)
    lead = capture.capture_lead(event=fair.event, booth_id=fair.booth.pk, code=code, nonce="nonce-card",
                                user=fair.staff).lead
    client.force_login(fair.staff)
    url = reverse("leads:card", args=[fair.event.slug, lead.pk])
    response = client.post(url, {"interest": "high", "products": [fair.products[0].pk], "note": "Cần 2 tấn/tháng",
                                 "follow_up_on": "2030-01-15"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.interest, lead.note, str(lead.follow_up_on)) == ("high", "Cần 2 tấn/tháng", "2030-01-15")
    assert list(lead.products.all()) == [fair.products[0]]
    from tests.factories import ProductFactory

    foreign = ProductFactory()
    response = client.post(url, {"interest": "low", "products": [foreign.pk], "note": ""})
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.interest == "high"


def test_export_is_injection_safe_xlsx_and_csv(client):
    from openpyxl import load_workbook

    fair = make_fair()
    reg, code = make_buyer(fair.event, 1, consent=True)
    lead = capture.capture_lead(event=fair.event, booth_id=fair.booth.pk, code=code, nonce="nonce-exp",
                                user=fair.staff).lead
    lead.note = "=HYPERLINK(\"http://evil\")"
    lead.save()
    client.force_login(fair.owner)
    csv_text = client.get(reverse("leads:export", args=[fair.event.slug, "csv"])).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and reg.email in csv_text
    xlsx = client.get(reverse("leads:export", args=[fair.event.slug, "xlsx"])).content
    rows = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][9] == "'=HYPERLINK(\"http://evil\")" and rows[1][1] == reg.full_name
    assert client.get(reverse("leads:export", args=[fair.event.slug, "pdf"])).status_code == 404


def test_exhibitor_proposes_meeting_and_drafts_agreement(client):
    fair = make_fair()
    reg, code = make_buyer(fair.event, 1, consent=False)
    lead = capture.capture_lead(event=fair.event, booth_id=fair.booth.pk, code=code, nonce="nonce-meet",
                                user=fair.staff).lead
    lead.products.set([fair.products[0]])
    client.force_login(fair.owner)
    client.post(reverse("leads:meeting", args=[fair.event.slug, lead.pk]), {"message": "Mời anh chị gặp"})
    request = MeetingRequest.objects.get()
    assert (request.producer, request.buyer) == (fair.org, reg.organization)
    assert list(request.products.all()) == [fair.products[0]]
    target = client.get(reverse("leads:agreement", args=[fair.event.slug, lead.pk]))["Location"]
    assert f"seller={fair.org.pk}" in target and f"buyer={reg.organization_id}" in target
    assert f"products={fair.products[0].pk}" in target
    client.force_login(fair.staff)  # staff scan and note; the exhibitor's accounts ask for meetings
    response = client.post(reverse("leads:meeting", args=[fair.event.slug, lead.pk]), {"message": "x"})
    assert response.status_code == 403


def test_staff_invitation_limit_and_acceptance():
    fair = make_fair()
    staff.update_settings(event=fair.event, staff_per_booth=2, actor=fair.owner)  # one already
    invitation = staff.invite_staff(event=fair.event, booth=fair.booth, email="Nv@Example.vn",
                                    invited_by=fair.owner, site_url="http://testserver")
    assert invitation.scope == f"booth:{fair.booth.pk}"
    with pytest.raises(staff.StaffLimitReached):
        staff.invite_staff(event=fair.event, booth=fair.booth, email="other@example.vn", invited_by=fair.owner,
                           site_url="http://testserver")
    with pytest.raises(NotBoothStaff):
        staff.invite_staff(event=fair.event, booth=fair.booth, email="x@example.vn", invited_by=fair.staff,
                           site_url="http://testserver")
    token = "t-" + "a" * 20
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=__import__("hashlib").sha256(token.encode())
                                                        .hexdigest())
    user = UserFactory(email="nv@example.vn")
    accepted = accept_invitation(token=token, user=user)
    assert accepted.next_url.startswith(reverse("leads:scan", args=[fair.event.slug]))
    assert BoothStaff.objects.filter(booth=fair.booth, user=user).exists()
    assert not BoothStaff.objects.filter(booth=fair.other_booth, user=user).exists()
    assert EventRole.objects.filter(event=fair.event, user=user, role=EventRole.Role.BOOTH_STAFF).exists()
    staff.remove_staff(event=fair.event, staff=BoothStaff.objects.get(user=user), actor=fair.owner)
    assert not EventRole.objects.filter(event=fair.event, user=user, role=EventRole.Role.BOOTH_STAFF).exists()


def test_invitation_email_names_the_booth(client, django_capture_on_commit_callbacks):
    fair = make_fair()
    client.force_login(fair.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("leads:staff", args=[fair.event.slug]),
                               {"booth": fair.booth.pk, "email": "moi@example.vn"})
    assert response.status_code == 302
    assert fair.booth.code in mail.outbox[-1].body


def test_organizer_report_counts_without_people(client):
    from tests.factories import user_with_role

    fair = make_fair()
    reg, code = make_buyer(fair.event, 1, consent=True)
    lead = capture.capture_lead(event=fair.event, booth_id=fair.booth.pk, code=code, nonce="nonce-rep",
                                user=fair.staff).lead
    lead.interest = "high"
    lead.save()
    lead.products.set([fair.products[1]])
    rows = {r["code"]: r["visitors"] for r in visits_per_booth(fair.event)}
    assert rows == {fair.booth.code: 1, fair.other_booth.code: 0}
    [hall] = heat_map(fair.event)
    assert {b["code"]: (b["visitors"], b["level"]) for b in hall["booths"]} == {
        fair.booth.code: (1, 4), fair.other_booth.code: (0, 0)}
    assert top_products(fair.event) == [{"name": fair.products[1].name, "leads": 1, "score": 3}]
    client.force_login(user_with_role(fair.event, "organizer"))
    page = client.get(reverse("leads:report", args=[fair.event.slug])).content.decode()
    assert fair.products[1].name in page and reg.full_name not in page and reg.email not in page
    client.post(reverse("leads:report", args=[fair.event.slug]), {"staff_per_booth": "5"})
    assert staff.settings_for(fair.event).staff_per_booth == 5
    client.force_login(fair.staff)
    assert client.get(reverse("leads:report", args=[fair.event.slug])).status_code == 403


@pytest.mark.parametrize("n", [2, 12])
def test_lead_list_and_export_queries_constant(client, django_assert_max_num_queries, n):
    fair = make_fair()
    for i in range(n):
        _reg, code = make_buyer(fair.event, i, consent=bool(i % 2))
        lead = capture.capture_lead(event=fair.event, booth_id=fair.booth.pk, code=code, nonce=f"nonce-q-{i:04d}",
                                    user=fair.staff).lead
        lead.products.set(fair.products)
    client.force_login(fair.staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("leads:list", args=[fair.event.slug])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("leads:export", args=[fair.event.slug, "xlsx"])).status_code == 200
