"""The amenability proposal, rule by rule (RULES.md A1–A5, F1–F3, N3, S1). Pure: no database."""

from screenings.rules import (
    EXCLUSIONS,
    MemberFacts,
    f2_applies,
    has_parent_or_guardian,
    is_unaccompanied_child,
    propose,
)

SCREENED = dict(officer_fluent=True)


def adult(key=1, **kw):
    base = dict(key=key, name=f"Adult {key}", age=34, citizenship="HN", relationship="head", **SCREENED)
    base.update(kw)
    return MemberFacts(**base)


def child(key=2, **kw):
    base = dict(key=key, name=f"Child {key}", age=7, citizenship="HN", relationship="child", **SCREENED)
    base.update(kw)
    return MemberFacts(**base)


def codes(proposal, key):
    return proposal.for_member(key).reason_codes


def test_a1_a_non_mexican_adult_with_no_bar_is_proposed_amenable_with_the_a1_basis():
    proposal = propose([adult()])

    member = proposal.for_member(1)
    assert member.amenable
    assert member.reasons == ()
    assert member.notes[0].rule == "A1"
    assert proposal.ready_for_review


def test_a2_every_fact_bar_excludes_with_its_code():
    for fact in ("expedited_removal", "returning_lpr", "parole", "criminal_history", "gom_usg_interest"):
        proposal = propose([adult(**{fact: True})])

        member = proposal.for_member(1)
        assert not member.amenable, fact
        assert member.reason_codes == [fact]
        assert member.reasons[0].rule == "A2"
        assert member.reasons[0].explanation == EXCLUSIONS[fact].explanation


def test_a2_mexican_national_is_not_amenable():
    proposal = propose([adult(citizenship="MX")])

    assert codes(proposal, 1) == ["mexican_national"]


def test_a2_uac_a_child_without_parent_or_guardian_is_excluded():
    alone = MemberFacts(key=1, name="Minor", age=16, citizenship="GT", relationship="head", **SCREENED)
    proposal = propose([alone])

    assert proposal.for_member(1).uac
    assert codes(proposal, 1) == ["uac"]


def test_a2_uac_a_child_with_a_parent_in_the_unit_is_not_flagged():
    proposal = propose([adult(), child()])

    assert not proposal.for_member(2).uac
    assert proposal.for_member(2).amenable


def test_a2_uac_siblings_travelling_together_without_parent_are_flagged():
    older = MemberFacts(key=1, name="Sister", age=17, citizenship="SV", relationship="head", **SCREENED)
    younger = MemberFacts(key=2, name="Brother", age=12, citizenship="SV", relationship="sibling", **SCREENED)
    proposal = propose([older, younger])

    assert proposal.for_member(1).uac and proposal.for_member(2).uac


def test_a2_uac_a_minor_head_with_a_legal_guardian_is_accompanied():
    minor = MemberFacts(key=1, name="Minor", age=15, citizenship="HN", relationship="head", **SCREENED)
    guardian = MemberFacts(
        key=2, name="Aunt", age=40, citizenship="HN", relationship="legal_guardian", **SCREENED
    )

    assert has_parent_or_guardian(minor, [minor, guardian])
    assert not is_unaccompanied_child(minor, [minor, guardian])


def test_a2_uac_a_minor_with_only_an_uncle_other_relative_is_unaccompanied():
    uncle = adult(key=1)
    nephew = MemberFacts(key=2, name="Nephew", age=10, citizenship="HN", relationship="other", **SCREENED)

    assert is_unaccompanied_child(nephew, [uncle, nephew])


def test_a3_an_unscreened_member_blocks_submission_for_review():
    proposal = propose(
        [
            adult(),
            MemberFacts(key=2, name="Child", age=5, citizenship="HN", relationship="child", screened=False),
        ]
    )

    assert not proposal.ready_for_review
    ((member, blocker),) = proposal.blockers
    assert member.key == 2 and blocker.rule == "A3"


