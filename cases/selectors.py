"""Every read of the case registry used by pages and the API, with related rows loaded.

Access scoping lives here: CBP field roles and print staff see the cases of their duty locations;
court, USCIS, ICE staff and administrators see all cases; analysts and users without a role see none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeGuard
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import CharField, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Concat, Greatest
from django.utils import timezone

from cases.models import (
    CASE_CLOSED_STATUSES,
    OPEN_REFERRAL,
    Alien,
    Case,
    CaseEvent,
    CaseStatus,
    CustodyDetermination,
    CustodyReferral,
    Encounter,
    EroHandoff,
    FamilyMember,
    FamilyUnit,
    Hold,
    HoldExemption,
    status_label,
)
from cases.registry import Edge, HoldKind, edge_for, event_type_label, hold_kind, hold_kinds
from cases.rules import looks_like_a_number, normalize_a_number
from mpp.accounts.models import User
from mpp.accounts.roles import DETAIL_ROLES, NO_CASE_ACCESS_ROLES, Role, roles_in_words
from mpp.db import Literal
from mpp.exceptions import DomainError, IllegalTransition, NotPermitted, PolicyRefusal
from mpp.pagination import KeysetPage, SortOption, keyset_page

CASE_ROLES = frozenset(Role.values) - NO_CASE_ACCESS_ROLES
# Print staff print tear sheets and notices: they need the person and the case, not what surrounds it — the
# family unit (its other members and their holds), the case's holds or its decision history (the timeline).
# The API admits the same roles to family units, encounters, holds and timelines (REGISTRY_READER_ROLES in
# cases.api.views, pinned equal by a test).
CASE_CONTEXT_ROLES = CASE_ROLES - {Role.PRINT_STAFF}
# Trigram similarity from which a registered person is shown as a possible duplicate.
DUPLICATE_SIMILARITY = 0.35


def user_sees_cases(user: User | AnonymousUser) -> TypeGuard[User]:
    """Whether the user may see any case. Safe to call with an anonymous user (drf-spectacular calls
    ``get_queryset`` with one while it builds the schema): the ``*_visible_to`` reads then return nothing."""
    return user.is_authenticated and bool(user.role_names & CASE_ROLES)


# Name-search copies (Case.name_words, Alien.name_words …): read by the database's indexes, never shown.
_SEARCH_COLUMNS = (
    "name_words",
    "family_words",
    "alien__name_words",
    "alien__family_words",
)


def _case_base() -> QuerySet[Case]:
    return Case.objects.select_related(
        "alien", "alien__preferred_language", "location", "encounter", "encounter__location"
    ).defer(*_SEARCH_COLUMNS)


def _scoped(qs: QuerySet[Case], user: User | AnonymousUser) -> QuerySet[Case]:
    if not user_sees_cases(user):
        return Case.objects.none()
    if user.is_location_scoped:
        qs = qs.filter(location_id__in=user.duty_location_ids)
    return qs


def cases_visible_to(user: User | AnonymousUser) -> QuerySet[Case]:
    """The cases ``user`` may see, with the person, language, location and encounter loaded."""
    return _scoped(_case_base(), user)


def case_rows_visible_to(user: User | AnonymousUser) -> QuerySet[Case]:
    """The same cases with only what a list row shows (the person and the location): for lists and
    search results, where each joined table costs planning and loading on every row."""
    return _scoped(Case.objects.select_related("alien", "location").defer(*_SEARCH_COLUMNS), user)


def case_is_visible_to(user: User, case: Case) -> bool:
    if not user_sees_cases(user):
        return False
    if not user.is_location_scoped:
        return True
    # H1: CBP at the port where the person reports for their hearing sees the case on hearing day.
    duty = user.duty_location_ids
    return case.location_id in duty or (case.reporting_port_id is not None and case.reporting_port_id in duty)


def _detail_scoped(user: User | AnonymousUser) -> QuerySet[Case]:
    """``cases_visible_to`` for one case by id: location-scoped users also see the cases that report at
    their duty locations (H1, as ``case_is_visible_to``). Not for lists (the OR defeats their indexes)."""
    if not user_sees_cases(user):
        return Case.objects.none()
    qs = _case_base()
    if user.is_location_scoped:
        duty = user.duty_location_ids
        qs = qs.filter(Q(location_id__in=duty) | Q(reporting_port_id__in=duty))
    return qs


def case_detail(*, user: User, case_id: int) -> Case | None:
    members = FamilyMember.objects.select_related("alien", "alien__preferred_language").order_by("id")
    return (
        _detail_scoped(user)
        .select_related("encounter__family_unit", "created_by")
        .prefetch_related(
            Prefetch("encounter__family_unit__members", queryset=members),
            Prefetch(
                "encounter__cases", queryset=Case.objects.only("id", "alien_id", "status", "encounter_id")
            ),
        )
        .filter(pk=case_id)
        .first()
    )


class SearchName(Func):
    """``mpp_search_name(text)``: lower case, accents removed (migration cases 0008). IMMUTABLE, and GIN
    trigram indexes exist on exactly ``mpp_search_name(family_name)`` and ``(given_names)`` (the duplicate
    check at intake compares these expressions)."""

    function = "mpp_search_name"
    output_field = CharField()


# Typed words shorter than this are matched exactly only ("de", "la"): too short for a fuzzy match.
_SEARCH_WORD_MIN = 3
# A registered word is a fuzzy match for a typed word from this trigram similarity ("telez" ~ "tellez" is
# 0.62, "ruis" ~ "ruiz" 0.43, "castilla" ~ "castillo" 0.64); a word the typed word begins also matches.
NAME_WORD_SIMILARITY = 0.4
# At most this many registered words stand for one typed word: the closest.
_CANDIDATES_PER_WORD = 12

_CANDIDATES_SQL = """
SELECT typed.word, typed.position, found.word
FROM unnest(mpp_name_words(%s)) WITH ORDINALITY AS typed(word, position)
LEFT JOIN LATERAL (
    SELECT d.word FROM cases_nameword d
    WHERE length(typed.word) >= %s
      AND (d.word %% typed.word OR d.word LIKE typed.word || '%%')
      AND (similarity(d.word, typed.word) >= %s OR d.word LIKE typed.word || '%%')
    ORDER BY d.word = typed.word DESC, similarity(d.word, typed.word) DESC, d.word
    LIMIT %s
) found ON true
ORDER BY typed.position
"""


def _typed_words(query: str) -> list[tuple[str, list[str]]]:
    """The typed query's words as the database normalises names (``mpp_name_words``), each with the
    registered words that match it closely (``cases_nameword``; none for a short word). One query on the
    small dictionary, served by its trigram index."""
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL, [query, _SEARCH_WORD_MIN, NAME_WORD_SIMILARITY, _CANDIDATES_PER_WORD])
        rows = cursor.fetchall()
    words: dict[str, list[str]] = {}
    for typed, _position, found in rows:
        matches = words.setdefault(typed, [])
        if found is not None and found not in matches:
            matches.append(found)
    return list(words.items())


def case_search(*, user: User, query: str, limit: int = 50) -> list[Case]:
    """By A-number (any accepted spelling, exact) or by name: accents, case and punctuation ignored, given
    and family names in any order, one typo allowed. TÉLLEZ is found from "Tellez" and "Telez".

    The best matches first, in three tiers, the most recent case first within a tier:
    1. every typed word is a word of the person's names;
    2. every typed word of 3 letters or more is, or closely matches (trigram similarity ≥
       ``NAME_WORD_SIMILARITY``, or begins), a word of the person's names;
    3. some typed word matches a word of the family name (relatives, a partly remembered name).
    Narrowed before anything is scored: each typed word is compared with the dictionary of distinct
    registered words, then cases are found by exact words on their copy of the person's words
    (``Case.name_words`` and ``family_words``, GIN-indexed with the location), and a tier is read only while
    fewer than ``limit`` cases were found.
    """
    query = query.strip()
    qs = case_rows_visible_to(user)
    if not query:
        return []
    if looks_like_a_number(query):
        return list(qs.filter(alien__a_number=normalize_a_number(query)))
    typed = _typed_words(query)
    if not typed:
        return []
    exact = Q(name_words__contains=[word for word, _ in typed])
    fuzzy_words = [matches for word, matches in typed if len(word) >= _SEARCH_WORD_MIN]
    tiers = [exact]
    if fuzzy_words and all(fuzzy_words):
        fuzzy = Q()
        for matches in fuzzy_words:
            fuzzy &= Q(name_words__overlap=matches)
        tiers.append(fuzzy)
    any_family = sorted({word for matches in fuzzy_words for word in matches})
    if len(typed) > 1 and any_family:
        tiers.append(Q(family_words__overlap=any_family))
    # Each tier reads ids only, from the case table and its indexes (sorting a tier's matches before
    # joining the person, the encounter and the locations); the cases found are then loaded in one query.
    ids: list[int] = []
    shown = Q()
    for index, tier in enumerate(tiers):
        condition = tier if index == 0 else tier & ~shown
        rows = qs.filter(condition).order_by("-created_at", "-id").values_list("pk", flat=True)
        ids += rows[: limit - len(ids)]
        if len(ids) >= limit:
            break
        shown |= tier
    loaded = qs.in_bulk(ids) if ids else {}
    return [loaded[pk] for pk in ids if pk in loaded]


def open_cases_of(*, alien_ids: Iterable[int]) -> dict[int, list[Case]]:
    """Each registered person's open cases (any status but ``cases.models.CASE_CLOSED_STATUSES``), oldest
    first, with their location: what intake shows and what ``case_open`` asks a reason for. One query."""
    found: dict[int, list[Case]] = defaultdict(list)
    cases = (
        Case.objects.filter(alien_id__in=list(alien_ids))
        .exclude(status__in=CASE_CLOSED_STATUSES)
        .select_related("alien", "location")
        .order_by("pk")
    )
    for case in cases:
        found[case.alien_id].append(case)
    return dict(found)


def cases_awaiting_review(*, user: User) -> QuerySet[Case]:
    return (
        case_rows_visible_to(user)
        .filter(status=Literal(CaseStatus.AWAITING_REVIEW))  # case_awaiting_review_idx (mpp.db.Literal)
        .order_by("status_changed_at", "id")
    )


class ProbedExists(Exists):
    """``EXISTS (… OFFSET 0)``: the same test, but PostgreSQL may not turn it into a hashed subplan.

    ``EXISTS(cases at my location) OR created_by = me`` is planned as a hash of every case at the location
    (80,000 at a busy port: 40–190 ms) before the first row of a list. With ``OFFSET 0`` (the planner's
    documented optimisation fence; it does not simplify such an EXISTS) each listed row is probed through
    an index instead, and a 50-row page newest first reads a few hundred rows: about 1.5 ms at 500k cases.
    """

    template = "EXISTS(%(subquery)s OFFSET 0)"


def aliens_visible_to(user: User | AnonymousUser) -> QuerySet[Alien]:
    if not user_sees_cases(user):
        return Alien.objects.none()
    qs = Alien.objects.select_related("preferred_language")
    if user.is_location_scoped:
        at_my_location = Case.objects.filter(alien=OuterRef("pk"), location_id__in=user.duty_location_ids)
        qs = qs.filter(Q(ProbedExists(at_my_location)) | Q(created_by=user))
    return qs


def family_units_visible_to(user: User | AnonymousUser) -> QuerySet[FamilyUnit]:
    if not user_sees_cases(user):
        return FamilyUnit.objects.none()
    members = FamilyMember.objects.select_related("alien").order_by("id")
    qs = FamilyUnit.objects.prefetch_related(Prefetch("members", queryset=members))
    if user.is_location_scoped:
        here = Encounter.objects.filter(family_unit=OuterRef("pk"), location_id__in=user.duty_location_ids)
        qs = qs.filter(Q(ProbedExists(here)) | Q(created_by=user))
    return qs


def encounters_visible_to(user: User | AnonymousUser) -> QuerySet[Encounter]:
    if not user_sees_cases(user):
        return Encounter.objects.none()
    qs = Encounter.objects.select_related("location", "family_unit")
    if user.is_location_scoped:
        qs = qs.filter(location_id__in=user.duty_location_ids)
    return qs


# --- moves, holds and the predicate pages, API and case_move share ------------------------------------


@dataclass(frozen=True)
class HoldBlock:
    """Why an open hold refuses a move: the rule and reason code, and a plain explanation."""

    hold: Hold
    rule: str
    code: str
    message: str

    def as_error(self) -> PolicyRefusal:
        return PolicyRefusal(self.message, code=self.code, rule=self.rule)


def _hold_words(hold: Hold, template: str) -> str:
    zone = ZoneInfo(hold.location.time_zone)
    opened = timezone.localtime(hold.opened_at, zone)
    since = f"{opened.day} {opened:%b}, {opened:%H:%M} {opened.tzname()}"
    return template.format(name=hold.case.alien.full_name, since=since, where=hold.location.name)


def family_open_holds(*, family_unit_id: int) -> list[Hold]:
    """The open holds on any case of a family unit, with what their explanations name loaded."""
    return list(
        Hold.objects.filter(case__encounter__family_unit_id=family_unit_id, released_at__isnull=True)
        .select_related("case__alien", "location", "opened_by")
        # F4's exception: the members separated from this hold's family block, in the same query.
        .annotate(
            exempt_case_ids=ArraySubquery(HoldExemption.objects.filter(hold=OuterRef("pk")).values("case_id"))
        )
        .order_by("opened_at", "id")
    )


def _exempt(hold: Hold, case_id: int) -> bool:
    """F4's exception recorded for this member (``hold_exempt_member``); loaded by ``family_open_holds``."""
    ids = getattr(hold, "exempt_case_ids", None)
    if ids is None:
        return HoldExemption.objects.filter(hold=hold, case_id=case_id).exists()
    return case_id in ids


