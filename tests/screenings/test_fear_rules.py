"""What a fear claim does to the person and their family, by rule: F4 (the family waits; its exception),
S4/A2 ``fear_of_mexico`` (positive: not processed for MPP or removed from it, ICE custody), F5 (the whole
family), F3 (a Mexican member's fear), a negative outcome, and the amenability proposal before enrolment."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.exceptions import CaseNotFound
from cases.models import Case, CaseEvent, CaseStatus, CustodyReferral, HoldExemption
from cases.selectors import move_refusal
from cases.services import case_move, hold_exempt_member
from hearings.models import NoticeToAppear
from hearings.workflow import COMPLETION, HEARING_DAY
from mpp.accounts.roles import Role
from mpp.exceptions import InvalidInput, NotPermitted, PolicyRefusal
from mpp.outbox.models import OutboxEvent
from screenings import fear_services
from screenings.models import FearClaim, MemberDecision
from screenings.rules import MemberFacts, propose
from screenings.selectors import family_proposal
from screenings.services import amenability_decide, family_submit_for_review
from screenings.workflow import AMENABILITY_REVIEW
from tests.factories import user_with_role
from tests.hearings.factories import serve, slot
from tests.screenings.factories import mixed_family, screen_all
from tests.screenings.test_fear_services import (
    assess,
    cbp,
    concur,
    decide,
    family,
    record,
    statuses,
)

pytestmark = pytest.mark.django_db

S = CaseStatus


def _returning(case: Case, officer=None) -> PolicyRefusal:
    """The refusal of returning ``case`` to Mexico through the port's hearing day (H1: the registry's
    edge for enrolled / in the U.S. for a hearing / reopened → in Mexico), from the page's predicate and
    from the service alike."""
    officer = officer or cbp()
    predicate = move_refusal(
        actor=officer, case=Case.objects.get(pk=case.pk), target=S.IN_MEXICO, workflow=HEARING_DAY
    )
    with pytest.raises(PolicyRefusal) as refused:
        case_move(
            case_id=case.pk,
            to_status=S.IN_MEXICO,
            actor=officer,
            reason="Hearing over (H1)",
            workflow=HEARING_DAY,
        )
    assert isinstance(predicate, PolicyRefusal)
    assert (predicate.rule, predicate.code) == (refused.value.rule, refused.value.code)
    return refused.value


def _events(case: Case, *types: str) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, type__in=types).order_by("occurred_at", "id"))


# --- F4: the whole family waits ---------------------------------------------------------------------------


def test_f4_a_pending_claim_refuses_the_return_to_mexico_of_every_other_member():
    ana, *others = family(S.IN_US_FOR_HEARING, S.ENROLLED, S.IN_US_FOR_HEARING, S.REOPENED)
    record(ana)

    for member in others:
        refusal = _returning(member)
        assert (refusal.rule, refusal.code) == ("F4", "family_fear_pending")
        assert ana.alien.full_name in refusal.message

    assert statuses(others) == [S.ENROLLED, S.IN_US_FOR_HEARING, S.REOPENED]
    assert not CaseEvent.objects.filter(case__in=others, type="hearing_day.returned").exists()


def test_f4_s1_the_claimant_is_not_returned_either():
    ana, _ = family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)
    record(ana)

    refusal = _returning(ana)

    assert (refusal.rule, refusal.code) == ("S1", "fear_claim_pending")


def test_f4_a_pending_claim_refuses_only_the_return_not_the_members_other_moves():
    ana, son = family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)
    record(ana)
    clerk = user_with_role(Role.COURT_STAFF)

    assert move_refusal(actor=clerk, case=son, target=S.COMPLETED_RELIEF, workflow=COMPLETION) is None
    case_move(
        case_id=son.pk,
        to_status=S.COMPLETED_RELIEF,
        actor=clerk,
        reason="Asylum granted (H4)",
        workflow=COMPLETION,
    )

    assert statuses([son]) == [S.COMPLETED_RELIEF]


def test_s1_s4_the_claimants_amenability_decision_waits_for_the_assessment(officer, supervisor):
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"José Manuel": {"fear_of_return_expressed": True}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    _, father, _ = encounter.cases.order_by("id")

    for target in (S.AMENABLE, S.NOT_AMENABLE):
        refusal = move_refusal(actor=supervisor, case=father, target=target, workflow=AMENABILITY_REVIEW)
        assert isinstance(refusal, PolicyRefusal) and refusal.code == "fear_claim_pending"
    with pytest.raises(PolicyRefusal) as refused:
        amenability_decide(actor=supervisor, review_id=review.pk, reason="Reviewed")

    assert (refused.value.rule, refused.value.code) == ("S1", "fear_claim_pending")
    assert set(encounter.cases.values_list("status", flat=True)) == {S.AWAITING_REVIEW}
    assert not MemberDecision.objects.exists()


def test_s1_s4_an_amenable_claimant_is_not_enrolled_and_the_family_is_served_nothing():
    ana, son = family(S.AMENABLE, S.AMENABLE)
    record(ana)

    with pytest.raises(PolicyRefusal) as refused:
        serve([ana, son], officer=cbp(), at=slot())

    assert (refused.value.rule, refused.value.code) == ("S1", "fear_claim_pending")
    assert statuses([ana, son]) == [S.AMENABLE, S.AMENABLE]
    assert not NoticeToAppear.objects.exists()


def test_f4_the_independent_basis_exception_frees_only_that_member():
    ana, son, daughter = family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)
    claim = record(ana)
    supervisor = cbp(Role.CBP_SUPERVISOR)

    exemption = hold_exempt_member(
        hold_id=claim.hold_id,
        case_id=son.pk,
        actor=supervisor,
        reason="Custody order of a Mexican family court",
    )

    assert (exemption.case, exemption.recorded_by) == (son, supervisor)
    assert exemption.history.get().history_user == supervisor
    officer = cbp()
    assert move_refusal(actor=officer, case=son, target=S.IN_MEXICO, workflow=HEARING_DAY) is None
    case_move(
        case_id=son.pk, to_status=S.IN_MEXICO, actor=officer, reason="Hearing over (H1)", workflow=HEARING_DAY
    )
    assert statuses([son]) == [S.IN_MEXICO]
    assert _returning(daughter).code == "family_fear_pending"
    assert _returning(ana).code == "fear_claim_pending"
    for case in (son, ana):
        (separated,) = _events(case, "hold.member_separated")
        assert (
            "Custody order of a Mexican family court" in separated.reason and separated.data["rule"] == "F4"
        )
    assert (
        hold_exempt_member(hold_id=claim.hold_id, case_id=son.pk, actor=supervisor, reason="Again")
        == exemption
    )


def test_f4_the_exception_is_the_cbp_supervisors_with_a_reason_and_never_for_the_claimant():
    ana, son = family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)
    (stranger,) = family(S.IN_US_FOR_HEARING)
    claim = record(ana)
    supervisor = cbp(Role.CBP_SUPERVISOR)

    for actor in (cbp(), user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER, locations=["lax-zla"])):
        with pytest.raises(NotPermitted):
            hold_exempt_member(hold_id=claim.hold_id, case_id=son.pk, actor=actor, reason="Separate him")
    with pytest.raises(InvalidInput) as no_reason:
        hold_exempt_member(hold_id=claim.hold_id, case_id=son.pk, actor=supervisor, reason=" ")
    assert no_reason.value.field == "reason"
    with pytest.raises(InvalidInput) as own:
        hold_exempt_member(hold_id=claim.hold_id, case_id=ana.pk, actor=supervisor, reason="Separate her")
    assert own.value.field == "case"
    with pytest.raises(InvalidInput) as other_family:
        hold_exempt_member(hold_id=claim.hold_id, case_id=stranger.pk, actor=supervisor, reason="Separate")
    assert other_family.value.field == "case"
    with pytest.raises(CaseNotFound):
        hold_exempt_member(
            hold_id=claim.hold_id,
            case_id=son.pk,
            actor=cbp(Role.CBP_SUPERVISOR, at="lrd-poe"),
            reason="Separate",
        )
    assert not HoldExemption.objects.exists()


# --- S4, A2 fear_of_mexico: a positive assessment, concurred -----------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "event"),
    [
        (S.AMENABLE, S.NOT_AMENABLE, "fear.not_processed"),
        (S.ENROLLED, S.REMOVED_FROM_MPP, "fear.removed_from_mpp"),
        (S.IN_US_FOR_HEARING, S.REMOVED_FROM_MPP, "fear.removed_from_mpp"),
        (S.REOPENED, S.REMOVED_FROM_MPP, "fear.removed_from_mpp"),
        (S.IN_MEXICO, S.REMOVED_FROM_MPP, "fear.removed_from_mpp"),  # stated at the port on hearing day
    ],
)
def test_s4_a2_positive_concurred_the_person_is_not_processed_or_is_removed_from_mpp(before, after, event):
    (case,) = family(before)

    claim = decide(case, "positive")

    assert statuses([case]) == [after]
    (moved,) = _events(case, event)
    assert (moved.data["from"], moved.data["to"], moved.data["code"], moved.data["rule"]) == (
        before,
        after,
        "fear_of_mexico",
        "S4",
    )
    assert "S4 · fear_of_mexico" in moved.reason
    assert moved.subject_id == claim.pk
    assert moved.sensitivities == []  # the outcome, once concurred, is everyone's business


def test_s4_ice_is_asked_for_a_custody_determination_for_the_person():
    (case,) = family(S.ENROLLED)

    claim = decide(case, "positive")

    referral = CustodyReferral.objects.get()
    assert (referral.case, referral.rule, referral.code, referral.determined_at) == (
        case,
        "S4",
        "fear_of_mexico",
        None,
    )
    assert referral.location == case.location
    assert OutboxEvent.objects.filter(event="custody.referred", case_id=case.pk).count() == 1
    assert _events(case, "custody.referred")[0].data["referral_id"] == referral.pk
    concurred = OutboxEvent.objects.get(event="fear.concurred")
    assert concurred.payload == {
        "claim_id": claim.pk,
        "outcome": "positive",
        "location_id": case.location_id,
        "moved_case_ids": [case.pk],
    }


# --- F5: the whole family ------------------------------------------------------------------------------


def test_f5_positive_removes_a_family_of_three_from_mpp_at_once_each_case_saying_why():
    ana, son, daughter = family(S.ENROLLED, S.ENROLLED, S.ENROLLED)

    decide(son, "positive")

    assert statuses([ana, son, daughter]) == [S.REMOVED_FROM_MPP] * 3
    (own,) = _events(son, "fear.removed_from_mpp")
    assert own.data["code"] == "fear_of_mexico"
    for member in (ana, daughter):
        (moved,) = _events(member, "fear.removed_from_mpp")
        assert (moved.data["code"], moved.data["rule"], moved.data["claimant_case_id"]) == (
            "family_member_fear_positive",
            "F5",
            son.pk,
        )
        assert "F5 · family_member_fear_positive" in moved.reason and son.alien.full_name in moved.reason
    codes = dict(CustodyReferral.objects.values_list("case_id", "code"))
    assert codes == {
        ana.pk: "family_member_fear_positive",
        son.pk: "fear_of_mexico",
        daughter.pk: "family_member_fear_positive",
    }
    assert sorted(OutboxEvent.objects.get(event="fear.concurred").payload["moved_case_ids"]) == sorted(
        [ana.pk, son.pk, daughter.pk]
    )


def test_f5_the_family_moves_in_one_transaction_nothing_if_any_member_fails(monkeypatch):
    ana, son, daughter = family(S.ENROLLED, S.ENROLLED, S.ENROLLED)
    claim = record(ana)
    assess(claim, "positive")
    real = fear_services.custody_refer

    def fails_for_the_daughter(**kw):
        if kw["case_id"] == daughter.pk:
            raise RuntimeError("the database went away")
        return real(**kw)

    monkeypatch.setattr(fear_services, "custody_refer", fails_for_the_daughter)

    with pytest.raises(RuntimeError):
        concur(claim)

    assert statuses([ana, son, daughter]) == [S.ENROLLED] * 3
    claim.refresh_from_db()
    assert (claim.status, claim.outcome) == ("submitted", "")
    assert claim.hold.is_open and claim.assessment.status == "submitted"
    assert not CustodyReferral.objects.exists()
    assert not CaseEvent.objects.filter(
        type__in=["fear.concurred", "fear.removed_from_mpp", "hold.released"]
    ).exists()


def test_f5_a_member_in_mexico_is_not_moved_and_their_timeline_says_so():
    ana, son, daughter = family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING, S.IN_MEXICO)

    decide(ana, "positive")

    assert statuses([ana, son, daughter]) == [S.REMOVED_FROM_MPP, S.REMOVED_FROM_MPP, S.IN_MEXICO]
    (effect,) = _events(daughter, "fear.family_effect")
    assert effect.data["moved"] is False and effect.data["code"] == "family_member_fear_positive"
    assert "in Mexico" in effect.reason and "not moved" in effect.reason
    assert not CustodyReferral.objects.filter(case=daughter).exists()


def test_f5_amenable_members_are_not_processed_for_mpp():
    ana, son = family(S.AMENABLE, S.AMENABLE)

    decide(ana, "positive")

    assert statuses([ana, son]) == [S.NOT_AMENABLE, S.NOT_AMENABLE]
    (moved,) = _events(son, "fear.not_processed")
    assert moved.data["code"] == "family_member_fear_positive"


def test_f5_a_member_whose_own_claim_is_pending_is_not_processed_for_mpp_either():
    """Both stated fear after the decision; the first positive concurred removes the whole family (F5).
    The other member's own pending claim must not make the concurrence fail."""
    ana, son = family(S.AMENABLE, S.AMENABLE)
    record(son)

    decide(ana, "positive")

    assert statuses([ana, son]) == [S.NOT_AMENABLE, S.NOT_AMENABLE]
    (moved,) = _events(son, "fear.not_processed")
    assert moved.data["code"] == "family_member_fear_positive"


