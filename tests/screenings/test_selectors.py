"""Reads of the screening workflow (screenings/selectors.py): drafts, a family's facts as the rules read them,
the supervisor's review queue (A3) and what refuses the family's decision now (S1/S4)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases.models import Encounter, Hold
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from screenings.models import AmenabilityReview, IntakeDraft
from screenings.rules import MemberFacts
from screenings.selectors import (
    aliens_by_id,
    drafts_for,
    encounter_for_screening,
    family_cases,
    family_proposal,
    intake_draft_for,
    intake_locations_for,
    intakes_submitted_by,
    languages_for_choice,
    member_facts,
    members_duplicate_candidates,
    review_decision_blocks,
    review_for_encounter,
    review_queue_page,
    review_visible_to,
    reviews_pending_for,
    reviews_returned_for_encounter,
    screening_case_for,
)
from screenings.services import (
    MemberInput,
    amenability_decide,
    amenability_return,
    family_submit_for_review,
    intake_create,
    intake_draft_abandon,
    intake_draft_save_encounter,
    intake_draft_save_member,
    intake_draft_start,
    intake_draft_submit,
    member_duplicates,
    screening_facts_save,
)
from tests.factories import AlienFactory, language, location, user_with_role
from tests.screenings.factories import concur, member, mixed_family, screen_all

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Los_Angeles")
# A morning at San Ysidro: 10:00 PDT is 17:00 UTC, the same calendar day in both.
JUNE_4_MORNING = dt.datetime(2025, 6, 4, 10, 0, tzinfo=PACIFIC)

# Surnames no two test families share, so intake never stops on a possible duplicate.
SURNAMES = ["Castillo", "Mendoza", "Navarro", "Quiroga", "Salazar", "Villanueva", "Zamora", "Bustamante"]


def _family(officer: User, index: int, *, location_code: str = "sys-poe") -> Encounter:
    """A Honduran mother and her son, both with a name and birth dates unique to ``index``."""
    surname = SURNAMES[index]
    return intake_create(
        actor=officer,
        location=location(location_code),
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        members=[
            member("head", "Marta", surname, dt.date(1980 + index, 1, 20)),
            member("child", "Luis", surname, dt.date(2012 + index, 2, 25), sex="M"),
        ],
    )


def _submitted(officer: User, encounter: Encounter) -> AmenabilityReview:
    screen_all(officer, encounter)
    return family_submit_for_review(actor=officer, encounter_id=encounter.pk)


def _fresh(user: User) -> User:
    """The user as a new request loads it: roles and duty locations not cached yet."""
    return User.objects.get(pk=user.pk)


def _draft(officer: User, given: str, family: str, born: str) -> IntakeDraft:
    """An open draft with its encounter time and one member saved, ready to submit."""
    draft = intake_draft_start(actor=officer, location=location("sys-poe"))
    intake_draft_save_encounter(
        actor=officer,
        draft_id=draft.pk,
        location=location("sys-poe"),
        occurred_at=timezone.now() - dt.timedelta(hours=1),
    )
    intake_draft_save_member(
        actor=officer,
        draft_id=draft.pk,
        data={
            "relationship": "head",
            "family_name": family,
            "given_names": given,
            "date_of_birth": born,
            "sex": "F",
            "country_of_citizenship": "SV",
            "preferred_language": "es",
        },
    )
    return draft


# --- drafts and intakes --------------------------------------------------------------------------------


def test_drafts_for_lists_only_the_users_own_open_drafts(officer, django_assert_num_queries):
    colleague = user_with_role(Role.CBP_OFFICER)
    open_one = intake_draft_start(actor=officer, location=location("sys-poe"))
    open_two = intake_draft_start(actor=officer, location=location("sys-poe"))
    abandoned = intake_draft_start(actor=officer, location=location("sys-poe"))
    intake_draft_abandon(actor=officer, draft_id=abandoned.pk, reason="Family left the port")
    submitted = _draft(officer, "Rosa", "Castillo", "1985-04-21")
    intake_draft_submit(actor=officer, draft_id=submitted.pk)
    intake_draft_start(actor=colleague, location=location("sys-poe"))

    with django_assert_num_queries(1):  # the location comes with each draft
        drafts = [(d.pk, d.location.name) for d in drafts_for(user=officer)]

    assert sorted(drafts) == [
        (open_one.pk, "San Ysidro Port of Entry"),
        (open_two.pk, "San Ysidro Port of Entry"),
    ]


def test_intake_draft_for_returns_the_users_own_draft_in_any_status_and_nobody_elses(officer):
    colleague = user_with_role(Role.CBP_OFFICER)
    draft = _draft(officer, "Rosa", "Castillo", "1985-04-21")
    encounter = intake_draft_submit(actor=officer, draft_id=draft.pk)

    own = intake_draft_for(user=officer, draft_id=draft.pk)
    someone_elses = intake_draft_for(user=colleague, draft_id=draft.pk)

    assert own == draft
    assert own.status == IntakeDraft.Status.SUBMITTED
    assert own.encounter == encounter
    assert someone_elses is None


def test_intakes_submitted_by_lists_the_users_submissions_newest_first_up_to_the_limit(officer):
    colleague = user_with_role(Role.CBP_OFFICER)
    first = _draft(officer, "Rosa", "Castillo", "1985-04-21")
    second = _draft(officer, "Elena", "Mendoza", "1986-05-22")
    third = _draft(officer, "Inés", "Navarro", "1987-06-23")
    still_open = _draft(officer, "Julia", "Quiroga", "1988-07-24")
    theirs = _draft(colleague, "Sara", "Salazar", "1989-08-25")
    # Submitted in another order than they were started: newest means last submitted.
    for draft, by in ((third, officer), (first, officer), (theirs, colleague), (second, officer)):
        intake_draft_submit(actor=by, draft_id=draft.pk)

    everything = intakes_submitted_by(user=officer)
    latest_two = intakes_submitted_by(user=officer, limit=2)

    assert [d.pk for d in everything] == [second.pk, first.pk, third.pk]
    assert [d.pk for d in latest_two] == [second.pk, first.pk]
    assert still_open.pk not in [d.pk for d in everything]


def test_intake_locations_are_the_users_active_ports_and_stations_by_name():
    user = user_with_role(Role.CBP_OFFICER, locations=["sys-poe", "cv-bps", "cxl-poe", "sdg-ic"])
    closed = location("cxl-poe")
    closed.is_active = False
    closed.save()

    names = [loc.name for loc in intake_locations_for(user=user)]

    assert names == ["Chula Vista Border Patrol Station", "San Ysidro Port of Entry"]


def test_aliens_by_id_maps_each_known_id_to_its_person_with_the_language_loaded(
    django_assert_num_queries,
):
    rosa = AlienFactory(given_names="Rosa", family_name="Castillo", preferred_language=language("pt"))
    elena = AlienFactory(given_names="Elena", family_name="Mendoza")

    with django_assert_num_queries(1):
        found = aliens_by_id(ids=[rosa.pk, elena.pk, 987654321])
        languages = {pk: person.preferred_language.name for pk, person in found.items()}

    assert set(found) == {rosa.pk, elena.pk}
    assert languages == {rosa.pk: "Portuguese", elena.pk: "Spanish"}


def test_languages_for_choice_lists_every_reference_language_by_name():
    codes = [lang.code for lang in languages_for_choice()]

    assert codes == ["ar", "en", "fr", "ht", "quc", "mam", "other", "pt", "qeq", "ru", "es", "tr"]


# --- a family's facts as the rules read them -------------------------------------------------------------


def _june_family(officer: User) -> Encounter:
    """The issue's family met at San Ysidro on the morning of 4 June 2025, the day before Valeria turns 6."""
    return intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=JUNE_4_MORNING,
        members=[
            member("head", "Ana Lucía", "Reyes Mejía", dt.date(1990, 3, 14)),
            member("spouse", "José Manuel", "Ortiz Pérez", dt.date(1987, 11, 2), country="GT", sex="M"),
            member("child", "Valeria", "Ortiz Reyes", dt.date(2019, 6, 5), country="MX"),
        ],
    )


