"""Every read of the case registry used by pages and the API, with related rows loaded.

Access scoping lives here: CBP field roles and print staff see the cases of their duty locations;
court, USCIS, ICE staff and administrators see all cases; analysts and users without a role see none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Concat, Greatest

from cases.models import Alien, Case, CaseStatus, Encounter, FamilyMember, FamilyUnit
from cases.rules import looks_like_a_number, normalize_a_number
from mpp.accounts.models import User
from mpp.accounts.roles import NO_CASE_ACCESS_ROLES, Role

CASE_ROLES = frozenset(Role.values) - NO_CASE_ACCESS_ROLES
# Trigram similarity from which a registered person is shown as a possible duplicate.
DUPLICATE_SIMILARITY = 0.35


def user_sees_cases(user: User | AnonymousUser) -> TypeGuard[User]:
    """Whether the user may see any case. Safe to call with an anonymous user (drf-spectacular calls
    ``get_queryset`` with one while it builds the schema): the ``*_visible_to`` reads then return nothing."""
    return user.is_authenticated and bool(user.role_names & CASE_ROLES)


def _case_base() -> QuerySet[Case]:
    return Case.objects.select_related(
        "alien", "alien__preferred_language", "location", "encounter", "encounter__location"
    )


def cases_visible_to(user: User | AnonymousUser) -> QuerySet[Case]:
    if not user_sees_cases(user):
        return Case.objects.none()
    qs = _case_base()
    if user.is_location_scoped:
        qs = qs.filter(location_id__in=user.duty_location_ids)
    return qs


def case_is_visible_to(user: User, case: Case) -> bool:
    if not user_sees_cases(user):
        return False
    return not user.is_location_scoped or case.location_id in user.duty_location_ids


def case_detail(*, user: User, case_id: int) -> Case | None:
    members = FamilyMember.objects.select_related("alien", "alien__preferred_language").order_by("id")
    return (
        cases_visible_to(user)
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


def case_search(*, user: User, query: str, limit: int = 50) -> QuerySet[Case]:
    """By A-number (any accepted spelling, exact) or by name (trigram similarity, best first)."""
    query = query.strip()
    qs = cases_visible_to(user)
    if not query:
        return qs.none()
    if looks_like_a_number(query):
        return qs.filter(alien__a_number=normalize_a_number(query))
    similarity = Greatest(
        TrigramSimilarity("alien__family_name", query),
        TrigramSimilarity("alien__given_names", query),
        TrigramSimilarity("alien__family_name", query.split()[-1]),
    )
    by_name = Q(alien__family_name__trigram_similar=query) | Q(alien__given_names__trigram_similar=query)
    for word in query.split():
        by_name |= Q(alien__family_name__icontains=word)
    return qs.filter(by_name).annotate(similarity=similarity).order_by("-similarity", "-created_at")[:limit]


def cases_awaiting_review(*, user: User) -> QuerySet[Case]:
    return (
        cases_visible_to(user).filter(status=CaseStatus.AWAITING_REVIEW).order_by("status_changed_at", "id")
    )


def aliens_visible_to(user: User | AnonymousUser) -> QuerySet[Alien]:
    if not user_sees_cases(user):
        return Alien.objects.none()
    qs = Alien.objects.select_related("preferred_language")
    if user.is_location_scoped:
        at_my_location = Case.objects.filter(alien=OuterRef("pk"), location_id__in=user.duty_location_ids)
        qs = qs.filter(Q(Exists(at_my_location)) | Q(created_by=user))
    return qs


def family_units_visible_to(user: User | AnonymousUser) -> QuerySet[FamilyUnit]:
    if not user_sees_cases(user):
        return FamilyUnit.objects.none()
    members = FamilyMember.objects.select_related("alien").order_by("id")
    qs = FamilyUnit.objects.prefetch_related(Prefetch("members", queryset=members))
    if user.is_location_scoped:
        here = Encounter.objects.filter(family_unit=OuterRef("pk"), location_id__in=user.duty_location_ids)
        qs = qs.filter(Q(Exists(here)) | Q(created_by=user))
    return qs


def encounters_visible_to(user: User | AnonymousUser) -> QuerySet[Encounter]:
    if not user_sees_cases(user):
        return Encounter.objects.none()
    qs = Encounter.objects.select_related("location", "family_unit")
    if user.is_location_scoped:
        qs = qs.filter(location_id__in=user.duty_location_ids)
    return qs


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    kind: str  # "opened" or "status"
    from_status: str | None
    to_status: str
    from_label: str | None
    to_label: str
    reason: str


def case_timeline(*, case: Case) -> list[TimelineEntry]:
    """Who, when, from → to, why — built from the case's append-only history, oldest first."""
    rows = case.history.select_related("history_user").order_by("history_date", "history_id")
    entries: list[TimelineEntry] = []
    previous: str | None = None
    for row in rows:
        if row.history_type == "+" or row.status != previous:
            entries.append(
                TimelineEntry(
                    at=row.history_date,
                    actor=row.history_user.display_name if row.history_user else "system",
                    kind="opened" if row.history_type == "+" else "status",
                    from_status=previous,
                    to_status=row.status,
                    from_label=CaseStatus(previous).label if previous else None,
                    to_label=CaseStatus(row.status).label,
                    reason=row.history_change_reason or "",
                )
            )
        previous = row.status
    return entries


def case_moves_for(*, user: User, case: Case) -> list[CaseStatus]:
    """The statuses ``user`` may ask to move ``case`` to: the transition table ∩ the roles that own each
    move. Offered on the case page; ``services.case_transition`` still checks again when asked."""
    from cases.permissions import roles_for_move  # appended selector: keeps the import block as is

    if not case_is_visible_to(user, case):
        return []
    roles = user.role_names
    return [status for status in case.allowed_next_statuses() if roles_for_move(case.status, status) & roles]


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
    dates = {date_of_birth}
    if date_of_birth.day <= 12 and date_of_birth.day != date_of_birth.month:
        dates.add(date_of_birth.replace(month=date_of_birth.day, day=date_of_birth.month))
    name = f"{given_names} {family_name}".strip()
    fuzzy = (
        Alien.objects.filter(date_of_birth__in=dates)
        .exclude(pk__in=[*exclude_ids, *(a.pk for a in exact)])
        .annotate(
            similarity=Greatest(
                TrigramSimilarity("family_name", family_name.strip()),
                TrigramSimilarity(Concat("given_names", Value(" "), "family_name"), name),
            )
        )
        .filter(similarity__gte=DUPLICATE_SIMILARITY)
        .select_related("preferred_language")
        .order_by("-similarity", "pk")[:limit]
    )
    return [*exact, *fuzzy]
