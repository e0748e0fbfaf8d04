"""Forms of the observers' and press log (O1, O2) and of closing a hearing to the public: they check the
shape of the input; ``hearings.observer_services`` decides, and its refusals are shown next to the field
they name with the rule ID and reason code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from cases.forms import ServiceErrorForm
from hearings.models import ObserverRequest
from hearings.observer_selectors import HearingChoice
from mpp.widgets import FastSelect


class ObserverRequestForm(ServiceErrorForm):
    """Someone asked to observe (O1), or the press asked through DHS Public Affairs (O2)."""

    prefix = "ask"

    kind = forms.ChoiceField(
        label="Who asked",
        choices=ObserverRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say who asked: the public in person (O1), or the press (O2)."},
    )
    requester_name = forms.CharField(
        label="Name of the person who asked", max_length=200, help_text="For the press: the journalist."
    )
    outlet = forms.CharField(
        label="Press outlet", max_length=200, required=False, help_text="Press only (O2)."
    )
    public_affairs_contact = forms.CharField(
        label="DHS Public Affairs contact",
        max_length=200,
        required=False,
        help_text="Press only (O2): who at DHS Public Affairs coordinated the visit.",
    )
    for_day = forms.DateField(
        label="Day they ask to observe",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    hearing = forms.TypedChoiceField(
        label="Hearing",
        coerce=int,
        empty_value=None,
        required=False,
        widget=FastSelect,  # every hearing of the day at the facility: hundreds on a busy day
        help_text="Leave empty for the whole day (the hearings open to the public). The list offers the hearings "
        "on the page of the table above.",
    )
    asked_at = forms.DateTimeField(
        label="When they asked",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In the facility's time; leave empty for now.",
    )
    reason = forms.CharField(
        label="Note",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required: how the request reached you. Recorded with your name and the time.",
    )

    def __init__(self, *args: Any, hearings: Sequence[HearingChoice] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["hearing"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "The whole day")] + [(h.id, h.label) for h in hearings]

    def clean_hearing(self) -> int | None:
        # The choices list the day shown; another day's hearing is for the service to refuse, naming why.
        value = self.data.get(self.add_prefix("hearing"), "")
        if value in ("", None):
            return None
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError("Choose a hearing from the list.", code="invalid_choice") from exc


class ObserverDecideForm(ServiceErrorForm):
    """Grant or refuse one request, case by case (O1, O2)."""

    decision = forms.ChoiceField(
        label="Decision",
        choices=[(ObserverRequest.Decision.GRANTED, "Grant"), (ObserverRequest.Decision.REFUSED, "Refuse")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose: grant or refuse."},
    )
    reason = forms.CharField(
        label="Why", max_length=2000, help_text="Required. Recorded with your name and the time."
    )


class HearingCloseForm(ServiceErrorForm):
    """O1: close a hearing to the public to protect the person's sensitive matters (court staff)."""

    reason = forms.CharField(
        label="Why the hearing is closed",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required. Read by court staff only; observers and the case timeline say only that the "
        "hearing is closed to the public.",
    )


class HearingOpenForm(ServiceErrorForm):
    """O1: open a closed hearing to the public again (court staff)."""

    prefix = "open"

    reason = forms.CharField(
        label="Why it is open to the public again",
        max_length=2000,
        help_text="Required. Recorded in the hearing's history.",
    )