def test_family_cases_loads_the_family_in_case_order_and_member_facts_queries_nothing_more(
    officer, django_assert_num_queries
):
    encounter = _june_family(officer)
    mother, father, daughter = encounter.cases.order_by("id")

    with django_assert_num_queries(2):  # the cases with person, encounter and facts; the family roles
        cases = family_cases(encounter_id=encounter.pk)
        facts = [member_facts(c) for c in cases]

    assert [c.pk for c in cases] == [mother.pk, father.pk, daughter.pk]
    assert [f.name for f in facts] == [
        "Ana Lucía Reyes Mejía",
        "José Manuel Ortiz Pérez",
        "Valeria Ortiz Reyes",
    ]


def test_member_facts_give_the_age_on_the_encounter_day_the_relationship_and_the_screening(officer):
    encounter = _june_family(officer)
    mother, father, daughter = encounter.cases.order_by("id")
    screening_facts_save(
        actor=officer,
        case_id=mother.pk,
        facts={
            "officer_fluent": False,
            "interpretation_mode": "telephonic",
            "interpretation_language": "quc",
            "fit_to_travel": "fit",
            "pregnancy_disclosed": True,
            "other_condition": "Asthma",
            "medical_referral": True,
            "medical_referral_outcome": "cleared",
        },
    )
    screening_facts_save(
        actor=officer,
        case_id=father.pk,
        facts={
            "officer_fluent": True,
            "criminal_history": True,
            "parole": True,
            "fear_of_return_expressed": True,
        },
    )  # the daughter is not screened yet

    facts = [member_facts(c) for c in family_cases(encounter_id=encounter.pk)]

    assert facts == [
        MemberFacts(
            key=mother.pk,
            name="Ana Lucía Reyes Mejía",
            age=35,
            citizenship="HN",
            relationship="head",
            officer_fluent=False,
            interpretation_mode="telephonic",
            # The rules read only whether a language is recorded; the selector passes its id as text.
            interpretation_language=str(language("quc").pk),
            fit_to_travel="fit",
            pregnancy_disclosed=True,
            other_condition="Asthma",
            medical_referral=True,
            medical_referral_outcome="cleared",
        ),
        MemberFacts(
            key=father.pk,
            name="José Manuel Ortiz Pérez",
            age=37,  # 38 only in November
            citizenship="GT",
            relationship="spouse",
            officer_fluent=True,
            criminal_history=True,
            parole=True,
            fear_of_return_expressed=True,
        ),
        MemberFacts(
            key=daughter.pk,
            name="Valeria Ortiz Reyes",
            age=5,  # the day before her sixth birthday counts the earlier year
            citizenship="MX",
            relationship="child",
            screened=False,
        ),
    ]


