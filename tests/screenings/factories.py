"""Helpers that build a family through the real intake and screening services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cases.models import Case, Encounter
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
    """Record complete screening facts for every member (officer fluent; F2 choice for Mexicans)."""
    cases = list(encounter.cases.select_related("alien").order_by("id"))
    for case in cases:
        facts = {"officer_fluent": True}
        if str(case.alien.country_of_citizenship) == "MX":
            facts["mexican_member_choice"] = "voluntary_return"
        facts.update(overrides_by_name.get(case.alien.given_names, {}))
        screening_facts_save(actor=officer, case_id=case.pk, facts=facts)
    return cases
