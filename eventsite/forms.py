from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .apps import collect_copy_parts
from .invitations import TEAM_ROLES
from .models import Event, EventRole, Organization
from .provinces import current_choices, former_names
from .slugs import vietnamese_slug


class SignupExtraForm(forms.Form):
    """Extra field on allauth's sign-up form: badges and agreements need a real name."""

    full_name = forms.CharField(label=_("Full name"), max_length=200,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))

    def signup(self, request, user) -> None:
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])


# --- setting up organizations and events (issue #15) ---

def province_names() -> list[str]:
    """Names offered for "province as named at the event": today's 34 and the pre-2025 ones."""
    return sorted({name for _code, name in current_choices()} | set(former_names()))


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name of the department or organization"), max_length=255,
                           help_text=_("e.g. Sở Công Thương tỉnh Cà Mau"))
    province_code = forms.TypedChoiceField(label=_("Province"), coerce=int,
                                           choices=lambda: [("", "---------"), *current_choices()])
    tax_code = forms.CharField(label=_("Tax code"), max_length=20, required=False)
    organizer_email = forms.EmailField(label=_("Email of its first organizer"),
                                       help_text=_("They receive a link to create their account and events."))

    def clean_tax_code(self) -> str:
        tax_code = self.cleaned_data["tax_code"].strip()
        if tax_code and Organization.objects.filter(tax_code=tax_code).exists():
            raise forms.ValidationError(_("An organization with this tax code exists already."))
        return tax_code


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EventDetailsForm(forms.ModelForm):
    """Name, short name, dates, venue and province of an event (its model's ``clean`` checks the province)."""

    class Meta:
        model = Event
        fields = ["name", "starts_at", "ends_at", "venue", "province_at_event", "province_code", "description"]
        widgets = {"starts_at": LocalDateTimeInput(), "ends_at": LocalDateTimeInput(),
                   "province_at_event": forms.TextInput(attrs={"list": "province-names"}),
                   "description": forms.Textarea(attrs={"rows": 3})}

    # Not a model field here: the service makes it unique (with -2, -3 …) instead of refusing a taken one.
    slug = forms.CharField(label=_("Short name (URL)"), max_length=80, required=False,
                           help_text=_("Used in the event's web address. Leave empty to make it from the name, "
                                       "e.g. hoi-nghi-ket-noi-cung-cau-soc-trang-2027."))

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["slug"].initial = self.instance.slug
        self.order_fields(["name", "slug"])
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
        if organizations is not None:
            self.fields["organization"] = forms.ModelChoiceField(
                label=_("Organized by"), queryset=organizations, empty_label=None)
            self.order_fields(["organization", "name", "slug"])

    def clean_slug(self) -> str:
        return vietnamese_slug(self.cleaned_data.get("slug") or "")

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("The event cannot end before it starts."))
        return cleaned


class CopyForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Copy from"), queryset=Event.objects.none(), empty_label=None)
    parts = forms.MultipleChoiceField(label=_("What to copy"), widget=forms.CheckboxSelectMultiple,
                                      help_text=_("Registrations, booth bookings, check-ins and agreements are "
                                                  "never copied."))

    def __init__(self, *args, sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources if sources is not None else Event.objects.none()
        self.fields["source"].label_from_instance = lambda e: (
            f"{e.name} ({timezone.localtime(e.starts_at):%d/%m/%Y})" + (f" · {_('template')}" if e.is_template
                                                                         else ""))
        parts = collect_copy_parts()
        self.fields["parts"].choices = [(key, part.label) for key, part in parts.items()]
        self.fields["parts"].initial = list(parts)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), initial=EventRole.Role.DESK_STAFF,
                             choices=[(role.value, role.label) for role in TEAM_ROLES])
