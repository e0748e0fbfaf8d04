"""Intake, screening and the supervisor's decision through the services, on the real database."""

import datetime as dt
import threading
import zoneinfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cases.models import Alien, Case, CaseEvent, CaseStatus, Encounter, Hold
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
    MemberInput,
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
from tests.factories import AlienFactory, CaseFactory, UserFactory, location, user_with_role
from tests.screenings.factories import concur, member, mixed_family, screen_all, send_back_to_screening

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


def test_n2_intake_links_an_existing_a_number_to_the_registered_person_of_that_name_and_birth(officer):
    known = AlienFactory(
        a_number="A111222333",
        family_name="Castillo Ruiz",
        given_names="Rosa",
        date_of_birth=dt.date(1980, 1, 1),
    )

    encounter = intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=timezone.now(),
        members=[member("head", "Rosa", "CASTILLO  RUÍZ", dt.date(1980, 1, 1), a_number="111-222-333")],
    )

    assert encounter.cases.get().alien == known
    assert Alien.objects.count() == 1


def test_n2_an_a_number_of_someone_with_another_name_or_birth_date_is_a_conflict_not_a_link(officer):
    known = AlienFactory(
        a_number="A111222333",
        family_name="Castillo Ruiz",
        given_names="Rosa",
        date_of_birth=dt.date(1980, 1, 1),
    )
    for typed in (
        member("head", "Someone", "Else", dt.date(1980, 1, 1), a_number="111-222-333"),
        member("head", "Rosa", "Castillo Ruiz", dt.date(1981, 1, 1), a_number="A111222333"),
    ):
        with pytest.raises(InvalidInput) as refused:
            intake_create(
                actor=officer,
                location=location("sys-poe"),
                occurred_at=timezone.now(),
                members=[member("head", "Ana", "Reyes", dt.date(1990, 1, 1)), typed],
            )

        assert (refused.value.code, refused.value.rule, refused.value.field) == (
            "a_number_conflict",
            "N2",
            "members.1.a_number",
        )
        assert "Member 2" in refused.value.message and "Rosa Castillo Ruiz" in refused.value.message
    assert not Encounter.objects.exists()
    assert list(Alien.objects.all()) == [known]


def test_n2_a_member_explicitly_linked_to_the_a_numbers_owner_is_that_person(officer):
    known = AlienFactory(a_number="A111222333", family_name="Castillo Ruiz", given_names="Rosa")
    CaseFactory(
        alien=known, status=CaseStatus.NOT_AMENABLE
    )  # a closed case at San Ysidro: the officer sees her

    encounter = intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=timezone.now(),
        members=[MemberInput(relationship="head", existing_alien_id=known.pk)],
    )

    assert encounter.cases.get().alien == known


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


def test_a4_the_familys_one_decision_reason_is_medical_on_every_members_timeline(officer, supervisor):
    """The supervisor's reason is written on each member's case; when one member's decision is about health,
    it may name it, so it is restricted (medical) on the others' timelines too."""
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"Ana Lucía": {"fit_to_travel": "fit", "pregnancy_disclosed": True}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    mother = encounter.cases.order_by("id")[0]

    amenability_decide(
        actor=supervisor,
        review_id=review.pk,
        reason="Mother excluded: third trimester, high risk",
        overrides={mother.pk: MemberOverride("exclude_health", "High-risk pregnancy per medical staff")},
    )

    decided = CaseEvent.objects.filter(case__encounter=encounter, type="review.decided")
    assert decided.count() == 3
    assert {tuple(e.sensitivities) for e in decided} == {("medical",)}


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
    assert hold.fear_claim.setting == "screening"  # the claim stated at screening is the same record (S1)
    # The office that serves San Ysidro (Los Angeles) is told; officers posted elsewhere are not.
    asylum_officer = user_with_role(Role.ASYLUM_OFFICER, locations=["lax-zla"])
    elsewhere = user_with_role(Role.ASYLUM_OFFICER, locations=["hou-zhn"])
    outbox_relay()
    notice = Notification.objects.get(user=asylum_officer)
    assert father.alien.full_name in notice.message and "(S1" in notice.message
    assert not Notification.objects.filter(user=elsewhere).exists()


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

    concur(
        Hold.objects.get(case=father).fear_claim, outcome="negative", reason="Negative assessment concurred"
    )
    father.refresh_from_db()
    assert father.status == CaseStatus.AWAITING_REVIEW  # a negative concurrence changes no status
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


