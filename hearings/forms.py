"""Forms of the officers' and court staff's hearings pages. They check the shape of the input (required
fields, dates, times, known choices) and turn it into what a service takes; the services decide what is
allowed, and their refusals are shown next to the field they name, with the rule ID and reason code."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html

from cases.forms import ServiceErrorForm as DomainErrorForm
from cases.models import Language
from hearings.models import AddressInMexico, Charge, Hearing, HearingLocation, NoticeToAppear
from hearings.services import AddressInput
from mpp.api import EARLIEST_DATE
from mpp.widgets import FastSelect

# The charge an NTA at the border usually brings (no valid entry document): checked by default.
DEFAULT_CHARGE = "212(a)(7)(A)(i)(I)"


class _AnyIdField(forms.IntegerField):
    """A record chosen from a list the page offered (a slot, an NTA). The list may be stale — the slot
    filled up meanwhile — or hand-edited: any positive id is accepted here and the service, the one place
    that decides, refuses it with its reason (``slot_full``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("widget", forms.RadioSelect)
        super().__init__(**kwargs)


def _date_input(*, extra: Sequence[Any] = (), **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        validators=[MinValueValidator(EARLIEST_DATE, "Check the year: not before 1900."), *extra],
        **kwargs,
    )


def _today() -> dt.date:
    return timezone.localdate()


class AddressFields(DomainErrorForm):
    """The address in Mexico, as AddressInput takes it (its refusals name address, address_city, …)."""

    address = forms.CharField(
        label="Address in Mexico",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Street, number and colonia, as the person gives it.",
    )
    address_city = forms.CharField(label="City", max_length=100)
    address_state = forms.CharField(label="State", max_length=100, help_text="The Mexican state.")
    address_phone = forms.CharField(label="Phone", max_length=40, required=False)

    def address_input(self) -> AddressInput:
        data = self.cleaned_data
        return AddressInput(
            address=data["address"],
            city=data["address_city"],
            state=data["address_state"],
            phone=data.get("address_phone") or "",
        )


# --- Serving the NTA (N1, N3) ------------------------------------------------------------------------


class NtaServeForm(AddressFields):
    """The family's NTA: the classification and charges every member's NTA brings, the slot of their
    initial hearing, the language of the oral notice and the interpretation used (N3), and where they will
    live in Mexico."""

    service_fields = {"served_at": "slot", "cases": "slot"}

    classification = forms.ChoiceField(
        label="Classification on the NTA",
        choices=NoticeToAppear.Classification.choices,
        widget=forms.RadioSelect,
    )
    charges = forms.MultipleChoiceField(
        label="Charges",
        widget=forms.CheckboxSelectMultiple,
        help_text="From the maintained list; every member's NTA brings the charges chosen.",
        error_messages={"required": "Choose at least one charge."},
    )
    slot = _AnyIdField(
        label="Initial hearing",
        error_messages={"required": "Choose a hearing slot with room for the family."},
    )
    oral_notice_language = forms.ChoiceField(
        label="Language of the oral notice",
        help_text="N3: the language the NTA and the tear sheet were explained in.",
    )
    interpretation = forms.ChoiceField(
        label="Interpretation",
        choices=NoticeToAppear.Interpretation.choices,
        widget=forms.RadioSelect,
        help_text="N3: if you are not fluent in the person's language, an interpreter explains the documents.",
    )
    interpreter_language = forms.ChoiceField(
        label="Language the interpreter used",
        required=False,
        help_text="N3: required with an in-person or telephonic interpreter; empty without one.",
    )

    def __init__(
        self,
        *args: Any,
        charges: Sequence[Charge],
        languages: Sequence[Language],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        charge_field = self.fields["charges"]
        assert isinstance(charge_field, forms.MultipleChoiceField)  # declared above; narrows the type
        charge_field.choices = [(c.code, f"INA {c.code}: {c.text}") for c in charges]
        names = [(lang.code, lang.name) for lang in languages]
        notice = self.fields["oral_notice_language"]
        interpreter = self.fields["interpreter_language"]
        assert isinstance(notice, forms.ChoiceField) and isinstance(interpreter, forms.ChoiceField)
        notice.choices = [("", "- Select -"), *names]
        interpreter.choices = [("", "- None: no interpreter -"), *names]

    @staticmethod
    def initial_for(*, language_code: str, arriving: bool) -> dict[str, object]:
        return {
            "classification": NoticeToAppear.Classification.ARRIVING
            if arriving
            else NoticeToAppear.Classification.PRESENT_WITHOUT_ADMISSION,
            "charges": [DEFAULT_CHARGE],
            "oral_notice_language": language_code,
            "interpretation": NoticeToAppear.Interpretation.NONE,
        }


# --- Docket time (slots) -----------------------------------------------------------------------------

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class HearingLocationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: HearingLocation) -> str:
        return f"{obj.name} ({obj.time_zone})"


class SlotsPublishForm(DomainErrorForm):
    """Court staff publish docket time: start times on one day at one hearing location, in its zone."""

    prefix = "publish"
    service_fields = {"hearing_location": "hearing_location"}

    hearing_location = HearingLocationField(
        queryset=HearingLocation.objects.none(), label="Hearing location", empty_label=None, widget=FastSelect
    )
    day = _date_input(label="Day", help_text="The day at the hearing location.")
    times = forms.CharField(
        label="Start times",
        max_length=500,
        help_text="Comma-separated, 24-hour clock in the hearing location's time zone, e.g. 08:30, 10:00, 13:00.",
    )
    capacity = forms.IntegerField(
        label="Capacity of each slot",
        min_value=1,
        max_value=500,
        initial=20,
        help_text="How many people each slot can hear: 1 to 500.",
    )

    def __init__(
        self, *args: Any, places: QuerySet[HearingLocation], shown: Sequence[HearingLocation], **kwargs: Any
    ) -> None:
        """``places``: what may be chosen (checked on submit); ``shown``: the same places, already read by the
        page, as the options (a ModelChoiceField reads its queryset again each time its options are listed:
        twice a render, 2.9 ms of the page's 26 at 500k cases, 2026-12-06)."""
        super().__init__(*args, **kwargs)
        place = self.fields["hearing_location"]
        assert isinstance(place, HearingLocationField)
        place.queryset = places
        place.choices = [(p.pk, place.label_from_instance(p)) for p in shown]

    def clean_times(self) -> list[dt.time]:
        raw = [part.strip() for part in self.cleaned_data["times"].split(",")]
        parts = [part for part in raw if part]
        if not parts:
            raise forms.ValidationError("Give at least one start time, e.g. 08:30.")
        if len(parts) > 48:
            raise forms.ValidationError("At most 48 start times in one day.")
        times = []
        for part in parts:
            match = _TIME.match(part)
            if match is None:
                raise forms.ValidationError(
                    format_html("“{}” is not a time: write it as HH:MM, e.g. 08:30 or 13:00.", part[:20])
                )
            times.append(dt.time(int(match.group(1)), int(match.group(2))))
        return times


# --- Filing (M3/M4) ----------------------------------------------------------------------------------


class _AnyIdsField(forms.TypedMultipleChoiceField):
    """Ids from the page's list, which may be stale (filed meanwhile by someone else) or hand-edited: the
    service says which do not exist."""

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit()


class NtaFileForm(DomainErrorForm):
    """Court staff confirm that the chosen NTAs were filed with the court on a day."""

    nta_ids = _AnyIdsField(
        label="NTAs filed", coerce=int, error_messages={"required": "Choose at least one NTA."}
    )
    filed_on = _date_input(
        label="Filed on",
        help_text="The date the court received the NTA.",
        initial=_today,
        extra=[MaxValueValidator(_today, "The filing date cannot be in the future.")],
    )


# --- Moving a hearing (H2) ---------------------------------------------------------------------------


class HearingMoveForm(DomainErrorForm):
    service_fields = {"hearings": "family", "mode": "mode", "slot": "slot", "reason": "reason"}

    mode = forms.ChoiceField(
        label="What happens to the hearing",
        widget=forms.RadioSelect,
        choices=[
            (Hearing.Status.RESCHEDULED, "Reschedule: it does not take place on this date"),
            (Hearing.Status.CONTINUED, "Continue: it took place and goes on to a later day (H2)"),
        ],
    )
    family = forms.BooleanField(
        required=False,
        label="Move everyone in this family with a hearing in the same slot",
        help_text="A family heard together stays together.",
    )
    slot = _AnyIdField(label="New hearing", error_messages={"required": "Choose the new hearing slot."})
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required. Recorded in the case history with your name and the time.",
    )


# --- Change of address (N6) --------------------------------------------------------------------------

RECEIVED_CHOICES = [
    (value, label)
    for value, label in AddressInMexico.Received.choices
    if value != AddressInMexico.Received.AT_SERVICE
]


class AddressChangeForm(AddressFields):
    """N6: a Form EOIR-33, the new address in Mexico the later notices use."""

    address = forms.CharField(
        label="New address in Mexico",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Street, number and colonia, as written on the EOIR-33.",
    )
    received_on = _date_input(
        label="Received on",
        help_text="The day the EOIR-33 was received.",
        initial=_today,
        extra=[MaxValueValidator(_today, "The date received cannot be in the future.")],
    )
    how_received = forms.ChoiceField(
        label="How it was received", choices=RECEIVED_CHOICES, widget=forms.RadioSelect
    )

    field_order = ["address", "address_city", "address_state", "address_phone", "received_on", "how_received"]
