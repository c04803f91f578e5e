from decimal import Decimal

import pytest
from django.utils import translation

from catalog.ocop import ProductGroup, SubGroup
from eventsite.models import EventRole
from matchmaking.models import Channel
from matchmaking.services import profiles
from matchmaking.services.errors import InvalidRequest, NotAParticipant
from matchmaking.services.recommendations import (
    parse_quantity,
    recommend_buyers,
    recommend_producers,
    split_terms,
)
from tests.factories import ProductFactory
from tests.matchmaking.factories import party

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Reasons are compared word for word, in the source language."""
    with translation.override("en"):
        yield


def test_reasons_are_translated(fair):
    profiles.save_buyer_profile(event=fair.event, organization=fair.buyers[0].org, needs="nước mắm")
    with translation.override("vi"):
        reasons = recommend_producers(event=fair.event, buyer=fair.buyers[0].org)[0].reasons
    assert reasons[1:3] == ["khớp “nước mắm”", "cung ứng 10.000 lít/tháng"]


def test_parse_quantity_reads_vietnamese_notation():
    assert parse_quantity("10.000 lít") == (Decimal(10000), "l")
    assert parse_quantity("1,5 tấn") == (Decimal(1500), "kg")
    assert parse_quantity("800 kg") == (Decimal(800), "kg")
    assert parse_quantity("1.000 hộp") == (Decimal(1000), "hop")
    assert parse_quantity("không rõ") is None


def test_split_terms_folds_and_dedupes():
    terms = split_terms("Nước mắm, nuoc mam; mật ong\n")
    assert [t.folded for t in terms] == ["nuoc mam", "mat ong"]
    assert terms[0].text == "Nước mắm"


def test_recommendations_rank_with_reasons(fair):
    buyer, best, other = fair.buyers[0], fair.producers[0], fair.producers[1]
    ProductFactory(producer=best.org, name="Mắm tôm chà", group=ProductGroup.FOOD, subgroup=SubGroup.CONDIMENT,
                   stars=5, monthly_capacity="1 tấn")
    profiles.save_producer_profile(event=fair.event, organization=best.org, channels=[Channel.SUPERMARKET])
    profiles.save_buyer_profile(event=fair.event, organization=buyer.org, subgroups=[SubGroup.CONDIMENT],
                                needs="nuoc mam", volume="5.000 lít", channels=[Channel.SUPERMARKET])

    matches = recommend_producers(event=fair.event, buyer=buyer.org)

    assert [m.organization for m in matches] == [best.org, other.org]
    top = matches[0]
    # 5★ Mắm tôm chà scores 40 + 10 (stars); Nước mắm scores 40 + 20 (term) + 5 (stars) + 10 (volume) = 75,
    # plus 3 for the second product and 5 for the shared channel.
    assert top.score == 83
    assert top.reasons == [
        "4★ Nước mắm cá cơm", "matches sub-group “Condiments (fish sauce, sauces, spices)”", "matches “nuoc mam”",
        "supplies 10.000 lít/month", "covers the 5.000 lít/month needed", "1 more matching products",
        "shared channel: Supermarkets and retail chains",
    ]
    assert matches[1].score == 75


def test_recommendations_are_deterministic_and_tie_break_by_name(fair):
    profiles.save_buyer_profile(event=fair.event, organization=fair.buyers[0].org, groups=[ProductGroup.FOOD])
    first = recommend_producers(event=fair.event, buyer=fair.buyers[0].org)
    again = recommend_producers(event=fair.event, buyer=fair.buyers[0].org)
    assert [(m.organization.pk, m.score) for m in first] == [(m.organization.pk, m.score) for m in again]
    assert first[0].score == first[1].score == 30  # group 25 + 4★ 5
    assert [m.organization.name for m in first] == sorted(m.organization.name for m in first)


def test_min_stars_and_unrelated_products_are_left_out(fair):
    profiles.save_buyer_profile(event=fair.event, organization=fair.buyers[0].org, min_stars=5,
                                subgroups=[SubGroup.CONDIMENT])
    assert recommend_producers(event=fair.event, buyer=fair.buyers[0].org) == []
    profiles.save_buyer_profile(event=fair.event, organization=fair.buyers[0].org, subgroups=[SubGroup.TEA])
    assert recommend_producers(event=fair.event, buyer=fair.buyers[0].org) == []


def test_expired_certificates_do_not_count(fair):
    producer = fair.producers[0]
    producer.org.products.update(certificate_expires_on="2020-01-01", certificate_issued_on="2017-01-01")
    profiles.save_buyer_profile(event=fair.event, organization=fair.buyers[0].org, needs="nước mắm")
    assert [m.organization for m in recommend_producers(event=fair.event, buyer=fair.buyers[0].org)] == [
        fair.producers[1].org]


def test_producer_sees_buyers_ranked_by_same_points(fair):
    b0, b1 = fair.buyers
    profiles.save_buyer_profile(event=fair.event, organization=b0.org, needs="mật ong")
    profiles.save_buyer_profile(event=fair.event, organization=b1.org, needs="NUOC MAM")
    matches = recommend_buyers(event=fair.event, producer=fair.producers[0].org)
    assert [m.organization for m in matches] == [b1.org]
    assert "matches “NUOC MAM”" in matches[0].reasons


def test_buyer_without_profile_gets_no_recommendations(fair):
    assert recommend_producers(event=fair.event, buyer=fair.buyers[0].org) == []


def test_save_buyer_profile_rejects_bad_input(fair):
    p = profiles.save_buyer_profile(event=fair.event, organization=fair.buyers[0].org,
                                    subgroups=[SubGroup.TEA, SubGroup.TEA])
    assert (p.groups, p.subgroups) == ([], [SubGroup.TEA])
    with pytest.raises(InvalidRequest) as e:
        profiles.save_buyer_profile(event=fair.event, organization=fair.buyers[0].org, subgroups=["bogus"])
    assert e.value.code == "unknown_choice"
    with pytest.raises(NotAParticipant):
        profiles.save_buyer_profile(event=fair.event, organization=fair.producers[0].org)


def test_producer_cannot_offer_someone_elses_product(fair):
    foreign = fair.producers[1].org.products.first()
    with pytest.raises(InvalidRequest) as e:
        profiles.save_producer_profile(event=fair.event, organization=fair.producers[0].org,
                                       product_ids=[foreign.pk])
    assert e.value.code == "foreign_product"


def test_producer_profile_limits_offer(fair):
    producer = fair.producers[0]
    extra = ProductFactory(producer=producer.org, name="Mật ong rừng U Minh", subgroup=SubGroup.RAW)
    profiles.save_producer_profile(event=fair.event, organization=producer.org, product_ids=[extra.pk])
    profiles.save_buyer_profile(event=fair.event, organization=fair.buyers[0].org, needs="nước mắm, mật ong")
    match = next(m for m in recommend_producers(event=fair.event, buyer=fair.buyers[0].org)
                 if m.organization == producer.org)
    assert match.products == [extra]


def test_participant_without_role_is_not_recommended(fair):
    outsider = party(fair.event, EventRole.Role.SPEAKER)
    ProductFactory(producer=outsider.org, name="Nước mắm khác")
    profiles.save_buyer_profile(event=fair.event, organization=fair.buyers[0].org, needs="nước mắm")
    orgs = {m.organization for m in recommend_producers(event=fair.event, buyer=fair.buyers[0].org)}
    assert outsider.org not in orgs


def test_producer_capacity_is_a_reason_and_scores_when_it_covers_the_volume(fair):
    """The producer's overall monthly capacity (its profile) when its products state none."""
    buyer, big, small = fair.buyers[0], fair.producers[0], fair.producers[1]
    for p in (big, small):
        p.org.products.update(monthly_capacity="")
    profiles.save_producer_profile(event=fair.event, organization=big.org, capacity="2 tấn")
    profiles.save_producer_profile(event=fair.event, organization=small.org, capacity="500 kg")
    profiles.save_buyer_profile(event=fair.event, organization=buyer.org, groups=[ProductGroup.FOOD],
                                volume="1,5 tấn")
    matches = {m.organization: m for m in recommend_producers(event=fair.event, buyer=buyer.org)}
    # group 25 + 4★ 5, and 10 when the capacity covers the 1.5 t asked for
    assert (matches[big.org].score, matches[small.org].score) == (40, 30)
    assert matches[big.org].reasons[-2:] == ["supplies 2 tấn/month in all", "covers the 1,5 tấn/month needed"]
    assert matches[small.org].reasons[-1] == "supplies 500 kg/month in all"
    assert (matches[big.org].capacity, matches[small.org].capacity) == ("2 tấn", "500 kg")
    # Same profiles, same answer; a volume in another unit earns no points, only the reason.
    again = recommend_producers(event=fair.event, buyer=buyer.org)
    assert [(m.organization, m.score) for m in again] == [(big.org, 40), (small.org, 30)]
    profiles.save_buyer_profile(event=fair.event, organization=buyer.org, groups=[ProductGroup.FOOD],
                                volume="1.000 lít")
    assert {m.score for m in recommend_producers(event=fair.event, buyer=buyer.org)} == {30}


