"""Reads of the case core (cases.selectors): who sees which case, finding a case, the moves a page offers
(the same predicate case_move enforces), and holds as each reader may see them."""

import dataclasses

import pytest

from cases import registry
from cases.exceptions import CaseNotFound
from cases.models import Case, CaseStatus, Hold
from cases.selectors import (
    case_is_visible_to,
    case_moves_for,
    case_search,
    cases_visible_to,
    family_hold_notices,
    family_open_holds,
    hold_kinds_openable_by,
    holds_of_case,
    move_refusal,
)
from cases.services import case_move, hold_open
from mpp.accounts.roles import Role
from mpp.exceptions import DomainError
from screenings.workflow import FEAR_CLAIM
from tests.factories import (
    AlienFactory,
    CaseFactory,
    EncounterFactory,
    UserFactory,
    family_with_cases,
    location,
    user_with_role,
)
from tests.screenings.factories import asylum_officer_for, concur, fear_claim_for

pytestmark = pytest.mark.django_db

S = CaseStatus
REVIEW = "screenings.amenability_review"
NTA = "hearings.nta_service"
FEAR = "screenings.fear_assessment"
HEARING_DAY = "hearings.hearing_day"
COMPLETION = "hearings.completion"
REOPENING = "hearings.reopening"
ERO_HANDOFF = "hearings.ero_handoff"


def _case_at(code: str, **kwargs) -> Case:
    return CaseFactory(encounter=EncounterFactory(location=location(code)), **kwargs)


def _loaded(case: Case, user) -> Case:
    """The case as a page loads it for ``user``."""
    return cases_visible_to(user).get(pk=case.pk)


def _claim(case: Case, officer=None) -> Hold:
    """A fear claim recorded on the case (``fear_claim_record``); its hold."""
    return fear_claim_for(
        case, actor=officer, statement="States fear of the cartel that kidnapped her brother"
    ).hold


@pytest.fixture
def generic_kind(monkeypatch):
    """A hold kind no workflow owns (the case page's generic hold forms open it), registered on a copy of
    the registry: the fear claim, the only kind registered, is the fear workflow's."""
    monkeypatch.setattr(registry, "_HOLD_KINDS", dict(registry._HOLD_KINDS))
    return registry.hold_kind_register(
        dataclasses.replace(
            FEAR_CLAIM,
            code="test_generic",
            label="A generic hold",
            owner="tests",
            workflow="",
            opened_by_where="",
        )
    )


# --- who sees which case -------------------------------------------------------------------------------


@pytest.fixture
def three_places():
    return {code: _case_at(code) for code in ("sys-poe", "cv-bps", "elp-poe")}


@pytest.mark.parametrize(
    ("role", "duty", "sees"),
    [
        (Role.CBP_OFFICER, ["sys-poe"], {"sys-poe"}),
        (Role.CBP_SUPERVISOR, ["sys-poe"], {"sys-poe"}),
        (Role.PRINT_STAFF, ["sys-poe"], {"sys-poe"}),
        (Role.BORDER_PATROL_AGENT, ["cv-bps"], {"cv-bps"}),
        (Role.CBP_OFFICER, ["sys-poe", "elp-poe"], {"sys-poe", "elp-poe"}),
        (Role.CBP_OFFICER, [], set()),  # a location-scoped role with no duty location sees nothing
        (Role.COURT_STAFF, [], {"sys-poe", "cv-bps", "elp-poe"}),
        (Role.ASYLUM_OFFICER, [], {"sys-poe", "cv-bps", "elp-poe"}),
        (Role.SUPERVISORY_ASYLUM_OFFICER, [], {"sys-poe", "cv-bps", "elp-poe"}),
        (Role.ICE_OFFICER, [], {"sys-poe", "cv-bps", "elp-poe"}),
        (Role.ADMINISTRATOR, [], {"sys-poe", "cv-bps", "elp-poe"}),
        (Role.COURT_STAFF, ["sys-poe"], {"sys-poe", "cv-bps", "elp-poe"}),  # a duty location does not narrow
        (Role.ANALYST, [], set()),  # aggregate metrics only
    ],
)
def test_cases_visible_to_scopes_location_roles_to_their_duty_locations(three_places, role, duty, sees):
    user = user_with_role(role, locations=duty)

    visible = {c.location.code for c in cases_visible_to(user)}

    assert visible == sees
    assert {code for code, case in three_places.items() if case_is_visible_to(user, case)} == sees


