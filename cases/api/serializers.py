"""Serializers of the registry API: they check the shape of a request and render rows.

They never write (STYLE rule 2): the views pass ``validated_data`` to ``cases.services`` and render what the
service returns. Domain checks — A-number format and uniqueness (N2), a date of birth in the past, one head
per family, the component that follows from the location (A1), duty locations — live in the services, which
raise ``InvalidInput``/``NotPermitted`` naming the field; ``mpp.api.exception_handler`` renders those and the
errors found here in the one error body (``code``, ``detail``, ``field``, ``rule``, ``errors``). Input that
cannot be true or that PostgreSQL cannot take (a birth before 1900, a NUL character in a code) is refused
here, naming the field, before a service or the database sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django_countries import countries
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import (
    Alien,
    Case,
    CaseStatus,
    CustodyDetermination,
    Encounter,
    FamilyMember,
    FamilyUnit,
    Language,
)
from cases.selectors import (
    aliens_visible_to,
    cases_visible_to,
    encounters_visible_to,
    family_units_visible_to,
)
from mpp.accounts.models import Location, User
from mpp.api import (
    ApiErrorSerializer,
    AwareDateTimeField,
    BirthDateField,
    CodeRelatedField,
    ServiceWriteSerializer,
)


class VisiblePrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference by id to a row the requesting user can see (per the ``cases.selectors`` scope).

    A row outside the user's scope is reported exactly like one that does not exist, so the API never
    reveals records at other duty locations. ``model`` only tells the schema what the id points to.
    """

    def __init__(self, *, model: type[Model], selector: Callable[[User], QuerySet[Any]], **kwargs: Any):
        self.selector = selector
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        # Lookups need the row only; drop the selector's prefetches so a lookup is a single query.
        return self.selector(self.context["request"].user).prefetch_related(None)


class AlphaTwoCountryField(CountryField):
    """ISO 3166-1 alpha-2 code of a real country (either case in, upper case out); names and alpha-3 codes
    that ``django_countries`` would also accept are refused so that the API has one spelling."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str) or len(data.strip()) != 2 or not countries.alpha2(data.strip()):
            self.fail("invalid_choice", input=data)
        return countries.alpha2(data.strip())


@extend_schema_field(
    {
        "type": "string",
        "enum": CaseStatus.values,
        "description": "\n".join(f"* `{value}` - {label}" for value, label in CaseStatus.choices),
    },
    component_name="CaseStatus",
)
class CaseStatusField(serializers.ChoiceField):
    """A case status. One schema component, ``CaseStatus``, for every field that holds one (``status``,
    ``to_status`` …), so that clients generate a single enum type."""

    def __init__(self, **kwargs: Any):
        super().__init__(choices=CaseStatus.choices, **kwargs)


# --- aliens -------------------------------------------------------------------------------------------


class AlienSerializer(ServiceWriteSerializer):
    """A person, found by A-number (N2)."""

    a_number = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=32,
        help_text=(
            "N2: accepted as written on documents (A123456789, a-12345678, 123-456-789, 123 456 789); "
            "always returned as A followed by nine digits. Empty or null when none is assigned yet."
        ),
    )
    date_of_birth = BirthDateField(help_text="YYYY-MM-DD; not in the future, not before 1900.")
    country_of_citizenship = AlphaTwoCountryField(help_text="ISO 3166-1 alpha-2 code, e.g. HN.")
    preferred_language = CodeRelatedField(
        queryset=Language.objects.all(), help_text="Language code, e.g. es, pt, ht (see N1a)."
    )

    class Meta:
        model = Alien
        fields = [
            "id",
            "a_number",
            "family_name",
            "given_names",
            "date_of_birth",
            "sex",
            "country_of_citizenship",
            "preferred_language",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class ANumberAssignSerializer(serializers.Serializer):
    """Assign the A-number of a person registered without one (N2)."""

    a_number = serializers.CharField(max_length=20, help_text="Any accepted spelling, e.g. 123-456-789.")
    reason = serializers.CharField(
        max_length=2000, help_text="Why; shown on each of the person's case timelines."
    )


class AlienSummarySerializer(serializers.ModelSerializer):
    """Who a case is about, enough to recognise the person in a list."""

    class Meta:
        model = Alien
        fields = ["id", "a_number", "family_name", "given_names"]
        read_only_fields = fields


# --- family units --------------------------------------------------------------------------------------


class FamilyMemberSerializer(serializers.Serializer):
    """A person's place in a family unit, relative to its head."""

    alien = VisiblePrimaryKeyField(model=Alien, selector=aliens_visible_to, help_text="Id of the person.")
    relationship = serializers.ChoiceField(
        choices=FamilyMember.Relationship.choices,
        help_text="Relative to the head; exactly one member is the head.",
    )


