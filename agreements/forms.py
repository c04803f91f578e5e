"""Forms are thin: they turn posted text into AgreementData; the rules live in services."""

from __future__ import annotations

from django import forms
from django.forms.formsets import TOTAL_FORM_COUNT
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agenda.models import Session
from catalog.models import Product
from catalog.ocop import ProductGroup
from eventsite.models import EventRole, Organization
from eventsite.numbers import (
    INT32_MAX,
    BoundedIntegerField,
    BoundedModelChoiceField,
    BoundedModelMultipleChoiceField,
    IdField,
    id_list,
)
from eventsite.provinces import current_choices, fold

from .models import Agreement, AgreementParty
from .services import AgreementData, NewOrganization, PartyData

MIN_PARTIES = 2  # the first two rows are required
MAX_PARTIES = 40  # far above any real agreement; more rows is refused with an error, never cut silently
MAX_SIGNATORIES = 10  # per party, same rule


def ceremony_choices(event) -> tuple[list, dict[int, Session]]:
    """The event's sessions for the ceremony select: signing ceremonies first, then the rest, by time."""
    sessions = list(Session.objects.filter(event=event).order_by("starts_at", "id"))

    def label(s: Session) -> str:
        text = f"{timezone.localtime(s.starts_at):%d/%m %H:%M} · {s.title}"
        return f"{text} ({s.get_status_display()})" if s.status == Session.Status.CANCELLED else text

    signing = [(s.pk, label(s)) for s in sessions if s.type == Session.Type.SIGNING]
    others = [(s.pk, label(s)) for s in sessions if s.type != Session.Type.SIGNING]
    choices: list = [("", _("— none —"))]
    if signing:
        choices.append((_("Signing ceremonies"), signing))
    if others:
        choices.append((_("Other sessions"), others))
    return choices, {s.pk: s for s in sessions}


