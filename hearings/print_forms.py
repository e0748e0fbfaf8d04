"""Forms of the print staff pages: the queue's filters and the choice of sheets to print. They check the
shape of the input only; ``hearings.services`` decides what may be printed (a superseded sheet never is,
N5) and its refusals are shown with their rule and reason code."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms

from cases.forms import DomainErrorForm
from mpp.accounts.models import Location
from mpp.widgets import FastSelect

QUEUE_STATES = (
    ("waiting", "Waiting to print"),
    ("printed", "Printed (reprint)"),
    ("superseded", "Superseded"),
)
DEFAULT_STATE = "waiting"


class PrintQueueFilterForm(forms.Form):
    """Which queue (location and state) and which of its sheets (court, hearing day). Read from the query
    string, so a filtered queue is a link; a value that is not valid is ignored (the whole queue shows)."""

    # FastSelect: the same markup as Select without two template renders per option (on every queue page).
    location = forms.TypedChoiceField(coerce=int, label="Location", required=False, widget=FastSelect)
    state = forms.ChoiceField(choices=QUEUE_STATES, label="Show", required=False, widget=FastSelect)
    court = forms.TypedChoiceField(
        coerce=int, label="Court", required=False, empty_value=None, widget=FastSelect
    )
    hearing_on = forms.DateField(
        label="Hearing date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day of the hearing where it is heard.",
    )

    def __init__(self, data: Any, *, locations: Sequence[Location], courts: Sequence[Location]) -> None:
        super().__init__(data)
        self._locations = {place.pk: place for place in locations}
        self._courts = {court.pk: court for court in courts}
        location_field = self.fields["location"]
        assert isinstance(location_field, forms.TypedChoiceField)
        location_field.choices = [(place.pk, place.name) for place in locations]
        court_field = self.fields["court"]
        assert isinstance(court_field, forms.TypedChoiceField)
        court_field.choices = [("", "All courts"), *((court.pk, court.name) for court in courts)]

    @property
    def several_locations(self) -> bool:
        return len(self._locations) > 1

    def filters(self) -> dict[str, Any]:
        """The valid filters, with the defaults (the first duty location, waiting sheets) for the rest."""
        cleaned: dict[str, Any] = {}
        if self.is_bound and not self.is_valid():
            cleaned = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        elif self.is_bound:
            cleaned = dict(self.cleaned_data)
        location = self._locations.get(cleaned.get("location") or 0) or next(
            iter(self._locations.values()), None
        )
        return {
            "location": location,
            "state": cleaned.get("state") or DEFAULT_STATE,
            "court": self._courts.get(cleaned.get("court") or 0),
            "hearing_on": cleaned.get("hearing_on"),
        }


class _SheetIdsField(forms.Field):
    """The checked rows' sheet ids (``sheets=12&sheets=15``)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Iterable[str] | None) -> list[int]:
        ids = []
        for raw in value or []:
            try:
                ids.append(int(raw))
            except (TypeError, ValueError):
                raise forms.ValidationError("Choose tear sheets from the list.", code="invalid") from None
        return list(dict.fromkeys(ids))


class PrintSelectionForm(DomainErrorForm):
    sheets = _SheetIdsField(
        label="Tear sheets to print",
        error_messages={"required": "Choose at least one tear sheet to print."},
    )