def hold_blocks(*, case: Case, target: str, holds: Sequence[Hold] | None = None) -> list[HoldBlock]:
    """The open holds of the case and its family unit that refuse moving ``case`` to ``target``: the
    case's own (e.g. S1/S4: no amenability decision or enrolment of a claimant) and the family's (F4: no
    member is returned to Mexico while another's fear claim is pending). ``holds`` may be passed when
    already loaded (``family_open_holds``)."""
    if holds is None:
        holds = family_open_holds(family_unit_id=case.encounter.family_unit_id)
    blocks: list[HoldBlock] = []
    for hold in holds:
        kind = hold_kind(hold.kind)
        if kind is None:
            continue
        if hold.case_id == case.pk and target in kind.blocks_own:
            blocks.append(HoldBlock(hold, kind.rule, kind.own_code, _hold_words(hold, kind.own_explanation)))
        elif hold.case_id != case.pk and target in kind.blocks_family and not _exempt(hold, case.pk):
            blocks.append(
                HoldBlock(
                    hold, kind.family_rule, kind.family_code, _hold_words(hold, kind.family_explanation)
                )
            )
    return blocks


def family_hold_notices(*, case: Case, holds: Sequence[Hold]) -> list[HoldBlock]:
    """What other members' open holds block for this case (F4), in plain words, for the case page."""
    notices = []
    for hold in holds:
        kind = hold_kind(hold.kind)
        if kind is not None and hold.case_id != case.pk and kind.blocks_family and not _exempt(hold, case.pk):
            words = _hold_words(hold, kind.family_explanation)
            notices.append(HoldBlock(hold, kind.family_rule, kind.family_code, words))
    return notices


