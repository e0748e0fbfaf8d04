"""Serializers of the intake and amenability API: they check the shape of a request and render rows.

They never write and hold no policy (STYLE rule 2). Content checks — a date of birth in the past, a real
country, an A-number N2 accepts, the N3/A5/F2 consistency of screening facts, the separation of duties —
belong to ``screenings.services``, which raise ``InvalidInput``/``PolicyRefusal``/``NotPermitted`` naming the
field and the rule; ``mpp.api.exception_handler`` renders those in the one error body. The errors built here
are the intake's: a member's refusal names *which* member of the family is wrong (``field``
``members.<index>.<field>``, ``detail`` starting "Member 2 (name): "), and a possible duplicate lists its
candidates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from cases.api.serializers import CaseStatusField
from cases.models import Alien, Case, FamilyMember, Language
from cases.rules import normalize_a_number
from mpp.accounts.models import Location
from mpp.api import ApiErrorSerializer, AwareDateTimeField, BirthDateField, CodeRelatedField
from screenings.exceptions import InvalidInput, PossibleDuplicate
from screenings.models import AmenabilityReview, MemberDecision, ScreeningFacts
from screenings.rules import EXCLUSIONS
from screenings.selectors import review_decision_blocks
from screenings.services import FACT_FIELDS, MemberInput, member_input_from_data

# --- shared pieces ----------------------------------------------------------------------------------------


class ActorSerializer(serializers.Serializer):
    """Who did something: the user id and the name shown in histories."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


@extend_schema_field(
    {
        "type": "string",
        "enum": AmenabilityReview.Status.values,
        "description": "\n".join(f"* `{v}` - {label}" for v, label in AmenabilityReview.Status.choices),
    },
    component_name="AmenabilityReviewStatus",
)
class ReviewStatusField(serializers.ChoiceField):
    """The status of an amenability review: its own schema component, so that it never collides with the
    other ``status`` enums of the API."""

    def __init__(self, **kwargs: Any):
        super().__init__(choices=AmenabilityReview.Status.choices, **kwargs)


OVERRIDE_KINDS = [(value, label) for value, label in MemberDecision.Override.choices if value]


@extend_schema_field(
    {
        "type": "string",
        "enum": [value for value, _ in OVERRIDE_KINDS],
        "description": "\n".join(f"* `{value}` - {label}" for value, label in OVERRIDE_KINDS),
    },
    component_name="MemberOverrideKind",
)
class OverrideKindField(serializers.ChoiceField):
    """A supervisor's departure from the proposal for one member (A2 discretion, A4 health)."""

    def __init__(self, **kwargs: Any):
        super().__init__(choices=OVERRIDE_KINDS, **kwargs)


# --- possible duplicates ------------------------------------------------------------------------------------

MATCH_A_NUMBER = "a_number"
MATCH_NAME_AND_BIRTH_DATE = "name_and_birth_date"


class DuplicateQuerySerializer(serializers.Serializer):
    """Who to look for: an A-number (exact, any N2 spelling), or a name with a date of birth (fuzzy)."""

    family_name = serializers.CharField(
        required=False, max_length=150, help_text="Family name as typed; accents and typos are tolerated."
    )
    given_names = serializers.CharField(required=False, max_length=150)
    date_of_birth = serializers.DateField(
        required=False, help_text="YYYY-MM-DD. Also matches the day and month swapped."
    )
    a_number = serializers.CharField(
        required=False, max_length=32, help_text="N2: any accepted spelling (A123456789, 123-456-789 …)."
    )

    def validate_a_number(self, value: str) -> str:
        try:
            return normalize_a_number(value)
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.message, code=exc.code) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("a_number") and not (attrs.get("family_name") and attrs.get("date_of_birth")):
            raise serializers.ValidationError(
                "Give an A-number, or a family name and a date of birth.", code="required"
            )
        return attrs


class DuplicateCandidateSerializer(serializers.ModelSerializer):
    """A registered person who may be the one being entered."""

    name = serializers.CharField(source="full_name", read_only=True)
    country_of_citizenship = serializers.CharField(read_only=True, help_text="ISO 3166-1 alpha-2.")
    match = serializers.SerializerMethodField(
        help_text="`a_number`: the same A-number; `name_and_birth_date`: a similar name (accents, typos) "
        "born the same day, or with the day and month swapped."
    )

    class Meta:
        model = Alien
        fields = [
            "id",
            "a_number",
            "name",
            "family_name",
            "given_names",
            "date_of_birth",
            "country_of_citizenship",
            "match",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "enum": [MATCH_A_NUMBER, MATCH_NAME_AND_BIRTH_DATE]})
    def get_match(self, alien: Alien) -> str:
        # The selector returns exact A-number matches first; anything else matched on name and birth date.
        searched = self.context.get("a_number")
        return MATCH_A_NUMBER if searched and alien.a_number == searched else MATCH_NAME_AND_BIRTH_DATE


