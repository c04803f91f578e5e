"""OCOP product taxonomy (Decision 148/QĐ-TTg of 24/02/2023, which replaced 1048/QĐ-TTg of 2019).

Group names follow the decision; sub-group wording is condensed from its annex and
from provincial OCOP lists — checked against press summaries, not the annex text itself.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductGroup(models.TextChoices):
    FOOD = "food", _("I. Food")
    BEVERAGE = "beverage", _("II. Beverages")
    HERBAL = "herbal", _("III. Medicinal herbs and herbal products")
    HANDICRAFT = "handicraft", _("IV. Handicrafts")
    ORNAMENTAL = "ornamental", _("V. Ornamental plants and animals")
    TOURISM = "tourism", _("VI. Community and eco-tourism services")


class SubGroup(models.TextChoices):
    FRESH = "fresh", _("Fresh produce")
    RAW = "raw", _("Raw and pre-processed (rice, grains, honey)")
    PROCESSED = "processed", _("Processed foods")
    CONDIMENT = "condiment", _("Condiments (fish sauce, sauces, spices)")
    TEA = "tea", _("Tea and tea products")
    COFFEE = "coffee", _("Coffee and cocoa")
    ALCOHOLIC = "alcoholic", _("Alcoholic drinks")
    NON_ALCOHOLIC = "non_alcoholic", _("Non-alcoholic drinks")
    HERB = "herb", _("Medicinal herbs")
    HERBAL_SUPPLEMENT = "herbal_supplement", _("Supplements and traditional medicines from herbs")
    HERBAL_COSMETIC = "herbal_cosmetic", _("Cosmetics from herbs")
    ESSENTIAL_OIL = "essential_oil", _("Essential oils and other herbal products")
    CRAFT = "craft", _("Fine-art handicrafts")
    HOUSEWARE = "houseware", _("Household and decorative goods")
    TEXTILE = "textile", _("Fabrics and garments")
    FLOWER = "flower", _("Flowers")
    PLANT = "plant", _("Ornamental plants")
    ANIMAL = "animal", _("Ornamental animals")
    TOURISM = "tourism", _("Community tourism, eco-tourism and tourist sites")


SUBGROUPS_BY_GROUP: dict[str, list[str]] = {
    ProductGroup.FOOD: [SubGroup.FRESH, SubGroup.RAW, SubGroup.PROCESSED, SubGroup.CONDIMENT, SubGroup.TEA,
                        SubGroup.COFFEE],
    ProductGroup.BEVERAGE: [SubGroup.ALCOHOLIC, SubGroup.NON_ALCOHOLIC],
    ProductGroup.HERBAL: [SubGroup.HERB, SubGroup.HERBAL_SUPPLEMENT, SubGroup.HERBAL_COSMETIC,
                          SubGroup.ESSENTIAL_OIL],
    ProductGroup.HANDICRAFT: [SubGroup.CRAFT, SubGroup.HOUSEWARE, SubGroup.TEXTILE],
    ProductGroup.ORNAMENTAL: [SubGroup.FLOWER, SubGroup.PLANT, SubGroup.ANIMAL],
    ProductGroup.TOURISM: [SubGroup.TOURISM],
}

GROUP_OF_SUBGROUP: dict[str, str] = {sub: group for group, subs in SUBGROUPS_BY_GROUP.items() for sub in subs}

# Points on the 100-point scale that earn each star rating.
STAR_THRESHOLDS = {5: 90, 4: 70, 3: 50}
CERTIFICATE_VALIDITY_MONTHS = 36
