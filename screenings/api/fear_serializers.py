"""Serializers of the fear-claim API (S1-S4): they check the shape of a request and render what the readers
of ``screenings.fear_selectors`` may see.

Field-level protection (``fear``, ``interview``: ``mpp.accounts.roles.DETAIL_ROLES``) is decided in one place,
``fear_selectors.claim_view``. A claim is rendered FROM its ``ClaimView`` / ``AssessmentView``, never from the
model's restricted columns: a value the view withholds is null here, and ``restricted`` names the kinds of
content withheld from the reader. A few codes the views give as labels (grounds, the interview language, the
interpretation mode, counsel) are rendered as codes only when the view shows them. Queue rows
(``FearClaimRowSerializer``) hold nothing restricted at all: who, when, where, the office, the status and
the outcome once concurred.

They never write and hold no policy (STYLE rule 2): the views pass what they validated to
``screenings.fear_services``, which raise ``InvalidInput`` naming the field (``stated_by``, ``location``,
``interview_at``, ``grounds`` …), ``NotPermitted`` (``separation_of_duties``), ``ConcurrentEdit`` and
``PolicyRefusal``; ``mpp.api.exception_handler`` renders those and the errors found here in the one error
body. What is refused here is input that cannot be parsed, is not one of the choices, or that the database
cannot take (an id beyond a bigint, a NUL character, a naive time), naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from cases.api.serializers import CaseStatusField
from cases.models import Language
from mpp.accounts.models import Location
from mpp.api import AwareDateTimeField, CodeRelatedField, actor_json, day_json, moment, place_json
from screenings.fear_selectors import QUEUE_TABS, AssessmentView, ClaimView
from screenings.fear_services import CONCUR, RETURN
from screenings.models import FearAssessment, FearClaim

# Ids are PostgreSQL bigints: a larger number is bad input, not a database error.
MAX_ID = 2**63 - 1
RESTRICTED_KINDS = ("fear", "interview")
WITHHELD = " Null when withheld from you (`restricted` names the kind)."


def id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choices are its class's (see ``named_choice_field``)."""

    choice_list: Sequence[tuple[str, str]] = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=list(self.choice_list), **kwargs)


def named_choice_field(
    component: str, choices: Sequence[tuple[str, str]], doc: str
) -> type[NamedChoiceField]:
    """A choice field with its own schema component, so that it never collides with the other ``status``
    enums of the API (clients generate one type per component)."""
    field = type(f"{component}Field", (NamedChoiceField,), {"choice_list": tuple(choices), "__doc__": doc})
    schema = {
        "type": "string",
        "enum": [value for value, _ in choices],
        "description": "\n".join(f"* `{value}` - {label}" for value, label in choices),
    }
    return extend_schema_field(schema, component_name=component)(field)


