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