class IntakeDuplicateCandidateSerializer(DuplicateCandidateSerializer):
    """A possible duplicate of one member of a refused intake."""

    member = serializers.IntegerField(
        read_only=True, help_text="Position (from 0) of the member in the request's `members`."
    )

    class Meta(DuplicateCandidateSerializer.Meta):
        fields = ["member", *DuplicateCandidateSerializer.Meta.fields]
        read_only_fields = fields


# --- intake ------------------------------------------------------------------------------------------------


class DismissedDuplicateSerializer(serializers.Serializer):
    alien_id = serializers.IntegerField(min_value=1, help_text="Id of the registered person this is NOT.")
    reason = serializers.CharField(max_length=2000, help_text="Why they are different people (recorded).")


class IntakeMemberSerializer(serializers.Serializer):
    """One member of the family as entered. With ``existing_alien_id`` the registered person is linked: only
    a person you can see, or one the duplicate check offers for the name and date of birth typed here (so
    send them); otherwise the personal fields are required (the 400 names the member and the field)."""

    relationship = serializers.ChoiceField(
        choices=FamilyMember.Relationship.choices,
        help_text="Relative to the head; exactly one member is the head.",
    )
    family_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    given_names = serializers.CharField(required=False, allow_blank=True, max_length=150)
    date_of_birth = BirthDateField(
        required=False, allow_null=True, help_text="YYYY-MM-DD; not in the future, not before 1900."
    )
    sex = serializers.ChoiceField(choices=Alien.Sex.choices, required=False, allow_blank=True)
    country_of_citizenship = serializers.CharField(
        required=False, allow_blank=True, max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. HN."
    )
    preferred_language = serializers.CharField(
        required=False, allow_blank=True, max_length=16, help_text="Language code, e.g. es, pt, ht (N1a)."
    )
    a_number = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=32,
        help_text="N2: any accepted spelling. A number already registered links that person.",
    )
    existing_alien_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Link a registered person (by id)."
    )
    dismissed_duplicates = DismissedDuplicateSerializer(
        many=True,
        required=False,
        help_text="Possible duplicates looked at and found to be someone else, each with the reason.",
    )
    open_case_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Required when the person already has an open case (400 `open_case_exists` names it): why "
        "they get another one. Recorded on the new case's timeline.",
    )

    def validate_dismissed_duplicates(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [item["alien_id"] for item in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("Dismiss each person once.")
        return value


def _as_service_data(member: Mapping[str, Any]) -> dict[str, Any]:
    """The API's spelling of a member → the mapping ``member_input_from_data`` reads."""
    data = {key: value for key, value in member.items() if key != "dismissed_duplicates"}
    data["dismissed"] = {item["alien_id"]: item["reason"] for item in member.get("dismissed_duplicates", [])}
    return data


def _member_label(index: int, member: Any) -> str:
    """Who a member of the request is: ``Member 2 (José Manuel Ortiz Pérez)`` — the position from 1 and,
    when typed, the name."""
    names = (member.get("given_names"), member.get("family_name")) if isinstance(member, Mapping) else ()
    who = " ".join(part for part in names if isinstance(part, str) and part)
    return f"Member {index + 1}" + (f" ({who})" if who else "")


def _labelled(detail: Any, label: str) -> Any:
    """Every message of one member's errors, prefixed with who the member is (codes kept)."""
    if isinstance(detail, Mapping):
        return {key: _labelled(value, label) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_labelled(item, label) for item in detail]
    return ErrorDetail(f"{label}: {detail}", code=getattr(detail, "code", None))


def _member_refusal(index: int, member: Mapping[str, Any], exc: InvalidInput) -> InvalidInput:
    field = f"members.{index}.{exc.field}" if exc.field else f"members.{index}"
    return InvalidInput(
        f"{_member_label(index, member)}: {exc.message}", code=exc.code, rule=exc.rule, field=field
    )


class IntakeSerializer(serializers.Serializer):
    """An encounter with its whole family, entered in one call."""

    location = CodeRelatedField(
        queryset=Location.objects.all(),
        help_text="Code of the port of entry or Border Patrol station (one of your duty locations).",
    )
    occurred_at = AwareDateTimeField(help_text="ISO 8601 with UTC offset; not in the future.")
    members = IntakeMemberSerializer(many=True, allow_empty=False)

    def refusal(self) -> serializers.ValidationError:
        """``errors`` with each member's messages saying which member they are about, as a member refused
        by the service is (``member_inputs``): ``Member 3 (Valeria Ortiz Reyes): Date has wrong format…``."""
        detail = dict(self.errors)
        typed = self.initial_data.get("members") if isinstance(self.initial_data, Mapping) else None
        members = detail.get("members")
        if isinstance(members, Mapping) and isinstance(typed, list):  # DRF: {index: errors} of each member
            detail["members"] = {
                index: _labelled(errors, _member_label(index, typed[index]))
                if isinstance(index, int)
                else errors
                for index, errors in members.items()
            }
        return serializers.ValidationError(detail)

    def member_inputs(self) -> list[MemberInput]:
        """Each member validated by ``screenings.services.member_input_from_data``; the first refusal is
        raised as a 400 naming the member (``field`` ``members.<index>.<field>``)."""
        inputs = []
        for index, member in enumerate(self.validated_data["members"]):
            try:
                inputs.append(member_input_from_data(_as_service_data(member)))
            except InvalidInput as exc:
                raise _member_refusal(index, member, exc) from exc
        return inputs


def possible_duplicate_body(exc: PossibleDuplicate, members: Sequence[MemberInput]) -> dict[str, Any]:
    """The body of the service's ``possible_duplicate`` refusal, with every undecided candidate listed per
    member so that an integrator can link (``existing_alien_id``) or dismiss (``dismissed_duplicates``) each.

    A body, not a ``ValidationError``: that would turn the candidates' ids into strings.
    """
    candidates: list[dict[str, Any]] = []
    for index, found in exc.candidates.items():
        context = {"a_number": members[index].a_number}
        rendered = DuplicateCandidateSerializer(found, many=True, context=context).data
        candidates.extend({"member": index, **row} for row in rendered)
    return {
        "code": exc.code,
        "detail": exc.message,
        "field": "members",
        "errors": [{"field": "members", "code": exc.code, "detail": exc.message}],
        "candidates": candidates,
    }


class IntakeRefusalSerializer(ApiErrorSerializer):
    """A refused intake (400), in the one error body. A member's error names it: ``field`` is
    ``members.<index>.<field>`` and ``detail`` starts with "Member <position> (<name>):". A possible
    duplicate has the code ``possible_duplicate``, ``field`` ``members``, and ``candidates``: each registered
    person the member at ``candidates[].member`` may be."""

    candidates = IntakeDuplicateCandidateSerializer(
        many=True, required=False, help_text="Only with `possible_duplicate`."
    )


class IntakeCaseSerializer(serializers.Serializer):
    """A case opened by the intake, in ``screening``, and the member of the request it belongs to."""

    member = serializers.IntegerField(help_text="Position (from 0) of the member in the request's `members`.")
    relationship = serializers.ChoiceField(
        choices=FamilyMember.Relationship.choices, help_text="The member's relationship to the head."
    )
    id = serializers.IntegerField(source="case.pk", help_text="The case id.")
    alien = serializers.IntegerField(source="case.alien_id", help_text="The person's id.")
    a_number = serializers.CharField(source="case.alien.a_number", allow_null=True)
    name = serializers.CharField(source="case.alien.full_name")
    status = CaseStatusField(source="case.status")


def intake_cases(cases: Sequence[Case], *, family_unit_id: int) -> list[dict[str, Any]]:
    """The intake's cases (``family_cases``, in id order) with the member each belongs to: the intake opens
    them in the order of the request's members, one per member."""
    rows = []
    for position, case in enumerate(cases):
        membership = next(
            m for m in case.alien.family_memberships.all() if m.family_unit_id == family_unit_id
        )
        rows.append({"member": position, "relationship": membership.relationship, "case": case})
    return rows


class IntakeResultSerializer(serializers.Serializer):
    encounter = serializers.IntegerField()
    family_unit = serializers.IntegerField()
    cases = IntakeCaseSerializer(many=True)


# --- screening facts ---------------------------------------------------------------------------------------


class ScreeningFactsSerializer(serializers.ModelSerializer):
    """What the officer found for one person (A2, A4, A5, F2, F3, N3). ``recorded`` is false, and every
    field its default, until the first save."""

    case = serializers.IntegerField(source="case_id", read_only=True)
    recorded = serializers.SerializerMethodField()
    interpretation_language = CodeRelatedField(
        queryset=Language.objects.all(),
        required=False,
        allow_null=True,
        help_text="N3: language code of the interpretation, e.g. es, quc; with `interpretation_mode`.",
    )
    # A method field: a read-only nested serializer would leave an unused ActorRequest in the schema.
    updated_by = serializers.SerializerMethodField(help_text="Who recorded the facts last; null until then.")
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the facts were recorded last; null until then."
    )

    class Meta:
        model = ScreeningFacts
        fields = ["case", "recorded", *FACT_FIELDS, "updated_by", "updated_at"]
        read_only_fields = ["updated_at"]

    def get_recorded(self, facts: ScreeningFacts) -> bool:
        return facts.pk is not None

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_updated_by(self, facts: ScreeningFacts) -> dict[str, Any] | None:
        return ActorSerializer(facts.updated_by).data if facts.pk else None

    def facts(self) -> dict[str, Any]:
        """What to pass to ``screening_facts_save``: the facts sent (a PATCH) or every fact (a PUT, through
        ``ScreeningFactsReplaceSerializer``)."""
        return dict(self.validated_data)


class ScreeningFactsReplaceSerializer(ScreeningFactsSerializer):
    """The body of a PUT: every fact, a fact left out being reset to its default — the ``default`` of each
    field in the schema. (A PATCH uses ``ScreeningFactsSerializer``: the facts left out keep their values;
    DRF applies no defaults to a partial update.)"""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name in FACT_FIELDS:
            fields[name].default = _fact_default(name)
        return fields


def _fact_default(name: str) -> Any:
    field = ScreeningFacts._meta.get_field(name)
    assert isinstance(field, models.Field)  # a column of ScreeningFacts, never a reverse relation
    return field.get_default()


def screening_of(case: Case) -> ScreeningFacts:
    """The case's recorded facts (loaded with the case), or an unsaved blank record to show the defaults."""
    return getattr(case, "screening", None) or ScreeningFacts(case=case)


# --- the proposal ------------------------------------------------------------------------------------------


class ReasonSerializer(serializers.Serializer):
    """Why: a reason code with the rule that gives it and the plain explanation (the same everywhere: the
    live proposal, the one frozen at submission, and the decision)."""

    code = serializers.CharField(help_text="Reason code, e.g. `mexican_national`.")
    rule = serializers.CharField(help_text="RULES.md id, e.g. A2.")
    explanation = serializers.CharField()


class BlockerSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The screening field still to record.")
    rule = serializers.CharField()
    message = serializers.CharField()


class ProposalMemberSerializer(serializers.Serializer):
    # ``key`` in the rules (and in the frozen proposal's JSON): the member's case id.
    case = serializers.IntegerField(source="key", help_text="The member's case id.")
    name = serializers.CharField()
    amenable = serializers.BooleanField()
    uac = serializers.BooleanField(help_text="A2: unaccompanied alien child.")
    refer_to_uscis = serializers.BooleanField(help_text="S1: fear stated; referred to USCIS.")
    reasons = ReasonSerializer(many=True, help_text="Why not amenable (empty when amenable).")
    notes = ReasonSerializer(many=True, help_text="Informs the supervisor without excluding (A1, F1, A4 …).")
    blockers = BlockerSerializer(
        many=True, help_text="Facts still missing before the family can be submitted."
    )


class ProposalSerializer(serializers.Serializer):
    """The system's proposal (``screenings.rules.propose``). It decides nothing: a supervisor does (A3)."""

    ready_for_review = serializers.BooleanField()
    family_reasons = ReasonSerializer(many=True, help_text="Reasons that apply to the whole family (F3).")
    members = ProposalMemberSerializer(many=True)


class FamilyProposalSerializer(ProposalSerializer):
    encounter = serializers.IntegerField()


# --- the supervisor's review (A3) --------------------------------------------------------------------------


class ReviewMemberSerializer(serializers.Serializer):
    """One member of a submitted family: the case as it stands and what was proposed for it."""

    case = serializers.IntegerField()
    alien = serializers.IntegerField(allow_null=True)
    a_number = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    status = CaseStatusField(allow_null=True)
    proposed_amenable = serializers.BooleanField()
    proposed_reasons = ReasonSerializer(many=True, help_text="As proposed at submission (empty: amenable).")
    uac = serializers.BooleanField()
    refer_to_uscis = serializers.BooleanField()


def review_members(
    proposal: Mapping[str, Any], cases: Mapping[int, tuple[int, str | None, str]]
) -> list[dict[str, Any]]:
    """What ``ReviewMemberSerializer(many=True)`` renders of a review's members, built directly: the frozen
    proposal's members joined to the family's cases (``cases``: case id -> alien id, A-number, status).
    Through the serializer it was about 0.7 ms per review, more than the whole page's queries (step 5);
    tests/screenings/test_api.py checks that both give the same members."""
    rows = []
    for member in proposal["members"]:
        case = cases.get(member["key"])
        rows.append(
            {
                "case": int(member["key"]),
                "alien": case[0] if case else None,
                "a_number": case[1] if case else None,
                "name": str(member["name"]),
                "status": case[2] if case else None,
                "proposed_amenable": bool(member["amenable"]),
                "proposed_reasons": [
                    {"code": str(r["code"]), "rule": str(r["rule"]), "explanation": str(r["explanation"])}
                    for r in member["reasons"]
                ],
                "uac": bool(member.get("uac", False)),
                "refer_to_uscis": bool(member.get("refer_to_uscis", False)),
            }
        )
    return rows


def reasons_of(codes: Sequence[str], *, proposed: Mapping[str, Mapping[str, str]]) -> list[dict[str, str]]:
    """Reason codes as ``{code, rule, explanation}``: as frozen in the proposal when proposed, else (a
    supervisor's override: ``discretion``, ``health``) from the rules."""
    reasons = []
    for code in codes:
        known = proposed.get(code) or (asdict(EXCLUSIONS[code]) if code in EXCLUSIONS else None)
        reasons.append(dict(known) if known else {"code": code, "rule": "", "explanation": ""})
    return reasons


class MemberDecisionSerializer(serializers.ModelSerializer):
    """The outcome for one member. Reasons carry their rule; ``context["proposed"]`` maps each case id to
    the reasons frozen in the review's proposal (``{code: reason}``)."""

    proposed_reasons = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()
    override = serializers.CharField(
        help_text="Empty when the proposal was confirmed; else `exclude_discretion`, `exclude_health` or "
        "`overrule_health`."
    )

    class Meta:
        model = MemberDecision
        fields = [
            "case",
            "proposed_amenable",
            "proposed_reasons",
            "amenable",
            "reasons",
            "override",
            "override_reason",
            "mexican_member_choice",
        ]
        read_only_fields = fields

    def _proposed(self, decision: MemberDecision) -> Mapping[str, Mapping[str, str]]:
        return self.context.get("proposed", {}).get(decision.case_id, {})

    @extend_schema_field(ReasonSerializer(many=True))
    def get_proposed_reasons(self, decision: MemberDecision) -> list[dict[str, str]]:
        return reasons_of(decision.proposed_reasons, proposed=self._proposed(decision))

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, decision: MemberDecision) -> list[dict[str, str]]:
        """Why not amenable (empty when amenable)."""
        return reasons_of(decision.reasons, proposed=self._proposed(decision))


