"""Forms of the intake, screening and review pages. They check the shape of the input (required fields,
dates, known choices) and turn it into what a service takes; the services decide what is allowed, and
their refusals are shown next to the field they name, with the rule ID and reason code."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils import timezone
from django_countries import countries

from cases.forms import ServiceErrorForm as DomainErrorForm
from cases.models import Alien, FamilyMember, Language
from mpp.accounts.models import Location
from mpp.api import EARLIEST_DATE
from screenings.models import MemberDecision, ScreeningFacts


def _tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def _location_label(location: Location) -> str:
    return f"{location.name} ({location.time_zone})"


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Location) -> str:
        return _location_label(obj)


# --- Intake ------------------------------------------------------------------------------------------


class StartIntakeForm(DomainErrorForm):
    location = LocationChoiceField(
        queryset=Location.objects.none(),
        label="Where was the family encountered?",
        help_text="Your duty locations that are ports of entry or Border Patrol stations.",
        empty_label=None,
    )

    def __init__(self, *args: Any, locations: QuerySet[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        location = self.fields["location"]
        assert isinstance(location, forms.ModelChoiceField)  # declared above; narrows the type
        location.queryset = locations


class EncounterForm(DomainErrorForm):
    """The encounter's place and its date and time *in that place's time zone* (the zone is shown)."""

    service_fields = {"occurred_at": "occurred_date"}

    location = LocationChoiceField(queryset=Location.objects.none(), label="Location", empty_label=None)
    occurred_date = forms.DateField(
        label="Date of the encounter",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text="The date at the location.",
        # A date that cannot be true is refused here, before clean() converts the time to UTC (which
        # overflows near the year 9999); the service refuses a time in the future to the minute.
        validators=[
            MinValueValidator(EARLIEST_DATE, "Check the year: not before 1900."),
            MaxValueValidator(_tomorrow, "The encounter cannot be in the future."),
        ],
    )
    occurred_time = forms.TimeField(
        label="Time of the encounter",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H:%M:%S"],
        help_text="The time on the clock at the location.",
    )

    def __init__(self, *args: Any, locations: QuerySet[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        location = self.fields["location"]
        assert isinstance(location, forms.ModelChoiceField)  # declared above; narrows the type
        location.queryset = locations

    @staticmethod
    def initial_for(location: Location, occurred_at: dt.datetime | None) -> dict[str, object]:
        if occurred_at is None:
            return {"location": location.pk}
        local = occurred_at.astimezone(zoneinfo.ZoneInfo(location.time_zone))
        return {"location": location.pk, "occurred_date": local.date(), "occurred_time": local.time()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        location, day, time = data.get("location"), data.get("occurred_date"), data.get("occurred_time")
        if location and day and time:
            zone = zoneinfo.ZoneInfo(location.time_zone)
            when = dt.datetime.combine(day, time, tzinfo=zone)
            # A wall-clock time skipped when clocks spring forward does not exist: say so, don't guess.
            if when.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != when.replace(tzinfo=None):
                self.add_error(
                    "occurred_time",
                    f"{time:%H:%M} did not exist on {day:%Y-%m-%d} in {location.time_zone} (the clocks "
                    "moved forward). Check the time.",
                )
            else:
                data["occurred_at"] = when
        return data


RELATIONSHIP_CHOICES = [("", "- Select -"), *FamilyMember.Relationship.choices]
COUNTRY_CHOICES = [("", "- Select -"), *((code, name) for code, name in countries)]


class MemberForm(DomainErrorForm):
    """One family member as typed; ``intake_draft_save_member`` validates it again and names the field."""

    relationship = forms.ChoiceField(
        label="Relationship to the head of the family unit",
        choices=RELATIONSHIP_CHOICES,
        help_text="Exactly one member is the head; the others are stated relative to the head.",
    )
    family_name = forms.CharField(label="Family name(s)", max_length=150)
    given_names = forms.CharField(label="Given name(s)", max_length=150)
    a_number = forms.CharField(
        label="A-number, if one exists",
        required=False,
        max_length=20,
        help_text="N2: A and 9 digits (8-digit numbers get a leading zero); dashes and spaces are fine.",
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text="As on the identity document, if there is one.",
    )
    sex = forms.ChoiceField(label="Sex", choices=Alien.Sex.choices, widget=forms.RadioSelect)
    country_of_citizenship = forms.ChoiceField(label="Country of citizenship", choices=COUNTRY_CHOICES)
    preferred_language = forms.ChoiceField(label="Preferred language", choices=())

    def __init__(self, *args: Any, languages: Sequence[Language], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        preferred_language = self.fields["preferred_language"]
        assert isinstance(preferred_language, forms.ChoiceField)  # declared above; narrows the type
        preferred_language.choices = [("", "- Select -")] + [(lang.code, lang.name) for lang in languages]
        for name in ("family_name", "given_names", "a_number"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        # What the page's duplicate check (htmx) sends while the officer types.
        for name in ("family_name", "given_names", "date_of_birth", "a_number"):
            self.fields[name].widget.attrs["data-duplicate-check"] = True

    def service_data(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        data["date_of_birth"] = data["date_of_birth"].isoformat()
        return data


class DismissDuplicateForm(DomainErrorForm):
    reason = forms.CharField(
        label="Why is this a different person?",
        max_length=500,
        help_text="Required, e.g. “different mother’s name on the ID card”. Recorded with your name.",
    )


class AbandonForm(DomainErrorForm):
    reason = forms.CharField(
        label="Reason for abandoning this intake",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required; recorded in the draft’s history.",
    )


# --- Screening facts -----------------------------------------------------------------------------------

YES_NO = [("yes", "Yes"), ("no", "No")]

A2_FACTS = ("expedited_removal", "returning_lpr", "parole", "criminal_history", "gom_usg_interest")


def _choices_without_blank(choices: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(value, label) for value, label in choices if value]


class ScreeningFactsForm(DomainErrorForm):
    """The facts of one person (A2, A4, A5, F2/F3, N3). Used with a prefix per case, several on a page."""

    expedited_removal = forms.BooleanField(required=False, label="Processed for expedited removal")
    returning_lpr = forms.BooleanField(
        required=False, label="Returning lawful permanent resident seeking admission"
    )
    parole = forms.BooleanField(
        required=False, label="Holds an advance parole document or is in parole status"
    )
    criminal_history = forms.BooleanField(required=False, label="Criminal history or history of violence")
    gom_usg_interest = forms.BooleanField(
        required=False, label="Of interest to the Government of Mexico or the U.S. Government"
    )
    fear_of_return_expressed = forms.BooleanField(
        required=False,
        label="States a fear of return to Mexico (the person, or a parent or guardian for a child)",
        help_text="Referred to USCIS; the family waits together (S1, F4). For a Mexican member of this family, "
        "the whole family is not processed for MPP (F3).",
    )
    fear_stated_by = forms.ChoiceField(
        required=False,
        label="Who stated the fear? (F3)",
        help_text="A parent or legal guardian may state it for the child: record it here, on the child’s "
        "screening.",
        choices=_choices_without_blank(ScreeningFacts.FearStatedBy.choices),
        widget=forms.RadioSelect,
    )
    mexican_member_choice = forms.ChoiceField(
        required=False,
        label="Choice of the Mexican member (F2)",
        choices=[
            *_choices_without_blank(ScreeningFacts.MexicanMemberChoice.choices),
            ("", "Not recorded yet"),
        ],
        widget=forms.RadioSelect,
    )
    fit_to_travel = forms.ChoiceField(
        label="Fit to travel (A4)",
        choices=ScreeningFacts.FitToTravel.choices,
        widget=forms.RadioSelect,
    )
    pregnancy_disclosed = forms.BooleanField(required=False, label="Pregnancy disclosed")
    prior_illness_disclosed = forms.BooleanField(required=False, label="Prior illness disclosed")
    other_condition = forms.CharField(
        required=False, max_length=500, label="Other physical or mental health condition disclosed"
    )
    medical_referral = forms.BooleanField(
        required=False,
        label="Referred to on-site medical staff (A5)",
        help_text="The person asked for medical attention, or you saw that it was warranted.",
    )
    medical_referral_outcome = forms.ChoiceField(
        required=False,
        label="Outcome of the medical referral (A5)",
        choices=ScreeningFacts.MedicalOutcome.choices,
    )
    officer_fluent = forms.ChoiceField(
        required=False,
        label="Is the officer fluent in the person’s preferred language? (N3)",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    interpretation_mode = forms.ChoiceField(
        required=False,
        label="Interpretation (N3)",
        choices=ScreeningFacts.Interpretation.choices,
        widget=forms.RadioSelect,
    )
    interpretation_language = forms.ChoiceField(
        required=False, label="Interpretation language (N3)", choices=()
    )
    notes = forms.CharField(
        required=False, label="Notes", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(
        self,
        *args: Any,
        languages: Sequence[Language],
        is_mexican: bool,
        f2_applies: bool | None = None,
        is_child: bool = True,
        **kwargs: Any,
    ) -> None:
        """``f2_applies`` (``screenings.rules.f2_applies``; by default ``is_mexican``) offers the F2 choice;
        ``is_child`` asks who stated a fear (an adult states their own)."""
        super().__init__(*args, **kwargs)
        self.is_mexican = is_mexican
        interpretation_language = self.fields["interpretation_language"]
        assert isinstance(interpretation_language, forms.ChoiceField)  # declared above; narrows the type
        interpretation_language.choices = [("", "- Select -")] + [
            (lang.code, lang.name) for lang in languages
        ]
        if not (is_mexican if f2_applies is None else f2_applies):
            del self.fields["mexican_member_choice"]  # F2: only a Mexican member of a mixed family chooses
        if not is_child:
            del self.fields["fear_stated_by"]

    @staticmethod
    def initial_for(facts: ScreeningFacts | None, *, language_codes: Mapping[int, str]) -> dict[str, object]:
        if facts is None:
            return {"fit_to_travel": ScreeningFacts.FitToTravel.NOT_ASSESSED}
        initial: dict[str, object] = {
            name: getattr(facts, name)
            for name in (
                *A2_FACTS,
                "fear_of_return_expressed",
                "fear_stated_by",
                "mexican_member_choice",
                "fit_to_travel",
                "pregnancy_disclosed",
                "prior_illness_disclosed",
                "other_condition",
                "medical_referral",
                "medical_referral_outcome",
                "interpretation_mode",
                "notes",
            )
        }
        fluent = facts.officer_fluent
        initial["officer_fluent"] = "" if fluent is None else "yes" if fluent else "no"
        initial["interpretation_language"] = language_codes.get(facts.interpretation_language_id or 0, "")
        return initial

    def service_facts(self) -> dict[str, object]:
        """What ``screening_facts_save`` takes. No interpretation language is kept without an interpreter."""
        facts = dict(self.cleaned_data)
        facts["officer_fluent"] = {"yes": True, "no": False}.get(facts["officer_fluent"])
        if not facts["fear_of_return_expressed"] and "fear_stated_by" in facts:
            facts["fear_stated_by"] = ""  # unticking the fear clears who stated it
        if not facts["interpretation_mode"]:
            facts["interpretation_language"] = None
        facts["interpretation_language"] = facts["interpretation_language"] or None
        return facts


# --- The supervisor's decision (A3) --------------------------------------------------------------------

CONFIRM = "confirm"


class DecisionForm(DomainErrorForm):
    """The overall reason, and per member an optional override with its own written reason (A3, A4)."""

    reason = forms.CharField(
        label="Reason for the decision",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Required. Recorded in each member’s case history with your name and the time.",
    )

    def __init__(self, *args: Any, members: Sequence[Mapping[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for member in self.members:
            key = member["key"]
            codes = {r["code"] for r in member["reasons"]}
            choices = [
                (CONFIRM, "Confirm the proposal"),
                (MemberDecision.Override.EXCLUDE_DISCRETION, "Exclude at discretion (A2 discretion)"),
                (MemberDecision.Override.EXCLUDE_HEALTH, "Exclude — case-by-case health decision (A4)"),
            ]
            if "health" in codes:
                choices.append(
                    (MemberDecision.Override.OVERRULE_HEALTH, "Overrule the proposed health exclusion (A4)")
                )
            self.fields[f"override_{key}"] = forms.ChoiceField(
                label=f"Decision for {member['name']}",
                choices=choices,
                initial=CONFIRM,
                required=False,  # nothing chosen means the proposal is confirmed
                widget=forms.RadioSelect,
            )
            self.fields[f"override_reason_{key}"] = forms.CharField(
                label=f"Reason for the change to {member['name']}",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Required when you do not confirm the proposal.",
            )

    def member_fields(self) -> list[tuple[Mapping[str, Any], forms.BoundField, forms.BoundField]]:
        return [(m, self[f"override_{m['key']}"], self[f"override_reason_{m['key']}"]) for m in self.members]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for member in self.members:
            key = member["key"]
            kind = data.get(f"override_{key}")
            if kind and kind != CONFIRM and not (data.get(f"override_reason_{key}") or "").strip():
                self.add_error(
                    f"override_reason_{key}",
                    f"Give the reason for the change to {member['name']}; it is recorded with the decision.",
                )
        return data

    def overrides(self) -> dict[int, tuple[str, str]]:
        """``{case_id: (kind, reason)}`` for each member whose proposal is not simply confirmed."""
        found = {}
        for member in self.members:
            key = member["key"]
            kind = self.cleaned_data.get(f"override_{key}")
            if kind and kind != CONFIRM:
                found[key] = (kind, self.cleaned_data.get(f"override_reason_{key}", ""))
        return found


class ReturnForm(DomainErrorForm):
    """Instead of deciding, send the family back to the officer for re-screening, saying what to look at
    again (A3). Used with the prefix ``return`` beside the decision form, whose reason has the same name."""

    reason = forms.CharField(
        label="What must the officer look at again?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Required. Sent to the officer and recorded in each member’s case history with your name.",
    )