def test_a4_not_fit_to_travel_is_a_proposed_health_exclusion():
    proposal = propose([adult(fit_to_travel="not_fit")])

    assert codes(proposal, 1) == ["health"]
    assert proposal.for_member(1).reasons[0].rule == "A4"


def test_a4_fit_to_travel_with_disclosed_pregnancy_is_amenable_with_a_health_review_note():
    proposal = propose([adult(fit_to_travel="fit", pregnancy_disclosed=True)])

    member = proposal.for_member(1)
    assert member.amenable
    assert "health_review" in [n.code for n in member.notes]


def test_a4_prior_illness_or_another_condition_also_asks_for_case_by_case_review():
    for kw in ({"prior_illness_disclosed": True}, {"other_condition": "Type 1 diabetes"}):
        member = propose([adult(**kw)]).for_member(1)
        assert [n.rule for n in member.notes if n.code == "health_review"] == ["A4"]


def test_a5_a_medical_referral_needs_its_outcome_before_review():
    proposal = propose([adult(medical_referral=True)])

    assert [b.field for _, b in proposal.blockers] == ["medical_referral_outcome"]
    assert proposal.blockers[0][1].rule == "A5"


def test_a5_a_referral_that_ends_in_hospital_or_not_fit_is_a_health_exclusion():
    for outcome in ("hospital", "not_fit"):
        proposal = propose([adult(medical_referral=True, medical_referral_outcome=outcome)])
        assert codes(proposal, 1) == ["health"]
        assert proposal.ready_for_review


def test_f1_non_mexican_members_of_a_mixed_family_are_amenable_to_keep_the_family_together():
    mother = adult(key=1, citizenship="HN")
    father = MemberFacts(key=2, name="Father", age=36, citizenship="GT", relationship="spouse", **SCREENED)
    mexican_child = child(key=3, citizenship="MX", mexican_member_choice="voluntary_return")

    proposal = propose([mother, father, mexican_child])

    for key in (1, 2):
        member = proposal.for_member(key)
        assert member.amenable
        assert "family_kept_together" in [n.code for n in member.notes]
        assert [n.rule for n in member.notes if n.code == "family_kept_together"] == ["F1"]
    assert codes(proposal, 3) == ["mexican_national"]
    assert proposal.ready_for_review


def test_f2_a_mexican_member_needs_the_withdrawal_or_return_choice_recorded():
    proposal = propose([adult(), child(citizenship="MX")])

    ((member, blocker),) = proposal.blockers
    assert member.key == 2
    assert blocker.rule == "F2"
    assert blocker.field == "mexican_member_choice"


def test_f2_a_lone_mexican_adult_is_simply_not_amenable_with_no_choice_to_record():
    """F2 is for a Mexican member of a mixed-nationality family; alone, there is no family to stay with."""
    proposal = propose([adult(citizenship="MX")])

    member = proposal.for_member(1)
    assert member.reason_codes == ["mexican_national"]
    assert member.blockers == ()
    assert proposal.ready_for_review


def test_f2_an_all_mexican_family_has_no_f2_blocker():
    mother = adult(key=1, citizenship="MX")
    son = child(key=2, citizenship="MX")

    proposal = propose([mother, son])

    assert proposal.blockers == []
    assert proposal.ready_for_review
    assert [codes(proposal, key) for key in (1, 2)] == [["mexican_national"], ["mexican_national"]]
    assert not f2_applies(mother, [mother, son])


def test_f2_applies_to_the_mexican_member_of_a_mixed_family_only():
    mother, father, daughter = (
        adult(key=1),
        adult(key=2, relationship="spouse"),
        child(key=3, citizenship="MX"),
    )
    family = [mother, father, daughter]

    assert [f2_applies(m, family) for m in family] == [False, False, True]