def test_a_user_without_a_role_or_deactivated_sees_no_case(three_places):
    deactivated = user_with_role(Role.COURT_STAFF)
    deactivated.is_active = False
    deactivated.save()
    deactivated.refresh_from_db()

    for user in (UserFactory(), deactivated):
        assert not cases_visible_to(user).exists()
        assert not any(case_is_visible_to(user, c) for c in three_places.values())


def test_a_location_role_held_with_a_national_role_sees_nationally(three_places):
    user = UserFactory(roles=[Role.CBP_OFFICER, Role.COURT_STAFF], locations=["sys-poe"])

    assert {c.location.code for c in cases_visible_to(user)} == {"sys-poe", "cv-bps", "elp-poe"}


def test_an_analyst_who_is_also_an_officer_sees_the_officers_cases(three_places):
    user = UserFactory(roles=[Role.ANALYST, Role.CBP_OFFICER], locations=["elp-poe"])

    assert {c.location.code for c in cases_visible_to(user)} == {"elp-poe"}


# --- finding a case (N2) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["A012345678", "a012345678", "012345678", "012-345-678", "A 012 345 678", "a 12345678", "12345678"],
)
def test_n2_a_case_is_found_by_its_a_number_in_any_accepted_spelling(typed, officer):
    wanted = CaseFactory(alien=AlienFactory(a_number="A012345678"))
    CaseFactory(alien=AlienFactory(a_number="A012345679"))

    found = list(case_search(user=officer, query=typed))

    assert found == [wanted]


def test_a_case_is_found_by_name_best_match_first(officer):
    wanted = CaseFactory(alien=AlienFactory(family_name="Hernández López", given_names="María José"))
    near = CaseFactory(alien=AlienFactory(family_name="Hernández", given_names="Pedro"))
    CaseFactory(alien=AlienFactory(family_name="Ortiz", given_names="Valeria"))

    by_full = list(case_search(user=officer, query="María José Hernández López"))
    by_family = list(case_search(user=officer, query="López"))

    assert by_full[0] == wanted
    assert set(by_full) == {wanted, near}
    assert by_family == [wanted]


def test_search_finds_only_cases_the_user_may_see(officer):
    CaseFactory(alien=AlienFactory(a_number="A012345678", family_name="Reyes"))
    elsewhere = _case_at("elp-poe", alien=AlienFactory(a_number="A087654321", family_name="Reyes Mejía"))

    assert list(case_search(user=officer, query="A087654321")) == []
    assert elsewhere not in case_search(user=officer, query="Reyes")
    assert list(case_search(user=user_with_role(Role.ANALYST), query="Reyes")) == []
    assert list(case_search(user=user_with_role(Role.COURT_STAFF), query="A087654321")) == [elsewhere]


@pytest.mark.parametrize("typed", ["Tellez", "Telez", "TÉLLEZ", "téllez", "tellez"])
def test_name_search_ignores_accents_and_case_and_allows_a_typo(officer, typed):
    """TÉLLEZ is found from "Tellez" (no accent), "Telez" (one letter missing) and any case."""
    wanted = CaseFactory(alien=AlienFactory(family_name="TÉLLEZ", given_names="Ramón"))
    CaseFactory(alien=AlienFactory(family_name="Okonkwo", given_names="Chidi"))

    assert list(case_search(user=officer, query=typed)) == [wanted]


def test_name_search_finds_given_and_family_names_in_either_order_and_each_word(officer):
    wanted = CaseFactory(alien=AlienFactory(family_name="Hernández López", given_names="María José"))
    CaseFactory(alien=AlienFactory(family_name="Okonkwo", given_names="Chidi"))

    for typed in ("Maria Jose Hernandez", "Hernandez Maria", "lopez", "María", "Hernandes"):
        assert list(case_search(user=officer, query=typed)) == [wanted], typed


def test_name_search_ranks_the_closest_name_first(officer):
    exact = CaseFactory(alien=AlienFactory(family_name="Castillo", given_names="Rosa"))
    near = CaseFactory(alien=AlienFactory(family_name="Castilla", given_names="Rosa"))

    found = list(case_search(user=officer, query="Castillo"))

    assert found[0] == exact and near in found


def test_an_empty_search_finds_nothing(officer):
    CaseFactory()

    assert list(case_search(user=officer, query="   ")) == []


# --- move_refusal is what case_move raises -------------------------------------------------------------


def _raised(case: Case, *, actor, target, workflow) -> DomainError | None:
    try:
        case_move(case_id=case.pk, to_status=target, actor=actor, reason="try", workflow=workflow)
    except DomainError as error:
        return error
    return None