def test_f5_a_member_already_not_amenable_stays_as_is():
    ana, son = family(S.ENROLLED, S.NOT_AMENABLE)

    decide(ana, "positive")

    assert statuses([ana, son]) == [S.REMOVED_FROM_MPP, S.NOT_AMENABLE]
    assert not _events(son, "fear.not_processed", "fear.removed_from_mpp")


def test_f5_another_family_is_not_touched():
    (ana,) = family(S.ENROLLED)
    (other,) = family(S.ENROLLED)

    decide(ana, "positive")

    assert statuses([other]) == [S.ENROLLED]
    assert not CaseEvent.objects.filter(case=other, type__startswith="fear.").exists()


# --- F3: a Mexican member's fear --------------------------------------------------------------------------


def test_f3_the_mother_states_fear_for_her_mexican_child_and_a_concurred_positive_removes_the_family():
    """A mixed family (Honduran mother, Guatemalan father, Mexican daughter of 7) in the U.S. for a hearing
    together; the mother states the fear for her daughter at the port (the daughter's case is open here so
    that the claim can be recorded: see the report on F3 for a Mexican member already not amenable)."""
    mother, father, daughter = family(
        S.IN_US_FOR_HEARING,
        S.IN_US_FOR_HEARING,
        S.IN_US_FOR_HEARING,
        born={1: dt.date(1987, 11, 2), 2: dt.date(2019, 6, 5)},
        countries={1: "GT", 2: "MX"},
    )

    claim = record(
        daughter,
        stated_by=FearClaim.StatedBy.PARENT,
        stated_by_alien_id=mother.alien_id,
        setting=FearClaim.Setting.HEARING_DAY,
    )
    assert (claim.stated_by_alien, claim.case) == (mother.alien, daughter)
    (recorded,) = _events(daughter, "fear.claim_recorded")
    assert "F3" in recorded.reason
    assert _returning(father).code == "family_fear_pending"
    assess(claim, "positive", grounds=["social_group"])
    concur(claim)

    assert statuses([mother, father, daughter]) == [S.REMOVED_FROM_MPP] * 3
    (own,) = _events(daughter, "fear.removed_from_mpp")
    assert own.data["code"] == "fear_of_mexico"
    for parent in (mother, father):
        (moved,) = _events(parent, "fear.removed_from_mpp")
        assert (moved.data["code"], moved.data["rule"]) == ("family_mexican_member_fear", "F3")
        assert "F3 · family_mexican_member_fear" in moved.reason
    assert set(CustodyReferral.objects.values_list("code", flat=True)) == {
        "fear_of_mexico",
        "family_mexican_member_fear",
    }


