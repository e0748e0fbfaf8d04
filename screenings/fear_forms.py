"""Forms of the fear-claim pages (S1-S4, F4): recording a claim on the case page, F4's independent basis to
separate a member, and the asylum office's interview, assessment and supervisory review.

They check the shape of the input (required fields, dates and times on the clock of a named place, known
choices) and turn it into what a service takes (``ClaimInput``, ``AssessmentInput``); the services decide
what is allowed, and their refusals are shown next to the field they name as ``rule · code: message``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from cases.forms import GENERIC_CODES, ServiceErrorForm
from cases.models import Language
from mpp.accounts.models import Location, User
from mpp.api import EARLIEST_DATE
from mpp.exceptions import DomainError
from screenings.fear_services import CONCUR, RETURN, AssessmentInput, ClaimInput
from screenings.models import FearAssessment, FearClaim


def fear_refusal_text(error: DomainError) -> SafeString:
    """A service's refusal as these pages show it: ``S3 · separation_of_duties: you made this assessment…``.
    A generic code alone (``invalid``, ``not_permitted``) says only which kind of refusal it is, so the
    plain message stands alone then."""
    specific = error.code if error.code not in GENERIC_CODES else ""
    prefix = " · ".join(part for part in (error.rule, specific) if part)
    if not prefix:
        return format_html("{}", error.message)
    return format_html('<span class="mpp-rule">{}</span>: {}', prefix, error.message)


class FearForm(ServiceErrorForm):
    """A fear-page form: a service's refusal goes next to the field it names (``service_fields`` maps the
    service's names to this form's), else above the form."""

    def add_domain_error(self, error: DomainError) -> None:
        name = self.service_fields.get(error.field or "", error.field)
        self.add_error(name if name in self.fields else None, fear_refusal_text(error))


def _date_field(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        # Refused here, before clean() builds the moment (a year 1 or 9999 overflows in UTC).
        validators=[MinValueValidator(EARLIEST_DATE, "Check the year: not before 1900.")],
    )


def _time_field(label: str, help_text: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        help_text=help_text,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H:%M:%S"],
    )


def local_moment(day: dt.date, time: dt.time, tz_name: str) -> dt.datetime | None:
    """The moment a wall-clock date and time at a place names, or None when that time did not exist there
    (skipped when the clocks moved forward). Years near 9999 are refused before (``EARLIEST_DATE`` below,
    and the date input's own range above)."""
    zone = zoneinfo.ZoneInfo(tz_name)
    try:
        when = dt.datetime.combine(day, time, tzinfo=zone)
        if when.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != when.replace(tzinfo=None):
            return None
    except OverflowError:
        return None
    return when


def local_now(tz_name: str) -> dt.datetime:
    """Now on the clock of ``tz_name``, to the minute (the initial value of a "when" field)."""
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(tz_name)).replace(second=0, microsecond=0)


