"""Intake, screening and the supervisor's decision through the services, on the real database."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import Alien, Case, CaseEvent, CaseStatus, Encounter, Hold
from cases.services import hold_release
from mpp.accounts.roles import Role
from mpp.exceptions import ConcurrentEdit, InvalidInput, NotPermitted, PolicyRefusal
from mpp.outbox.models import Notification
from mpp.outbox.services import outbox_relay
from screenings.exceptions import PossibleDuplicate
from screenings.models import (
    AmenabilityReview,
    DuplicateDismissal,
    IntakeDraft,
    MemberDecision,
    ScreeningFacts,
)
from screenings.services import (
    MemberOverride,
    amenability_decide,
    amenability_return,
    family_submit_for_review,
    intake_create,
    intake_draft_resolve_duplicate,
    intake_draft_save_encounter,
    intake_draft_save_member,
    intake_draft_start,
    intake_draft_submit,
    screening_facts_save,
)
from tests.factories import AlienFactory, UserFactory, location, user_with_role
from tests.screenings.factories import member, mixed_family, screen_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_b(db):
    return user_with_role(Role.CBP_SUPERVISOR)


# --- intake ------------------------------------------------------------------------------------------


def test_intake_creates_the_family_encounter_and_a_case_per_member_in_screening(officer):
    encounter = mixed_family(officer)

    cases = list(encounter.cases.order_by("id"))
    assert len(cases) == 3
    assert {c.status for c in cases} == {CaseStatus.SCREENING}
    assert encounter.component == Encounter.Component.OFO
    assert encounter.family_unit.members.count() == 3
    assert all(c.history.get().history_user == officer for c in cases)


def test_intake_is_all_or_nothing(officer):
    bad = member("child", "Luis", "Reyes", timezone.localdate() + dt.timedelta(days=3))

    with pytest.raises(InvalidInput):
        intake_create(
            actor=officer,
            location=location("sys-poe"),
            occurred_at=timezone.now(),
            members=[member("head", "Ana", "Reyes", dt.date(1990, 1, 1)), bad],
        )

    assert not Alien.objects.exists()
    assert not Encounter.objects.exists()


def test_intake_links_an_existing_a_number_to_the_registered_person(officer):
    known = AlienFactory(a_number="A111222333")

    encounter = intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=timezone.now(),
        members=[member("head", "Someone", "Else", dt.date(1980, 1, 1), a_number="111-222-333")],
    )

    assert encounter.cases.get().alien == known
    assert Alien.objects.count() == 1


def test_intake_refuses_a_fuzzy_duplicate_until_it_is_linked_or_dismissed(officer):
    AlienFactory(
        family_name="Hernandez Lopez",
        given_names="Maria Jose",
        date_of_birth=dt.date(1991, 2, 3),
        a_number=None,
    )
    typed = member("head", "María José", "Hernández López", dt.date(1991, 3, 2))  # accents, day/month swapped

    with pytest.raises(InvalidInput) as refused:
        intake_create(
            actor=officer, location=location("sys-poe"), occurred_at=timezone.now(), members=[typed]
        )

    assert refused.value.code == "possible_duplicate"
    assert "Hernandez Lopez" in refused.value.message or "HERNANDEZ LOPEZ" in refused.value.message
    assert not Encounter.objects.exists()


def test_a_dismissed_duplicate_is_recorded_with_its_reason(officer):
    other = AlienFactory(
        family_name="Hernandez Lopez", given_names="Maria Jose", date_of_birth=dt.date(1991, 2, 3)
    )
    typed = member(
        "head",
        "María José",
        "Hernández López",
        dt.date(1991, 2, 3),
        dismissed={other.pk: "Different mother's name on ID"},
    )

    encounter = intake_create(
        actor=officer, location=location("sys-poe"), occurred_at=timezone.now(), members=[typed]
    )

    dismissal = DuplicateDismissal.objects.get()
    assert dismissal.encounter == encounter
    assert dismissal.candidate == other
    assert dismissal.reason == "Different mother's name on ID"
    assert dismissal.dismissed_by == officer


def test_only_officers_and_agents_at_that_location_enter_intakes(supervisor, court_clerk):
    officer_elsewhere = user_with_role(Role.CBP_OFFICER, locations=["elp-poe"])
    for actor in (supervisor, court_clerk, officer_elsewhere):
        with pytest.raises(NotPermitted):
            intake_create(
                actor=actor,
                location=location("sys-poe"),
                occurred_at=timezone.now(),
                members=[member("head", "Ana", "Reyes", dt.date(1990, 1, 1))],
            )


def test_a_draft_keeps_partial_progress_and_submits_into_cases(officer):
    draft = intake_draft_start(actor=officer, location=location("sys-poe"))
    intake_draft_save_encounter(
        actor=officer, draft_id=draft.pk, location=location("sys-poe"), occurred_at=timezone.now().isoformat()
    )
    intake_draft_save_member(
        actor=officer,
        draft_id=draft.pk,
        data={
            "relationship": "head",
            "family_name": "Castillo",
            "given_names": "Rosa",
            "date_of_birth": "1985-04-09",
            "sex": "F",
            "country_of_citizenship": "sv",
            "preferred_language": "es",
            "a_number": "A 087654321",
        },
    )
    draft.refresh_from_db()
    assert draft.data["members"][0]["a_number"] == "A087654321"
    assert draft.status == IntakeDraft.Status.OPEN

    encounter = intake_draft_submit(actor=officer, draft_id=draft.pk)

    draft.refresh_from_db()
    assert draft.status == IntakeDraft.Status.SUBMITTED
    assert draft.encounter == encounter
    assert encounter.cases.get().alien.country_of_citizenship == "SV"


def test_a_draft_member_error_names_the_field_and_saves_nothing(officer):
    draft = intake_draft_start(actor=officer, location=location("sys-poe"))

    with pytest.raises(InvalidInput) as refused:
        intake_draft_save_member(
            actor=officer,
            draft_id=draft.pk,
            data={
                "relationship": "head",
                "family_name": "Castillo",
                "given_names": "Rosa",
                "date_of_birth": "1985-04-09",
                "sex": "F",
                "country_of_citizenship": "XX",
                "preferred_language": "es",
            },
        )

    assert refused.value.field == "country_of_citizenship"
    draft.refresh_from_db()
    assert draft.data["members"] == []


def test_a_draft_duplicate_can_be_linked(officer):
    known = AlienFactory(family_name="Castillo", given_names="Rosa", date_of_birth=dt.date(1985, 4, 9))
    draft = intake_draft_start(actor=officer, location=location("sys-poe"))
    intake_draft_save_encounter(
        actor=officer, draft_id=draft.pk, location=location("sys-poe"), occurred_at=timezone.now()
    )
    intake_draft_save_member(
        actor=officer,
        draft_id=draft.pk,
        data={
            "relationship": "head",
            "family_name": "Castilo",
            "given_names": "Rosa",
            "date_of_birth": "1985-04-09",
            "sex": "F",
            "country_of_citizenship": "SV",
            "preferred_language": "es",
        },
    )
    intake_draft_resolve_duplicate(
        actor=officer, draft_id=draft.pk, index=0, candidate_id=known.pk, link=True
    )

    encounter = intake_draft_submit(actor=officer, draft_id=draft.pk)

    assert encounter.cases.get().alien == known


def test_someone_elses_draft_is_not_reachable(officer):
    draft = intake_draft_start(actor=officer, location=location("sys-poe"))
    colleague = user_with_role(Role.CBP_OFFICER)

    with pytest.raises(NotPermitted):
        intake_draft_save_member(actor=colleague, draft_id=draft.pk, data={"relationship": "head"})


# --- screening facts ---------------------------------------------------------------------------------


def test_screening_facts_are_recorded_with_history(officer):
    encounter = mixed_family(officer)
    case = encounter.cases.order_by("id").first()

    facts = screening_facts_save(
        actor=officer, case_id=case.pk, facts={"officer_fluent": True, "pregnancy_disclosed": True}
    )

    assert facts.pregnancy_disclosed
    assert facts.history.get().history_user == officer


def test_n3_not_fluent_without_interpretation_is_refused_naming_the_field(officer):
    case = mixed_family(officer).cases.order_by("id").first()

    with pytest.raises(InvalidInput) as refused:
        screening_facts_save(actor=officer, case_id=case.pk, facts={"officer_fluent": False})

    assert refused.value.field == "interpretation_mode"
    assert refused.value.rule == "N3"
    assert not ScreeningFacts.objects.exists()


def test_n3_interpretation_mode_and_language_are_recorded(officer):
    case = mixed_family(officer).cases.order_by("id").first()

    facts = screening_facts_save(
        actor=officer,
        case_id=case.pk,
        facts={"officer_fluent": False, "interpretation_mode": "telephonic", "interpretation_language": "es"},
    )

    assert facts.interpretation_mode == "telephonic"
    assert facts.interpretation_language.code == "es"


def test_a5_outcome_without_referral_is_refused(officer):
    case = mixed_family(officer).cases.order_by("id").first()

    with pytest.raises(InvalidInput) as refused:
        screening_facts_save(
            actor=officer,
            case_id=case.pk,
            facts={"officer_fluent": True, "medical_referral_outcome": "cleared"},
        )

    assert refused.value.rule == "A5"


def test_f2_choice_is_refused_for_a_non_mexican(officer):
    case = mixed_family(officer).cases.order_by("id").first()  # Honduran mother

    with pytest.raises(InvalidInput) as refused:
        screening_facts_save(
            actor=officer,
            case_id=case.pk,
            facts={"officer_fluent": True, "mexican_member_choice": "voluntary_return"},
        )

    assert refused.value.rule == "F2"


# --- submission and decision -------------------------------------------------------------------------


def test_submission_is_refused_while_the_screening_is_incomplete(officer):
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"Valeria": {"mexican_member_choice": ""}})

    with pytest.raises(PolicyRefusal) as refused:
        family_submit_for_review(actor=officer, encounter_id=encounter.pk)

    assert refused.value.code == "screening_incomplete"
    assert "F2" in refused.value.message
    assert set(encounter.cases.values_list("status", flat=True)) == {CaseStatus.SCREENING}


def test_submission_freezes_the_proposal_moves_the_family_and_tells_the_locations_supervisors(
    officer, supervisor
):
    elsewhere = user_with_role(Role.CBP_SUPERVISOR, locations=["elp-poe"])
    encounter = mixed_family(officer)
    screen_all(officer, encounter)

    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    outbox_relay()

    assert review.status == AmenabilityReview.Status.PENDING
    assert [m["amenable"] for m in review.proposal["members"]] == [True, True, False]
    assert set(encounter.cases.values_list("status", flat=True)) == {CaseStatus.AWAITING_REVIEW}
    assert (
        Notification.objects.filter(
            user=supervisor, message__contains="waiting for amenability review"
        ).count()
        == 1
    )
    assert not Notification.objects.filter(user=elsewhere).exists()


def test_a3_the_supervisor_approves_and_each_case_moves_with_history(officer, supervisor):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)

    amenability_decide(actor=supervisor, review_id=review.pk, reason="Facts verified with the family")

    mother, father, daughter = encounter.cases.order_by("id")
    assert (mother.status, father.status, daughter.status) == (
        CaseStatus.AMENABLE,
        CaseStatus.AMENABLE,
        CaseStatus.NOT_AMENABLE,
    )
    last = daughter.history.first()
    assert last.history_user == supervisor
    assert "mexican_national (A2)" in last.history_change_reason
    decision = MemberDecision.objects.get(case=daughter)
    assert decision.mexican_member_choice == "voluntary_return"  # F2 choice kept with the decision
    outbox_relay()
    notice = Notification.objects.get(user=officer, event__event="amenability.decided")
    assert f"amenability decided by {supervisor.display_name}: 2 of 3 amenable" in notice.message
    assert mother.alien.full_name in notice.message


def test_a2_discretion_exclusion_needs_a_written_reason(officer, supervisor):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    father = encounter.cases.order_by("id")[1]

    with pytest.raises(InvalidInput):
        amenability_decide(
            actor=supervisor,
            review_id=review.pk,
            reason="ok",
            overrides={father.pk: MemberOverride("exclude_discretion", " ")},
        )
    amenability_decide(
        actor=supervisor,
        review_id=review.pk,
        reason="Reviewed",
        overrides={father.pk: MemberOverride("exclude_discretion", "Pending extradition inquiry")},
    )

    father.refresh_from_db()
    assert father.status == CaseStatus.NOT_AMENABLE
    assert MemberDecision.objects.get(case=father).reasons == ["discretion"]


def test_a4_the_supervisor_may_overrule_a_proposed_health_exclusion_with_a_reason(officer, supervisor):
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"Ana Lucía": {"fit_to_travel": "not_fit"}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    mother = encounter.cases.order_by("id")[0]

    amenability_decide(
        actor=supervisor,
        review_id=review.pk,
        reason="Reviewed",
        overrides={mother.pk: MemberOverride("overrule_health", "Re-examined: sprained ankle only, cleared")},
    )

    mother.refresh_from_db()
    assert mother.status == CaseStatus.AMENABLE
    decision = MemberDecision.objects.get(case=mother)
    assert decision.proposed_reasons == ["health"] and decision.reasons == []


def test_a4_overruling_health_is_refused_when_no_health_exclusion_was_proposed(officer, supervisor):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    daughter = encounter.cases.order_by("id")[2]

    with pytest.raises(InvalidInput) as refused:
        amenability_decide(
            actor=supervisor,
            review_id=review.pk,
            reason="x",
            overrides={daughter.pk: MemberOverride("overrule_health", "why")},
        )

    assert refused.value.rule == "A4"
    assert not MemberDecision.objects.exists()


def test_a4_case_by_case_health_exclusion(officer, supervisor):
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"Ana Lucía": {"fit_to_travel": "fit", "pregnancy_disclosed": True}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    mother = encounter.cases.order_by("id")[0]

    amenability_decide(
        actor=supervisor,
        review_id=review.pk,
        reason="Reviewed",
        overrides={
            mother.pk: MemberOverride("exclude_health", "Third trimester, high-risk per medical staff")
        },
    )

    assert MemberDecision.objects.get(case=mother).reasons == ["health"]


def test_f3_mexican_childs_fear_makes_every_member_not_amenable(officer, supervisor):
    encounter = mixed_family(officer)
    screen_all(
        officer, encounter, **{"Valeria": {"fear_of_return_expressed": True, "mexican_member_choice": ""}}
    )
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)

    amenability_decide(actor=supervisor, review_id=review.pk, reason="F3 applies")

    assert set(encounter.cases.values_list("status", flat=True)) == {CaseStatus.NOT_AMENABLE}
    assert all("family_mexican_member_fear" in d.reasons for d in MemberDecision.objects.all())


def test_s1_fear_stated_at_screening_opens_a_hold_at_submission_and_tells_the_asylum_office(officer):
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"José Manuel": {"fear_of_return_expressed": True}})

    family_submit_for_review(actor=officer, encounter_id=encounter.pk)

    mother, father, daughter = encounter.cases.order_by("id")
    hold = Hold.objects.get(case=father)
    assert (hold.kind, hold.rule, hold.opened_by, hold.is_open) == ("fear_claim", "S1", officer, True)
    assert not Hold.objects.filter(case__in=[mother, daughter]).exists()
    father.refresh_from_db()
    assert father.status == CaseStatus.AWAITING_REVIEW  # a hold, not a status: the case is where it is
    assert CaseEvent.objects.filter(case=father, type="hold.opened", sensitivities=["fear"]).count() == 1
    asylum_officer = user_with_role(Role.ASYLUM_OFFICER, locations=[])
    outbox_relay()
    notice = Notification.objects.get(user=asylum_officer)
    assert father.alien.full_name in notice.message and "(S1)" in notice.message


def test_s1_s4_a_pending_fear_claim_refuses_the_familys_decision_until_the_assessment_is_concurred(
    officer, supervisor
):
    """The claimant's amenability decision waits for the concurred assessment (S1/S4); the family is
    decided together, so its review stays pending in the queue; a negative outcome lets it go on."""
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"José Manuel": {"fear_of_return_expressed": True}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    mother, father, _ = encounter.cases.order_by("id")

    with pytest.raises(PolicyRefusal) as refused:
        amenability_decide(actor=supervisor, review_id=review.pk, reason="Reviewed")

    assert (refused.value.rule, refused.value.code) == ("S1", "fear_claim_pending")
    assert father.alien.full_name in refused.value.message
    review.refresh_from_db()
    assert review.status == AmenabilityReview.Status.PENDING
    assert not MemberDecision.objects.filter(review=review).exists()  # nothing half-saved
    assert set(encounter.cases.values_list("status", flat=True)) == {CaseStatus.AWAITING_REVIEW}

    sao = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER, locations=[])
    hold_release(
        hold_id=Hold.objects.get(case=father).pk,
        actor=sao,
        reason="Negative assessment concurred (S3)",
        outcome="negative",
    )
    father.refresh_from_db()
    assert father.status == CaseStatus.AWAITING_REVIEW  # releasing changes no status
    amenability_decide(actor=supervisor, review_id=review.pk, reason="Reviewed after the assessment")
    father.refresh_from_db()
    mother.refresh_from_db()
    assert (father.status, mother.status) == (CaseStatus.AMENABLE, CaseStatus.AMENABLE)


def test_s4_an_open_fear_claim_cannot_be_bypassed_by_the_supervisors_decision(officer, supervisor):
    """The old bypass: a CBP supervisor's decision moved a member out of a pending fear claim. Now the
    decision is refused and records nothing, whatever the overrides ask for."""
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"José Manuel": {"fear_of_return_expressed": True}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    father = encounter.cases.order_by("id")[1]

    with pytest.raises(PolicyRefusal):
        amenability_decide(
            actor=supervisor,
            review_id=review.pk,
            reason="Excluding him instead",
            overrides={father.pk: MemberOverride("exclude_discretion", "Supervisor's discretion")},
        )

    father.refresh_from_db()
    assert father.status == CaseStatus.AWAITING_REVIEW
    assert Hold.objects.get(case=father).is_open


def test_screening_facts_edits_are_case_events_with_their_sensitivity(officer):
    encounter = mixed_family(officer)
    case = encounter.cases.order_by("id").first()

    screening_facts_save(
        actor=officer, case_id=case.pk, facts={"officer_fluent": True, "fit_to_travel": "fit"}
    )
    screening_facts_save(actor=officer, case_id=case.pk, facts={"criminal_history": True})
    screening_facts_save(actor=officer, case_id=case.pk, facts={"criminal_history": True})  # no change

    events = list(CaseEvent.objects.filter(case=case, type="screening.facts_saved").order_by("id"))
    assert [e.data["fields"] for e in events] == [["fit_to_travel", "officer_fluent"], ["criminal_history"]]
    assert [e.sensitivities for e in events] == [["medical"], []]
    assert all(e.actor == officer for e in events)


def test_a3_separation_of_duties_whoever_entered_the_family_cannot_decide_it(supervisor):
    entering = UserFactory(
        roles=[Role.CBP_OFFICER, Role.CBP_SUPERVISOR], locations=["sys-poe"]
    )  # holds both roles
    encounter = mixed_family(entering)
    screen_all(entering, encounter)
    review = family_submit_for_review(actor=entering, encounter_id=encounter.pk)

    with pytest.raises(NotPermitted) as refused:
        amenability_decide(actor=entering, review_id=review.pk, reason="Looks fine")

    assert refused.value.code == "separation_of_duties"
    review.refresh_from_db()
    assert review.status == AmenabilityReview.Status.PENDING
    amenability_decide(actor=supervisor, review_id=review.pk, reason="Second pair of eyes")
    review.refresh_from_db()
    assert review.decided_by == supervisor


def test_only_supervisors_at_that_location_decide(officer, court_clerk):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    for actor in (
        court_clerk,
        user_with_role(Role.CBP_SUPERVISOR, locations=["elp-poe"]),
        user_with_role(Role.CBP_OFFICER),
    ):
        with pytest.raises(NotPermitted):
            amenability_decide(actor=actor, review_id=review.pk, reason="x")


def test_deciding_a_decided_family_is_refused_and_changes_nothing(officer, supervisor, supervisor_b):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    amenability_decide(actor=supervisor, review_id=review.pk, reason="First")
    moves = Case.history.count()

    with pytest.raises(ConcurrentEdit) as refused:
        amenability_decide(actor=supervisor_b, review_id=review.pk, reason="Second")

    assert refused.value.code == "already_decided"
    assert supervisor.display_name in refused.value.message
    assert Case.history.count() == moves
    assert MemberDecision.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_supervisors_deciding_at_once_record_exactly_one_decision():
    officer = user_with_role(Role.CBP_OFFICER)
    first, second = user_with_role(Role.CBP_SUPERVISOR), user_with_role(Role.CBP_SUPERVISOR)
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(user, name):
        try:
            barrier.wait(timeout=10)
            amenability_decide(actor=user, review_id=review.pk, reason=f"Decision by {name}")
            outcomes[name] = "decided"
        except ConcurrentEdit as exc:
            outcomes[name] = exc.code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(u, n)) for u, n in ((first, "first"), (second, "second"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes.values()) == ["already_decided", "decided"]
    review.refresh_from_db()
    assert review.status == AmenabilityReview.Status.DECIDED
    assert MemberDecision.objects.filter(review=review).count() == 3
    assert Case.history.filter(history_change_reason__contains="Decision by").count() == 3


def test_twins_entered_together_are_not_flagged_as_duplicates_of_each_other(officer):
    born = dt.date(2015, 8, 21)

    encounter = intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=timezone.now(),
        members=[
            member("head", "Carmen", "Ortiz Reyes", dt.date(1988, 1, 9)),
            member("child", "María José", "Ortiz Reyes", born),
            member("child", "María Luisa", "Ortiz Reyes", born),
        ],
    )

    assert encounter.cases.count() == 3


def test_every_member_with_possible_duplicates_is_reported_at_once(officer):
    first = AlienFactory(
        family_name="Lopez Garcia", given_names="Juan Carlos", date_of_birth=dt.date(1980, 7, 1)
    )
    second = AlienFactory(
        family_name="Lopez Garcia", given_names="Ana Maria", date_of_birth=dt.date(2010, 2, 3)
    )

    with pytest.raises(PossibleDuplicate) as refused:
        intake_create(
            actor=officer,
            location=location("sys-poe"),
            occurred_at=timezone.now(),
            members=[
                member("head", "Juan Carlos", "López García", dt.date(1980, 7, 1)),
                member("child", "Ana María", "López García", dt.date(2010, 3, 2)),
            ],
        )

    assert {index: [a.pk for a in found] for index, found in refused.value.candidates.items()} == {
        0: [first.pk],
        1: [second.pk],
    }
    assert not Encounter.objects.exists()


# --- A3: the supervisor returns the family to the officer instead of deciding ---------------------------


def test_a3_the_supervisor_returns_the_family_for_re_screening_and_it_can_be_resubmitted(officer, supervisor):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    first = family_submit_for_review(actor=officer, encounter_id=encounter.pk)

    returned = amenability_return(
        actor=supervisor, review_id=first.pk, reason="Check the father's parole papers"
    )

    assert returned.status == AmenabilityReview.Status.RETURNED
    assert returned.decided_by == supervisor
    assert set(encounter.cases.values_list("status", flat=True)) == {CaseStatus.SCREENING}
    mother = encounter.cases.order_by("id").first()
    assert "returned to the officer for re-screening" in mother.history.first().history_change_reason
    assert mother.history.first().history_user == supervisor
    outbox_relay()
    assert Notification.objects.filter(
        user=officer, message__contains="Check the father's parole papers"
    ).exists()

    father = encounter.cases.order_by("id")[1]
    screening_facts_save(actor=officer, case_id=father.pk, facts={"parole": True})
    second = family_submit_for_review(actor=officer, encounter_id=encounter.pk)

    assert second.pk != first.pk
    assert second.status == AmenabilityReview.Status.PENDING
    assert [m["amenable"] for m in second.proposal["members"]] == [True, False, False]
    amenability_decide(actor=supervisor, review_id=second.pk, reason="Parole status confirmed")
    father.refresh_from_db()
    assert father.status == CaseStatus.NOT_AMENABLE


def test_a3_returning_needs_a_reason_and_follows_the_same_checks_as_deciding(
    officer, supervisor, supervisor_b
):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)

    with pytest.raises(InvalidInput) as no_reason:
        amenability_return(actor=supervisor, review_id=review.pk, reason=" ")
    with pytest.raises(NotPermitted):
        amenability_return(actor=officer, review_id=review.pk, reason="I want to fix it")
    amenability_decide(actor=supervisor, review_id=review.pk, reason="Decided")
    with pytest.raises(ConcurrentEdit) as late:
        amenability_return(actor=supervisor_b, review_id=review.pk, reason="Too late")

    assert no_reason.value.field == "reason"
    assert late.value.code == "already_decided"
    assert "decided by" in late.value.message


def test_a3_deciding_a_returned_review_is_refused_naming_the_return(officer, supervisor, supervisor_b):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    amenability_return(actor=supervisor, review_id=review.pk, reason="Recheck ages")

    with pytest.raises(ConcurrentEdit) as refused:
        amenability_decide(actor=supervisor_b, review_id=review.pk, reason="Approve")

    assert "returned to the officer" in refused.value.message
    assert not MemberDecision.objects.exists()


def test_the_database_allows_only_one_live_review_per_encounter(officer):
    from django.db import IntegrityError, transaction

    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)

    with pytest.raises(IntegrityError), transaction.atomic():
        AmenabilityReview.objects.create(
            encounter=encounter,
            location=review.location,
            proposal=review.proposal,
            submitted_by=officer,
            submitted_at=timezone.now(),
        )
