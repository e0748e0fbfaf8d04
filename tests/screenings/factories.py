"""Helpers that build a family through the real intake and screening services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cases.models import Case, CaseStatus, Encounter
from cases.rules import age_on, local_day
from mpp.accounts.models import Location, User
from mpp.accounts.roles import Role
from screenings.fear_services import (
    AssessmentInput,
    ClaimInput,
    fear_assessment_review,
    fear_assessment_submit,
    fear_claim_record,
    fear_interview_schedule,
)
from screenings.models import FearAssessment, FearClaim
from screenings.services import MemberInput, intake_create, screening_facts_save
from tests.factories import language, location, user_with_role


def member(
    relationship: str, given: str, family: str, born: dt.date, country: str = "HN", **kw
) -> MemberInput:
    return MemberInput(
        relationship=relationship,
        family_name=family,
        given_names=given,
        date_of_birth=born,
        sex=kw.pop("sex", "F"),
        country_of_citizenship=country,
        preferred_language=language(kw.pop("lang", "es")),
        **kw,
    )


def mixed_family(officer, *, location_code: str = "sys-poe") -> Encounter:
    """Honduran mother, Guatemalan father, Mexican daughter (7): the issue's three-member family."""
    return intake_create(
        actor=officer,
        location=location(location_code),
        occurred_at=timezone.now() - dt.timedelta(hours=2),
        members=[
            member("head", "Ana Lucía", "Reyes Mejía", dt.date(1990, 3, 14)),
            member("spouse", "José Manuel", "Ortiz Pérez", dt.date(1987, 11, 2), country="GT", sex="M"),
            member("child", "Valeria", "Ortiz Reyes", dt.date(2019, 6, 5), country="MX"),
        ],
    )


def screen_all(officer, encounter: Encounter, **overrides_by_name) -> list[Case]:
    """Record complete screening facts for every member (officer fluent; the F2 choice for a Mexican member
    of a mixed family). A child's fear, unless the override says who stated it, is a parent's (F3)."""
    cases = list(encounter.cases.select_related("alien").order_by("id"))
    countries = {str(c.alien.country_of_citizenship) for c in cases}
    mixed = "MX" in countries and len(countries) > 1
    day = local_day(encounter.occurred_at, encounter.location.time_zone)
    for case in cases:
        facts = {"officer_fluent": True}
        if mixed and str(case.alien.country_of_citizenship) == "MX":
            facts["mexican_member_choice"] = "voluntary_return"
        facts.update(overrides_by_name.get(case.alien.given_names, {}))
        if facts.get("fear_of_return_expressed") and age_on(case.alien.date_of_birth, day) < 18:
            facts.setdefault("fear_stated_by", "parent")
        screening_facts_save(actor=officer, case_id=case.pk, facts=facts)
    return cases


def send_back_to_screening(encounter: Encounter) -> None:
    """Every member of a decided family back in screening. No move of today's table does it, but families
    from before step 3 are in that state (amenable → fear claim pending → screening was legal then), and a
    later workflow may add the move: set as that old path left it, with a history row."""
    for case in encounter.cases.order_by("id"):
        case.status = CaseStatus.SCREENING
        case._change_reason = "Back to screening (the pre-step-3 fear-claim path)"
        case.save()


# --- fear claims (S1-S4), through screenings.fear_services -------------------------------------------------

# What a concurred assessment records by default (the content is not what these helpers test).
ACCOUNT = "Threatened by a cartel in Nuevo Laredo after refusing to carry a package."
DETERMINATION_REASON = "Credible, detailed account; no internal relocation alternative (S3)."


def _recorder_for(case: Case) -> User:
    """A CBP officer (an agent at a station) posted where the case is, who may record a claim on it."""
    where = case.location
    role = Role.BORDER_PATROL_AGENT if where.kind == Location.Kind.BORDER_PATROL_STATION else Role.CBP_OFFICER
    return user_with_role(role, locations=[where.code])


def fear_claim_for(
    case: Case,
    *,
    actor: User | None = None,
    at: str | None = None,
    stated_by: str = FearClaim.StatedBy.SELF,
    stated_by_alien_id: int | None = None,
    setting: str = FearClaim.Setting.ENCOUNTER,
    lang: str = "es",
    statement: str = "",
    stated_at: dt.datetime | None = None,
) -> FearClaim:
    """S1: a fear claim recorded on ``case`` through ``fear_claim_record`` (which opens its ``fear_claim``
    hold), by ``actor`` (default: an officer posted where the case is), stated at ``at`` (a location code;
    default the case's location). Returns the claim; ``claim.hold`` is the hold."""
    actor = actor or _recorder_for(case)
    place = location(at) if at else case.location
    return fear_claim_record(
        case_id=case.pk,
        actor=actor,
        data=ClaimInput(
            stated_by=stated_by,
            stated_by_alien_id=stated_by_alien_id,
            location_id=place.pk,
            setting=setting,
            language_id=language(lang).pk,
            statement=statement,
            stated_at=stated_at,
        ),
    )


def asylum_officer_for(claim: FearClaim, role: str = Role.ASYLUM_OFFICER) -> User:
    """An asylum officer (or supervisor) posted at the claim's asylum office, who may work it."""
    return user_with_role(role, locations=[claim.asylum_office.code])


def assess(
    claim: FearClaim,
    *,
    outcome: str = FearAssessment.Determination.NEGATIVE,
    ao: User | None = None,
    grounds: list[str] | None = None,
) -> FearAssessment:
    """S2/S3: the interview scheduled and held now, and the determination submitted for review, by ``ao``
    (default: an asylum officer of the claim's office)."""
    ao = ao or asylum_officer_for(claim)
    now = timezone.now()
    held = max(now, claim.stated_at)
    fear_interview_schedule(claim_id=claim.pk, actor=ao, interview_at=held)
    if grounds is None:
        grounds = ["political_opinion"] if outcome == FearAssessment.Determination.POSITIVE else []
    return fear_assessment_submit(
        claim_id=claim.pk,
        actor=ao,
        data=AssessmentInput(
            interview_held_at=held,
            determination=outcome,
            grounds=grounds,
            account=ACCOUNT,
            determination_reason=DETERMINATION_REASON,
        ),
    )


def concur(
    claim: FearClaim,
    *,
    outcome: str = FearAssessment.Determination.NEGATIVE,
    ao: User | None = None,
    sao: User | None = None,
    reason: str = "Concur: the assessment is supported by the record.",
) -> FearAssessment:
    """S3: the claim assessed (``assess``) and concurred by a supervisory asylum officer of the claim's
    office other than the assessor: the hold is released with ``outcome``; a positive one moves the family
    (S4, F3, F5)."""
    assess(claim, outcome=outcome, ao=ao)
    sao = sao or asylum_officer_for(claim, Role.SUPERVISORY_ASYLUM_OFFICER)
    return fear_assessment_review(claim_id=claim.pk, actor=sao, decision="concur", reason=reason)