# --- F2, F3: the Mexican member -----------------------------------------------------------------------


def test_f2_a_lone_mexican_adult_is_submitted_without_any_choice_and_proposed_not_amenable(officer):
    encounter = intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        members=[member("head", "Jorge", "Salinas Ortega", dt.date(1985, 5, 5), country="MX", sex="M")],
    )
    case = encounter.cases.get()
    screening_facts_save(actor=officer, case_id=case.pk, facts={"officer_fluent": True})

    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)

    (proposed,) = review.proposal["members"]
    assert [r["code"] for r in proposed["reasons"]] == ["mexican_national"]
    assert proposed["blockers"] == []
    assert ScreeningFacts.objects.get(case=case).mexican_member_choice == ""  # no untrue choice recorded


def test_f3_the_mothers_statement_for_her_mexican_child_is_recorded_on_the_childs_record(officer, supervisor):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    daughter = encounter.cases.order_by("id")[2]

    facts = screening_facts_save(
        actor=officer,
        case_id=daughter.pk,
        facts={"fear_of_return_expressed": True, "fear_stated_by": "parent", "mexican_member_choice": ""},
    )
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)

    assert (facts.fear_of_return_expressed, facts.fear_stated_by) == (True, "parent")
    saved = CaseEvent.objects.filter(case=daughter, type="screening.facts_saved").latest("id")
    assert saved.data["fields"] == ["fear_of_return_expressed", "fear_stated_by", "mexican_member_choice"]
    assert saved.sensitivities == ["fear"]
    assert [r["code"] for r in review.proposal["family_reasons"]] == ["family_mexican_member_fear"]
    assert [m["amenable"] for m in review.proposal["members"]] == [False, False, False]
    assert not Hold.objects.exists()  # F3: the family is not processed for MPP, so no MPP assessment (S1)
    amenability_decide(actor=supervisor, review_id=review.pk, reason="F3: the mother stated fear for Valeria")
    assert set(encounter.cases.values_list("status", flat=True)) == {CaseStatus.NOT_AMENABLE}


def test_f3_who_stated_the_fear_is_asked_for_a_child_and_an_adults_fear_is_their_own(officer):
    encounter = mixed_family(officer)
    mother, _, daughter = encounter.cases.order_by("id")

    with pytest.raises(InvalidInput) as child_unsaid:
        screening_facts_save(
            actor=officer,
            case_id=daughter.pk,
            facts={"officer_fluent": True, "fear_of_return_expressed": True},
        )
    with pytest.raises(InvalidInput) as adult_by_a_parent:
        screening_facts_save(
            actor=officer,
            case_id=mother.pk,
            facts={"officer_fluent": True, "fear_of_return_expressed": True, "fear_stated_by": "parent"},
        )
    with pytest.raises(InvalidInput) as without_fear:
        screening_facts_save(
            actor=officer, case_id=mother.pk, facts={"officer_fluent": True, "fear_stated_by": "self"}
        )
    own = screening_facts_save(
        actor=officer, case_id=mother.pk, facts={"officer_fluent": True, "fear_of_return_expressed": True}
    )
    assert own.fear_stated_by == "self"
    withdrawn = screening_facts_save(
        actor=officer, case_id=mother.pk, facts={"fear_of_return_expressed": False}
    )

    assert [(e.value.field, e.value.rule) for e in (child_unsaid, adult_by_a_parent, without_fear)] == [
        ("fear_stated_by", "F3")
    ] * 3
    assert withdrawn.fear_stated_by == ""
    assert not ScreeningFacts.objects.filter(case=daughter).exists()


def test_f3_the_database_refuses_who_stated_a_fear_without_a_fear(officer):
    case = mixed_family(officer).cases.order_by("id").first()

    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningFacts.objects.create(case=case, updated_by=officer, fear_stated_by="parent")


# --- A3: separation of duties, and re-screening after a decision -----------------------------------------