def test_member_facts_read_the_relationship_in_this_encounters_family_not_an_earlier_one(officer):
    earlier = intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=JUNE_4_MORNING,
        members=[member("head", "Rosa", "Castillo Ruiz", dt.date(2009, 9, 30), a_number="A087654321")],
    )
    later = intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=JUNE_4_MORNING + dt.timedelta(days=30),
        members=[
            member("head", "Carmen", "Ruiz Díaz", dt.date(1984, 1, 22)),
            member(
                "child",
                "Rosa",
                "Castillo Ruiz",
                dt.date(2009, 9, 30),
                a_number="A087654321",
                open_case_reason="Re-encountered with her mother",
            ),
        ],
    )
    rosa_then = earlier.cases.get()
    rosa_now = later.cases.get(alien=rosa_then.alien)

    then = member_facts(family_cases(encounter_id=earlier.pk)[0])
    now = next(member_facts(c) for c in family_cases(encounter_id=later.pk) if c.pk == rosa_now.pk)

    assert (then.relationship, then.age) == ("head", 15)
    assert (now.relationship, now.age) == ("child", 15)


def test_a2_the_age_at_the_encounter_is_on_the_ports_local_day(officer):
    """Lucía turns 18 on 5 June. Met at San Ysidro at 20:30 PDT on 4 June (03:30 UTC on 5 June), she is 17
    that day — under 18, which is what the A2 `uac` exclusion reads."""
    evening = dt.datetime(2025, 6, 4, 20, 30, tzinfo=PACIFIC)
    encounter = intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=evening,
        members=[member("head", "Lucía", "Paredes Soto", dt.date(2007, 6, 5))],
    )

    screen_all(officer, encounter)

    (facts,) = [member_facts(c) for c in family_cases(encounter_id=encounter.pk)]
    _, proposal = family_proposal(encounter_id=encounter.pk)

    assert facts.age == 17
    assert proposal.members[0].reason_codes == ["uac"]  # alone and under 18: not amenable (A2)


