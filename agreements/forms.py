"""Forms are thin: they turn posted text into AgreementData; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from catalog.ocop import ProductGroup
from eventsite.models import EventRole, Organization

from .models import Agreement, AgreementParty
from .services import AgreementData, PartyData

PARTY_SLOTS = 4


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Agreement.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    signed_at = forms.DateTimeField(
        label=_("Signed at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"],
    )
    estimated_value = forms.IntegerField(
        label=_("Estimated value (VND)"), required=False, min_value=0, max_value=10**15,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
        help_text=_("Whole đồng, no dots or commas."),
    )
    volume = forms.CharField(label=_("Volume"), max_length=200, required=False)
    term = forms.CharField(label=_("Term"), max_length=100, required=False)
    ceremony_ref = forms.CharField(label=_("Signing ceremony"), max_length=100, required=False)
    product_groups = forms.MultipleChoiceField(
        label=_("Product groups"), choices=ProductGroup.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products covered"), queryset=Product.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    scan = forms.FileField(
        label=_("Scan of the signed document"), required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    confirm_duplicate = forms.BooleanField(
        label=_("Yes, this is a different agreement between the same parties: save it anyway"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The agenda session of the signing ceremony (an id from the agenda app, kept as a plain number).
    ceremony_session_id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    # The B2B meeting whose "MoU signed" link opened this form (checked by the view; a bad one is ignored).
    meeting = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        exhibitors = EventRole.objects.filter(event=event, role=EventRole.Role.EXHIBITOR).values("organization")
        self.fields["products"].queryset = (
            Product.objects.filter(producer__in=exhibitors).select_related("producer").order_by("name")
        )
        self.fields["products"].label_from_instance = lambda p: f"{p.name} – {p.producer.name}"
        chosen = {str(v) for v in self._party_values()}
        for i in range(1, PARTY_SLOTS + 1):
            required = i <= 2
            self.fields[f"party_{i}"] = forms.ModelChoiceField(
                label=_("Organization"), queryset=Organization.objects.all(), required=required,
                widget=forms.Select(attrs={"class": "party-select"}),
            )
            # Only the chosen organizations are rendered as options; search fills in the rest.
            self.fields[f"party_{i}"].queryset = Organization.objects.all()
            self.fields[f"party_{i}"].widget.choices = []
            self.fields[f"party_{i}_role"] = forms.ChoiceField(
                label=_("Role"), choices=AgreementParty.Role.choices, required=required,
                initial=AgreementParty.Role.SELLER if i == 1 else AgreementParty.Role.BUYER,
            )
            self.fields[f"party_{i}_signatory"] = forms.CharField(label=_("Signatory"), max_length=200,
                                                                  required=False)
            self.fields[f"party_{i}_signatory_title"] = forms.CharField(label=_("Position"), max_length=200,
                                                                        required=False)
        self._chosen_orgs = {str(o.pk): o for o in Organization.objects.filter(pk__in=[c for c in chosen
                                                                                      if c.isdigit()])}

    def _party_values(self) -> list:
        source = self.data if self.is_bound else self.initial
        values = []
        for i in range(1, PARTY_SLOTS + 1):
            v = source.get(f"party_{i}")
            if v not in (None, ""):
                values.append(getattr(v, "pk", v))
        return values

    def party_slots(self) -> list[dict]:
        slots = []
        source = self.data if self.is_bound else self.initial
        for i in range(1, PARTY_SLOTS + 1):
            value = source.get(f"party_{i}")
            value = str(getattr(value, "pk", value) or "")
            slots.append({
                "n": i,
                "org": self[f"party_{i}"],
                "selected": self._chosen_orgs.get(value),
                "role": self[f"party_{i}_role"],
                "signatory": self[f"party_{i}_signatory"],
                "signatory_title": self[f"party_{i}_signatory_title"],
            })
        return slots

    def clean(self):
        cleaned = super().clean()
        parties = []
        for i in range(1, PARTY_SLOTS + 1):
            org = cleaned.get(f"party_{i}")
            if org is None:
                continue
            role = cleaned.get(f"party_{i}_role")
            if not role:
                self.add_error(f"party_{i}_role", _("Choose the role of this party."))
                continue
            parties.append(PartyData(org, role, cleaned.get(f"party_{i}_signatory") or "",
                                     cleaned.get(f"party_{i}_signatory_title") or ""))
        cleaned["parties"] = parties
        return cleaned

    def to_data(self) -> AgreementData:
        c = self.cleaned_data
        return AgreementData(
            kind=c["kind"], title=c["title"], parties=c["parties"], signed_at=c["signed_at"],
            product_groups=list(c.get("product_groups") or []), products=list(c.get("products") or []),
            estimated_value=c.get("estimated_value"), volume=c.get("volume") or "", term=c.get("term") or "",
            ceremony_ref=c.get("ceremony_ref") or "", ceremony_session_id=c.get("ceremony_session_id"),
        )


def initial_from_agreement(agreement: Agreement) -> dict:
    from django.utils import timezone

    initial = {
        "kind": agreement.kind, "title": agreement.title,
        "signed_at": timezone.localtime(agreement.signed_at).replace(second=0, microsecond=0),
        "estimated_value": agreement.estimated_value, "volume": agreement.volume, "term": agreement.term,
        "ceremony_ref": agreement.ceremony_ref, "ceremony_session_id": agreement.ceremony_session_id,
        "product_groups": list(agreement.product_groups.values_list("group", flat=True)),
        "products": list(agreement.products.values_list("pk", flat=True)),
        "version": agreement.version,
    }
    for i, party in enumerate(agreement.parties.prefetch_related("signatories")[:PARTY_SLOTS], start=1):
        initial[f"party_{i}"] = party.organization_id
        initial[f"party_{i}_role"] = party.role
        signatory = next(iter(party.signatories.all()), None)
        if signatory:
            initial[f"party_{i}_signatory"] = signatory.name
            initial[f"party_{i}_signatory_title"] = signatory.title
    return initial


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=[
        (Agreement.Status.IN_EXECUTION, Agreement.Status.IN_EXECUTION.label),
        (Agreement.Status.COMPLETED, Agreement.Status.COMPLETED.label),
    ])
    on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput)