def _same(a: DomainError | None, b: DomainError | None) -> bool:
    if a is None or b is None:
        return a is b
    return (type(a), a.code, a.rule, a.field, a.message) == (type(b), b.code, b.rule, b.field, b.message)


def test_move_refusal_and_case_move_agree_on_an_illegal_move(officer):
    case = CaseFactory(status=S.SCREENING)

    said = move_refusal(actor=officer, case=_loaded(case, officer), target=S.ENROLLED, workflow=NTA)

    assert said.code == "illegal_transition"
    assert _same(said, _raised(case, actor=officer, target=S.ENROLLED, workflow=NTA))


def test_move_refusal_and_case_move_agree_on_a_move_asked_of_the_wrong_workflow(officer):
    """A3: the review owns screening → awaiting review; the hearing day asking for it is refused."""
    case = CaseFactory(status=S.SCREENING)

    said = move_refusal(
        actor=officer, case=_loaded(case, officer), target=S.AWAITING_REVIEW, workflow=HEARING_DAY
    )

    assert said.code == "workflow_owned"
    assert "submitting the family's screening for supervisor review" in said.message
    assert _same(said, _raised(case, actor=officer, target=S.AWAITING_REVIEW, workflow=HEARING_DAY))


def test_move_refusal_and_case_move_agree_on_a_role_the_edge_does_not_name(court_clerk):
    case = CaseFactory(status=S.ENROLLED)

    said = move_refusal(
        actor=court_clerk, case=_loaded(case, court_clerk), target=S.IN_MEXICO, workflow=HEARING_DAY
    )

    assert said.code == "not_permitted"
    assert _same(said, _raised(case, actor=court_clerk, target=S.IN_MEXICO, workflow=HEARING_DAY))


def test_move_refusal_and_case_move_agree_on_the_f4_family_hold(officer):
    head, child = family_with_cases(size=2, status=S.IN_US_FOR_HEARING)
    _claim(child, officer)

    said = move_refusal(actor=officer, case=_loaded(head, officer), target=S.IN_MEXICO, workflow=HEARING_DAY)

    assert (said.rule, said.code) == ("F4", "family_fear_pending")
    assert _same(said, _raised(head, actor=officer, target=S.IN_MEXICO, workflow=HEARING_DAY))


def test_move_refusal_and_case_move_agree_on_the_claimants_own_hold_s1(supervisor):
    (claimant,) = family_with_cases(size=1, status=S.AWAITING_REVIEW)
    _claim(claimant)

    said = move_refusal(
        actor=supervisor, case=_loaded(claimant, supervisor), target=S.AMENABLE, workflow=REVIEW
    )

    assert (said.rule, said.code) == ("S1", "fear_claim_pending")
    assert _same(said, _raised(claimant, actor=supervisor, target=S.AMENABLE, workflow=REVIEW))


def test_move_refusal_is_none_exactly_when_case_move_moves(officer):
    case = CaseFactory(status=S.ENROLLED)

    said = move_refusal(actor=officer, case=_loaded(case, officer), target=S.IN_MEXICO, workflow=HEARING_DAY)

    assert said is None
    assert _raised(case, actor=officer, target=S.IN_MEXICO, workflow=HEARING_DAY) is None
    case.refresh_from_db()
    assert case.status == S.IN_MEXICO


def test_a_case_the_actor_cannot_see_is_refused_by_both(officer):
    """The page never lists it (case_moves_for is empty) and the service does not reveal it exists."""
    elsewhere = _case_at("elp-poe", status=S.ENROLLED)

    said = move_refusal(actor=officer, case=elsewhere, target=S.IN_MEXICO, workflow=HEARING_DAY)

    assert said is not None and said.code == "not_permitted"
    assert isinstance(
        _raised(elsewhere, actor=officer, target=S.IN_MEXICO, workflow=HEARING_DAY), CaseNotFound
    )
    assert case_moves_for(user=officer, case=elsewhere) == []


# --- case_moves_for: what the case page says moves the case next (no form: step 8) ------------------------


def _offered(user, case):
    return [
        (o.status.value, (o.refusal.rule, o.refusal.code) if o.refusal else None)
        for o in case_moves_for(user=user, case=_loaded(case, user))
    ]


