"""Forms for OCOP products (used by the exhibitor application)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image

from .models import Product

MAX_PHOTO_BYTES = 3 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


def validate_photo(upload) -> None:
    """Check the photo by its content (Pillow opens and verifies it), its format and its size."""
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("The photo is larger than 3 MB."), code="photo_too_large")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except Exception:
        raise ValidationError(_("This file is not a readable image."), code="photo_unreadable") from None
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        raise ValidationError(_("Upload a JPEG, PNG or WebP photo."), code="photo_format")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProductForm(forms.ModelForm):
    traceability_url = forms.URLField(label=_("traceability link"), required=False, assume_scheme="https",
                                      max_length=200)

    class Meta:
        model = Product
        fields = ["name", "group", "subgroup", "stars", "certificate_number", "certifying_authority",
                  "certificate_issued_on", "certificate_expires_on", "description", "price_min", "price_max",
                  "packaging", "traceability_url", "monthly_capacity", "photo"]
        widgets = {
            "certificate_issued_on": DateInput(),
            "certificate_expires_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "stars": forms.Select(choices=[(3, "3★"), (4, "4★"), (5, "5★")]),
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):  # a new upload, not the stored file
            validate_photo(photo)
        return photo

    def clean(self):
        data = super().clean()
        issued, expires = data.get("certificate_issued_on"), data.get("certificate_expires_on")
        if issued and expires and expires <= issued:
            self.add_error("certificate_expires_on", _("The expiry date must be after the issue date."))
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and high < low:
            self.add_error("price_max", _("The highest price must not be below the lowest price."))
        return data