def test_f3_a_not_amenable_mexican_daughter_of_a_family_in_mpp_may_state_fear_and_its_positive_removes_the_family():
    """F2/F3: the Mexican daughter was not amenable (A2 mexican_national) and went back to Mexico with her
    enrolled family; her mother states her fear at the port on hearing day: the claim is recorded on her
    own, not-amenable case, blocks the family's return (F4), and a concurred positive removes the family
    (F3) while her own case stays not amenable."""
    mother, father, daughter = family(
        S.IN_US_FOR_HEARING,
        S.IN_US_FOR_HEARING,
        S.NOT_AMENABLE,
        born={1: dt.date(1987, 11, 2), 2: dt.date(2019, 6, 5)},
        countries={1: "GT", 2: "MX"},
    )

    claim = record(
        daughter,
        stated_by=FearClaim.StatedBy.PARENT,
        stated_by_alien_id=mother.alien_id,
        setting=FearClaim.Setting.HEARING_DAY,
    )
    assert _returning(father).code == "family_fear_pending"
    assess(claim, "positive", grounds=["social_group"])
    concur(claim)

    assert statuses([mother, father, daughter]) == [S.REMOVED_FROM_MPP, S.REMOVED_FROM_MPP, S.NOT_AMENABLE]
    for parent in (mother, father):
        (moved,) = _events(parent, "fear.removed_from_mpp")
        assert (moved.data["code"], moved.data["rule"]) == ("family_mexican_member_fear", "F3")