def move_refusal(
    *,
    actor: User,
    case: Case,
    target: str,
    workflow: str,
    holds: Sequence[Hold] | None = None,
) -> DomainError | None:
    """Why ``actor`` may not move ``case`` to ``target`` through ``workflow``, or None if they may. THE
    predicate: ``case_move`` asks it on the rows it locked, pages and the API ask it to say what moves a
    case next, so what a page says is what the service allows.

    Checks, in order: the transition table; who makes the edge (a move is made only by the workflow that
    owns it: anywhere else it is refused, ``workflow_owned``, naming where it is made); the actor's roles
    for the edge; the duty location; the open holds of the case and its family (their rule and code).
    """
    try:
        Case.check_transition(case.status, target)
    except IllegalTransition as error:
        return error
    edge = edge_for(case.status, target)
    if edge is None:  # a legal move nobody makes: the start-up check (cases.E001) reports it
        return NotPermitted(f"Nobody can move a case to “{status_label(target)}” yet.", field="to_status")
    if edge.owner != workflow:
        return NotPermitted(
            f"A case moves from “{status_label(case.status)}” to “{status_label(target)}” only through "
            f"{edge.where}, not here.",
            code="workflow_owned",
            field="to_status",
        )
    if not actor.has_role(*edge.roles):
        names = roles_in_words(edge.roles)
        return NotPermitted(
            f"Moving a case from “{status_label(case.status)}” to “{status_label(target)}” is for: {names}.",
            field="to_status",
        )
    if not case_is_visible_to(actor, case):
        return NotPermitted("This case is not at one of your duty locations.", field="location")
    blocks = hold_blocks(case=case, target=target, holds=holds)
    # A workflow's own moves are not refused by the holds it owns: it decides what they mean (F5: a
    # concurred positive makes a member whose own fear claim is pending not amenable too).
    blocks = [b for b in blocks if (k := hold_kind(b.hold.kind)) is None or k.workflow != workflow]
    if blocks:
        return blocks[0].as_error()
    return None


