"""Forms parse input; the services decide."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.ocop import ProductGroup, SubGroup
from eventsite.numbers import BoundedModelMultipleChoiceField, IdField

from .models import BuyerProfile, Channel, MeetingOutcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def local(day, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))


class BuyerProfileForm(forms.Form):
    groups = forms.MultipleChoiceField(label=_("Product groups"), choices=ProductGroup.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    subgroups = forms.MultipleChoiceField(label=_("Sub-groups"), choices=SubGroup.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    min_stars = forms.TypedChoiceField(label=_("Minimum OCOP stars"), coerce=int,
                                       choices=[(3, "3★"), (4, "4★"), (5, "5★")], initial=3)
    volume = forms.CharField(label=_("Volume needed per month"), max_length=100, required=False,
                             help_text=BuyerProfile._meta.get_field("volume").help_text)
    certifications = forms.CharField(label=_("Certifications required"), max_length=200, required=False,
                                     help_text=BuyerProfile._meta.get_field("certifications").help_text)
    channels = forms.MultipleChoiceField(label=_("Target channels"), choices=Channel.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    needs = forms.CharField(label=_("What you are looking for"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=BuyerProfile._meta.get_field("needs").help_text)


class ProducerProfileForm(forms.Form):
    products = BoundedModelMultipleChoiceField(
        label=_("Products you offer"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: all your certified products are offered."))
    capacity = forms.CharField(label=_("Overall supply capacity per month"), max_length=100, required=False)
    certifications = forms.CharField(label=_("Certifications held"), max_length=200, required=False,
                                     help_text=_("Comma-separated, e.g. VietGAP, HACCP, ISO 22000."))
    channels = forms.MultipleChoiceField(label=_("Channels you want"), choices=Channel.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    pitch = forms.CharField(label=_("Short introduction"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = products
        self.fields["products"].label_from_instance = lambda p: f"{p.name} ({p.stars}★)"


class RequestForm(forms.Form):
    message = forms.CharField(label=_("Message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    products = BoundedModelMultipleChoiceField(label=_("Products to discuss"), queryset=None, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    party_size = forms.TypedChoiceField(label=_("People at the table (both sides)"), coerce=int, initial=2,
                                        choices=[(n, str(n)) for n in range(2, 9)])

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = products
        self.fields["products"].label_from_instance = lambda p: f"{p.name} ({p.stars}★)"


class AnswerForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline")),
                                        ("propose", _("Propose another time"))])
    slot = IdField(label=_("Other time"), required=False)
    answer = forms.CharField(label=_("Answer"), max_length=1000, required=False)


class SessionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    day = forms.DateField(label=_("Date"), widget=DATE)
    starts = forms.TimeField(label=_("From"), widget=TIME)
    ends = forms.TimeField(label=_("Until"), widget=TIME)
    slot_minutes = forms.IntegerField(label=_("Slot length (minutes)"), min_value=5, max_value=240, initial=20)


class TablesForm(forms.Form):
    count = forms.IntegerField(label=_("Number of tables"), min_value=1, max_value=500, initial=10, required=False,
                               help_text=_("Not used when you choose booths below: one table per booth."))
    seats = forms.IntegerField(label=_("Seats per table"), min_value=2, max_value=20, initial=4)
    booths = BoundedModelMultipleChoiceField(
        label=_("Tables at booths (optional)"), queryset=None, required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("One table per chosen booth of this event (hold Ctrl or ⌘ to choose several)."))
    booth_codes = forms.CharField(label=_("Booth codes (optional)"), required=False, max_length=4000,
                                  help_text=_("One per table, separated by commas, e.g. A01, A02. A code of a "
                                              "booth of this event links the table to that booth."))

    def __init__(self, *args, event, **kwargs):
        from booths.models import Booth

        super().__init__(*args, **kwargs)
        self.fields["booths"].queryset = Booth.objects.filter(event=event).select_related("hall").order_by(
            "hall__order", "code")
        self.fields["booths"].label_from_instance = lambda b: f"{b.code} · {b.hall.name}"

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("booths") and not cleaned.get("count") and "count" not in self.errors:
            self.add_error("count", _("Enter how many tables, or choose booths."))
        return cleaned


class PlaceForm(forms.Form):
    request = IdField()
    slot = IdField(label=_("Slot"))
    table = IdField(label=_("Table"))


class BlockedTimeForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE)
    starts = forms.TimeField(label=_("From"), widget=TIME)
    ends = forms.TimeField(label=_("Until"), widget=TIME)
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)


class OutcomeForm(forms.Form):
    result = forms.ChoiceField(label=_("Outcome"), choices=MeetingOutcome.Result.choices,
                               widget=forms.RadioSelect)
    note = forms.CharField(label=pgettext_lazy("meeting request", "Note"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
