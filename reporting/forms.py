from __future__ import annotations

from django import forms

from .models import OfficialReportText


class OfficialReportTextForm(forms.ModelForm):
    """The parts of the official report the organizer writes; the figures come from the event's data."""

    class Meta:
        model = OfficialReportText
        fields = ["parent_body", "issuing_body", "number", "symbol", "place", "date", "subject", "opening",
                  "assessment", "proposals", "recipients", "signer_position", "signer_name"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "opening": forms.Textarea(attrs={"rows": 4}),
            "assessment": forms.Textarea(attrs={"rows": 5}),
            "proposals": forms.Textarea(attrs={"rows": 4}),
            "recipients": forms.Textarea(attrs={"rows": 4}),
            "signer_position": forms.Textarea(attrs={"rows": 2}),
        }