def test_family_proposal_returns_the_cases_with_the_live_proposal(officer):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    mother, father, daughter = encounter.cases.order_by("id")

    cases, proposal = family_proposal(encounter_id=encounter.pk)

    assert [c.pk for c in cases] == [mother.pk, father.pk, daughter.pk]
    assert proposal.ready_for_review
    assert [(m.key, m.amenable, m.reason_codes) for m in proposal.members] == [
        (mother.pk, True, []),
        (father.pk, True, []),
        (daughter.pk, False, ["mexican_national"]),
    ]


def test_family_proposal_of_an_unscreened_member_is_not_ready_for_review(officer):
    encounter = mixed_family(officer)

    _, proposal = family_proposal(encounter_id=encounter.pk)

    assert not proposal.ready_for_review


# --- reading one encounter, case or review -----------------------------------------------------------


def test_encounter_for_screening_is_scoped_to_the_users_locations(officer, court_clerk):
    encounter = mixed_family(officer)
    officer_elsewhere = user_with_role(Role.CBP_OFFICER, locations=["elp-poe"])
    analyst = user_with_role(Role.ANALYST)

    assert encounter_for_screening(user=officer, encounter_id=encounter.pk) == encounter
    assert encounter_for_screening(user=court_clerk, encounter_id=encounter.pk) == encounter  # national
    assert encounter_for_screening(user=officer_elsewhere, encounter_id=encounter.pk) is None
    assert encounter_for_screening(user=analyst, encounter_id=encounter.pk) is None


def test_screening_case_for_loads_the_facts_with_language_and_recorder(officer, django_assert_num_queries):
    encounter = mixed_family(officer)
    mother = encounter.cases.order_by("id").first()
    screening_facts_save(
        actor=officer,
        case_id=mother.pk,
        facts={"officer_fluent": False, "interpretation_mode": "in_person", "interpretation_language": "mam"},
    )
    reader = _fresh(officer)

    with django_assert_num_queries(3):  # roles, duty locations, the case with everything it shows
        case = screening_case_for(user=reader, case_id=mother.pk)
        shown = (case.alien.full_name, case.screening.interpretation_language.name, case.screening.updated_by)

    assert shown == ("Ana Lucía Reyes Mejía", "Mam", officer)
    assert (
        screening_case_for(user=user_with_role(Role.CBP_OFFICER, locations=["elp-poe"]), case_id=mother.pk)
        is None
    )


def test_review_visible_to_admits_cbp_at_its_location_and_national_case_roles(
    officer, supervisor, court_clerk
):
    review = _submitted(officer, mixed_family(officer))
    asylum_officer = user_with_role(Role.ASYLUM_OFFICER, locations=[])

    for reader in (officer, supervisor, court_clerk, asylum_officer):
        assert review_visible_to(user=reader, review_id=review.pk) == review, reader.role_names
    for stranger in (
        user_with_role(Role.CBP_SUPERVISOR, locations=["elp-poe"]),
        user_with_role(Role.CBP_OFFICER, locations=["elp-poe"]),
        user_with_role(Role.ANALYST),
    ):
        assert review_visible_to(user=stranger, review_id=review.pk) is None, stranger.role_names
    assert review_visible_to(user=supervisor, review_id=review.pk + 1000) is None