@dataclass(frozen=True)
class MoveOption:
    """A move that may come next for a case, made by the user's roles, and where it is made."""

    status: CaseStatus
    edge: Edge
    refusal: DomainError | None  # set when a hold blocks it now: shown with its rule, not hidden

    @property
    def label(self) -> str:
        return str(self.status.label)


def case_moves_for(*, user: User, case: Case, holds: Sequence[Hold] | None = None) -> list[MoveOption]:
    """The moves that may come next for ``case`` that ``user``'s roles make: every legal target whose
    edge names one of the user's roles, with where its workflow makes it (there is no generic status
    change: the case page and the API only say where). A move a hold blocks is listed with the hold's
    refusal, so the page says why instead of hiding it. Uses ``move_refusal`` with the edge's owner, the
    predicate ``case_move`` enforces."""
    if not case_is_visible_to(user, case):
        return []
    if holds is None:
        holds = family_open_holds(family_unit_id=case.encounter.family_unit_id)
    options: list[MoveOption] = []
    for status in case.allowed_next_statuses():
        edge = edge_for(case.status, status)
        if edge is None or not user.has_role(*edge.roles):
            continue
        refusal = move_refusal(actor=user, case=case, target=status, workflow=edge.owner, holds=holds)
        options.append(MoveOption(status, edge, refusal))
    return options


@dataclass(frozen=True)
class HoldView:
    """A hold as one reader sees it: the reasons only if they may read what the kind may reveal."""

    hold: Hold
    kind: HoldKind | None
    label: str
    reason: str | None  # None: withheld from this reader (field-level privacy)
    release_reason: str | None
    may_release: bool
    blocks: str  # plain words: what it blocks


def holds_of_case(*, user: User, case: Case) -> list[HoldView]:
    """Every hold on the case, open ones first, as ``user`` may see them (one query); none for a reader
    of the person and the case only (``may_read_case_context``)."""
    if not may_read_case_context(user):
        return []
    rows = case.holds.select_related("location", "opened_by", "released_by").order_by(
        F("released_at").asc(nulls_first=True), "opened_at", "id"
    )
    views = []
    for hold in rows:
        kind = hold_kind(hold.kind)
        readable = may_read(user, kind.sensitivities if kind else ("medical", "fear"))
        views.append(
            HoldView(
                hold=hold,
                kind=kind,
                label=kind.label if kind else hold.kind,
                reason=hold.reason if readable else None,
                release_reason=hold.release_reason if readable else None,
                # A kind a workflow owns is released there (e.g. the fear claim's concurrence), not here.
                may_release=hold.is_open
                and kind is not None
                and not kind.workflow
                and user.has_role(*kind.release_roles),
                blocks=_blocks_words(kind) if kind else "",
            )
        )
    return views


def _blocks_words(kind: HoldKind) -> str:
    parts = []
    if kind.blocks_own:
        names = ", ".join(f"“{status_label(s).split(':')[0]}”" for s in sorted(kind.blocks_own))
        parts.append(f"moving this case to {names} ({kind.rule})")
    if kind.blocks_family:
        names = ", ".join(f"“{status_label(s).split(':')[0]}”" for s in sorted(kind.blocks_family))
        parts.append(f"moving any other member of the family to {names} ({kind.family_rule})")
    return "; ".join(parts)


def hold_kinds_openable_by(
    *, user: User, case: Case, holds: Sequence[Hold] | None = None, even_if_open: bool = False
) -> list[HoldKind]:
    """The kinds of hold ``user`` may open on ``case`` and that are not open on it already (the service
    checks again; ``even_if_open`` for validating a submitted form, where opening an open kind is the
    service's no-op). ``holds``: the family's open holds, when already loaded (``family_open_holds``)."""
    if not case_is_visible_to(user, case):
        return []
    if even_if_open:
        holds = []
    elif holds is None:
        holds = family_open_holds(family_unit_id=case.encounter.family_unit_id)
    open_here = {hold.kind for hold in holds if hold.case_id == case.pk}
    # A kind a workflow owns is opened there (e.g. the fear claim form), not by the generic hold form.
    return [
        k for k in hold_kinds() if not k.workflow and k.code not in open_here and user.has_role(*k.open_roles)
    ]