class SignatoryForm(forms.Form):
    """One person signing for a party (row ``number``, 1-based: the first keeps the short labels)."""

    name = forms.CharField(label=_("Signatory"), max_length=200, required=False)
    title = forms.CharField(label=_("Position"), max_length=200, required=False)

    def __init__(self, *args, number: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        if number > 1:
            self.fields["name"].label = _("Signatory %(n)d") % {"n": number}
            self.fields["title"].label = _("Position of signatory %(n)d") % {"n": number}


class CountedFormSet(forms.BaseFormSet):
    """A formset of numbered rows (each form gets its 1-based ``number``) that refuses a negative TOTAL_FORMS,
    which Django's management form accepts (and reads as no rows: what was typed would vanish without a word)."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None:
            kwargs["number"] = index + 1
        return kwargs

    def clean(self):
        if self.is_bound and self.management_form.cleaned_data[TOTAL_FORM_COUNT] < 0:
            raise forms.ValidationError(
                self.error_messages["missing_management_form"], code="missing_management_form",
                params={"field_names": self.management_form.add_prefix(TOTAL_FORM_COUNT)},
            )


class BaseSignatoryFormSet(CountedFormSet):
    default_error_messages = {
        "too_many_forms": _("At most %(num)d signatories per party."),
        "missing_management_form": _("The list of signatories was sent incomplete (%(field_names)s). "
                                     "Reload the page and enter them again."),
    }


SignatoryFormSet = forms.formset_factory(
    SignatoryForm, formset=BaseSignatoryFormSet, extra=0, min_num=1,
    max_num=MAX_SIGNATORIES, validate_max=True, absolute_max=MAX_SIGNATORIES,
)


class PartyForm(forms.Form):
    """One party: organization, role, contact email, and its signatories as a nested formset.

    The first two rows are required (an agreement has at least two parties); a later row without an
    organization is left out, unless someone typed a signatory into it."""

    organization = BoundedModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.all(), required=False,
        widget=forms.Select(attrs={"class": "party-select"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=AgreementParty.Role.choices, required=False)
    contact_email = forms.EmailField(
        label=_("Contact email"), required=False, max_length=254,
        help_text=_("Follow-through requests after signing go to this address."),
    )

    def __init__(self, *args, number: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.number = number
        self.selected: Organization | None = None  # the chosen organization, set by AgreementForm for the page
        required = number <= MIN_PARTIES
        self.fields["organization"].required = required
        self.fields["organization"].widget.choices = []  # only the chosen one is rendered; search fills in the rest
        self.fields["role"].required = required
        self.fields["role"].initial = AgreementParty.Role.SELLER if number == 1 else AgreementParty.Role.BUYER
        self.signatories = SignatoryFormSet(
            self.data if self.is_bound else None, prefix=self.add_prefix("signatories"),
            initial=self.initial.get("signatories") or None,
        )

    def has_changed(self) -> bool:
        return super().has_changed() or self.signatories.has_changed()

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return self.signatories.is_valid() and valid

    def clean(self):
        cleaned = super().clean()
        if not self.signatories.is_valid():
            return cleaned  # the signatories show their own errors
        signatories = [(f.cleaned_data.get("name") or "", f.cleaned_data.get("title") or "")
                       for f in self.signatories.forms]
        if cleaned.get("organization") is None:
            if any(n.strip() or t.strip() for n, t in signatories) and "organization" not in self.errors:
                # A signatory typed into a row without an organization would otherwise vanish.
                self.add_error("organization", _("Choose the organization this signatory signs for."))
            return cleaned
        if not cleaned.get("role") and "role" not in self.errors:
            self.add_error("role", _("Choose the role of this party."))
        cleaned["signatories"] = [(n, t) for n, t in signatories if n.strip()]
        return cleaned

    def to_data(self) -> PartyData | None:
        """The cleaned party, or None for a row left empty."""
        c = self.cleaned_data
        if c.get("organization") is None:
            return None
        signatories = c["signatories"]
        first = signatories[0] if signatories else ("", "")
        return PartyData(c["organization"], c["role"], first[0], first[1], more_signatories=signatories[1:],
                         contact_email=c.get("contact_email") or "")

    def posted_initial(self) -> dict:
        """The values this row was posted with, as initial data (see AgreementForm.posted_initial)."""
        initial = {name: self[name].data for name in self.fields}
        initial["signatories"] = [{name: f[name].data for name in f.fields} for f in self.signatories.forms]
        return initial


class BasePartyFormSet(CountedFormSet):
    default_error_messages = {
        "too_many_forms": _("An agreement can have at most %(num)d parties here; ask the site administrator for "
                            "more."),
        # A missing or broken management form builds no row, so it shows as this error.
        "too_few_forms": _("An agreement needs at least %(num)d parties."),
    }

    def __init__(self, *args, extra: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra = extra  # the edit page shows one empty row after the agreement's parties

    def to_data(self) -> list[PartyData]:
        """The parties of a valid formset, rows left empty skipped; the rules between parties (the same
        organization twice, a buyer and a seller) are the services' (``services.entry``)."""
        return [party for form in self.forms if (party := form.to_data()) is not None]


PartyFormSet = forms.formset_factory(
    PartyForm, formset=BasePartyFormSet, extra=0, min_num=MIN_PARTIES, validate_min=True,
    max_num=MAX_PARTIES, validate_max=True, absolute_max=MAX_PARTIES,
)


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
    ceremony_session = forms.TypedChoiceField(
        label=_("Signing-ceremony session"), coerce=int, empty_value=None, required=False,
        help_text=_("The agenda session where it was signed, if any."),
        error_messages={"invalid_choice": _("Choose one of this event’s sessions.")},
    )
    ceremony_ref = forms.CharField(label=_("Signing ceremony"), max_length=100, required=False)
    product_groups = forms.MultipleChoiceField(
        label=_("Product groups"), choices=ProductGroup.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    products = BoundedModelMultipleChoiceField(
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
    version = BoundedIntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=INT32_MAX)
    # The B2B meeting whose "MoU signed" link opened this form (checked by the view; a bad one is ignored).
    meeting = IdField(required=False)
    def __init__(self, *args, event, extra_parties: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        exhibitors = EventRole.objects.filter(event=event, role=EventRole.Role.EXHIBITOR).values("organization")
        self.fields["products"].queryset = (
            Product.objects.filter(producer__in=exhibitors).select_related("producer").order_by("name")
        )
        self.fields["products"].label_from_instance = lambda p: f"{p.name} – {p.producer.name}"
        self.fields["ceremony_session"].choices, self._sessions = ceremony_choices(event)
        self.parties = PartyFormSet(
            self.data if self.is_bound else None, prefix="parties",
            initial=self.initial.get("parties") or None, extra=extra_parties,
        )
        # Only the chosen organizations are rendered as options (one query for all rows).
        values = {str(getattr(v, "pk", v)) for form in self.parties.forms
                  if (v := form["organization"].value()) not in (None, "")}
        chosen = {str(o.pk): o for o in Organization.objects.filter(pk__in=id_list(values))} if values else {}
        for form in self.parties.forms:
            value = form["organization"].value()
            form.selected = chosen.get(str(getattr(value, "pk", value)))

    def clean_ceremony_session(self):
        session_id = self.cleaned_data.get("ceremony_session")
        if session_id is None:
            return None
        session = self._sessions.get(session_id)
        if session is None:  # the choices already hold only this event's sessions; this is belt and braces
            raise forms.ValidationError(_("Choose one of this event’s sessions."), code="invalid_choice")
        return session

    def clean(self):
        cleaned = super().clean()
        cleaned["parties"] = self.parties.to_data() if self.parties.is_valid() else []
        return cleaned

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return self.parties.is_valid() and valid

    def posted_initial(self) -> dict:
        """What the page posted, as initial data: the form built again from it (unbound) shows every typed
        value and no error. Used after "Add a party", "Add a signatory" and a quick-added organization, which
        change the form rather than save it."""
        initial = {name: self[name].data for name in self.fields if name != "scan"}
        initial["parties"] = [form.posted_initial() for form in self.parties.forms]
        return initial

    def to_data(self) -> AgreementData:
        c = self.cleaned_data
        return AgreementData(
            kind=c["kind"], title=c["title"], parties=c["parties"], signed_at=c["signed_at"],
            product_groups=list(c.get("product_groups") or []), products=list(c.get("products") or []),
            estimated_value=c.get("estimated_value"), volume=c.get("volume") or "", term=c.get("term") or "",
            ceremony_ref=c.get("ceremony_ref") or "", ceremony_session=c.get("ceremony_session"),
        )


def initial_from_agreement(agreement: Agreement) -> dict:
    from django.utils import timezone

    initial = {
        "kind": agreement.kind, "title": agreement.title,
        "signed_at": timezone.localtime(agreement.signed_at).replace(second=0, microsecond=0),
        "estimated_value": agreement.estimated_value, "volume": agreement.volume, "term": agreement.term,
        "ceremony_ref": agreement.ceremony_ref, "ceremony_session": agreement.ceremony_session_id,
        "product_groups": list(agreement.product_groups.values_list("group", flat=True)),
        "products": list(agreement.products.values_list("pk", flat=True)),
        "version": agreement.version,
    }
    initial["parties"] = [  # every party and every signatory, however many
        {"organization": party.organization_id, "role": party.role, "contact_email": party.contact_email,
         "signatories": [{"name": s.name, "title": s.title} for s in party.signatories.all()]}
        for party in agreement.parties.prefetch_related("signatories")
    ]
    return initial


class QuickOrganizationForm(forms.Form):
    """An organization added on the spot during a ceremony (prefix "neworg"): organizers add a verified one, a
    participant an unverified one (``services.add_organization``)."""

    name = forms.CharField(label=_("Name"), max_length=255)
    kind = forms.ChoiceField(label=_("Type"), choices=Organization.Kind.choices)
    tax_code = forms.RegexField(
        label=_("Tax code"), regex=r"^\d{10}(-\d{3})?$", max_length=14, required=False,
        help_text=_("Optional."),
        error_messages={"invalid": _("A tax code has 10 digits, or 10 digits, a dash and 3 digits for a branch.")},
    )
    province_code = forms.TypedChoiceField(label=_("Province"), coerce=int, empty_value=None, required=False)
    create_anyway = forms.BooleanField(
        label=_("It is a different organization with the same name: create it anyway"), required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "neworg")
        super().__init__(*args, **kwargs)
        self.fields["province_code"].choices = [("", _("— not stated —")), *current_choices()]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if len(fold(name)) < 2:
            raise forms.ValidationError(_("Give the organization's name."))
        return name

    def to_data(self) -> NewOrganization:
        c = self.cleaned_data
        return NewOrganization(name=c["name"], kind=c["kind"], tax_code=c.get("tax_code") or "",
                               province_code=c.get("province_code"), create_anyway=bool(c.get("create_anyway")))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    version = BoundedIntegerField(widget=forms.HiddenInput, min_value=0, max_value=INT32_MAX)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=[
        (Agreement.Status.IN_EXECUTION, Agreement.Status.IN_EXECUTION.label),
        (Agreement.Status.COMPLETED, Agreement.Status.COMPLETED.label),
    ])
    on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    version = BoundedIntegerField(widget=forms.HiddenInput, min_value=0, max_value=INT32_MAX)