def test_review_visible_to_loads_decisions_and_the_family_in_case_order(officer, supervisor):
    encounter = mixed_family(officer)
    review = _submitted(officer, encounter)
    amenability_decide(actor=supervisor, review_id=review.pk, reason="Facts verified with the family")
    mother, father, daughter = encounter.cases.order_by("id")

    loaded = review_visible_to(user=supervisor, review_id=review.pk)

    assert loaded.decided_by == supervisor
    assert [(d.case_id, d.amenable) for d in loaded.decisions.all()] == [
        (mother.pk, True),
        (father.pk, True),
        (daughter.pk, False),
    ]
    assert [c.alien.given_names for c in loaded.encounter.cases.all()] == [
        "Ana Lucía",
        "José Manuel",
        "Valeria",
    ]


def test_review_for_encounter_is_the_familys_pending_or_decided_review_and_none_once_returned(
    officer, supervisor
):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    assert review_for_encounter(user=supervisor, encounter_id=encounter.pk) is None  # not submitted yet

    first = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    pending = review_for_encounter(user=supervisor, encounter_id=encounter.pk)
    amenability_return(actor=supervisor, review_id=first.pk, reason="Check the father's papers")
    after_return = review_for_encounter(user=supervisor, encounter_id=encounter.pk)
    second = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    amenability_decide(actor=supervisor, review_id=second.pk, reason="Verified")
    decided = review_for_encounter(user=supervisor, encounter_id=encounter.pk)

    assert pending.pk == first.pk
    assert after_return is None
    assert decided.pk == second.pk
    assert decided.status == AmenabilityReview.Status.DECIDED


def test_review_for_encounter_is_hidden_from_a_user_who_may_not_read_the_review(officer):
    encounter = mixed_family(officer)
    _submitted(officer, encounter)
    supervisor_elsewhere = user_with_role(Role.CBP_SUPERVISOR, locations=["elp-poe"])

    assert review_for_encounter(user=supervisor_elsewhere, encounter_id=encounter.pk) is None


def test_a3_returned_reviews_are_listed_newest_first_with_who_returned_them_and_why(officer, supervisor):
    colleague = user_with_role(Role.CBP_SUPERVISOR)
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    first = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    amenability_return(actor=supervisor, review_id=first.pk, reason="Check the father's parole papers")
    second = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    amenability_return(actor=colleague, review_id=second.pk, reason="Recheck the daughter's age")
    family_submit_for_review(actor=officer, encounter_id=encounter.pk)  # pending: not a return

    returns = reviews_returned_for_encounter(encounter_id=encounter.pk)

    assert [(r.pk, r.decided_by, r.decision_reason, r.submitted_by) for r in returns] == [
        (second.pk, colleague, "Recheck the daughter's age", officer),
        (first.pk, supervisor, "Check the father's parole papers", officer),
    ]


# --- A3: the supervisor's review queue -------------------------------------------------------------------


def test_a3_the_queue_holds_the_pending_reviews_of_the_supervisors_location_oldest_first(officer, supervisor):
    officer_el_paso = user_with_role(Role.CBP_OFFICER, locations=["elp-poe"])
    entered_first = _family(officer, 0)
    entered_second = _family(officer, 1)
    in_el_paso = _family(officer_el_paso, 2, location_code="elp-poe")
    _family(officer, 3)  # still in screening
    returned = _family(officer, 4)
    decided = _family(officer, 5)
    # Submitted in another order than entered: the queue follows submission.
    _submitted(officer, entered_second)
    _submitted(officer, entered_first)
    _submitted(officer_el_paso, in_el_paso)
    amenability_return(actor=supervisor, review_id=_submitted(officer, returned).pk, reason="Recheck")
    amenability_decide(actor=supervisor, review_id=_submitted(officer, decided).pk, reason="Verified")

    queue = list(reviews_pending_for(user=_fresh(supervisor)))

    assert [r.encounter_id for r in queue] == [entered_second.pk, entered_first.pk]


