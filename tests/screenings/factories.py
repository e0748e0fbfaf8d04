"""Helpers that build a family through the real intake and screening services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cases.models import Case, CaseStatus, Encounter
from cases.rules import age_on, local_day
from screenings.services import MemberInput, intake_create, screening_facts_save
from tests.factories import language, location


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