def holds_visible_to(user: User | AnonymousUser) -> QuerySet[Hold]:
    """Holds on the cases ``user`` may see, with the case and person loaded."""
    return Hold.objects.filter(case__in=cases_visible_to(user).values("pk")).select_related(
        "case__alien", "location", "opened_by", "released_by"
    )


# --- the timeline --------------------------------------------------------------------------------------


def may_read(user: User, sensitivities: Sequence[str]) -> bool:
    """Field-level privacy: whether ``user`` holds a role for every kind of restricted content."""
    roles = user.role_names
    return all(roles & DETAIL_ROLES.get(kind, frozenset()) for kind in sensitivities)


def may_read_case_context(user: User) -> bool:
    """Whether ``user`` may read what surrounds a case they see — its family unit, holds and timeline —
    beyond the person and the case (``CASE_CONTEXT_ROLES``: everyone who sees cases but print staff).
    ``holds_of_case`` and ``case_timeline`` ask it; pages ask it for the family."""
    return bool(user.role_names & CASE_CONTEXT_ROLES)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    type: str
    label: str
    reason: str
    from_status: str | None
    to_status: str | None
    from_label: str | None
    to_label: str | None
    details: dict[str, Any]
    restricted: tuple[str, ...]  # the kinds of content withheld from this reader ("" if none)


def case_events_of(case: Case) -> QuerySet[CaseEvent]:
    """The case's events with their actors, oldest first (the index ``case_event_timeline_idx`` serves
    this order and its reverse): what ``case_timeline`` and ``case_timeline_page`` read, and what the API
    pages through."""
    return CaseEvent.objects.filter(case=case).select_related("actor").order_by("occurred_at", "id")


# An event's restricted content may be limited further to the readers posted at one place: data key
# ``content_office_id`` (e.g. the USCIS asylum office whose claim the event is about). Readers of a
# location-scoped role reach the case only through their duty locations already.
CONTENT_OFFICE_KEY = "content_office_id"


def may_read_event(user: User, row: CaseEvent) -> bool:
    """Field-level privacy of one event: a role for each kind of its restricted content and, when the
    event names the office its content belongs to (``CONTENT_OFFICE_KEY``), a posting there."""
    if not may_read(user, row.sensitivities):
        return False
    office = row.data.get(CONTENT_OFFICE_KEY) if row.sensitivities else None
    return office is None or office in user.duty_location_ids or user.is_location_scoped


def timeline_entry(row: CaseEvent, user: User) -> TimelineEntry:
    """One case event as ``user`` may read it: content the reader may not see (medical, fear) is withheld;
    the entry says what kind of event it was, not what it said."""
    hidden = () if may_read_event(user, row) else tuple(row.sensitivities)
    label = event_type_label(row.type)
    data = dict(row.data)
    kind = hold_kind(data.get("kind", "")) if row.type.startswith("hold.") else None
    if kind is not None:  # that a hold of this kind exists is not restricted; its reason may be
        label = f"{label}: {kind.label}"
    from_status, to_status = data.pop("from", None), data.pop("to", None)
    if row.type == "case.opened":
        to_status = data.pop("status", None)
    if hidden:
        label = f"{label} ({', '.join(hidden)})"
        data = {key: data[key] for key in PUBLIC_EVENT_KEYS if key in data}
    return TimelineEntry(
        at=row.occurred_at,
        actor=row.actor.display_name if row.actor else "system",
        type=row.type,
        label=label,
        reason="" if hidden else row.reason,
        from_status=from_status,
        to_status=to_status,
        from_label=status_label(from_status) if from_status else None,
        to_label=status_label(to_status) if to_status else None,
        details=data,
        restricted=hidden,
    )


def case_timeline(*, case: Case, user: User) -> list[TimelineEntry]:
    """What happened to the case, oldest first, from its case events (one query), each as ``user`` may
    read it (``timeline_entry``). None at all for a reader of the person and the case only
    (``may_read_case_context``). Every event: for a bounded read use ``case_timeline_page``."""
    if not may_read_case_context(user):
        return []
    return [timeline_entry(row, user) for row in case_events_of(case)]


# The case page shows this many events at a time: the latest, and earlier ones a page at a time.
TIMELINE_PAGE_SIZE = 50


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]  # oldest first within the page
    earlier: str | None  # cursor of the page before this one; None when this page starts the timeline
    is_latest: bool  # the page ends with the case's latest event


# The case page reads the timeline latest first, a page at a time (mpp.pagination), and shows each page
# oldest first; "Earlier events" follows the cursor of the page after in that order.
TIMELINE_SORTS = (
    SortOption(
        key="latest",
        label="Latest first",
        ordering=("-occurred_at", "-id"),
        earlier="Later events",
        later="Earlier events",
        start="Latest events",
    ),
)
TIMELINE_CURSOR_PARAM = "timeline_before"