class ReviewQueueItemSerializer(serializers.ModelSerializer):
    """A family waiting in the supervisor's queue, with each member's proposal in short."""

    encounter = serializers.IntegerField(source="encounter_id", read_only=True)
    location = serializers.CharField(source="location.code", read_only=True)
    status = ReviewStatusField(read_only=True)
    submitted_by = ActorSerializer(read_only=True)
    members = serializers.SerializerMethodField()
    waits_for_hold = serializers.SerializerMethodField(
        help_text="True while a member's open hold (a pending fear claim, S1/S4) refuses the decision; the "
        "family stays in the queue until the supervisory asylum officer records the concurred assessment."
    )

    class Meta:
        model = AmenabilityReview
        fields = [
            "id",
            "encounter",
            "location",
            "status",
            "submitted_by",
            "submitted_at",
            "members",
            "waits_for_hold",
        ]
        read_only_fields = fields

    def get_waits_for_hold(self, review: AmenabilityReview) -> bool:
        annotated = getattr(review, "waits_for_hold", None)  # the queue selector annotates it (no query)
        if annotated is not None:
            return bool(annotated)
        return review.status == AmenabilityReview.Status.PENDING and bool(
            review_decision_blocks(review=review)
        )

    @extend_schema_field(ReviewMemberSerializer(many=True))
    def get_members(self, review: AmenabilityReview) -> list[dict[str, Any]]:
        # The family's cases, prefetched with their person by the caller.
        cases = {c.pk: (c.alien_id, c.alien.a_number, c.status) for c in review.encounter.cases.all()}
        return review_members(review.proposal, cases)


