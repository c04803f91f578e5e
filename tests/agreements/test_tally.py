"""Tallies: the Sóc Trăng 2020 figures, every dimension, and a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.audit import AuditAction
from agreements.models import Agreement, AgreementParty, AgreementProductGroup
from agreements.seeding import seed_soc_trang_2020
from agreements.services import (
    PartyData,
    business_with_distributors,
    cancel_agreement,
    create_agreement,
    dashboard,
    public_counts,
    tally,
    tally_agreements,
)
from eventsite.apps import collect_stats
from eventsite.models import ActivityEntry
from tests.factories import EventFactory, ProductFactory

from .factories import SIGNED, agreement, data, dept, organizer, producer, retailer

pytestmark = pytest.mark.django_db


def soc_trang_cast():
    home = dept(92, name="Sở Công Thương tỉnh Sóc Trăng")
    departments = [dept(p) for p in (1, 4, 8, 11, 12, 14, 15, 19, 20, 22, 24, 25, 31, 33)]
    distributors = [retailer(name=f"Nhà phân phối {i}", province_code=79) for i in range(8)]
    producers = [producer(province_code=92) for _ in range(34)]
    for p in producers[:5]:
        ProductFactory(producer=p)
    return home, departments, distributors, producers


def test_soc_trang_2020_tally_is_reproduced():
    event = EventFactory(province_at_event="Sóc Trăng", province_code=92)
    home, departments, distributors, producers = soc_trang_cast()
    created = seed_soc_trang_2020(event, organizer_org=home, departments=departments,
                                  distributors=distributors, producers=producers)
    assert created == 56
    assert tally_agreements(event, by="kind") == {"dept_dept": 14, "dept_retail": 8, "biz_distributor": 34}
    assert business_with_distributors(event) == (34, 8)  # "34 with 8 distributors"
    # idempotent
    assert seed_soc_trang_2020(event, organizer_org=home, departments=departments,
                               distributors=distributors, producers=producers) == 0
    assert Agreement.objects.filter(event=event).count() == 56
    # every seeded agreement has its audit entry
    assert ActivityEntry.objects.filter(event=event, action=AuditAction.CREATED).values("object_id").distinct(
    ).count() == 56


def test_demo_event_shows_the_soc_trang_figures():
    from demo.seeds import run_all

    ctx = run_all()
    assert tally_agreements(ctx.event, by="kind") == {"dept_dept": 14, "dept_retail": 8, "biz_distributor": 34}
    assert business_with_distributors(ctx.event) == (34, 8)
    run_all()  # second run changes nothing
    assert Agreement.objects.filter(event=ctx.event).count() == 56
    stats = [s for s in collect_stats(ctx.event) if s.url.endswith("/agreements/tally/")]
    assert [s.value for s in stats] == [56]
    board = dashboard(ctx.event)  # every breakdown of the demo event accounts for all 56
    for rows in (board.by_kind, board.by_province, board.by_buyer, board.by_product_group):
        assert sum(r.count for r in rows) == 56


def test_only_verified_live_agreements_count_and_every_dimension():
    event = EventFactory(province_code=96)
    big = retailer(name="Saigon Co.op", province_code=79)
    a = agreement(event, buyer=big, value=100, product_groups=["food"])
    agreement(event, buyer=big, value=50, product_groups=["food", "beverage"])
    agreement(event, kind="biz_biz", buyer=producer(province_code=92), value=7, product_groups=["handicraft"])
    seller = producer()
    create_agreement(event=event, actor=None, data=data(seller=seller, value=10**9), submitted_by_org=seller)
    gone = agreement(event, value=10**9)
    cancel_agreement(agreement=gone, actor=None, reason="rút lại")
    agreement(EventFactory(), value=10**9)  # another event

    assert tally_agreements(event) == {"biz_biz": 1, "biz_distributor": 2}
    by_kind = {r.key: (r.count, r.value) for r in tally(events=event, by="kind")}
    assert by_kind == {"biz_biz": (1, 7), "biz_distributor": (2, 150)}
    assert {r.key: (r.count, r.value) for r in tally(events=event, by="province")} == {79: (2, 150), 92: (1, 7)}
    assert [(r.label, r.count, r.value) for r in tally(events=event, by="buyer")][0] == ("Saigon Co.op", 2, 150)
    assert {r.key: (r.count, r.value) for r in tally(events=event, by="product_group")} == {
        "food": (2, 150), "beverage": (1, 50), "handicraft": (1, 7)}
    assert business_with_distributors(event) == (2, 1)
    board = dashboard(event)
    assert (board.total_count, board.total_value, board.pending) == (3, 157, 1)
    assert public_counts(event) == {"total": 3, "business": 2, "distributors": 1, "by_kind": {
        "dept_dept": 0, "dept_retail": 0, "biz_biz": 1, "biz_distributor": 2, "other": 0}}
    assert a.counts


def test_across_events():
    e1, e2 = EventFactory(), EventFactory()
    agreement(e1, value=1)
    agreement(e2, value=2)
    agreement(e2, kind="biz_biz", buyer=producer(), value=4)
    assert tally_agreements([e1, e2]) == {"biz_distributor": 2, "biz_biz": 1}
    assert dashboard([e1, e2]).total_value == 7


def _bulk(event, n: int) -> None:
    """n agreements straight into the tables (the services are tested elsewhere; this is about query counts)."""
    provinces = (79, 92, 96, 91, 86)
    orgs = [producer() for _ in range(5)] + [retailer(name=f"R{i}", province_code=p) for i, p in enumerate(provinces)]
    now = timezone.now()
    kinds = Agreement.Kind.values
    groups = ("food", "beverage", "herbal")
    rows = Agreement.objects.bulk_create([
        Agreement(event=event, kind=kinds[i % 5], title=f"A{i}", signed_at=SIGNED, signed_on=SIGNED.date(),
                  estimated_value=i * 1000, party_key=f"k{i}", partner_province_code=provinces[i % 5],
                  buyer_key=str(orgs[5 + i % 5].pk), group_key=groups[i % 3],  # what the services store
                  created_at=now - timedelta(seconds=i))
        for i in range(n)
    ])
    AgreementParty.objects.bulk_create(
        [AgreementParty(agreement=a, organization=orgs[i % 5], role="seller") for i, a in enumerate(rows)]
        + [AgreementParty(agreement=a, organization=orgs[5 + i % 5], role="buyer") for i, a in enumerate(rows)]
    )
    AgreementProductGroup.objects.bulk_create(
        [AgreementProductGroup(agreement=a, group=groups[i % 3]) for i, a in enumerate(rows)]
    )


def test_tally_queries_constant_at_10_and_1000(django_assert_num_queries):
    small, large = EventFactory(), EventFactory()
    _bulk(small, 10)
    _bulk(large, 1000)
    # 5: grouped agreements, distinct distributors, agreements by buyer, buyer names, by product group
    with django_assert_num_queries(5):
        board_small = dashboard(small)
    with django_assert_num_queries(5):
        board_large = dashboard(large)
    assert board_small.total_count == 10 and board_large.total_count == 1000
    for board in (board_small, board_large):
        for rows in (board.by_kind, board.by_province, board.by_buyer, board.by_product_group):
            assert sum(r.count for r in rows) == board.total_count
            assert sum(r.value for r in rows) == board.total_value
    assert board_large.total_value == sum(i * 1000 for i in range(1000))


def test_dashboard_page_query_count_constant(client, django_assert_max_num_queries):
    small, large = EventFactory(), EventFactory()
    _bulk(small, 10)
    _bulk(large, 1000)
    client.force_login(organizer(small))
    with django_assert_max_num_queries(30) as q_small:
        assert client.get(reverse("agreements:dashboard", args=[small.slug])).status_code == 200
    client.force_login(organizer(large))
    with django_assert_max_num_queries(30) as q_large:
        response = client.get(reverse("agreements:dashboard", args=[large.slug]))
    assert len(q_large.captured_queries) == len(q_small.captured_queries)
    html = response.content.decode()
    assert "<svg" in html and 'role="img"' in html and "1000" in html


def test_overview_across_my_events(client):
    e1, e2, foreign = EventFactory(), EventFactory(), EventFactory()
    user = organizer(e1)
    from eventsite.models import EventRole
    EventRole.objects.create(event=e2, user=user, role="organizer", organization=e2.organizer)
    agreement(e1, value=1)
    agreement(e2, value=2)
    agreement(foreign, value=4)
    client.force_login(user)
    response = client.get(reverse("agreements:overview"))
    assert response.status_code == 200
    assert response.context["board"].total_count == 2 and response.context["board"].total_value == 3


def test_every_breakdown_adds_up_to_the_total_with_other_rows():
    """12 partner provinces and 12 buyers: the top 10 by name, the rest in one "Other (K …)" row; agreements
    with several buyers / product groups, or none, have rows of their own; nothing drops out."""
    event = EventFactory(province_code=96)
    codes = [1, 4, 8, 11, 12, 14, 15, 19, 20, 22, 24, 25]
    for i, code in enumerate(codes):
        chain = retailer(name=f"Chuỗi {code}", province_code=code)
        for _ in range(1 + (i < 10)):  # the first ten provinces (and buyers) have 2 agreements, the last two 1
            agreement(event, buyer=chain, value=10, product_groups=["food"])
    # several buyers and several groups; no buyer (department ↔ department) and no product group
    two_buyers = [PartyData(producer(), AgreementParty.Role.SELLER),
                  PartyData(retailer(name="Mua 1", province_code=1), AgreementParty.Role.BUYER),
                  PartyData(retailer(name="Mua 2", province_code=1), AgreementParty.Role.BUYER)]
    create_agreement(event=event, actor=None, data=data(parties=two_buyers, value=5,
                                                        product_groups=["food", "beverage"]))
    create_agreement(event=event, actor=None, data=data(
        kind="dept_dept", value=None, parties=[PartyData(dept(96), AgreementParty.Role.GOVERNMENT),
                                               PartyData(dept(1), AgreementParty.Role.GOVERNMENT)]))
    board = dashboard(event)
    assert board.total_count == 24 and board.total_value == 225
    for rows in (board.by_kind, board.by_province, board.by_buyer, board.by_product_group):
        assert sum(r.count for r in rows) == board.total_count
        assert sum(r.value for r in rows) == board.total_value
    assert len(board.by_province) == 11 and board.others["province"] == 2
    other = board.by_province[-1]
    assert (other.key, other.label, other.count) == ("other", "Khác (2 tỉnh, thành)", 2)
    assert [r.key for r in board.by_buyer[-3:]] == ["other", "several", "none"]
    assert board.by_buyer[-3].label == "Khác (2 bên mua)" and board.others["buyer"] == 2
    assert [r.count for r in board.by_buyer[-3:]] == [2, 1, 1]
    groups = {r.key: r.count for r in board.by_product_group}
    assert groups == {"food": 22, "several": 1, "none": 1}
    # the limited tally adds the rest up the same way
    limited = tally(events=event, by="province", limit=10)
    assert limited[-1].key == "other" and sum(r.count for r in limited) == 24


def test_dashboard_headings_say_top_n_and_show_the_other_row(client):
    event = EventFactory(province_code=96)
    for code in (1, 4, 8, 11, 12, 14, 15, 19, 20, 22, 24, 25):
        agreement(event, buyer=retailer(name=f"Chuỗi {code}", province_code=code), value=10)
    client.force_login(organizer(event))
    html = client.get(reverse("agreements:dashboard", args=[event.slug])).content.decode()
    assert "Theo tỉnh, thành đối tác (10 tỉnh, thành đứng đầu và phần còn lại)" in html
    assert "Khác (2 tỉnh, thành)" in html
    assert "Theo bên mua (10 đơn vị đứng đầu và phần còn lại)" in html
    html = client.get(reverse("agreements:overview")).content.decode()
    assert "Khác (2 tỉnh, thành)" in html