def _chosen(choices: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The choices without the blank "none" entry of a model's TextChoices."""
    return [(value, label) for value, label in choices if value]


ClaimStatusField = named_choice_field(
    "FearClaimStatus", FearClaim.Status.choices, "Where a fear claim is (S1-S3)."
)
SettingField = named_choice_field(
    "FearClaimSetting", FearClaim.Setting.choices, "Where in the process the fear was stated (S1)."
)
StatedByField = named_choice_field(
    "FearClaimStatedBy", FearClaim.StatedBy.choices, "Who stated the fear: the person, or for a child (S1)."
)
OutcomeField = named_choice_field(
    "FearClaimOutcome", _chosen(FearClaim.Outcome.choices), "The concurred result (S3, S4)."
)
AssessmentStatusField = named_choice_field(
    "FearAssessmentStatus", FearAssessment.Status.choices, "Where the assessment is (S2, S3)."
)
DeterminationField = named_choice_field(
    "FearDetermination", _chosen(FearAssessment.Determination.choices), "The asylum officer's finding (S3)."
)
GroundField = named_choice_field(
    "FearGround", FearAssessment.Ground.choices, "A protected ground, or torture (S3)."
)
InterpretationField = named_choice_field(
    "FearInterpretationMode",
    FearAssessment.Interpretation.choices,
    "How the interview was interpreted (S2); empty: no interpreter.",
)
QueueTabField = named_choice_field(
    "FearQueueTab",
    [(key, f"{label} ({who})") for key, (label, who, _) in QUEUE_TABS.items()],
    "A tab of the asylum office's queue (by what is waiting).",
)
ReviewDecisionField = named_choice_field(
    "FearReviewDecision",
    [
        (CONCUR, "Concur: the assessment takes effect"),
        (RETURN, "Return to the asylum officer for correction"),
    ],
    "The supervisory asylum officer's decision (S3).",
)

GROUND_BY_LABEL = {str(label): value for value, label in FearAssessment.Ground.choices}


# --- shared pieces ----------------------------------------------------------------------------------------


class FearPlaceSerializer(serializers.Serializer):
    """A location (port, station, court, facility) or an asylum office."""

    code = serializers.CharField()
    name = serializers.CharField()


class FearUserSerializer(serializers.Serializer):
    """A user (who recorded, who interviews), by id and the name histories show."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class FearClaimantSerializer(serializers.Serializer):
    """Whose claim it is, enough to recognise the person in a queue."""

    id = serializers.IntegerField()
    a_number = serializers.CharField(allow_null=True)
    family_name = serializers.CharField()
    given_names = serializers.CharField()
    date_of_birth = serializers.DateField()
    country_of_citizenship = serializers.CharField(help_text="ISO 3166-1 alpha-2.")


class FearClaimCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = CaseStatusField()
    alien = FearClaimantSerializer()


def _place(location: Location) -> dict[str, str]:
    return {"code": location.code, "name": location.name}


# --- one claim, as its reader may see it --------------------------------------------------------------------


class FearAssessmentSerializer(serializers.Serializer):
    """The MPP assessment interview and its determination (S2, S3), rendered from ``AssessmentView``. The
    determination is shown to ``fear`` readers, and to every reader once concurred; the grounds to ``fear``
    readers; the interview (language, interpreter, counsel, the account, medical details, the analysis and
    the review's reasons) to ``interview`` readers only."""

    id = serializers.IntegerField()
    status = AssessmentStatusField()
    status_label = serializers.CharField()
    interview_at = serializers.DateTimeField(help_text="When the interview is scheduled.")
    asylum_officer = FearUserSerializer(help_text="Who interviews.")
    interview_held_at = serializers.DateTimeField(allow_null=True)
    determination = DeterminationField(
        allow_null=True,
        help_text="Null before the assessment is submitted, and for readers without `fear` until concurred.",
    )
    determination_label = serializers.CharField(allow_null=True)
    grounds = serializers.ListField(child=GroundField(), allow_null=True, help_text="S3." + WITHHELD)
    interview_language = serializers.CharField(
        allow_null=True, help_text="Language code; empty when none recorded." + WITHHELD
    )
    interpretation_mode = InterpretationField(allow_null=True, allow_blank=True, help_text="S2." + WITHHELD)
    interpreter_id = serializers.CharField(allow_null=True, allow_blank=True, help_text="S2." + WITHHELD)
    counsel_present_by_phone = serializers.BooleanField(
        allow_null=True, help_text="S2: retained counsel took part by telephone." + WITHHELD
    )
    counsel_name = serializers.CharField(allow_null=True, allow_blank=True, help_text=WITHHELD.strip())
    account = serializers.CharField(
        allow_null=True, allow_blank=True, help_text="The person's account." + WITHHELD
    )
    medical_notes = serializers.CharField(allow_null=True, allow_blank=True, help_text=WITHHELD.strip())
    determination_reason = serializers.CharField(
        allow_null=True, allow_blank=True, help_text="S3: the analysis." + WITHHELD
    )
    assessed_by = serializers.CharField(allow_null=True)
    assessed_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = serializers.CharField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_reason = serializers.CharField(
        allow_null=True, allow_blank=True, help_text="The concurrence note or the return's reason." + WITHHELD
    )


def assessment_body(view: AssessmentView) -> dict[str, Any]:
    """What ``FearAssessmentSerializer`` renders. Every value comes from the view; the codes behind a label
    it shows are read only where the view shows that label (None in the view: withheld, None here)."""
    assessment = view.assessment
    language = assessment.interview_language if view.interview_language is not None else None
    return {
        "id": assessment.pk,
        "status": assessment.status,
        "status_label": view.status_label,
        "interview_at": view.interview_at,
        "asylum_officer": {"id": assessment.asylum_officer_id, "name": view.asylum_officer},
        "interview_held_at": view.interview_held_at,
        "determination": view.determination or None,
        "determination_label": view.determination_label,
        "grounds": None if view.grounds is None else [GROUND_BY_LABEL[label] for label in view.grounds],
        "interview_language": None
        if view.interview_language is None
        else (language.code if language else ""),
        "interpretation_mode": assessment.interpretation_mode if view.interpretation is not None else None,
        "interpreter_id": view.interpreter_id,
        "counsel_present_by_phone": assessment.counsel_present_by_phone if view.counsel is not None else None,
        "counsel_name": assessment.counsel_name if view.counsel is not None else None,
        "account": view.account,
        "medical_notes": view.medical_notes,
        "determination_reason": view.determination_reason,
        "assessed_by": view.assessed_by,
        "assessed_at": view.assessed_at,
        "reviewed_by": view.reviewed_by,
        "reviewed_at": view.reviewed_at,
        "review_reason": view.review_reason,
    }


class FearClaimSerializer(serializers.Serializer):
    """A fear claim (S1) as you may read it (``fear_selectors.claim_view``). Everyone admitted sees that it
    exists, when and where it was stated and in what language, who recorded it, the asylum office it was
    referred to, its status and, once concurred, its outcome. ``fear`` readers (USCIS, CBP supervisors)
    also see who stated it, the statement, the determination and its grounds; ``interview`` readers (USCIS)
    also the interview. Withheld values are null and ``restricted`` names their kinds."""

    id = serializers.IntegerField()
    case = serializers.IntegerField(help_text="The claimant's case.")
    hold = serializers.IntegerField(help_text="The `fear_claim` hold it owns (F4, S1/S4).")
    status = ClaimStatusField()
    status_label = serializers.CharField()
    outcome = OutcomeField(allow_null=True, help_text="Once concurred (S3); null before.")
    outcome_label = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    stated_at = serializers.DateTimeField()
    location = FearPlaceSerializer(help_text="Where the fear was stated.")
    setting = SettingField()
    language = serializers.CharField(help_text="Code of the language the fear was stated in.")
    asylum_office = FearPlaceSerializer(help_text="The USCIS asylum office it was referred to.")
    recorded_by = FearUserSerializer()
    recorded_at = serializers.DateTimeField()
    stated_by = StatedByField(allow_null=True, help_text=WITHHELD.strip())
    stated_by_alien = FearUserSerializer(
        allow_null=True,
        help_text="The parent or legal guardian who stated it for the child, when registered." + WITHHELD,
    )
    statement = serializers.CharField(allow_null=True, allow_blank=True, help_text=WITHHELD.strip())
    assessment = FearAssessmentSerializer(allow_null=True, help_text="Null until an interview is scheduled.")
    restricted = serializers.ListField(
        child=serializers.ChoiceField(choices=RESTRICTED_KINDS),
        help_text="Kinds of content withheld from you: `fear` (who stated it, the statement, the grounds and, "
        "until concurred, the determination), `interview` (the interview itself).",
    )


def claim_body(view: ClaimView) -> dict[str, Any]:
    """What ``FearClaimSerializer`` renders, from the view only (see the module docstring)."""
    claim = view.claim
    parent = claim.stated_by_alien if view.stated_by_name else None  # shown by the view: its name
    return {
        "id": claim.pk,
        "case": claim.case_id,
        "hold": claim.hold_id,
        "status": claim.status,
        "status_label": view.status_label,
        "outcome": claim.outcome or None,
        "outcome_label": view.outcome_label,
        "decided_at": claim.decided_at,
        "stated_at": claim.stated_at,
        "location": _place(claim.location),
        "setting": claim.setting,
        "language": claim.language.code,
        "asylum_office": _place(claim.asylum_office),
        "recorded_by": {"id": claim.recorded_by_id, "name": claim.recorded_by.display_name},
        "recorded_at": claim.created_at,
        "stated_by": claim.stated_by if view.stated_by is not None else None,
        "stated_by_alien": {"id": parent.pk, "name": view.stated_by_name} if parent else None,
        "statement": view.statement,
        "assessment": assessment_body(view.assessment) if view.assessment else None,
        "restricted": list(view.restricted),
    }


class FearClaimRecordedSerializer(FearClaimSerializer):
    """The claim recorded, or the one already pending for the person (S1: one claim, never a second)."""

    already_pending = serializers.BooleanField(
        help_text="True when the person already had a claim pending: it is returned as it is and nothing was "
        "recorded (status 200); false when this request recorded the claim (status 201)."
    )


# --- the queue ------------------------------------------------------------------------------------------


class FearAssessmentRowSerializer(serializers.Serializer):
    status = AssessmentStatusField()
    interview_at = serializers.DateTimeField()
    asylum_officer = FearUserSerializer()


class FearClaimRowSerializer(serializers.Serializer):
    """A claim in a list: nothing restricted (open it for what you may read of the content)."""

    id = serializers.IntegerField()
    case = FearClaimCaseSerializer()
    status = ClaimStatusField()
    outcome = OutcomeField(allow_null=True, help_text="Once concurred (S3); null before.")
    stated_at = serializers.DateTimeField()
    setting = SettingField()
    location = FearPlaceSerializer(help_text="Where the fear was stated.")
    asylum_office = FearPlaceSerializer()
    assessment = FearAssessmentRowSerializer(
        allow_null=True, help_text="Null until an interview is scheduled."
    )


def claim_row(claim: FearClaim, places: Mapping[int, Location]) -> dict[str, Any]:
    """One row, from the columns the queue reads (``fear_selectors.QUEUE_COLUMNS``) and the page's places
    (read once for the page)."""
    alien = claim.case.alien
    assessment = getattr(claim, "assessment", None)  # a missing reverse one-to-one raises AttributeError
    return {
        "id": claim.pk,
        "case": {
            "id": claim.case.pk,
            "status": claim.case.status,
            "alien": {
                "id": alien.pk,
                "a_number": alien.a_number,
                "family_name": alien.family_name,
                "given_names": alien.given_names,
                "date_of_birth": alien.date_of_birth,
                "country_of_citizenship": str(alien.country_of_citizenship),
            },
        },
        "status": claim.status,
        "outcome": claim.outcome or None,
        "stated_at": claim.stated_at,
        "setting": claim.setting,
        "location": _place(places[claim.location_id]),
        "asylum_office": _place(places[claim.asylum_office_id]),
        "assessment": {
            "status": assessment.status,
            "interview_at": assessment.interview_at,
            "asylum_officer": {
                "id": assessment.asylum_officer_id,
                "name": assessment.asylum_officer.display_name,
            },
        }
        if assessment
        else None,
    }


def queue_row_json(v: Mapping[str, Any]) -> dict[str, Any]:
    """``FearClaimRowSerializer`` of a queue row, rendered from its values (``fear_selectors.QUEUE_ROW_VALUES``)
    without the serializer: the page's 50 nested rows through it cost about 4 ms (2026-12-06).
    tests/screenings/test_fear_api.py compares the two."""
    return {
        "id": v["id"],
        "case": {
            "id": v["case_id"],
            "status": v["case__status"],
            "alien": {
                "id": v["case__alien_id"],
                "a_number": v["case__alien__a_number"],
                "family_name": v["case__alien__family_name"],
                "given_names": v["case__alien__given_names"],
                "date_of_birth": day_json(v["case__alien__date_of_birth"]),
                "country_of_citizenship": str(v["case__alien__country_of_citizenship"]),
            },
        },
        "status": v["status"],
        "outcome": v["outcome"] or None,
        "stated_at": moment(v["stated_at"]),
        "setting": v["setting"],
        "location": place_json(v, "location"),
        "asylum_office": place_json(v, "asylum_office"),
        "assessment": {
            "status": v["assessment__status"],
            "interview_at": moment(v["assessment__interview_at"]),
            "asylum_officer": actor_json(v, "assessment__asylum_officer"),
        }
        if v["assessment__id"] is not None
        else None,
    }


@extend_schema_serializer(many=False)  # the page itself, on the list action: not an array of pages
class FearClaimPageSerializer(serializers.Serializer):
    """One page of claims, and the links to the pages around it (keyset: follow them, never build them)."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = FearClaimRowSerializer(many=True)


class FearClaimQuerySerializer(serializers.Serializer):
    """Which claims: the asylum office's queue (``office``, with ``tab`` or ``status``), or one case's."""

    office = CodeRelatedField(
        queryset=Location.objects.filter(kind=Location.Kind.ASYLUM_OFFICE),
        required=False,
        help_text="The asylum office's queue: one you are posted at, e.g. lax-zla. USCIS roles only.",
    )
    tab = QueueTabField(
        required=False,
        help_text="With `office`: what is waiting. Default `review` for supervisory asylum officers, else "
        "`to_schedule`.",
    )
    status = ClaimStatusField(
        required=False, help_text="With `office`, instead of `tab`: the claims' status."
    )
    case = id_field(required=False, help_text="The claims of one case you can see, newest first.")
    cursor = serializers.CharField(required=False, max_length=1000, help_text="From `next` or `previous`.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "office" in attrs and "case" in attrs:
            raise serializers.ValidationError(
                {"case": ["Give `office` or `case`, not both."]}, code="invalid"
            )
        if "office" not in attrs and "case" not in attrs:
            raise serializers.ValidationError(
                {"office": ["Give `office` (an asylum office's queue) or `case` (one case's claims)."]},
                code="required",
            )
        if "case" in attrs:
            for name in ("tab", "status", "cursor"):
                if name in attrs:
                    raise serializers.ValidationError(
                        {name: [f"`{name}` is for an office's queue; a case's claims come on one page."]},
                        code="invalid",
                    )
        if "tab" in attrs and "status" in attrs:
            raise serializers.ValidationError(
                {"status": ["Give `tab` or `status`, not both."]}, code="invalid"
            )
        if "status" in attrs:
            attrs["tab"] = next(
                key for key, (_, _, statuses) in QUEUE_TABS.items() if attrs["status"] in statuses
            )
        return attrs


# --- writes ---------------------------------------------------------------------------------------------


class FearClaimRecordSerializer(serializers.Serializer):
    """S1: a person stated a fear of persecution or torture in Mexico, or of return to Mexico."""

    case = id_field(help_text="The claimant's case (one you can see).")
    stated_by = StatedByField(help_text="The person themselves, or a parent or legal guardian for a child.")
    stated_by_alien = id_field(
        required=False,
        allow_null=True,
        help_text="The parent or guardian who stated it for the child, when they are a registered member of "
        "the same family unit (their person id).",
    )
    stated_at = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text="When, with its UTC offset; not in the future, not before the encounter. Default: now.",
    )
    location = CodeRelatedField(
        queryset=Location.objects.all(),
        help_text="Where: a port, station, court or facility (one of your duty locations, for CBP), e.g. "
        "sys-poe. It decides the asylum office the claim goes to.",
    )
    setting = SettingField(help_text="Where in the process.")
    language = CodeRelatedField(
        queryset=Language.objects.all(), help_text="Code of the language it was stated in, e.g. es."
    )
    statement = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=10000,
        help_text="What was said, in brief (restricted: `fear`).",
    )


class FearInterviewScheduleSerializer(serializers.Serializer):
    """S2: the MPP assessment interview, scheduled or rescheduled."""

    interview_at = AwareDateTimeField(help_text="When, with its UTC offset; after the fear was stated.")
    asylum_officer = id_field(
        required=False,
        allow_null=True,
        help_text="The user id of an active asylum officer posted at the claim's office. Default: you.",
    )


class FearAssessmentSubmitSerializer(serializers.Serializer):
    """S2, S3: the interview as it took place, and the determination, for supervisory review."""

    interview_held_at = AwareDateTimeField(help_text="When it took place; not in the future.")
    determination = DeterminationField(
        help_text="Whether it is more likely than not that the person will face persecution on account of a "
        "protected ground, or torture, if returned to Mexico (S3)."
    )
    grounds = serializers.ListField(
        child=GroundField(),
        required=False,
        default=list,
        max_length=len(FearAssessment.Ground.choices),
        help_text="A positive determination names at least one; a negative one none.",
    )
    account = serializers.CharField(max_length=50000, help_text="The person's account (restricted: USCIS).")
    determination_reason = serializers.CharField(
        max_length=50000, help_text="S3: the analysis (restricted: USCIS)."
    )
    interview_language = CodeRelatedField(
        queryset=Language.objects.all(),
        required=False,
        allow_null=True,
        help_text="S2: the language the interview was interpreted into (required with an interpreter).",
    )
    interpretation_mode = InterpretationField(
        required=False,
        allow_blank=True,
        default="",
        help_text="S2: when the person cannot proceed in English and the officer cannot proceed in the "
        "person's language.",
    )
    interpreter_id = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text="S2: the interpreter's name or ID number (required with an interpreter).",
    )
    counsel_present_by_phone = serializers.BooleanField(
        required=False, default=False, help_text="S2: retained counsel took part by telephone."
    )
    counsel_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="Required with counsel."
    )
    medical_notes = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=50000,
        help_text="Medical details disclosed (restricted: USCIS).",
    )


class FearReviewSerializer(serializers.Serializer):
    """S3: the supervisory asylum officer's review of a submitted assessment."""

    decision = ReviewDecisionField(
        help_text="`concur`: it takes effect; `return`: back to the asylum officer for correction."
    )
    reason = serializers.CharField(
        max_length=2000, help_text="The concurrence note, or what to correct (restricted: USCIS)."
    )