@pytest.mark.parametrize(
    ("status", "role", "expected", "owner"),
    [
        # A3: the officer submits the screening; the supervisor decides or returns it, in the review.
        (S.SCREENING, Role.CBP_OFFICER, [("awaiting_review", None)], REVIEW),
        (S.SCREENING, Role.CBP_SUPERVISOR, [], None),
        (
            S.AWAITING_REVIEW,
            Role.CBP_SUPERVISOR,
            [("screening", None), ("amenable", None), ("not_amenable", None)],
            REVIEW,
        ),
        (S.AWAITING_REVIEW, Role.CBP_OFFICER, [], None),
        (S.NOT_AMENABLE, Role.CBP_SUPERVISOR, [], None),
        # N1: enrolment is made by serving the family's NTA; S4: not processed for MPP by the concurrence.
        (S.AMENABLE, Role.CBP_OFFICER, [("enrolled", None)], NTA),
        (S.AMENABLE, Role.BORDER_PATROL_AGENT, [("enrolled", None)], NTA),
        (S.AMENABLE, Role.CBP_SUPERVISOR, [], None),
        (S.AMENABLE, Role.SUPERVISORY_ASYLUM_OFFICER, [("not_amenable", None)], FEAR),
        (S.AMENABLE, Role.COURT_STAFF, [], None),
        # H1: the hearing day returns the person to Mexico; S4: removal from MPP by the concurrence.
        (S.ENROLLED, Role.CBP_SUPERVISOR, [("in_mexico", None)], HEARING_DAY),
        (S.ENROLLED, Role.SUPERVISORY_ASYLUM_OFFICER, [("removed_from_mpp", None)], FEAR),
        # H4/H5: the judge's decision, a reopening, the hand-off to ICE ERO.
        (
            S.IN_US_FOR_HEARING,
            Role.COURT_STAFF,
            [("completed_relief", None), ("completed_removal_order", None), ("completed_other", None)],
            COMPLETION,
        ),
        (S.COMPLETED_REMOVAL_ORDER, Role.ICE_OFFICER, [("handed_to_ice", None)], ERO_HANDOFF),
        (S.COMPLETED_REMOVAL_ORDER, Role.COURT_STAFF, [("reopened", None)], REOPENING),
        (S.IN_MEXICO, Role.ANALYST, [], None),
        (S.IN_MEXICO, Role.PRINT_STAFF, [], None),
    ],
)
def test_case_moves_for_lists_the_moves_of_the_users_roles_each_with_its_owning_workflow(
    status, role, expected, owner
):
    """Step 8: no generic status change. The case page lists the moves the user's roles make next, each
    with the workflow that owns it and where it is made; it offers none to make there."""
    user = user_with_role(role)
    case = _case_at("cv-bps" if role == Role.BORDER_PATROL_AGENT else "sys-poe", status=status)

    if role == Role.ANALYST:  # sees no case (case_detail would not load it): nothing listed
        assert case_moves_for(user=user, case=case) == []
        return
    options = case_moves_for(user=user, case=_loaded(case, user))

    assert [(o.status.value, o.refusal) for o in options] == expected
    assert all(o.edge.owner == owner and o.edge.where for o in options)


def test_case_moves_for_lists_a_return_blocked_by_f4_with_its_refusal(officer, supervisor):
    head, child = family_with_cases(size=2, status=S.IN_US_FOR_HEARING)
    _claim(child, officer)

    assert _offered(officer, head) == [("in_mexico", ("F4", "family_fear_pending"))]
    # Removal from MPP is the fear workflow's (S4, the supervisory asylum officer's): not the supervisor's.
    assert _offered(supervisor, head) == [("in_mexico", ("F4", "family_fear_pending"))]
    blocked = case_moves_for(user=officer, case=_loaded(head, officer))[0]
    assert blocked.label == "In Mexico awaiting hearing"
    assert child.alien.full_name in blocked.refusal.message


def test_case_moves_for_lists_the_claimants_own_blocked_moves_s1(supervisor, officer):
    (claimant,) = family_with_cases(size=1, status=S.IN_US_FOR_HEARING)
    _claim(claimant)

    assert _offered(supervisor, claimant) == [("in_mexico", ("S1", "fear_claim_pending"))]
    # The CBP supervisor makes no move of an amenable claimant (not processed for MPP is the fear
    # workflow's, S4; enrolment the officer's, serving the NTA, N1).
    (claimant,) = family_with_cases(size=1, status=S.AMENABLE)
    _claim(claimant)
    assert _offered(supervisor, claimant) == []
    # The officer's enrolment is listed blocked, by the same predicate the NTA workflow enforces.
    assert _offered(officer, claimant) == [("enrolled", ("S1", "fear_claim_pending"))]
    refused = move_refusal(actor=officer, case=_loaded(claimant, officer), target=S.ENROLLED, workflow=NTA)
    assert (refused.rule, refused.code) == ("S1", "fear_claim_pending")