def case_timeline_page(
    *, case: Case, user: User, before: str | None = None, size: int = TIMELINE_PAGE_SIZE
) -> TimelinePage:
    """The latest ``size`` events of the case before ``before`` (a cursor from ``TimelinePage.earlier``;
    None, or one that is not this list's: the latest events), oldest first. One query (``size`` + 1 rows by
    the index on case, occurred_at, id), however long the timeline."""
    if not may_read_case_context(user):
        return TimelinePage([], None, True)
    page = keyset_page(
        case_events_of(case),
        sorts=TIMELINE_SORTS,
        params={TIMELINE_CURSOR_PARAM: before} if before else {},
        size=size,
        cursor_param=TIMELINE_CURSOR_PARAM,
        sort_param="timeline_sort",
    )
    entries = [timeline_entry(row, user) for row in reversed(page.rows)]
    return TimelinePage(entries, page.next_cursor, page.is_first)


# Data keys that say *that* something happened, shown even when the content is withheld.
PUBLIC_EVENT_KEYS = ("hold_id", "kind", "rule", "review_id", "location", "claim_id", "assessment_id")


def duplicate_birth_dates(born: date) -> set[date]:
    """The birth dates a duplicate may be registered with: the same day, or day and month swapped."""
    dates = {born}
    if born.day <= 12 and born.day != born.month:
        dates.add(born.replace(month=born.day, day=born.month))
    return dates


def duplicate_similarity(*, family_name: str, given_names: str) -> Greatest:
    """How alike a registered person's names are to these (trigram similarity, in PostgreSQL): of the family
    name alone, or of the whole name, whichever is higher."""
    name = f"{given_names} {family_name}".strip()
    return Greatest(
        TrigramSimilarity("family_name", family_name.strip()),
        TrigramSimilarity(Concat("given_names", Value(" "), "family_name"), name),
    )


def alien_duplicate_candidates(
    *,
    family_name: str,
    given_names: str,
    date_of_birth: date | None,
    a_number: str | None = None,
    exclude_ids: Sequence[int] = (),
    limit: int = 5,
) -> list[Alien]:
    """People already registered who may be this person: the same A-number, or a similar name (trigram
    similarity, computed in PostgreSQL) with the same date of birth or the day and month swapped.

    Searched across all locations: identity must be checked nationally. One query, no per-row Python.
    """
    exact: list[Alien] = []
    if a_number and looks_like_a_number(a_number):
        exact = list(Alien.objects.filter(a_number=normalize_a_number(a_number)).exclude(pk__in=exclude_ids))
    if not (family_name.strip() and date_of_birth):
        return exact
    fuzzy = (
        Alien.objects.filter(date_of_birth__in=duplicate_birth_dates(date_of_birth))
        .exclude(pk__in=[*exclude_ids, *(a.pk for a in exact)])
        .annotate(similarity=duplicate_similarity(family_name=family_name, given_names=given_names))
        .filter(similarity__gte=DUPLICATE_SIMILARITY)
        .select_related("preferred_language")
        .order_by("-similarity", "pk")[:limit]
    )
    return [*exact, *fuzzy]


# --- ICE custody (S4, F6) ------------------------------------------------------------------------

# Who reads a person's custody referrals and determinations (pages and API), beside ICE, who makes them:
# - CBP supervisors, at their duty locations: they decide amenability and F4's exception for the family,
#   and must know whether a member kept in the U.S. is detained or released, and on what terms;
# - court staff: whether the respondent is detained decides the docket the case is heard on;
# - USCIS asylum officers and their supervisors: an interview of a detained person is arranged with ICE.
# Not CBP officers and agents, print staff, administrators or analysts: their work does not need it.
# Only ICE officers record determinations (``cases.services.CUSTODY_ROLES``).
CUSTODY_READ_ROLES = frozenset(
    {
        Role.ICE_OFFICER,
        Role.CBP_SUPERVISOR,
        Role.COURT_STAFF,
        Role.ASYLUM_OFFICER,
        Role.SUPERVISORY_ASYLUM_OFFICER,
    }
)

# The ICE queue's tabs, key → label; the first is the default.
CUSTODY_TABS = {
    "open": "Determination due",
    "determined": "Recently determined",
    "ero": "Final orders: hand-off to ERO",  # H4
}
# Open referrals, oldest first: an index range of the partial index custody_referral_open_idx.
CUSTODY_QUEUE_SORTS = (
    SortOption(
        key="oldest",
        label="Oldest referral first",
        ordering=("referred_at", "id"),
        earlier="Referred earlier",
        later="Referred later",
        start="Oldest",
    ),
)
# Determinations, latest first: the index custody_decided_idx (decided_at, id), read backwards.
CUSTODY_DETERMINED_SORTS = (
    SortOption(
        key="latest",
        label="Latest determination first",
        ordering=("-decided_at", "-id"),
        earlier="Later",
        later="Earlier",
        start="Latest",
    ),
)
# What a row shows of the person and of a user (their name).
_CUSTODY_PERSON_COLUMNS = (
    "case__id",
    "case__status",
    "case__location_id",
    "case__alien_id",
    "case__alien__id",
    "case__alien__a_number",
    "case__alien__family_name",
    "case__alien__given_names",
)
_USER_NAME_COLUMNS = ("id", "username", "first_name", "last_name")
CUSTODY_QUEUE_COLUMNS = (
    "id",
    "case_id",
    "rule",
    "code",
    "reason",
    "location_id",
    "referred_at",
    "determined_at",
    "withdrawn_at",
    "withdrawn_reason",
    *_CUSTODY_PERSON_COLUMNS,
    "location__id",
    "location__code",
    "location__name",
    "location__time_zone",
)
CUSTODY_DETERMINED_COLUMNS = (
    "id",
    "case_id",
    "decision",
    "decided_at",
    "decided_by_id",
    "is_current",
    *_CUSTODY_PERSON_COLUMNS,
    "case__location__id",
    "case__location__name",
    "case__location__time_zone",
    *(f"decided_by__{name}" for name in _USER_NAME_COLUMNS),
)