def _set_choices(form: forms.Form, name: str, choices: Sequence[tuple[Any, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # declared below; narrows the type
    field.choices = choices


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Location) -> str:
        return f"{obj.name} ({obj.time_zone})"


# --- Recording a claim (S1) ------------------------------------------------------------------------------


class FearClaimForm(FearForm):
    """S1: who stated the fear and for whom, when and where (on the clock of that place), in which setting
    and language, and in brief what was said."""

    prefix = "fear"
    service_fields = {
        "stated_by": "stated_by",
        "stated_by_alien": "stated_by_alien",
        "stated_at": "stated_time",
        "location": "location",
        "setting": "setting",
        "language": "language",
    }

    stated_by = forms.ChoiceField(
        label="Who stated the fear",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who stated the fear."},
    )
    stated_by_alien = forms.TypedChoiceField(
        label="The parent or legal guardian who stated it",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Only when a parent or legal guardian stated it for the child: choose them from the family.",
    )
    location = LocationChoiceField(
        queryset=Location.objects.none(),
        label="Where it was stated",
        empty_label="- Select -",
        help_text="The date and time below are on the clock of this place (its time zone is shown).",
        error_messages={"required": "Choose where the fear was stated."},
    )
    stated_date = _date_field("Date it was stated", "The date at the place chosen above.")
    stated_time = _time_field("Time it was stated", "The time on the clock at the place chosen above.")
    setting = forms.ChoiceField(
        label="When in the process",
        choices=FearClaim.Setting.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when in the process the fear was stated."},
    )
    language = forms.TypedChoiceField(
        label="Language it was stated in",
        coerce=int,
        empty_value=None,
        error_messages={"required": "Choose the language the fear was stated in."},
    )
    statement = forms.CharField(
        label="What was said, in brief (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen only by USCIS and CBP supervisors. You do not need the details: USCIS interviews the "
        "person.",
    )

    def __init__(
        self,
        *args: Any,
        locations: QuerySet[Location],
        languages: Iterable[Language],
        parents: Iterable[tuple[int, str]],
        is_child: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        place = self.fields["location"]
        assert isinstance(place, forms.ModelChoiceField)
        place.queryset = locations
        who = FearClaim.StatedBy.choices if is_child else [FearClaim.StatedBy.choices[0]]
        _set_choices(self, "stated_by", who)
        _set_choices(self, "language", [("", "- Select -"), *((lang.pk, lang.name) for lang in languages)])
        _set_choices(self, "stated_by_alien", [("", "- Select -"), *parents])
        self.is_child = is_child

    @staticmethod
    def initial_for(
        *, location: Location | None, tz_name: str, language_id: int | None, setting: str
    ) -> dict[str, object]:
        now = local_now(tz_name)
        return {
            "stated_by": FearClaim.StatedBy.SELF,
            "location": location.pk if location else None,
            "stated_date": now.date(),
            "stated_time": now.time(),
            "setting": setting,
            "language": language_id,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        place, day, time = data.get("location"), data.get("stated_date"), data.get("stated_time")
        if place and day and time:
            when = local_moment(day, time, place.time_zone)
            if when is None:
                self.add_error(
                    "stated_time",
                    f"{time:%H:%M} did not exist on {day:%Y-%m-%d} in {place.time_zone} (the clocks moved "
                    "forward). Check the time.",
                )
            else:
                data["stated_at"] = when
        if data.get("stated_by") == FearClaim.StatedBy.SELF and data.get("stated_by_alien"):
            self.add_error(
                "stated_by_alien",
                "Choose a parent or guardian only when they stated the fear for the child.",
            )
        return data

    def claim_input(self) -> ClaimInput:
        data = self.cleaned_data
        return ClaimInput(
            stated_by=data["stated_by"],
            location_id=data["location"].pk,
            setting=data["setting"],
            language_id=data["language"],
            stated_at=data["stated_at"],
            stated_by_alien_id=data.get("stated_by_alien") or None,
            statement=data.get("statement") or "",
        )


class SeparateMemberForm(FearForm):
    """F4's exception: the independent basis to separate this member from the family's block."""

    service_fields = {"reason": "reason", "case": "reason", "hold": "reason"}

    reason = forms.CharField(
        label="Independent basis to separate this member",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required. Everyone who reads the case reads it, with your name and the time. Only this "
        "member may then be returned; the person who stated the fear and everyone else stay blocked.",
    )


# --- The asylum office: interview, assessment, review (S2, S3) ------------------------------------------


class InterviewScheduleForm(FearForm):
    """S2: the interview's asylum officer and date and time, on the clock of the asylum office."""

    prefix = "schedule"
    service_fields = {"interview_at": "interview_time", "asylum_officer": "asylum_officer"}

    asylum_officer = forms.TypedChoiceField(
        label="Asylum officer who interviews",
        coerce=int,
        error_messages={"required": "Choose the asylum officer who interviews."},
    )
    interview_date = _date_field("Interview date", "The date at the asylum office.")
    interview_time = _time_field("Interview time", "The time on the asylum office's clock.")

    def __init__(self, *args: Any, officers: Iterable[User], tz_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(
            self, "asylum_officer", [("", "- Select -"), *((o.pk, o.display_name) for o in officers)]
        )
        self.tz_name = tz_name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, time = data.get("interview_date"), data.get("interview_time")
        if day and time:
            when = local_moment(day, time, self.tz_name)
            if when is None:
                self.add_error(
                    "interview_time",
                    f"{time:%H:%M} did not exist on {day:%Y-%m-%d} in {self.tz_name} (the clocks moved "
                    "forward). Choose another time.",
                )
            else:
                data["interview_at"] = when
        return data


INTERPRETATION_CHOICES = [
    (FearAssessment.Interpretation.NONE.value, "No interpreter: the interview was in a language both share"),
    (FearAssessment.Interpretation.IN_PERSON.value, FearAssessment.Interpretation.IN_PERSON.label),
    (FearAssessment.Interpretation.TELEPHONIC.value, FearAssessment.Interpretation.TELEPHONIC.label),
]
DETERMINATION_CHOICES = [
    (FearAssessment.Determination.POSITIVE.value, FearAssessment.Determination.POSITIVE.label),
    (FearAssessment.Determination.NEGATIVE.value, FearAssessment.Determination.NEGATIVE.label),
]


class AssessmentForm(FearForm):
    """S2/S3: the interview as it happened and the determination, for the supervisory review."""

    prefix = "assess"
    service_fields = {
        "interview_held_at": "held_time",
        "interview_language": "interview_language",
        "interpretation_mode": "interpretation_mode",
        "interpreter_id": "interpreter_id",
        "counsel_name": "counsel_name",
        "account": "account",
        "determination": "determination",
        "grounds": "grounds",
        "determination_reason": "determination_reason",
    }

    held_date = _date_field("Date the interview took place", "The date at the asylum office.")
    held_time = _time_field("Time the interview started", "The time on the asylum office's clock.")
    interpretation_mode = forms.ChoiceField(
        label="Interpreter (S2)",
        choices=INTERPRETATION_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        help_text="When the person could not proceed in English and you could not proceed in their language.",
    )
    interview_language = forms.TypedChoiceField(
        label="Interview language",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Required with an interpreter: the language interpreted into.",
    )
    interpreter_id = forms.CharField(label="Interpreter's name or ID number", max_length=100, required=False)
    counsel_present_by_phone = forms.BooleanField(
        label="Retained counsel took part by telephone (S2)",
        required=False,
        help_text="The interview is not delayed for counsel.",
    )
    counsel_name = forms.CharField(label="Counsel's name", max_length=200, required=False)
    account = forms.CharField(
        label="The person's account",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="USCIS only: no other role sees it.",
    )
    medical_notes = forms.CharField(
        label="Medical details disclosed (optional)",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="USCIS only.",
    )
    determination = forms.ChoiceField(
        label="Determination (S3)",
        choices=DETERMINATION_CHOICES,
        widget=forms.RadioSelect,
        help_text="Whether it is more likely than not that the person will face persecution on account of a "
        "protected ground, or torture, if returned to Mexico.",
        error_messages={"required": "Choose the determination: positive or negative."},
    )
    grounds = forms.MultipleChoiceField(
        label="Grounds",
        choices=FearAssessment.Ground.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="A positive determination names at least one; a negative names none.",
    )
    determination_reason = forms.CharField(
        label="Reasons for the determination",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="USCIS only.",
    )

    def __init__(self, *args: Any, languages: Iterable[Language], tz_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(
            self,
            "interview_language",
            [("", "- Select -"), *((lang.pk, lang.name) for lang in languages)],
        )
        self.tz_name = tz_name

    @staticmethod
    def initial_for(assessment: FearAssessment, *, tz_name: str) -> dict[str, object]:
        """The form for a scheduled interview (held when scheduled), or the returned assessment as it was
        submitted, to correct."""
        held = timezone.localtime(
            assessment.interview_held_at or min(assessment.interview_at, timezone.now()),
            zoneinfo.ZoneInfo(tz_name),
        )
        return {
            "held_date": held.date(),
            "held_time": held.time().replace(second=0, microsecond=0),
            "interpretation_mode": assessment.interpretation_mode,
            "interview_language": assessment.interview_language_id,
            "interpreter_id": assessment.interpreter_id,
            "counsel_present_by_phone": assessment.counsel_present_by_phone,
            "counsel_name": assessment.counsel_name,
            "account": assessment.account,
            "medical_notes": assessment.medical_notes,
            "determination": assessment.determination,
            "grounds": list(assessment.grounds),
            "determination_reason": assessment.determination_reason,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, time = data.get("held_date"), data.get("held_time")
        if day and time:
            when = local_moment(day, time, self.tz_name)
            if when is None:
                self.add_error(
                    "held_time",
                    f"{time:%H:%M} did not exist on {day:%Y-%m-%d} in {self.tz_name} (the clocks moved "
                    "forward). Check the time.",
                )
            else:
                data["interview_held_at"] = when
        return data

    def assessment_input(self) -> AssessmentInput:
        data = self.cleaned_data
        return AssessmentInput(
            interview_held_at=data["interview_held_at"],
            determination=data["determination"],
            grounds=list(data.get("grounds") or []),
            account=data["account"],
            determination_reason=data["determination_reason"],
            interview_language_id=data.get("interview_language"),
            interpretation_mode=data.get("interpretation_mode") or "",
            interpreter_id=data.get("interpreter_id") or "",
            counsel_present_by_phone=bool(data.get("counsel_present_by_phone")),
            counsel_name=data.get("counsel_name") or "",
            medical_notes=data.get("medical_notes") or "",
        )


class ReviewForm(FearForm):
    """S3: the supervisory asylum officer concurs (the assessment takes effect) or returns it for
    correction, with a reason."""

    prefix = "review"
    service_fields = {"decision": "decision", "reason": "reason"}

    decision = forms.ChoiceField(
        label="Your review",
        widget=forms.RadioSelect,
        choices=[
            (CONCUR, "Concur: the assessment takes effect now"),
            (RETURN, "Return to the asylum officer for correction"),
        ],
        error_messages={"required": "Choose: concur, or return for correction."},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required. For a return: what to correct. USCIS only.",
    )
