"""Exhibitor application form: the producer, a contact, products to exhibit and ranked booth wishes."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from eventsite.models import Organization
from eventsite.provinces import current_choices

from .models import Booth, BoothKind, Zone
from .selectors import certificate_lapses_before_event

PREFERENCE_SLOTS = 3


def province_choices() -> list:
    return [("", _("— choose a province or city —")), *current_choices()]


def preference_choices(event) -> list:
    booths = Booth.objects.filter(event=event).select_related("hall").order_by("code")
    zones = Zone.objects.filter(hall__event=event).select_related("hall").order_by("hall__order", "name")
    return [
        ("", _("— no wish —")),
        (_("Booth type"), [(f"k:{v}", label) for v, label in BoothKind.choices]),
        (_("Zone"), [(f"z:{z.pk}", f"{z.hall.name} · {z.name}"
                      + (f" ({z.get_theme_group_display()})" if z.theme_group else "")) for z in zones]),
        (_("Specific booth"), [(f"b:{b.pk}", f"{b.code} · {b.get_kind_display()}") for b in booths]),
    ]


class ApplicationForm(forms.Form):
    org_name = forms.CharField(label=_("Producer name"), max_length=255)
    org_kind = forms.ChoiceField(label=_("Producer type"),
                                 choices=[(k.value, k.label) for k in Organization.PRODUCER_KINDS])
    tax_code = forms.RegexField(label=_("Tax code"), regex=r"^\d{10}(-\d{3})?$", max_length=14,
                                error_messages={"invalid": _("A tax code has 10 digits, or 10 digits, a dash and 3 "
                                                             "digits for a branch.")})
    # No province is preselected: an applicant who skips the field must not silently end up in the first one.
    province_code = forms.TypedChoiceField(label=_("Province"), coerce=int, choices=province_choices)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200)
    contact_phone = forms.RegexField(label=_("Contact phone"), regex=r"^[0-9 +().-]{8,20}$", max_length=30,
                                     error_messages={"invalid": _("Enter a phone number (digits, spaces, +).")})
    contact_email = forms.EmailField(label=_("Contact email"))
    products = forms.ModelMultipleChoiceField(label=_("Products to exhibit"), queryset=Product.objects.none(),
                                              widget=forms.CheckboxSelectMultiple, required=False)
    booths_wanted = forms.TypedChoiceField(label=_("Booths wanted"), coerce=int,
                                           choices=[(n, str(n)) for n in range(1, 5)], initial=1)
    note = forms.CharField(label=_("Note to the organizer"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, event, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.event = event
        if organization is not None:
            self.fields["products"].queryset = Product.objects.filter(producer=organization).order_by("name")
            self.fields["products"].label_from_instance = lambda p: (
                f"{p.name} – " + str(_("certificate expired: not shown as OCOP-rated"))
                if not p.certificate_issued_on <= today <= p.certificate_expires_on
                else f"{p.name} – {p.stars}★ – " + str(_("certificate expires before the event ends"))
                if certificate_lapses_before_event(p, event) else f"{p.name} – {p.stars}★")
        choices = preference_choices(event)
        for n in range(1, PREFERENCE_SLOTS + 1):
            self.fields[f"pref_{n}"] = forms.ChoiceField(label=_("Wish no. %(n)d") % {"n": n}, choices=choices,
                                                         required=False)

    def preferences(self) -> list[tuple[str, str]]:
        """Ranked wishes as (kind, value) pairs: ("b", booth id), ("z", zone id) or ("k", booth type)."""
        seen, wishes = set(), []
        for n in range(1, PREFERENCE_SLOTS + 1):
            raw = self.cleaned_data.get(f"pref_{n}") or ""
            if raw and raw not in seen:
                seen.add(raw)
                kind, _sep, value = raw.partition(":")
                wishes.append((kind, value))
        return wishes