def may_read_custody(user: User | AnonymousUser) -> bool:
    """Whether ``user``'s roles read custody referrals and determinations (``CUSTODY_READ_ROLES``); which
    cases is the case scope (``case_is_visible_to``: CBP supervisors at their duty locations)."""
    return user_sees_cases(user) and bool(user.role_names & CUSTODY_READ_ROLES)


def custody_tab(tab: str | None) -> str:
    """The queue tab asked for; anything else is the first tab (never an error)."""
    return tab if tab in CUSTODY_TABS else next(iter(CUSTODY_TABS))


def open_custody_referrals(user: User | AnonymousUser) -> QuerySet[CustodyReferral]:
    """The open referrals (``OPEN_REFERRAL``: a first determination due, not withdrawn), with the columns a
    queue row shows; none for anyone but ICE officers. Ordered by the caller (the page's keyset sort, the
    API's cursor): oldest first, by the partial index ``custody_referral_open_idx``."""
    from cases.services import CUSTODY_ROLES  # cases.services imports this module: read when called

    qs = (
        CustodyReferral.objects.filter(OPEN_REFERRAL)
        .select_related("case__alien", "location")
        .only(*CUSTODY_QUEUE_COLUMNS)
    )
    return qs if user.is_authenticated and user.has_role(*CUSTODY_ROLES) else qs.none()


def recent_custody_determinations(user: User | AnonymousUser) -> QuerySet[CustodyDetermination]:
    """Every determination, revisits and superseded ones included, with the columns a queue row shows; none
    for anyone but ICE officers. Ordered by the caller: latest first."""
    from cases.services import CUSTODY_ROLES

    qs = CustodyDetermination.objects.select_related("case__alien", "case__location", "decided_by").only(
        *CUSTODY_DETERMINED_COLUMNS
    )
    return qs if user.is_authenticated and user.has_role(*CUSTODY_ROLES) else qs.none()


def custody_queue(
    *, user: User, tab: str | None, params: Mapping[str, Any]
) -> KeysetPage[CustodyReferral] | KeysetPage[CustodyDetermination] | KeysetPage[EroHandoff]:
    """ICE's custody queue (S4, F6): one page of 50 in one query of the columns a row shows, an index
    range however many referrals and determinations there are.

    - ``open``: people referred whose first determination is due, the oldest referral first;
    - ``determined``: the latest determinations first, revisits included (superseded ones marked);
    - ``ero``: final orders of removal whose hand-off to ICE ERO is due (H4), the oldest first.

    Empty for anyone but ICE officers, who work nationally (every port).
    """
    if custody_tab(tab) == "determined":
        return keyset_page(recent_custody_determinations(user), sorts=CUSTODY_DETERMINED_SORTS, params=params)
    if custody_tab(tab) == "ero":
        return keyset_page(ero_handoffs_due(user=user), sorts=ERO_HANDOFF_SORTS, params=params)
    return keyset_page(open_custody_referrals(user), sorts=CUSTODY_QUEUE_SORTS, params=params)


# S4: people removed from MPP or not processed for it; a referral puts anyone else on the queue (F6).
CUSTODY_STATUSES = frozenset({CaseStatus.REMOVED_FROM_MPP, CaseStatus.NOT_AMENABLE})


def custody_refusal(
    *, case: Case, current: CustodyDetermination | None, open_referral: CustodyReferral | None
) -> PolicyRefusal | None:
    """Why ICE may not record a custody determination for ``case`` now (S4: ``custody_not_due``), or None.

    Due when the person was referred to ICE (an open referral: a withdrawn one is not), already has a
    determination (revisiting it), or is removed from MPP or not processed for it (``CUSTODY_STATUSES``). A
    person granted relief stays in the U.S. (H4): the refusal says so. ``cases.services.custody_determine``
    asks it on the rows it locked, so what the page offers is what the service records.
    """
    if current is not None or open_referral is not None or case.status in CUSTODY_STATUSES:
        return None
    if case.status == CaseStatus.COMPLETED_RELIEF:  # F6/H4: any referral they had was withdrawn
        return PolicyRefusal(
            f"{case.alien.full_name} was granted relief or protection and stays in the U.S. (H4): no custody "
            "determination is due (S4).",
            code="custody_not_due",
            rule="S4",
        )
    return PolicyRefusal(
        f"{case.alien.full_name} is “{case.get_status_display()}”: ICE determines custody for people "
        "removed from MPP or not processed for it (S4), or referred to ICE.",
        code="custody_not_due",
        rule="S4",
    )


@dataclass(frozen=True)
class DeterminationView:
    """One custody determination as the case's custody history shows it."""

    determination: CustodyDetermination
    decision_label: str
    superseded_by: CustodyDetermination | None  # the later determination that revisited it

    @property
    def is_current(self) -> bool:
        return self.determination.is_current


