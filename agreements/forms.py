"""Forms are thin: they turn posted text into AgreementData; the rules live in services."""

from __future__ import annotations

from django import forms
from django.forms.utils import ErrorDict
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
    NumberError,
    id_list,
    parse_int,
)
from eventsite.provinces import current_choices, fold

from .models import Agreement, AgreementParty
from .services import AgreementData, NewOrganization, PartyData

MAX_PARTIES = 40  # far above any real agreement; more rows is refused with an error, never cut silently
MAX_SIGNATORIES = 10  # per party, same rule


def _row_count(source, key: str, present: int, *, minimum: int, maximum: int) -> int:
    """How many rows to build: what the page said it had (``key``), or the highest row that holds data."""
    try:  # more rows than the maximum builds one row too many, which the form refuses with an error
        stated = min(parse_int(source.get(key) or 0, minimum=0, maximum=None), maximum + 1)
    except NumberError:
        stated = 0
    return max(minimum, min(max(stated, present), maximum + 1))


def signatory_names(i: int, j: int) -> tuple[str, str]:
    """Field names of the j-th signatory of party i (the first keeps its historical names)."""
    if j == 1:
        return f"party_{i}_signatory", f"party_{i}_signatory_title"
    return f"party_{i}_signatory_{j}", f"party_{i}_signatory_{j}_title"


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
    # The page also posts "party_rows" and "party_<i>_signatories" (hidden inputs written by the templates
    # from n_parties / n_signatories) so rows left empty are rebuilt too.

    def __init__(self, *args, event, add_party: bool = False, add_signatory: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        exhibitors = EventRole.objects.filter(event=event, role=EventRole.Role.EXHIBITOR).values("organization")
        self.fields["products"].queryset = (
            Product.objects.filter(producer__in=exhibitors).select_related("producer").order_by("name")
        )
        self.fields["products"].label_from_instance = lambda p: f"{p.name} – {p.producer.name}"
        self.fields["ceremony_session"].choices, self._sessions = ceremony_choices(event)
        source = self.data if self.is_bound else self.initial
        self.n_parties = _row_count(source, "party_rows", self._highest(source), minimum=2,
                                    maximum=MAX_PARTIES) + (1 if add_party else 0)
        self.n_signatories: dict[int, int] = {}
        for i in range(1, self.n_parties + 1):
            present = max((j for j in range(1, MAX_SIGNATORIES + 2)
                           if source.get(signatory_names(i, j)[0]) or source.get(signatory_names(i, j)[1])),
                          default=0)
            n = _row_count(source, f"party_{i}_signatories", present, minimum=1, maximum=MAX_SIGNATORIES)
            self.n_signatories[i] = n + (1 if add_signatory == i else 0)
        chosen = {str(v) for v in self._party_values()}
        for i in range(1, self.n_parties + 1):
            required = i <= 2
            self.fields[f"party_{i}"] = BoundedModelChoiceField(
                label=_("Organization"), queryset=Organization.objects.all(), required=required,
                widget=forms.Select(attrs={"class": "party-select"}),
            )
            # Only the chosen organizations are rendered as options; search fills in the rest.
            self.fields[f"party_{i}"].widget.choices = []
            self.fields[f"party_{i}_role"] = forms.ChoiceField(
                label=_("Role"), choices=AgreementParty.Role.choices, required=required,
                initial=AgreementParty.Role.SELLER if i == 1 else AgreementParty.Role.BUYER,
            )
            self.fields[f"party_{i}_email"] = forms.EmailField(
                label=_("Contact email"), required=False, max_length=254,
                help_text=_("Follow-through requests after signing go to this address."),
            )
            for j in range(1, self.n_signatories[i] + 1):
                name, title = signatory_names(i, j)
                self.fields[name] = forms.CharField(
                    label=_("Signatory") if j == 1 else _("Signatory %(n)d") % {"n": j}, max_length=200,
                    required=False)
                self.fields[title] = forms.CharField(
                    label=_("Position") if j == 1 else _("Position of signatory %(n)d") % {"n": j}, max_length=200,
                    required=False)
            if add_signatory == i:  # the row just added gets the focus
                self.fields[signatory_names(i, self.n_signatories[i])[0]].widget.attrs["autofocus"] = True
        self._chosen_orgs = {str(o.pk): o for o in Organization.objects.filter(pk__in=id_list(chosen))}

    @staticmethod
    def _highest(source) -> int:
        """The highest party row that holds an organization or a signatory in ``source`` (data or initial)."""
        highest = 0
        for key in source:
            parts = str(key).split("_", 2)
            if len(parts) < 2 or parts[0] != "party":
                continue
            try:  # a row number beyond the limit builds one row too many, which the form refuses
                row = min(parse_int(parts[1], minimum=1, maximum=None), MAX_PARTIES + 1)
            except NumberError:
                continue
            rest = parts[2] if len(parts) == 3 else ""
            holds_data = rest == "" or rest == "signatory" or rest.startswith("signatory_")
            if holds_data and source.get(key) not in (None, ""):
                highest = max(highest, row)
        return highest

    def _party_values(self) -> list:
        source = self.data if self.is_bound else self.initial
        values = []
        for i in range(1, self.n_parties + 1):
            v = source.get(f"party_{i}")
            if v not in (None, ""):
                values.append(getattr(v, "pk", v))
        return values

    def party_slots(self) -> list[dict]:
        slots = []
        source = self.data if self.is_bound else self.initial
        for i in range(1, self.n_parties + 1):
            value = source.get(f"party_{i}")
            value = str(getattr(value, "pk", value) or "")
            slots.append({
                "n": i,
                "org": self[f"party_{i}"],
                "selected": self._chosen_orgs.get(value),
                "role": self[f"party_{i}_role"],
                "email": self[f"party_{i}_email"],
                "n_signatories": self.n_signatories[i],
                "signatories": [{"j": j, "name": self[signatory_names(i, j)[0]],
                                 "title": self[signatory_names(i, j)[1]]}
                                for j in range(1, self.n_signatories[i] + 1)],
            })
        return slots

    def first_empty_party(self) -> int:
        """The first party row with no organization chosen (a new one is added when all are taken)."""
        source = self.data if self.is_bound else self.initial
        for i in range(1, self.n_parties + 1):
            if source.get(f"party_{i}") in (None, ""):
                return i
        return self.n_parties + 1

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
        if self.n_parties > MAX_PARTIES:
            raise forms.ValidationError(_("An agreement can have at most %(n)d parties here; "
                                          "ask the site administrator for more.") % {"n": MAX_PARTIES})
        parties = []
        for i in range(1, self.n_parties + 1):
            if self.n_signatories[i] > MAX_SIGNATORIES:
                self.add_error(signatory_names(i, 1)[0], _("At most %(n)d signatories per party.")
                               % {"n": MAX_SIGNATORIES})
            org = cleaned.get(f"party_{i}")
            signatories = [(cleaned.get(signatory_names(i, j)[0]) or "", cleaned.get(signatory_names(i, j)[1]) or "")
                           for j in range(1, self.n_signatories[i] + 1)]
            if org is None:
                if any(n.strip() or t.strip() for n, t in signatories) and f"party_{i}" not in self.errors:
                    # A signatory typed into a row without an organization would otherwise vanish.
                    self.add_error(f"party_{i}", _("Choose the organization this signatory signs for."))
                continue
            role = cleaned.get(f"party_{i}_role")
            if not role:
                self.add_error(f"party_{i}_role", _("Choose the role of this party."))
                continue
            signatories = [(n, t) for n, t in signatories if n.strip()]
            first = signatories[0] if signatories else ("", "")
            parties.append(PartyData(org, role, first[0], first[1], more_signatories=signatories[1:],
                                     contact_email=cleaned.get(f"party_{i}_email") or ""))
        cleaned["parties"] = parties
        return cleaned

    def to_data(self) -> AgreementData:
        c = self.cleaned_data
        return AgreementData(
            kind=c["kind"], title=c["title"], parties=c["parties"], signed_at=c["signed_at"],
            product_groups=list(c.get("product_groups") or []), products=list(c.get("products") or []),
            estimated_value=c.get("estimated_value"), volume=c.get("volume") or "", term=c.get("term") or "",
            ceremony_ref=c.get("ceremony_ref") or "", ceremony_session=c.get("ceremony_session"),
        )


class RedisplayForm(AgreementForm):
    """The same form shown again after "Add a party", "Add a signatory" or a quick-added organization:
    nothing is saved and no error is shown yet, every typed value is kept."""

    def full_clean(self):
        self._errors = ErrorDict()
        self.cleaned_data = {}


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
    parties = list(agreement.parties.prefetch_related("signatories"))
    for i, party in enumerate(parties, start=1):  # every party, however many
        initial[f"party_{i}"] = party.organization_id
        initial[f"party_{i}_role"] = party.role
        initial[f"party_{i}_email"] = party.contact_email
        for j, signatory in enumerate(party.signatories.all(), start=1):  # and every signatory
            name, title = signatory_names(i, j)
            initial[name] = signatory.name
            initial[title] = signatory.title
    initial["party_rows"] = len(parties) + 1  # all of them plus one empty row
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
