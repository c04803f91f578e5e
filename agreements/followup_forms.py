"""Forms of the follow-through report (one page, phone first) and of the organizer's follow-through page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from eventsite.numbers import BoundedIntegerField

from .models_followup import MAX_VALUE, NEEDS_REASON, ChannelListing, FollowupState
from .services.followup import Listing, ReportData

LISTING_ROWS = 3


class FollowupReportForm(forms.Form):
    state = forms.ChoiceField(label=_("Where does the agreement stand?"), choices=FollowupState.choices,
                              widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason (if paused or cancelled)"), max_length=300, required=False)
    volume = forms.CharField(label=_("Volume ordered so far"), max_length=200, required=False,
                             help_text=_("e.g. 2 tonnes, 3,000 boxes"))
    value = BoundedIntegerField(
        label=_("Value ordered so far (VND)"), required=False, min_value=0, max_value=MAX_VALUE,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Whole đồng, no dots or commas."))
    note = forms.CharField(label=_("Anything else"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        product_choices = [("", _("— all / not stated —"))] + [(str(p.pk), p.name) for p in products]
        for i in range(1, LISTING_ROWS + 1):
            self.fields[f"listing_{i}_channel"] = forms.ChoiceField(
                label=_("Channel"), required=False,
                choices=[("", "—")] + list(ChannelListing.Channel.choices))
            self.fields[f"listing_{i}_name"] = forms.CharField(
                label=_("Where"), required=False, max_length=200,
                help_text=_("e.g. Co.opmart, Shopee, Japan") if i == 1 else "")
            self.fields[f"listing_{i}_product"] = forms.TypedChoiceField(
                label=_("Product"), required=False, choices=product_choices, coerce=int, empty_value=None)

    def listing_rows(self) -> list[dict]:
        return [{"n": i, "channel": self[f"listing_{i}_channel"], "name": self[f"listing_{i}_name"],
                 "product": self[f"listing_{i}_product"]} for i in range(1, LISTING_ROWS + 1)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("state") in NEEDS_REASON and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason when the agreement is paused or cancelled."))
        for i in range(1, LISTING_ROWS + 1):
            channel, name = cleaned.get(f"listing_{i}_channel"), (cleaned.get(f"listing_{i}_name") or "").strip()
            if name and not channel:
                self.add_error(f"listing_{i}_channel", _("Choose the kind of channel."))
            if channel and not name:
                self.add_error(f"listing_{i}_name", _("Name the store chain, platform or market."))
        return cleaned

    def to_data(self) -> ReportData:
        c = self.cleaned_data
        listings = [Listing(channel=c[f"listing_{i}_channel"], name=c[f"listing_{i}_name"],
                            product_id=c.get(f"listing_{i}_product"))
                    for i in range(1, LISTING_ROWS + 1) if c.get(f"listing_{i}_channel")]
        return ReportData(state=c["state"], reason=c.get("reason") or "", volume=c.get("volume") or "",
                          value=c.get("value"), note=c.get("note") or "", listings=listings)


class CheckPointsForm(forms.Form):
    months = forms.CharField(label=_("Check points (months after signing)"), max_length=60,
                             help_text=_("Separated by commas, e.g. 1, 3, 6, 12"))

    def clean_months(self) -> list[int]:
        from eventsite.numbers import NumberError, parse_int

        values = [v.strip() for v in self.cleaned_data["months"].split(",") if v.strip()]
        try:
            months = [parse_int(v, minimum=1, maximum=60) for v in values]
        except NumberError as error:
            raise forms.ValidationError(error.message) from None
        if not months or len(months) > 12:
            raise forms.ValidationError(_("Give between 1 and 12 check points."))
        return months


class CallNoteForm(forms.Form):
    called_on = forms.DateField(label=_("Called on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note on the call"), max_length=300, required=False)