def test_a3_a_supervisor_posted_at_two_locations_sees_both_queues(officer):
    officer_el_paso = user_with_role(Role.CBP_OFFICER, locations=["elp-poe"])
    both = user_with_role(Role.CBP_SUPERVISOR, locations=["sys-poe", "elp-poe"])
    in_el_paso = _family(officer_el_paso, 0, location_code="elp-poe")
    in_san_ysidro = _family(officer, 1)
    _submitted(officer_el_paso, in_el_paso)
    _submitted(officer, in_san_ysidro)

    queue = list(reviews_pending_for(user=both))

    assert [(r.encounter_id, r.location.code) for r in queue] == [
        (in_el_paso.pk, "elp-poe"),
        (in_san_ysidro.pk, "sys-poe"),
    ]


def test_a3_a_supervisor_elsewhere_and_an_officer_see_an_empty_queue(officer):
    _submitted(officer, _family(officer, 0))
    _submitted(officer, _family(officer, 1))
    supervisor_elsewhere = user_with_role(Role.CBP_SUPERVISOR, locations=["cxl-poe"])
    officer_here = user_with_role(Role.CBP_OFFICER)
    court_clerk = user_with_role(Role.COURT_STAFF)

    assert list(reviews_pending_for(user=supervisor_elsewhere)) == []
    assert list(reviews_pending_for(user=officer_here)) == []
    assert list(reviews_pending_for(user=court_clerk)) == []


def _read_queue(user: User) -> list[tuple[str, str, list[str]]]:
    """What the API's queue shows of each review: where, who submitted it, and the family's people."""
    return [
        (r.location.code, r.submitted_by.username, [c.alien.full_name for c in r.encounter.cases.all()])
        for r in reviews_pending_for(user=user)
    ]


def test_reading_the_queue_takes_the_same_queries_for_two_reviews_as_for_six(
    officer, supervisor, django_assert_num_queries
):
    for index in range(2):
        _submitted(officer, _family(officer, index))
    reader = _fresh(supervisor)
    # roles, duty locations, the reviews (with encounter, location, submitter), the families' cases
    with django_assert_num_queries(4):
        few = _read_queue(reader)
    for index in range(2, 6):
        _submitted(officer, _family(officer, index))
    reader = _fresh(supervisor)

    with django_assert_num_queries(4):
        many = _read_queue(reader)

    assert len(few) == 2
    assert len(many) == 6
    assert many[0] == ("sys-poe", officer.username, ["Marta Castillo", "Luis Castillo"])


# --- S1/S4: what refuses the family's decision now ------------------------------------------------------


def test_review_decision_blocks_are_empty_without_holds(officer, django_assert_num_queries):
    review = _submitted(officer, mixed_family(officer))

    with django_assert_num_queries(2):
        blocks = review_decision_blocks(review=review)

    assert blocks == []


def test_s1_an_open_fear_claim_blocks_the_familys_decision_naming_the_claimant(
    officer, django_assert_num_queries
):
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"José Manuel": {"fear_of_return_expressed": True}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    father = encounter.cases.order_by("id")[1]

    with django_assert_num_queries(2):
        blocks = review_decision_blocks(review=review)
        words = [b.message for b in blocks]

    assert [(b.rule, b.code, b.hold.case_id) for b in blocks] == [("S1", "fear_claim_pending", father.pk)]
    assert words[0].startswith("José Manuel Ortiz Pérez stated a fear of return to Mexico (since ")
    assert "at San Ysidro Port of Entry) and was referred to USCIS" in words[0]


def test_s3_once_a_supervisory_asylum_officer_concurs_the_decision_is_no_longer_blocked(officer):
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"José Manuel": {"fear_of_return_expressed": True}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    hold = Hold.objects.get(case=encounter.cases.order_by("id")[1])

    concur(hold.fear_claim, outcome="negative", reason="Negative assessment concurred (S3)")

    assert review_decision_blocks(review=review) == []


# --- The draft page's duplicate check, for the whole family at once -----------------------------------------