def test_f3_a_not_amenable_mexican_member_of_a_family_not_in_mpp_has_no_mpp_claim():
    mother, daughter = family(
        S.NOT_AMENABLE, S.NOT_AMENABLE, born={1: dt.date(2019, 6, 5)}, countries={1: "MX"}
    )

    with pytest.raises(PolicyRefusal) as refused:
        record(daughter, stated_by=FearClaim.StatedBy.PARENT, stated_by_alien_id=mother.alien_id)

    assert (refused.value.rule, refused.value.code) == ("S1", "fear_claim_not_applicable")


def test_f3_a_mexican_childs_fear_at_screening_makes_the_family_not_amenable_without_a_referral(officer):
    encounter = mixed_family(officer)
    screen_all(
        officer, encounter, **{"Valeria": {"fear_of_return_expressed": True, "mexican_member_choice": ""}}
    )

    _, proposal = family_proposal(encounter_id=encounter.pk)

    assert [m.amenable for m in proposal.members] == [False, False, False]
    assert all("family_mexican_member_fear" in m.reason_codes for m in proposal.members)
    assert [r.code for r in proposal.family_reasons] == ["family_mexican_member_fear"]
    assert not any(m.refer_to_uscis for m in proposal.members)
    family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    assert not FearClaim.objects.exists()  # not returned under MPP: nothing for USCIS to assess