def test_a3_a_supervisor_who_recorded_any_fact_of_the_family_cannot_decide_or_return_it(officer, supervisor):
    """A3: whoever recorded a screening fact of the family does not decide its review — even when another
    officer entered and submitted the family and saved that member's facts again afterwards."""
    both = UserFactory(roles=[Role.CBP_OFFICER, Role.CBP_SUPERVISOR], locations=["sys-poe"])
    encounter = mixed_family(officer)
    father = encounter.cases.order_by("id")[1]
    screening_facts_save(
        actor=both, case_id=father.pk, facts={"officer_fluent": True, "notes": "Seen at the gate"}
    )
    screen_all(officer, encounter, **{"José Manuel": {"notes": ""}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    assert ScreeningFacts.objects.get(case=father).updated_by == officer

    with pytest.raises(NotPermitted) as deciding:
        amenability_decide(actor=both, review_id=review.pk, reason="Looks fine")
    with pytest.raises(NotPermitted) as returning:
        amenability_return(actor=both, review_id=review.pk, reason="Recheck")

    assert [(e.value.code, e.value.rule) for e in (deciding, returning)] == [
        ("separation_of_duties", "A3")
    ] * 2
    review.refresh_from_db()
    assert review.status == AmenabilityReview.Status.PENDING
    amenability_decide(actor=supervisor, review_id=review.pk, reason="Second pair of eyes")
    review.refresh_from_db()
    assert review.decided_by == supervisor


def test_a3_a_family_back_in_screening_after_its_decision_is_submitted_again_as_a_new_review(
    officer, supervisor, supervisor_b
):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    first = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    amenability_decide(actor=supervisor, review_id=first.pk, reason="First decision")
    send_back_to_screening(encounter)
    father = encounter.cases.order_by("id")[1]
    screening_facts_save(actor=officer, case_id=father.pk, facts={"parole": True})

    second = family_submit_for_review(actor=officer, encounter_id=encounter.pk)

    assert second.pk != first.pk
    assert second.status == AmenabilityReview.Status.PENDING
    assert [m["amenable"] for m in second.proposal["members"]] == [True, False, False]
    assert set(encounter.cases.values_list("status", flat=True)) == {CaseStatus.AWAITING_REVIEW}
    first.refresh_from_db()
    assert (first.status, first.decided_by, first.decision_reason) == (
        AmenabilityReview.Status.SUPERSEDED,
        supervisor,
        "First decision",
    )
    assert first.history.first().history_user == officer
    amenability_decide(actor=supervisor_b, review_id=second.pk, reason="Parole status confirmed")
    father.refresh_from_db()
    assert father.status == CaseStatus.NOT_AMENABLE
    assert MemberDecision.objects.filter(case=father).count() == 2  # one per review
    assert family_submit_for_review(actor=officer, encounter_id=encounter.pk) == second  # no-op now


def test_a3_a_decided_family_not_back_in_screening_is_not_submitted_again(officer, supervisor):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    amenability_decide(actor=supervisor, review_id=review.pk, reason="Decided")

    again = family_submit_for_review(actor=officer, encounter_id=encounter.pk)

    assert again == review
    assert AmenabilityReview.objects.count() == 1


def test_a3_a_late_decision_names_the_first_one_in_the_ports_time_zone(officer, supervisor, supervisor_b):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    amenability_decide(actor=supervisor, review_id=review.pk, reason="First")
    review.refresh_from_db()

    with pytest.raises(ConcurrentEdit) as refused:
        amenability_decide(actor=supervisor_b, review_id=review.pk, reason="Second")

    at_the_port = review.decided_at.astimezone(zoneinfo.ZoneInfo("America/Los_Angeles"))
    assert f"at {at_the_port:%Y-%m-%d %H:%M} {at_the_port.tzname()}." in refused.value.message
    assert at_the_port.tzname() in {"PST", "PDT"}


# --- Intake: the same person twice, A-number conflicts, open cases -------------------------------------


def test_the_same_person_entered_twice_in_one_intake_is_refused_naming_both_members(officer):
    father = member("spouse", "José Manuel", "Ortiz Pérez", dt.date(1987, 11, 2), sex="M")
    pairs = [
        # the same name (accents, case and spacing aside) and date of birth
        (
            member("head", "Ana Lucía", "Reyes Mejía", dt.date(1990, 3, 14)),
            member("sibling", "ANA LUCIA", "Reyes  Mejia", dt.date(1990, 3, 14)),
            "the same name and date of birth",
        ),
        # the same A-number (N2), however it is spelt
        (
            member("head", "Ana", "Reyes", dt.date(1990, 3, 14), a_number="A012345678"),
            member("sibling", "Anna", "Reyes", dt.date(1991, 3, 14), a_number="012-345-678"),
            "the same A-number, A012345678",
        ),
    ]
    for first, third, why in pairs:
        with pytest.raises(InvalidInput) as refused:
            intake_create(
                actor=officer,
                location=location("sys-poe"),
                occurred_at=timezone.now(),
                members=[first, father, third],
            )

        assert refused.value.code == "same_person_twice"
        assert refused.value.message.startswith("Members 1 and 3 are the same person: ")
        assert why in refused.value.message
    assert not Alien.objects.exists()
    assert not Encounter.objects.exists()


def test_the_same_registered_person_entered_twice_names_both_members(officer):
    known = AlienFactory(
        a_number="A111222333",
        family_name="Castillo Ruiz",
        given_names="Rosa",
        date_of_birth=dt.date(1980, 1, 1),
    )

    CaseFactory(
        alien=known, status=CaseStatus.NOT_AMENABLE
    )  # a closed case at San Ysidro: the officer sees her

    with pytest.raises(InvalidInput) as refused:
        intake_create(
            actor=officer,
            location=location("sys-poe"),
            occurred_at=timezone.now(),
            members=[
                MemberInput(relationship="head", existing_alien_id=known.pk),
                member("spouse", "Luis", "Ortiz", dt.date(1979, 2, 1), sex="M"),
                member("sibling", "Rosa", "Castillo Ruiz", dt.date(1980, 1, 1), a_number="A111222333"),
            ],
        )

    assert refused.value.code == "same_person_twice"
    assert "members 1 and 3 are both Rosa Castillo Ruiz (A111222333)" in refused.value.message
    assert Encounter.objects.count() == 1  # only the closed case's
    assert Alien.objects.count() == 1


def test_a_person_with_an_open_case_gets_another_only_with_a_reason_recorded_on_the_new_case(officer):
    rosa = member("head", "Rosa", "Castillo Ruiz", dt.date(1980, 1, 1), a_number="A087654321")
    first = intake_create(
        actor=officer, location=location("sys-poe"), occurred_at=timezone.now(), members=[rosa]
    )
    open_case = first.cases.get()
    again = member("head", "Rosa", "Castillo Ruiz", dt.date(1980, 1, 1), a_number="A087654321")

    with pytest.raises(InvalidInput) as refused:
        intake_create(
            actor=officer, location=location("sys-poe"), occurred_at=timezone.now(), members=[again]
        )
    again.open_case_reason = "Re-encountered the next day; the first screening was not finished"
    second = intake_create(
        actor=officer, location=location("sys-poe"), occurred_at=timezone.now(), members=[again]
    )

    assert (refused.value.code, refused.value.field) == ("open_case_exists", "members.0.open_case_reason")
    assert f"case {open_case.pk} (Screening in progress, San Ysidro Port of Entry)" in refused.value.message
    new_case = second.cases.get()
    assert new_case.alien == open_case.alien
    opened = CaseEvent.objects.get(case=new_case, type="case.opened")
    assert opened.data == {
        "status": "screening",
        "open_case_reason": "Re-encountered the next day; the first screening was not finished",
        "other_open_cases": [open_case.pk],
    }
    assert "Re-encountered the next day" in new_case.history.get().history_change_reason


def test_a_person_whose_earlier_case_is_closed_gets_a_new_case_without_a_reason(officer):
    closed = CaseFactory(
        alien=AlienFactory(
            a_number="A087654321",
            family_name="Castillo Ruiz",
            given_names="Rosa",
            date_of_birth=dt.date(1980, 1, 1),
        ),
        status=CaseStatus.NOT_AMENABLE,
    )

    encounter = intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=timezone.now(),
        members=[member("head", "Rosa", "Castillo Ruiz", dt.date(1980, 1, 1), a_number="A087654321")],
    )

    new_case = encounter.cases.get()
    assert new_case.alien == closed.alien
    assert CaseEvent.objects.get(case=new_case, type="case.opened").data == {"status": "screening"}