def test_members_duplicate_candidates_finds_for_each_member_what_the_single_check_finds(
    django_assert_num_queries,
):
    ana = AlienFactory(family_name="Reyes Mejia", given_names="Ana", date_of_birth=dt.date(1990, 3, 14))
    AlienFactory(family_name="Reyes Mejía", given_names="Ana Lucía", date_of_birth=dt.date(1990, 3, 14))
    AlienFactory(family_name="Reyes Mejia", given_names="Ana", date_of_birth=dt.date(1990, 4, 3))  # swapped
    owner = AlienFactory(family_name="Ortiz Perez", given_names="José", date_of_birth=dt.date(1987, 11, 2))
    AlienFactory(family_name="Ortiz Pérez", given_names="José M.", date_of_birth=dt.date(1987, 11, 2))
    for n in range(7):  # more look-alikes than the check shows
        AlienFactory(
            family_name=f"Castro Lopez{'z' * n}", given_names="Eva", date_of_birth=dt.date(2000, 1, 1)
        )
    members = [
        MemberInput(
            relationship="head",
            family_name="Reyes Mejía",
            given_names="Ana",
            date_of_birth=dt.date(1990, 3, 14),
        ),
        MemberInput(
            relationship="child",
            family_name="Reyes Mejia",
            given_names="Ana",
            date_of_birth=dt.date(1990, 3, 4),
        ),
        # The A-number as typed without its letter, and a similar name: the owner once, as the exact match.
        MemberInput(
            relationship="spouse",
            family_name="Ortiz Pérez",
            given_names="José",
            date_of_birth=dt.date(1987, 11, 2),
            a_number=owner.a_number[1:],
        ),
        MemberInput(relationship="child", family_name="Reyes", given_names="Ana", existing_alien_id=ana.pk),
        MemberInput(
            relationship="child",
            family_name="Castro Lopez",
            given_names="Eva",
            date_of_birth=dt.date(2000, 1, 1),
        ),
        MemberInput(
            relationship="child",
            family_name="Reyes Mejía",
            given_names="Ana",
            date_of_birth=dt.date(1990, 3, 14),
            dismissed={ana.pk: "Another mother"},
        ),
        MemberInput(relationship="child", a_number=owner.a_number),  # the A-number only
    ]
    one_by_one = [[a.pk for a in member_duplicates(m)] for m in members]

    with django_assert_num_queries(1):
        at_once = [[a.pk for a in found] for found in members_duplicate_candidates(members)]

    assert at_once == one_by_one
    assert [len(found) for found in at_once] == [2, 1, 2, 0, 5, 1, 1]
    assert at_once[2][0] == owner.pk and at_once[6] == [owner.pk]


def test_members_duplicate_candidates_asks_nothing_when_no_member_can_be_checked(django_assert_num_queries):
    members = [
        MemberInput(relationship="head", family_name="Reyes", given_names="Ana", existing_alien_id=1),
        MemberInput(relationship="child", family_name="Reyes", given_names="Luis"),  # no birth date yet
    ]

    with django_assert_num_queries(0):
        assert members_duplicate_candidates(members) == [[], []]


def test_a_page_of_the_queue_marks_the_families_waiting_for_uscis_in_two_queries(
    officer, supervisor, django_assert_num_queries
):
    waiting = _family(officer, 0)
    screen_all(officer, waiting, Marta={"fear_of_return_expressed": True})
    family_submit_for_review(actor=officer, encounter_id=waiting.pk)
    ready = _submitted(officer, _family(officer, 1))
    reader = _fresh(supervisor)
    assert reader.has_role(Role.CBP_SUPERVISOR) and reader.duty_location_ids  # loaded as a request loads them

    with django_assert_num_queries(2):  # the page; the open holds of its families
        page = review_queue_page(user=reader, params={})

    assert [(r.encounter_id, r.waits_for_hold) for r in page.rows] == [
        (waiting.pk, True),
        (ready.encounter_id, False),
    ]
    assert not page.has_next and page.sort.key == "oldest"