# --- negative, concurred --------------------------------------------------------------------------------


def test_s4_negative_concurred_releases_the_hold_and_moves_nobody():
    ana, son = family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)

    claim = decide(ana, "negative")

    assert statuses([ana, son]) == [S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING]
    assert (claim.hold.is_open, claim.hold.outcome) == (False, "negative")
    assert not CustodyReferral.objects.exists()
    assert not CaseEvent.objects.filter(
        type__in=["hearing_day.returned", "fear.removed_from_mpp", "fear.not_processed"]
    ).exists()
    (concurred,) = _events(ana, "fear.concurred")
    assert "Nobody was moved" in concurred.reason
    assert OutboxEvent.objects.get(event="fear.concurred").payload["moved_case_ids"] == []
    officer = cbp()
    for member in (son, ana):
        member_now = Case.objects.get(pk=member.pk)
        assert move_refusal(actor=officer, case=member_now, target=S.IN_MEXICO, workflow=HEARING_DAY) is None
        case_move(
            case_id=member.pk,
            to_status=S.IN_MEXICO,
            actor=officer,
            reason="Hearing over (H1)",
            workflow=HEARING_DAY,
        )
    assert statuses([ana, son]) == [S.IN_MEXICO, S.IN_MEXICO]


def test_f4_negative_for_one_member_while_anothers_claim_is_pending_still_blocks_the_family():
    ana, son, daughter = family(S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING, S.IN_US_FOR_HEARING)
    record(daughter)

    decide(ana, "negative")

    for member in (ana, son):
        refusal = _returning(member)
        assert (refusal.rule, refusal.code) == ("F4", "family_fear_pending")
        assert daughter.alien.full_name in refusal.message
    decide(daughter, "negative")
    case_move(
        case_id=son.pk, to_status=S.IN_MEXICO, actor=cbp(), reason="Hearing over (H1)", workflow=HEARING_DAY
    )
    assert statuses([son]) == [S.IN_MEXICO]


# --- before enrolment: the amenability review reads the concurred assessment ----------------------------