class AmenabilityReviewSerializer(ReviewQueueItemSerializer):
    """A family's amenability review: the proposal frozen at submission and, once decided, who decided,
    when, why, and the outcome per member. A review the supervisor returned to the officer for re-screening
    (``status`` ``returned``) says who returned it, when and what to look at again (``returned_*``,
    ``return_reason``), decided nothing (``decided_*`` null) and has no decisions: the corrected screening is
    submitted as a new review.

    The model keeps who closed the review, and when, in one pair of columns (``decided_by``/``decided_at``)
    whichever way it was closed; the API names each way apart."""

    decided_by = serializers.SerializerMethodField(help_text="The supervisor who decided; null otherwise.")
    decided_at = serializers.SerializerMethodField(help_text="When it was decided; null otherwise.")
    decision_reason = serializers.SerializerMethodField(help_text="Why it was decided so; empty otherwise.")
    returned_by = serializers.SerializerMethodField(
        help_text="The supervisor who returned it to the officer; null otherwise."
    )
    returned_at = serializers.SerializerMethodField(help_text="When it was returned; null otherwise.")
    return_reason = serializers.SerializerMethodField(
        help_text="What the officer must look at again; empty otherwise."
    )
    proposal = ProposalSerializer(read_only=True)
    decisions = serializers.SerializerMethodField()

    class Meta(ReviewQueueItemSerializer.Meta):
        fields = [
            *ReviewQueueItemSerializer.Meta.fields,
            "decided_by",
            "decided_at",
            "decision_reason",
            "returned_by",
            "returned_at",
            "return_reason",
            "proposal",
            "decisions",
        ]
        read_only_fields = fields

    @staticmethod
    def _closed_by(review: AmenabilityReview, how: str) -> dict[str, Any] | None:
        return ActorSerializer(review.decided_by).data if review.status == how and review.decided_by else None

    @staticmethod
    def _closed_at(review: AmenabilityReview, how: str) -> str | None:
        if review.status != how or review.decided_at is None:
            return None
        return serializers.DateTimeField().to_representation(review.decided_at)

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_decided_by(self, review: AmenabilityReview) -> dict[str, Any] | None:
        return self._closed_by(review, AmenabilityReview.Status.DECIDED)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_decided_at(self, review: AmenabilityReview) -> str | None:
        return self._closed_at(review, AmenabilityReview.Status.DECIDED)

    def get_decision_reason(self, review: AmenabilityReview) -> str:
        return review.decision_reason if review.status == AmenabilityReview.Status.DECIDED else ""

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_returned_by(self, review: AmenabilityReview) -> dict[str, Any] | None:
        return self._closed_by(review, AmenabilityReview.Status.RETURNED)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_returned_at(self, review: AmenabilityReview) -> str | None:
        return self._closed_at(review, AmenabilityReview.Status.RETURNED)

    def get_return_reason(self, review: AmenabilityReview) -> str:
        return review.decision_reason if review.status == AmenabilityReview.Status.RETURNED else ""

    @extend_schema_field(MemberDecisionSerializer(many=True))
    def get_decisions(self, review: AmenabilityReview) -> list[dict[str, Any]]:
        proposed = {
            member["key"]: {reason["code"]: reason for reason in member["reasons"]}
            for member in review.proposal["members"]
        }
        decisions = MemberDecisionSerializer(
            review.decisions.all(), many=True, context={"proposed": proposed}
        )
        return decisions.data  # type: ignore[return-value]  # a ListSerializer's data is a list


class OverrideSerializer(serializers.Serializer):
    case = serializers.IntegerField(help_text="Id of the member's case.")
    kind = OverrideKindField()
    reason = serializers.CharField(max_length=2000, help_text="Written justification (recorded).")


class DecideSerializer(serializers.Serializer):
    """The supervisor's decision: confirm the proposal, with overrides for some members."""

    reason = serializers.CharField(max_length=2000, help_text="Recorded in each case's history.")
    overrides = OverrideSerializer(many=True, required=False, default=list)

    def validate_overrides(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        cases = [item["case"] for item in value]
        if len(cases) != len(set(cases)):
            raise serializers.ValidationError("One override per member.")
        return value


class ReturnSerializer(serializers.Serializer):
    """The supervisor returns the family to the officer for re-screening instead of deciding (A3)."""

    reason = serializers.CharField(
        max_length=2000,
        help_text="What the officer must look at again. Sent to the officer and recorded in each case's history.",
    )
