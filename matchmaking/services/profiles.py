"""Buyers say what they seek, producers what they offer; the rules that keep those statements consistent."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.ocop import ProductGroup, SubGroup
from eventsite.models import Event, Organization

from ..models import BuyerProfile, Channel, ProducerProfile, Side
from .errors import InvalidRequest, NotAParticipant
from .participants import is_participant


def _checked(values: Iterable[str], allowed: Iterable[str], what: str) -> list[str]:
    allowed = set(allowed)
    values = list(dict.fromkeys(values))  # keep order, drop repeats
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise InvalidRequest(_("Unknown %(what)s: %(values)s") % {"what": what, "values": ", ".join(unknown)},
                             code="unknown_choice")
    return values


@transaction.atomic
def save_buyer_profile(
    *, event: Event, organization: Organization, groups: Iterable[str] = (), subgroups: Iterable[str] = (),
    min_stars: int = 3, volume: str = "", certifications: str = "", channels: Iterable[str] = (), needs: str = "",
) -> BuyerProfile:
    """Record what a buyer seeks. A ticked group means "anything in it"; a sub-group alone narrows to it."""
    if not is_participant(event, organization.pk, Side.BUYER):
        raise NotAParticipant(_("This organization is not a buyer at this event."))
    if min_stars not in (3, 4, 5):
        raise InvalidRequest(_("Minimum stars must be 3, 4 or 5."), code="bad_stars")
    subgroups = _checked(subgroups, SubGroup.values, _("sub-groups"))
    groups = _checked(groups, ProductGroup.values, _("product groups"))
    profile, _created = BuyerProfile.objects.update_or_create(
        event=event, organization=organization,
        defaults=dict(groups=groups, subgroups=subgroups, min_stars=min_stars, volume=volume.strip(),
                      certifications=certifications.strip(),
                      channels=_checked(channels, Channel.values, _("channels")), needs=needs.strip()),
    )
    return profile


@transaction.atomic
def save_producer_profile(
    *, event: Event, organization: Organization, product_ids: Iterable[int] = (), capacity: str = "",
    certifications: str = "", channels: Iterable[str] = (), pitch: str = "",
) -> ProducerProfile:
    """Record what a producer offers: only its own products with a valid OCOP certificate may be offered."""
    if not is_participant(event, organization.pk, Side.PRODUCER):
        raise NotAParticipant(_("This organization is not an exhibitor at this event."))
    wanted = set(product_ids)
    products = list(Product.objects.certified().filter(producer=organization, pk__in=wanted))
    if len(products) != len(wanted):
        raise InvalidRequest(_("Only your own products with a valid OCOP certificate can be offered."),
                             code="foreign_product")
    profile, _created = ProducerProfile.objects.update_or_create(
        event=event, organization=organization,
        defaults=dict(capacity=capacity.strip(), certifications=certifications.strip(),
                      channels=_checked(channels, Channel.values, _("channels")), pitch=pitch.strip()),
    )
    profile.products.set(products)
    return profile
