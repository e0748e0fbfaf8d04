"""Forms of court staff's in-court pages (H2–H5): they check the shape of the input; the court services
decide, and their refusals are shown next to the field they name with the rule ID and reason code."""

from __future__ import annotations

from django import forms

from cases.forms import ServiceErrorForm
from hearings.models import Completion, Hearing, Reopening, Representation


def _date(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _reason(
    help_text: str = "Required. Recorded in the case history with your name and the time.",
) -> forms.CharField:
    return forms.CharField(
        label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), help_text=help_text
    )


class HearingActionForm(ServiceErrorForm):
    """Held, or failure to appear, from a docket row."""

    reason = forms.CharField(label="Note", max_length=2000)


class DecisionForm(ServiceErrorForm):
    """H4/H5: the immigration judge's decision at a hearing."""

    service_fields = {"hearing": "decision"}

    decision = forms.ChoiceField(
        label="Decision", choices=Completion.Decision.choices, widget=forms.RadioSelect
    )
    decided_on = _date("Date of the decision")
    appeal = forms.ChoiceField(
        label="Appeal",
        choices=[
            (Completion.Appeal.NONE, "No appeal (waived, or none possible)"),
            (Completion.Appeal.RESERVED, "Appeal reserved"),
        ],
        initial=Completion.Appeal.NONE,
        widget=forms.RadioSelect,
    )
    appeal_due_on = _date("BIA filing deadline", required=False, help_text="When the appeal is reserved.")
    reason = _reason(
        "Required: what the order says. Recorded in the case history with your name and the time."
    )


class RepresentationForm(ServiceErrorForm):
    """H3: counsel of record (Form EOIR-28)."""

    prefix = "counsel"

    kind = forms.ChoiceField(label="Kind", choices=Representation.Kind.choices)
    name = forms.CharField(label="Name", max_length=200)
    organization = forms.CharField(label="Organization", max_length=200, required=False)
    eoir_id = forms.CharField(label="EOIR ID", max_length=32, required=False)
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    eoir28_filed_on = _date("EOIR-28 filed on")
    reason = _reason()


class RepresentationEndForm(ServiceErrorForm):
    prefix = "end"
    ended_on = _date("Ended on")
    reason = _reason()


class AppealForm(ServiceErrorForm):
    """An appeal's next step: filed, not filed by the deadline, decided (dismissed / sustained)."""

    prefix = "appeal"

    appeal = forms.ChoiceField(
        label="Appeal",
        choices=[
            (Completion.Appeal.FILED, "Appeal filed with the BIA"),
            (Completion.Appeal.NOT_FILED, "Not filed by the deadline: the decision is final"),
            (Completion.Appeal.DECIDED, "Decided by the BIA"),
        ],
    )
    filed_on = _date("Filed on", required=False)
    decided_on = _date("BIA decided on", required=False)
    outcome = forms.ChoiceField(
        label="BIA outcome",
        required=False,
        choices=[("", "—"), *[(v, label) for v, label in Completion.AppealOutcome.choices if v]],
    )
    reason = _reason()


class ReopeningForm(ServiceErrorForm):
    prefix = "reopen"
    kind = forms.ChoiceField(label="Kind", choices=Reopening.Kind.choices)
    granted_on = _date("Granted on")
    reason = _reason()


class ScheduleForm(ServiceErrorForm):
    prefix = "schedule"
    slot = forms.IntegerField(
        label="Hearing slot",
        min_value=1,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a slot."},
    )
    kind = forms.ChoiceField(label="Kind", choices=Hearing.Kind.choices)
    reason = _reason()
