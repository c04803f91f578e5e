"""Forms of the agenda editor: rooms, speakers, sessions and a session's speakers (a formset, in order).

Every choice of a room or a speaker is limited to the event's own rows, so a forged id from another event is a
form error ("Select a valid choice") before the model's rule (``Session.clean``) and the service check it again.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from catalog.forms import validate_photo
from eventsite.models import Event
from eventsite.numbers import BoundedIntegerField, BoundedModelChoiceField

from .models import Room, Session, SessionSpeaker, Speaker

MAX_SPEAKERS = 20
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class RoomForm(forms.ModelForm):
    capacity = BoundedIntegerField(label=capfirst(_("capacity")), min_value=1, max_value=100_000, required=False)
    position = BoundedIntegerField(label=capfirst(_("position in the programme")), min_value=0, max_value=999,
                                   initial=0, help_text=_("Rooms are shown from the smallest number."))

    class Meta:
        model = Room
        fields = ["name", "capacity", "position"]


class SpeakerForm(forms.ModelForm):
    class Meta:
        model = Speaker
        fields = ["name", "title", "organization", "bio", "photo"]
        widgets = {
            "photo": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
            "bio": forms.Textarea(attrs={"rows": 5}),
        }

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):  # a new upload, not the stored file
            validate_photo(photo)
        return photo

    def service_values(self) -> dict:
        """The cleaned values for ``editing.save_speaker``: photo is an upload, False to remove it, or left out."""
        values = {k: self.cleaned_data[k] for k in ("name", "title", "organization", "bio")}
        photo = self.cleaned_data.get("photo")
        if photo is False:
            values["photo"] = False
        elif photo and hasattr(photo, "content_type"):
            values["photo"] = photo
        return values


class SessionForm(forms.ModelForm):
    room = BoundedModelChoiceField(label=capfirst(_("room")), queryset=Room.objects.none(), required=False,
                                   empty_label=_("no room"))
    starts_at = forms.DateTimeField(label=capfirst(_("starts")), widget=DateTimeInput(),
                                    input_formats=[DATETIME_FORMAT])
    ends_at = forms.DateTimeField(label=capfirst(_("ends")), widget=DateTimeInput(),
                                  input_formats=[DATETIME_FORMAT])

    class Meta:
        model = Session
        fields = ["title", "type", "starts_at", "ends_at", "room", "language", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"type": _("Choose “Signing ceremony” for a session where agreements are signed: "
                                "agreements can then be recorded at it.")}

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.event = event
        self.fields["room"].queryset = Room.objects.filter(event=event)
        for name in ("starts_at", "ends_at"):
            value = self.initial.get(name)
            if value:
                self.initial[name] = timezone.localtime(value).strftime(DATETIME_FORMAT)

    def service_values(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields}


class SpeakerSlotForm(forms.Form):
    speaker = BoundedModelChoiceField(label=capfirst(_("speaker")), queryset=Speaker.objects.none(), required=False)
    role = forms.ChoiceField(label=capfirst(_("role")), choices=SessionSpeaker.Role.choices,
                             initial=SessionSpeaker.Role.SPEAKER)
    order = BoundedIntegerField(label=capfirst(_("order")), min_value=1, max_value=MAX_SPEAKERS, required=False)

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = Speaker.objects.filter(event=event)


class BaseSpeakerSlotFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        chosen = [f.cleaned_data["speaker"] for f in self.forms if f.cleaned_data.get("speaker")]
        if len({s.pk for s in chosen}) != len(chosen):
            raise forms.ValidationError(_("Each speaker can be listed once per session."), code="speaker_twice")

    def slots(self) -> list[tuple[Speaker, str]]:
        """(speaker, role) in programme order: by the order typed, then as listed."""
        rows = [(f.cleaned_data.get("order") or index + 1, index, f.cleaned_data["speaker"], f.cleaned_data["role"])
                for index, f in enumerate(self.forms) if f.cleaned_data.get("speaker")]
        return [(speaker, role) for _order, _index, speaker, role in sorted(rows, key=lambda r: (r[0], r[1]))]


SpeakerSlotFormSet = forms.formset_factory(SpeakerSlotForm, formset=BaseSpeakerSlotFormSet, extra=2,
                                           max_num=MAX_SPEAKERS, validate_max=True, absolute_max=MAX_SPEAKERS)


def speaker_formset(data=None, *, event: Event, session: Session | None = None) -> BaseSpeakerSlotFormSet:
    initial = []
    if session is not None and session.pk:
        initial = [{"speaker": link.speaker_id, "role": link.role, "order": i + 1}
                   for i, link in enumerate(session.speaker_links.order_by("position", "id"))]
    return SpeakerSlotFormSet(data, initial=initial, prefix="speakers", form_kwargs={"event": event})
