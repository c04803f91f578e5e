from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from eventsite.numbers import BoundedModelMultipleChoiceField

from .models import STAFF_PER_BOOTH_MAX, Interest, Lead


class LeadForm(forms.ModelForm):
    products = BoundedModelMultipleChoiceField(queryset=None, required=False, label=_("Products of interest"),
                                               widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Lead
        fields = ["interest", "products", "note", "follow_up_on"]
        widgets = {"note": forms.Textarea(attrs={"rows": 4}),
                   "follow_up_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, catalog=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = catalog
        self.fields["interest"].choices = Interest.choices


class InviteStaffForm(forms.Form):
    booth = forms.TypedChoiceField(label=_("Booth"), coerce=int, choices=())
    email = forms.EmailField(label=_("Email"))

    def __init__(self, *args, booths=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["booth"].choices = [(b.pk, b.code) for b in booths]


class MeetingForm(forms.Form):
    message = forms.CharField(label=_("Message to the buyer"), max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ConsentForm(forms.Form):
    share_contact = forms.BooleanField(required=False)


class LeadSettingsForm(forms.Form):
    staff_per_booth = forms.IntegerField(label=_("Staff accounts per booth"), min_value=0,
                                         max_value=STAFF_PER_BOOTH_MAX)