def test_case_moves_for_is_one_query_however_many_family_holds(django_assert_num_queries):
    officer = user_with_role(Role.CBP_OFFICER)
    few_head, few_child = family_with_cases(size=2, status=S.IN_US_FOR_HEARING)
    _claim(few_child, officer)
    many = family_with_cases(size=5, status=S.IN_US_FOR_HEARING)
    for member in many[1:]:
        _claim(member, officer)
    few_case, many_case = _loaded(few_head, officer), _loaded(many[0], officer)
    assert officer.role_names and officer.duty_location_ids  # loaded once per request

    with django_assert_num_queries(1):
        few = case_moves_for(user=officer, case=few_case)
    with django_assert_num_queries(1):
        lots = case_moves_for(user=officer, case=many_case)

    assert [o.refusal.code for o in few] == ["family_fear_pending"]
    assert [o.refusal.code for o in lots] == ["family_fear_pending"]


def test_case_moves_for_uses_the_holds_the_page_already_loaded(django_assert_num_queries, officer):
    head, child = family_with_cases(size=2, status=S.IN_US_FOR_HEARING)
    _claim(child, officer)
    case = _loaded(head, officer)
    holds = family_open_holds(family_unit_id=case.encounter.family_unit_id)
    assert officer.role_names and officer.duty_location_ids

    with django_assert_num_queries(0):
        options = case_moves_for(user=officer, case=case, holds=holds)

    assert [(o.status.value, o.refusal.rule) for o in options] == [("in_mexico", "F4")]


# --- holds as each reader sees them --------------------------------------------------------------------


def _claim_released_then_reopened(case: Case, officer) -> tuple[Hold, Hold]:
    """A claim concurred negative (its hold released), then a new claim pending."""
    first = fear_claim_for(
        case, actor=officer, statement="States fear of the cartel that kidnapped her brother"
    )
    concur(first, outcome="negative", reason="Negative: no nexus to a protected ground")
    second = fear_claim_for(case, actor=officer, statement="New fear after the hearing")
    return Hold.objects.get(pk=first.hold_id), second.hold


# Print staff read no holds at all (tests/cases/test_privacy.py).
@pytest.mark.parametrize("role", [Role.CBP_OFFICER, Role.COURT_STAFF, Role.ICE_OFFICER])
def test_holds_of_case_withholds_the_fear_account_from_roles_that_may_not_read_it(role, officer):
    case = CaseFactory(status=S.IN_US_FOR_HEARING)
    _claim_released_then_reopened(case, officer)

    views = holds_of_case(user=user_with_role(role), case=case)

    assert [(v.label, v.reason, v.release_reason, v.may_release) for v in views] == [
        ("Fear claim pending (USCIS assessment)", None, None, False),
        ("Fear claim pending (USCIS assessment)", None, None, False),
    ]
    assert [v.hold.is_open for v in views] == [True, False]  # open ones first


@pytest.mark.parametrize("role", [Role.SUPERVISORY_ASYLUM_OFFICER, Role.ASYLUM_OFFICER, Role.CBP_SUPERVISOR])
def test_holds_of_case_shows_the_fear_account_to_uscis_and_the_cbp_supervisor(role, officer):
    case = CaseFactory(status=S.IN_US_FOR_HEARING)
    first, second = _claim_released_then_reopened(case, officer)

    views = holds_of_case(user=user_with_role(role), case=case)

    assert [(v.reason, v.release_reason) for v in views] == [
        (second.reason, ""),
        (first.reason, first.release_reason),
    ]
    assert first.reason.startswith("S1: fear of return to Mexico stated")
    assert first.release_reason.startswith("S3: negative assessment concurred by ")


def test_s3_nobody_releases_a_fear_claim_from_the_holds_list_the_concurrence_does(officer):
    """The fear claim's hold is released by the SAO's concurrence on the claim (its workflow), so the
    generic holds list offers its release to nobody, not even the supervisory asylum officer."""
    case = CaseFactory(status=S.IN_US_FOR_HEARING)
    _claim_released_then_reopened(case, officer)

    by_sao = holds_of_case(user=user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER), case=case)
    by_asylum_officer = holds_of_case(user=user_with_role(Role.ASYLUM_OFFICER), case=case)

    assert [v.may_release for v in by_sao] == [False, False]
    assert [v.may_release for v in by_asylum_officer] == [False, False]