def test_s4_f5_positive_concurred_while_the_family_awaits_review_makes_the_proposal_not_amenable(
    officer, supervisor
):
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"José Manuel": {"fear_of_return_expressed": True}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    mother, father, daughter = encounter.cases.order_by("id")
    claim = FearClaim.objects.get(case=father)

    assess(claim, "positive")
    concur(claim)

    # Nothing moves by itself: the supervisor decides (A3) on a proposal that now reads the assessment.
    assert statuses([mother, father, daughter]) == [S.AWAITING_REVIEW] * 3
    for member in (mother, father, daughter):
        (effect,) = _events(member, "fear.family_effect")
        assert effect.data["moved"] is False
    _, proposal = family_proposal(encounter_id=encounter.pk)
    assert [m.amenable for m in proposal.members] == [False, False, False]
    assert proposal.for_member(father.pk).reason_codes == ["fear_of_mexico"]
    assert proposal.for_member(mother.pk).reason_codes == ["family_member_fear_positive"]
    assert proposal.for_member(daughter.pk).reason_codes == [
        "mexican_national",
        "family_member_fear_positive",
    ]
    assert "family_member_fear_positive" in [r.code for r in proposal.family_reasons]

    amenability_decide(actor=supervisor, review_id=review.pk, reason="Reviewed after the USCIS assessment")

    assert statuses([mother, father, daughter]) == [S.NOT_AMENABLE] * 3
    reasons = {d.case_id: d.reasons for d in MemberDecision.objects.filter(review=review)}
    assert "fear_of_mexico" in reasons[father.pk]
    assert "family_member_fear_positive" in reasons[mother.pk]


def test_s4_negative_concurred_while_the_family_awaits_review_lets_the_decision_go_on(officer, supervisor):
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"José Manuel": {"fear_of_return_expressed": True}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    mother, father, _ = encounter.cases.order_by("id")
    claim = FearClaim.objects.get(case=father)
    assess(claim, "negative")
    concur(claim)

    amenability_decide(actor=supervisor, review_id=review.pk, reason="Reviewed after the USCIS assessment")

    assert statuses([mother, father]) == [S.AMENABLE, S.AMENABLE]


def _facts(key: int, name: str, **kw) -> MemberFacts:
    """What the rules read for one screened member (officer fluent), an adult Honduran head by default."""
    defaults = {"age": 30, "citizenship": "HN", "relationship": "head", "officer_fluent": True}
    return MemberFacts(key=key, name=name, **{**defaults, **kw})


def test_s4_f5_the_rules_a_concurred_positive_excludes_the_person_and_everyone_in_the_family():
    proposal = propose(
        [
            _facts(1, "Ana", fear_of_return_expressed=True, fear_assessed_positive=True),
            _facts(2, "Luis", age=9, relationship="child"),
        ]
    )

    assert proposal.for_member(1).reason_codes == ["fear_of_mexico"]
    assert proposal.for_member(2).reason_codes == ["family_member_fear_positive"]
    assert not proposal.for_member(1).refer_to_uscis  # already assessed: no second referral
    assert [r.rule for r in proposal.family_reasons] == ["F5"]


def test_s1_the_rules_a_stated_fear_without_an_assessment_refers_and_excludes_nobody():
    proposal = propose(
        [_facts(1, "Ana", fear_of_return_expressed=True), _facts(2, "Luis", age=9, relationship="child")]
    )

    assert [m.amenable for m in proposal.members] == [True, True]
    assert proposal.for_member(1).refer_to_uscis and not proposal.for_member(2).refer_to_uscis
    assert "fear_referral" in [n.code for n in proposal.for_member(1).notes]


def test_f3_the_rules_a_mexican_members_concurred_positive_gives_the_family_f3s_reason():
    """The fear was recorded as a claim (the fear-claim form), not as a screening fact; once concurred
    positive the proposal names F3's family-wide reason, as the concurrence recorded it on the timeline."""
    proposal = propose(
        [
            _facts(1, "Ana"),
            _facts(2, "Valeria", age=7, relationship="child", citizenship="MX", fear_assessed_positive=True),
        ]
    )

    assert "family_mexican_member_fear" in proposal.for_member(1).reason_codes
    assert proposal.for_member(2).reason_codes[:2] == ["mexican_national", "family_mexican_member_fear"]
    assert "F3" in [r.rule for r in proposal.family_reasons]
    assert not proposal.blockers  # F3: no F2 choice asked of a Mexican member who fears return