@dataclass(frozen=True)
class CaseCustody:
    """A person's custody record (S4): ICE's referrals and determinations, as one reader may see them."""

    case: Case
    referrals: list[CustodyReferral]  # latest first: the open one, if any, is the latest
    determinations: list[DeterminationView]  # the current one first, then the superseded, latest first
    open_referral: CustodyReferral | None
    current: CustodyDetermination | None
    refusal: PolicyRefusal | None  # why no determination is due now (custody_not_due); None when due
    may_decide: bool  # an ICE officer, and a determination is due: the page offers the form


_REFERRAL_COLUMNS = (
    "id",
    "case_id",
    "rule",
    "code",
    "reason",
    "location_id",
    "referred_at",
    "determined_at",
    "withdrawn_at",
    "withdrawn_reason",
    "referred_by_id",
    *(f"referred_by__{name}" for name in _USER_NAME_COLUMNS),
)
_DETERMINATION_COLUMNS = (
    "id",
    "case_id",
    "referral_id",
    "decision",
    "reason",
    "decided_at",
    "supersedes_id",
    "is_current",
    "decided_by_id",
    *(f"decided_by__{name}" for name in _USER_NAME_COLUMNS),
)


def custody_of_case(*, user: User, case: Case) -> CaseCustody | None:
    """The case's custody referrals and determinations with their history (the current determination first,
    superseded ones marked, each with who, when and why), and whether ``user`` may record one now. Two
    queries of the columns shown, however long the history. None for a reader who may not read custody
    (``may_read_custody``) or see the case."""
    from cases.services import CUSTODY_ROLES

    if not may_read_custody(user) or not case_is_visible_to(user, case):
        return None
    referrals = list(
        CustodyReferral.objects.filter(case=case)
        .select_related("referred_by")
        .only(*_REFERRAL_COLUMNS)
        .order_by("-referred_at", "-id")
    )
    rows = list(
        CustodyDetermination.objects.filter(case=case)
        .select_related("decided_by")
        .only(*_DETERMINATION_COLUMNS)
        .order_by("-is_current", "-decided_at", "-id")
    )
    revisited_by = {row.supersedes_id: row for row in rows if row.supersedes_id is not None}
    determinations = [
        DeterminationView(
            determination=row,
            decision_label=str(CustodyDetermination.Decision(row.decision).label),
            superseded_by=revisited_by.get(row.pk),
        )
        for row in rows
    ]
    current = next((row for row in rows if row.is_current), None)
    open_referral = next((r for r in referrals if r.is_open), None)
    refusal = custody_refusal(case=case, current=current, open_referral=open_referral)
    return CaseCustody(
        case=case,
        referrals=referrals,
        determinations=determinations,
        open_referral=open_referral,
        current=current,
        refusal=refusal,
        may_decide=refusal is None and user.has_role(*CUSTODY_ROLES),
    )


# --- ICE ERO hand-offs (H4) -----------------------------------------------------------------------------

# ICE's queue tab of final orders: due hand-offs, oldest first (the partial index ero_handoff_due_idx).
ERO_HANDOFF_SORTS = (
    SortOption(
        key="oldest",
        label="Oldest final order first",
        ordering=("due_at", "id"),
        earlier="Due earlier",
        later="Due later",
        start="Oldest",
    ),
)
ERO_HANDOFF_COLUMNS = (
    "id",
    "case_id",
    "order_ref",
    "ordered_on",
    "final_on",
    "order_words",
    "location_id",
    "due_at",
    "handed_at",
    "cancelled_at",
    *_CUSTODY_PERSON_COLUMNS,
    "location__id",
    "location__code",
    "location__name",
    # A recorded hand-off's row (the API lists them): where and who received, without a query a row.
    "received_by_name",
    "handed_location_id",
    "handed_location__id",
    "handed_location__code",
    "location__time_zone",
)


def ero_handoffs_due(
    *, user: User | AnonymousUser, after: tuple[datetime, int] | None = None
) -> QuerySet[EroHandoff]:
    """H4: the hand-offs to ICE ERO due (a final order of removal not yet carried out, not reopened), with
    the columns a queue row shows, oldest first; ``after`` (due_at, id) starts after that row (keyset).
    ICE officers see every location's; CBP officers and supervisors who record hand-offs
    (``cases.services.ERO_ROLES``) their duty locations'; anyone else none."""
    from cases.services import ERO_ROLES  # cases.services imports this module: read when called

    qs = (
        EroHandoff.objects.filter(handed_at__isnull=True, cancelled_at__isnull=True)
        .select_related("case__alien", "location", "handed_location")
        .only(*ERO_HANDOFF_COLUMNS)
        .order_by("due_at", "id")
    )
    if not user_sees_cases(user) or not user.has_role(*ERO_ROLES):
        return qs.none()
    if user.is_location_scoped:
        qs = qs.filter(location_id__in=sorted(user.duty_location_ids))
    if after is not None:
        qs = qs.filter(Q(due_at__gt=after[0]) | Q(due_at=after[0], id__gt=after[1]))
    return qs


def ero_handoff_for(*, user: User, handoff_id: int) -> EroHandoff | None:
    """One due hand-off the user may record (another location's answers None, like a missing one)."""
    return ero_handoffs_due(user=user).filter(pk=handoff_id).first()