class FamilyUnitSerializer(ServiceWriteSerializer):
    """People encountered together; a single adult is a family of one (F-rules)."""

    members = FamilyMemberSerializer(many=True, allow_empty=False)

    class Meta:
        model = FamilyUnit
        fields = ["id", "members", "created_at"]
        read_only_fields = ["id", "created_at"]


# --- encounters ----------------------------------------------------------------------------------------


class EncounterSerializer(ServiceWriteSerializer):
    """When and where CBP met a family unit: at a port of entry (OFO) or between ports (USBP)."""

    occurred_at = AwareDateTimeField(help_text="ISO 8601 with UTC offset; not in the future.")
    location = CodeRelatedField(
        queryset=Location.objects.all(),
        help_text="Code of the port of entry or Border Patrol station, e.g. sys-poe.",
    )
    component = serializers.ChoiceField(
        choices=Encounter.Component.choices,
        required=False,
        help_text="A1: follows from the location (port of entry: OFO, station: USBP); optional on create.",
    )
    family_unit = VisiblePrimaryKeyField(model=FamilyUnit, selector=family_units_visible_to)

    class Meta:
        model = Encounter
        fields = ["id", "occurred_at", "location", "component", "family_unit", "created_at"]
        read_only_fields = ["id", "created_at"]


# --- cases ---------------------------------------------------------------------------------------------


class CaseSerializer(ServiceWriteSerializer):
    """One person's case from one encounter. ``status`` changes only through the workflow that owns each
    move (the review, the NTA, the fear assessment, the hearing day, the court's decisions, the ERO
    hand-off): there is no generic status change."""

    alien = VisiblePrimaryKeyField(
        model=Alien,
        selector=aliens_visible_to,
        help_text="Id of the person; a member of the encounter's family unit.",
    )
    alien_detail = AlienSummarySerializer(source="alien", read_only=True)
    encounter = VisiblePrimaryKeyField(model=Encounter, selector=encounters_visible_to)
    location: serializers.SlugRelatedField[Location] = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        help_text="Port or station responsible for the case (from the encounter).",
    )
    status = CaseStatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "alien",
            "alien_detail",
            "encounter",
            "location",
            "status",
            "status_label",
            "status_changed_at",
            "created_at",
        ]
        read_only_fields = ["id", "status", "status_changed_at", "created_at"]
        # The one-case-per-person-per-encounter check is the service's (it names the field and the code).
        validators: list[Any] = []


_DATETIME = serializers.DateTimeField()


class CaseRowSerializer(CaseSerializer):
    """``CaseSerializer``'s output, built directly: the same fields, names and formats (the schema is
    CaseSerializer's; tests/cases/test_api.py checks both give the same body). DRF's field machinery cost
    about half a millisecond a row — more than the query for a 50-row page at 500k cases (step 5). Reads
    only ``alien`` and ``location``, which list querysets load (``cases.selectors.case_rows_visible_to``)."""

    def to_representation(self, instance: Case) -> dict[str, Any]:
        alien = instance.alien
        return {
            "id": instance.pk,
            "alien": instance.alien_id,
            "alien_detail": {
                "id": alien.pk,
                "a_number": alien.a_number,
                "family_name": alien.family_name,
                "given_names": alien.given_names,
            },
            "encounter": instance.encounter_id,
            "location": instance.location.code,
            "status": instance.status,
            "status_label": instance.get_status_display(),
            "status_changed_at": _DATETIME.to_representation(instance.status_changed_at),
            "created_at": _DATETIME.to_representation(instance.created_at),
        }


class CaseSearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=100,
        help_text="An A-number in any spelling (A123456789, 123-456-789, a 123456789) or a name: given and "
        "family names in any order, accents and case ignored, one typo allowed.",
    )


class CaseSearchSerializer(serializers.Serializer):
    """What a search found: at most 50 cases, best match first (``cases.selectors.case_search``)."""

    query = serializers.CharField()
    a_number = serializers.CharField(
        allow_null=True, help_text="The A-number looked up, in its canonical spelling (N2); null for a name."
    )
    results = CaseRowSerializer(many=True)


class TimelineEntrySerializer(serializers.Serializer):
    """One case event (``cases.selectors.case_timeline``): what happened, who, when, why. Content the reader
    may not see (medical, fear) is withheld: ``restricted`` names its kinds, ``reason`` is then empty."""

    at = serializers.DateTimeField()
    actor = serializers.CharField()
    type = serializers.CharField(
        help_text="e.g. `case.opened`, `status.changed`, `hold.opened`, `screening.facts_saved`."
    )
    label = serializers.CharField(
        help_text="What happened, in words; says `(medical)` when content is withheld."
    )  # type: ignore[assignment]
    reason = serializers.CharField(allow_blank=True)
    from_status = serializers.CharField(allow_null=True)
    to_status = serializers.CharField(allow_null=True)
    from_label = serializers.CharField(allow_null=True)
    to_label = serializers.CharField(allow_null=True)
    details = serializers.DictField(help_text="Structured data of the event (only what the reader may see).")
    restricted = serializers.ListField(child=serializers.CharField(), help_text="Kinds of content withheld.")


class HoldSerializer(serializers.Serializer):
    """A hold on a case (``cases.selectors.HoldView``): what it blocks and why. ``reason`` and
    ``release_reason`` are null when withheld from the reader (field-level privacy)."""

    id = serializers.IntegerField(source="hold.pk")
    case = serializers.IntegerField(source="hold.case_id")
    kind = serializers.CharField(source="hold.kind")
    label = serializers.CharField()  # type: ignore[assignment]
    rule = serializers.CharField(source="hold.rule")
    blocks = serializers.CharField()
    reason = serializers.CharField(allow_null=True)
    location = serializers.CharField(source="hold.location.code")
    opened_by = serializers.CharField(source="hold.opened_by.display_name")
    opened_at = serializers.DateTimeField(source="hold.opened_at")
    is_open = serializers.BooleanField(source="hold.is_open")
    released_by = serializers.CharField(source="hold.released_by.display_name", allow_null=True, default=None)
    released_at = serializers.DateTimeField(source="hold.released_at", allow_null=True)
    outcome = serializers.CharField(source="hold.outcome", allow_blank=True)
    release_reason = serializers.CharField(allow_null=True)
    may_release = serializers.BooleanField()


class HoldOpenSerializer(serializers.Serializer):
    kind = serializers.SlugField(max_length=48, help_text="A registered kind, e.g. `fear_claim` (S1).")
    reason = serializers.CharField(max_length=2000, help_text="Who stated what, when and where.")


class HoldReleaseSerializer(serializers.Serializer):
    outcome = serializers.SlugField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="e.g. `negative` or `positive`.",
    )
    reason = serializers.CharField(max_length=2000, help_text="What was decided, by whom.")


class StatusOptionSerializer(serializers.Serializer):
    """A status a case may move to next, with its plain-language label, the workflow that makes the move
    and where (in words); ``refusal`` is set when a hold blocks it now (its ``code``, ``rule`` and
    ``detail``)."""

    status = serializers.CharField()
    # DRF's serializer metaclass moves declared fields into _declared_fields, so this does not replace
    # Field.label at run time; the stubs read it as a class attribute that does.
    label = serializers.CharField()  # type: ignore[assignment]
    workflow = serializers.CharField(
        help_text="The workflow that makes the move, e.g. `hearings.hearing_day`."
    )
    where = serializers.CharField(help_text="Where the move is made, in words.")
    refusal = ApiErrorSerializer(allow_null=True)