def test_overall_capacity_adds_no_second_volume_points(fair):
    """A product whose own capacity covered the volume already earned the points."""
    buyer, producer = fair.buyers[0], fair.producers[0]
    profiles.save_producer_profile(event=fair.event, organization=producer.org, capacity="50.000 lít")
    profiles.save_buyer_profile(event=fair.event, organization=buyer.org, groups=[ProductGroup.FOOD],
                                volume="5.000 lít")
    match = next(m for m in recommend_producers(event=fair.event, buyer=buyer.org) if m.organization == producer.org)
    assert match.score == 40  # group 25 + 4★ 5 + volume 10, once
    assert match.reasons.count("covers the 5.000 lít/month needed") == 1
    assert "supplies 50.000 lít/month in all" in match.reasons


def test_buyers_see_the_producer_capacity(client, fair):
    from django.urls import reverse

    profiles.save_producer_profile(event=fair.event, organization=fair.producers[0].org, capacity="2 tấn")
    profiles.save_buyer_profile(event=fair.event, organization=fair.buyers[0].org, groups=[ProductGroup.FOOD])
    client.force_login(fair.buyers[0].user)
    page = client.get(reverse("matchmaking:recommendations", args=[fair.event.slug])).content.decode()
    assert 'class="mm-capacity"' in page and "2 tấn" in page


def test_certifications_add_points_and_a_reason(fair):
    buyer, certified, plain = fair.buyers[0], fair.producers[0], fair.producers[1]
    profiles.save_producer_profile(event=fair.event, organization=certified.org, certifications="VietGAP, HACCP")
    profiles.save_buyer_profile(event=fair.event, organization=buyer.org, groups=[ProductGroup.FOOD],
                                certifications="haccp, ISO 22000, vietgap")
    matches = recommend_producers(event=fair.event, buyer=buyer.org)
    assert [m.organization for m in matches] == [certified.org, plain.org]
    assert matches[0].score - matches[1].score == 10  # 5 per certification held, at most 10
    assert "certified haccp, vietgap" in matches[0].reasons
    assert not any(r.startswith("certified") for r in matches[1].reasons)
    # One certification held: 5 points.
    profiles.save_producer_profile(event=fair.event, organization=certified.org, certifications="HACCP")
    top = recommend_producers(event=fair.event, buyer=buyer.org)[0]
    assert top.score - matches[1].score == 5 and "certified haccp" in top.reasons