def test_f2_with_the_choice_recorded_the_mexican_member_is_still_not_amenable():
    for choice in ("withdrawal_i275", "voluntary_return"):
        proposal = propose([adult(), child(citizenship="MX", mexican_member_choice=choice)])
        assert proposal.ready_for_review
        assert not proposal.for_member(2).amenable


def test_f3_a_mexican_child_whose_parent_states_fear_makes_the_whole_family_not_amenable():
    proposal = propose([adult(), child(citizenship="MX", fear_of_return_expressed=True)])

    for key in (1, 2):
        assert "family_mexican_member_fear" in codes(proposal, key)
        assert not proposal.for_member(key).amenable
    assert proposal.family_reasons[0].rule == "F3"
    assert (
        proposal.ready_for_review
    )  # the F2 choice is moot: the member can no longer be returned voluntarily


def test_f3_a_mexican_adults_own_fear_in_a_mixed_family_excludes_the_whole_family():
    proposal = propose(
        [adult(key=1), adult(key=2, relationship="spouse", citizenship="MX", fear_of_return_expressed=True)]
    )

    assert [codes(proposal, key) for key in (1, 2)] == [
        ["family_mexican_member_fear"],
        ["mexican_national", "family_mexican_member_fear"],
    ]
    assert not proposal.for_member(2).refer_to_uscis  # not processed for MPP: no MPP assessment (S1)


def test_f3_does_not_add_a_family_reason_when_no_member_could_be_in_mpp():
    """An all-Mexican family (or a Mexican adult alone): everyone is already not amenable (A2); F3, which
    keeps a mixed family together, adds nothing."""
    proposal = propose(
        [adult(key=1, citizenship="MX", fear_of_return_expressed=True), child(key=2, citizenship="MX")]
    )

    assert proposal.family_reasons == ()
    assert [codes(proposal, key) for key in (1, 2)] == [["mexican_national"], ["mexican_national"]]


def test_s1_a_non_mexican_member_stating_fear_is_referred_and_the_family_waits():
    proposal = propose([adult(fear_of_return_expressed=True), child()])

    head = proposal.for_member(1)
    assert head.amenable and head.refer_to_uscis
    assert [n.rule for n in head.notes if n.code == "fear_referral"] == ["S1"]
    assert not proposal.for_member(2).refer_to_uscis


def test_n3_the_officer_must_say_whether_they_are_fluent():
    proposal = propose([MemberFacts(key=1, name="A", age=30, citizenship="BR", relationship="head")])

    assert [(b.rule, b.field) for _, b in proposal.blockers] == [("N3", "officer_fluent")]


def test_n3_not_fluent_needs_interpretation_mode_and_language():
    not_fluent = dict(key=1, name="A", age=30, citizenship="BR", relationship="head", officer_fluent=False)

    assert [b.field for _, b in propose([MemberFacts(**not_fluent)]).blockers] == ["interpretation_mode"]
    with_mode = propose([MemberFacts(**not_fluent, interpretation_mode="telephonic")])
    assert [b.field for _, b in with_mode.blockers] == ["interpretation_language"]
    complete = propose(
        [MemberFacts(**not_fluent, interpretation_mode="telephonic", interpretation_language="pt")]
    )
    assert complete.ready_for_review
    assert "interpretation" in [n.code for n in complete.for_member(1).notes]


def test_several_bars_are_all_listed():
    proposal = propose([adult(criminal_history=True, parole=True, fit_to_travel="not_fit")])

    assert set(codes(proposal, 1)) == {"criminal_history", "parole", "health"}


def test_proposal_as_json_carries_codes_rules_and_explanations():
    data = propose([adult(), child(citizenship="MX")]).as_json()

    assert data["ready_for_review"] is False
    child_json = data["members"][1]
    assert child_json["reasons"][0] == {
        "code": "mexican_national",
        "rule": "A2",
        "explanation": EXCLUSIONS["mexican_national"].explanation,
    }
    assert child_json["blockers"][0]["rule"] == "F2"