class CaseAllowedTransitionsSerializer(serializers.Serializer):
    """The statuses the case may move to next that the requesting user's roles make: the transition
    table ∩ the edges naming the user's roles, each with the workflow that makes it and where.

    Nothing here moves the case: each move is made by its workflow's own page or endpoint, and can still
    be refused by a policy rule checked at the time of the move (F4).
    """

    case = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    allowed = StatusOptionSerializer(many=True)


# --- ICE custody (S4, F6) and F4's exception ---------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "enum": CustodyDetermination.Decision.values,
        "description": "\n".join(
            f"* `{value}` - {label}" for value, label in CustodyDetermination.Decision.choices
        ),
    },
    component_name="CustodyDecision",
)
class CustodyDecisionField(serializers.ChoiceField):
    """ICE's custody decision (S4): one schema component, ``CustodyDecision``, for requests and rows."""

    def __init__(self, **kwargs: Any):
        super().__init__(choices=CustodyDetermination.Decision.choices, **kwargs)


class CustodyReferralRowSerializer(serializers.Serializer):
    """A person on ICE's custody queue (S4, F6): referred, no determination yet, not withdrawn. Reads only
    the columns ``cases.selectors.open_custody_referrals`` loads. Read-only."""

    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    person = AlienSummarySerializer(source="case.alien")
    case_status = CaseStatusField(source="case.status")
    location = serializers.CharField(source="location.code", help_text="The port or station, e.g. sys-poe.")
    location_name = serializers.CharField(source="location.name")
    rule = serializers.CharField(help_text="The RULES.md id that asks for it, e.g. S4.")
    code = serializers.CharField(help_text="Why, e.g. `fear_of_mexico`, `family_member_fear_positive`.")
    reason = serializers.CharField(help_text="Why, in plain words, as the referring workflow recorded it.")
    referred_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the referral was withdrawn (F6/H4: the person was granted relief); null while open.",
    )
    withdrawn_reason = serializers.CharField(
        read_only=True, help_text="Why it was withdrawn; empty while open."
    )


class CustodyDeterminationSerializer(serializers.Serializer):
    """One custody determination (``cases.selectors.DeterminationView``): what ICE decided, why, who and
    when; ``is_current`` false once revisited (``superseded_by`` names the determination that did)."""

    id = serializers.IntegerField(source="determination.pk")
    case = serializers.IntegerField(source="determination.case_id")
    decision = CustodyDecisionField(source="determination.decision")
    decision_label = serializers.CharField()
    reason = serializers.CharField(source="determination.reason")
    decided_by = serializers.CharField(source="determination.decided_by.display_name")
    decided_at = serializers.DateTimeField(source="determination.decided_at")
    is_current = serializers.BooleanField()
    referral = serializers.IntegerField(
        source="determination.referral_id", allow_null=True, help_text="The referral it answered, if any."
    )
    supersedes = serializers.IntegerField(
        source="determination.supersedes_id", allow_null=True, help_text="The determination it revisited."
    )
    superseded_by = serializers.IntegerField(
        source="superseded_by.pk", allow_null=True, default=None, help_text="The one that revisited it."
    )


class CustodyDeterminationCreateSerializer(serializers.Serializer):
    """ICE's case-by-case custody determination (S4); recording one when there is one revisits it."""

    decision = CustodyDecisionField()
    reason = serializers.CharField(
        max_length=2000, help_text="The facts of this case it is based on; shown on the case timeline."
    )


class HoldExemptionCreateSerializer(serializers.Serializer):
    """F4's exception: an independent basis to separate one member of the family from a hold's block."""

    case = VisiblePrimaryKeyField(
        model=Case,
        selector=cases_visible_to,
        help_text="Id of the member's case: in the family of the person the hold is on, not that person.",
    )
    reason = serializers.CharField(max_length=2000, help_text="The independent basis to separate them (F4).")


class HoldExemptionSerializer(serializers.Serializer):
    """A member separated from a hold's family block (F4's exception): who recorded it, when and why."""

    id = serializers.IntegerField()
    hold = serializers.IntegerField(source="hold_id")
    case = serializers.IntegerField(source="case_id", help_text="The member separated.")
    reason = serializers.CharField()
    recorded_by = serializers.CharField(source="recorded_by.display_name")
    recorded_at = serializers.DateTimeField()