def test_only_the_release_roles_may_release_a_generic_kind_and_only_an_open_hold(officer, generic_kind):
    case = CaseFactory(status=S.IN_US_FOR_HEARING)
    hold_open(case_id=case.pk, kind=generic_kind.code, actor=officer, reason="Held")

    by_sao = holds_of_case(user=user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER), case=case)
    by_asylum_officer = holds_of_case(user=user_with_role(Role.ASYLUM_OFFICER), case=case)

    assert [v.may_release for v in by_sao] == [True]
    assert [v.may_release for v in by_asylum_officer] == [False]


def test_a_hold_says_in_plain_words_what_it_blocks_for_the_case_s1_and_the_family_f4(officer):
    case = CaseFactory(status=S.IN_US_FOR_HEARING)
    _claim(case, officer)

    (view,) = holds_of_case(user=officer, case=case)

    own, family = view.blocks.lower().split(";")
    for label in ("amenable", "enrolled", "in mexico awaiting hearing", "not amenable to mpp"):
        assert label in own
    assert "(s1)" in own
    assert "family" in family and "in mexico awaiting hearing" in family and "(f4)" in family
    assert "enrolled" not in family


def test_holds_of_case_is_one_query_however_many_holds(django_assert_num_queries, officer):
    few_case, many_case = CaseFactory(status=S.IN_US_FOR_HEARING), CaseFactory(status=S.IN_US_FOR_HEARING)
    _claim(few_case, officer)
    for _ in range(3):
        _claim_released_then_reopened(many_case, officer)
        pending = Hold.objects.get(case=many_case, released_at__isnull=True).fear_claim
        concur(pending, outcome="negative", sao=asylum_officer_for(pending, Role.SUPERVISORY_ASYLUM_OFFICER))
    _claim(many_case, officer)
    reader = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER)
    assert reader.role_names

    with django_assert_num_queries(1):
        few = holds_of_case(user=reader, case=few_case)
    with django_assert_num_queries(1):
        many = holds_of_case(user=reader, case=many_case)

    assert len(few) == 1
    assert len(many) == 7
    assert [v.hold.is_open for v in many] == [True] + [False] * 6


def test_s1_the_generic_hold_form_never_offers_the_fear_claim_it_is_recorded_as_a_claim(officer):
    case = CaseFactory(status=S.IN_US_FOR_HEARING)

    for user in (officer, user_with_role(Role.COURT_STAFF), user_with_role(Role.CBP_SUPERVISOR)):
        assert hold_kinds_openable_by(user=user, case=case) == []
        assert hold_kinds_openable_by(user=user, case=case, even_if_open=True) == []


def test_hold_kinds_openable_by_follow_the_kinds_open_roles_the_scope_and_what_is_open(officer, generic_kind):
    case = CaseFactory(status=S.IN_US_FOR_HEARING)
    elsewhere = _case_at("elp-poe", status=S.IN_US_FOR_HEARING)

    assert [k.code for k in hold_kinds_openable_by(user=officer, case=case)] == ["test_generic"]
    assert [k.code for k in hold_kinds_openable_by(user=user_with_role(Role.COURT_STAFF), case=case)] == [
        "test_generic"
    ]
    assert hold_kinds_openable_by(user=user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER), case=case) == []
    assert hold_kinds_openable_by(user=officer, case=elsewhere) == []
    hold_open(case_id=case.pk, kind=generic_kind.code, actor=officer, reason="Held")
    assert hold_kinds_openable_by(user=officer, case=case) == []  # already open: nothing to open
    assert [k.code for k in hold_kinds_openable_by(user=officer, case=case, even_if_open=True)] == [
        "test_generic"
    ]


def test_family_hold_notices_tell_the_other_members_not_the_claimant_f4(officer):
    head, child, baby = family_with_cases(size=3, status=S.IN_US_FOR_HEARING)
    _claim(child, officer)
    holds = family_open_holds(family_unit_id=head.encounter.family_unit_id)

    for member in (head, baby):
        (notice,) = family_hold_notices(case=member, holds=holds)
        assert (notice.rule, notice.code) == ("F4", "family_fear_pending")
        assert notice.message.startswith(
            f"{child.alien.full_name}, of the same family unit, has a fear claim"
        )
    assert family_hold_notices(case=child, holds=holds) == []
