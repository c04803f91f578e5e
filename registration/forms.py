"""Forms for the sign-up page and the organizer's registration pages."""

from __future__ import annotations

import re

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from catalog.ocop import ProductGroup
from eventsite.numbers import id_list, parse_id
from eventsite.provinces import current_choices

from .models import BuyerType, RegistrationQuestion, RegistrationRole, RegistrationSettings, RegistrationStatus
from .services.consent import CONTACT_CONSENT, CONTACT_CONSENT_LABEL
from .services.queries import RegistrationFilter

PHONE_RE = re.compile(r"^\+?[0-9 .()-]{8,20}$")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def province_choices(blank_label):
    return [("", blank_label), *current_choices()]


class BuyerSignupForm(forms.Form):
    required_css_class = "required"
    full_name = forms.CharField(label=_("Full name"), max_length=200,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    company = forms.CharField(label=_("Company"), max_length=255,
                              widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    tax_code = forms.CharField(label=_("Tax code"), max_length=20, required=False,
                               help_text=_("So that your company is recognised when it is already known here."))
    buyer_type = forms.ChoiceField(label=_("Buyer type"), choices=[("", _("Choose…")), *BuyerType.choices])
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "organization-title"}))
    phone = forms.CharField(label=_("Phone"), max_length=30,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    province_code = forms.TypedChoiceField(label=_("Province or city"), coerce=int, empty_value=None,
                                           required=False, choices=())
    product_groups = forms.MultipleChoiceField(
        label=_("OCOP product groups of interest"), choices=ProductGroup.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs = forms.CharField(label=_("What are you looking for?"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("Products, volumes, certifications, packaging…"))

    share_contact = forms.BooleanField(label=CONTACT_CONSENT_LABEL, help_text=CONTACT_CONSENT, required=False)

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province_code"].choices = province_choices(_("Choose…"))
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q_{question.pk}"] = self._question_field(question)

    @staticmethod
    def _question_field(question: RegistrationQuestion) -> forms.Field:
        common = {"label": question.label, "required": question.required}
        if question.kind == RegistrationQuestion.Kind.YES_NO:
            return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
        if question.kind == RegistrationQuestion.Kind.CHOICE:
            choices = [(c, c) for c in question.choice_list]
            return forms.ChoiceField(choices=[("", _("Choose…")), *choices], **common)
        return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), **common)

    def clean_tax_code(self):
        tax_code = "".join(self.cleaned_data["tax_code"].split())
        if tax_code and not re.fullmatch(r"[0-9]{10}(-?[0-9]{3})?", tax_code):
            raise forms.ValidationError(_("A tax code has 10 digits, or 13 for a branch (e.g. 0301234567-001)."))
        return tax_code

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not PHONE_RE.match(phone):
            raise forms.ValidationError(_("Enter a phone number with 8 to 20 digits, e.g. 0290 3831 234."))
        return phone

    def answers(self) -> dict:
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question.pk}")
            if question.kind == RegistrationQuestion.Kind.YES_NO and value:
                value = value == "yes"
            answers[question.key] = value
        return answers

    @property
    def question_fields(self):
        return [self[f"q_{q.pk}"] for q in self.questions]

    @property
    def main_fields(self):
        return [self[name] for name in ("full_name", "company", "tax_code", "buyer_type", "job_title", "phone",
                                         "email", "province_code")]


class RegistrationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("Name, company, email, phone")}))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *RegistrationStatus.choices])
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *RegistrationRole.choices])
    buyer_type = forms.ChoiceField(label=_("Buyer type"), required=False,
                                   choices=[("", _("All buyer types")), *BuyerType.choices])
    province = forms.TypedChoiceField(label=_("Province or city"), required=False, coerce=int, empty_value=None,
                                      choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = province_choices(_("All provinces"))

    def to_filter(self) -> RegistrationFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return RegistrationFilter(
            q=data.get("q") or "", status=data.get("status") or "", role=data.get("role") or "",
            buyer_type=data.get("buyer_type") or "", province_code=data.get("province"),
        )


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(label=_("With the selected registrations"), choices=[
        ("approve", _("Approve")), ("reject", _("Reject")), ("cancel", _("Cancel")),
    ])
    ids = forms.TypedMultipleChoiceField(coerce=parse_id, required=True, error_messages={
        "required": _("Select at least one registration."),
    })

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is acceptable here; the service only touches this event's registrations. Values that cannot be an
        # id (2**70, "-1", "inf") are not choices, so the form refuses them instead of the database.
        submitted = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(str(v), str(v)) for v in id_list(submitted[:1000])]


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (CSV or XLSX, up to 2 MB and 5,000 rows)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}))


class ImportConfirmForm(forms.Form):
    notify = forms.BooleanField(label=_("Email each imported person their registration decision"),
                                required=False, initial=True)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = RegistrationSettings
        fields = ["is_open", "approval_required", "buyer_capacity", "checkin_outside_dates"]


class QuestionForm(forms.ModelForm):
    required_css_class = "required"
    class Meta:
        model = RegistrationQuestion
        fields = ["label", "kind", "choices_text", "required", "order"]
        widgets = {"choices_text": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        if data.get("kind") == RegistrationQuestion.Kind.CHOICE:
            choices = [c for c in (data.get("choices_text") or "").splitlines() if c.strip()]
            if len(choices) < 2:
                self.add_error("choices_text", _("A choice question needs at least two choices, one per line."))
        return data


QuestionFormSet = inlineformset_factory(
    RegistrationSettings, RegistrationQuestion, form=QuestionForm, extra=1, can_delete=True, max_num=20,
)
