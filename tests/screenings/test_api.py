"""The intake and amenability REST API (/api/v1/, step 2): who may call what, the whole path from intake to
the supervisor's decision, the refusals with their codes and rules, and reads that do not grow with rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIClient

from cases.api.views import AlienViewSet
from cases.models import Alien, Case, CaseStatus, Encounter, FamilyUnit
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from screenings.api.views import AlienDuplicatesView
from screenings.models import AmenabilityReview, DuplicateDismissal, MemberDecision, ScreeningFacts
from screenings.services import family_submit_for_review, intake_create
from tests.api_contract import refusal
from tests.factories import AlienFactory, CaseFactory, UserFactory, location, user_with_role
from tests.screenings.factories import member, mixed_family, screen_all

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def api_for() -> Callable[[Any], APIClient]:
    """api_for(user) → an API client signed in (session) as that user; api_for(None) → anonymous."""

    def make(user: Any) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def supervisor_b(db):
    return user_with_role(Role.CBP_SUPERVISOR)


def _member(
    relationship: str, given: str, family: str, born: dt.date, *, country: str = "HN", sex: str = "F", **extra
) -> dict[str, Any]:
    return {
        "relationship": relationship,
        "family_name": family,
        "given_names": given,
        "date_of_birth": born.isoformat(),
        "sex": sex,
        "country_of_citizenship": country,
        "preferred_language": "es",
        **extra,
    }


def _seven_years_old() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=int(365.25 * 7.5))


def _mixed_family_members() -> list[dict[str, Any]]:
    """Honduran mother (head), Guatemalan father (spouse), Mexican daughter of seven."""
    return [
        _member("head", "Ana Lucía", "Reyes Mejía", dt.date(1990, 3, 14)),
        _member("spouse", "José Manuel", "Ortiz Pérez", dt.date(1987, 11, 2), country="GT", sex="M"),
        _member("child", "Valeria", "Ortiz Reyes", _seven_years_old(), country="MX"),
    ]


def _intake(location_code: str = "sys-poe", members: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "location": location_code,
        "occurred_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "members": members if members is not None else _mixed_family_members(),
    }


def _registry_counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Alien, FamilyUnit, Encounter, Case))


def _submitted_review(officer: Any, **screen_overrides: Any) -> tuple[Encounter, AmenabilityReview]:
    encounter = mixed_family(officer)
    screen_all(officer, encounter, **screen_overrides)
    return encounter, family_submit_for_review(actor=officer, encounter_id=encounter.pk)


# --- the role matrix ------------------------------------------------------------------------------------

INTAKE = frozenset({Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT})
CBP_FIELD = INTAKE | {Role.CBP_SUPERVISOR}
SUPERVISOR = frozenset({Role.CBP_SUPERVISOR})
SCREENING_READERS = CBP_FIELD | {Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER, Role.ICE_OFFICER}

ROLE_MATRIX: dict[str, frozenset[str]] = {
    "intakes create": INTAKE,
    "duplicates list": CBP_FIELD,
    "screening get": SCREENING_READERS,
    "screening put": INTAKE,
    "screening patch": INTAKE,
    "proposal get": CBP_FIELD,
    "submit-for-review": INTAKE,
    "reviews list": SUPERVISOR,
    "reviews retrieve": CBP_FIELD,
    "reviews decide": SUPERVISOR,
    "reviews return": SUPERVISOR,
}


def _home(user: Any) -> str:
    """Where a test user works (user_with_role's defaults; national roles: San Ysidro)."""
    return "cv-bps" if user.has_role(Role.BORDER_PATROL_AGENT) else "sys-poe"


def _request_for(user: Any, operation: str) -> tuple[str, str, dict[str, Any] | None, int]:
    """Rows at the user's own location, entered by a colleague, and the request (method, path, body,
    success status) that performs ``operation`` on them."""
    home = _home(user)
    if operation == "intakes create":
        body = _intake(home, [_member("head", "Rosa", "Castillo", dt.date(1985, 4, 9), country="SV")])
        return "post", f"{API}/intakes/", body, 201
    if operation == "duplicates list":
        return (
            "get",
            f"{API}/aliens/duplicates/",
            {"family_name": "Castillo", "date_of_birth": "1985-04-09"},
            200,
        )
    colleague = user_with_role(Role.CBP_OFFICER, locations=[home])
    encounter = mixed_family(colleague, location_code=home)
    case = encounter.cases.order_by("id").first()
    screening = f"{API}/cases/{case.pk}/screening/"
    if operation == "screening get":
        return "get", screening, None, 200
    if operation == "screening put":
        return "put", screening, {"officer_fluent": True}, 200
    if operation == "screening patch":
        return "patch", screening, {"notes": "Matrix test"}, 200
    if operation == "proposal get":
        return "get", f"{API}/families/{encounter.pk}/proposal/", None, 200
    screen_all(colleague, encounter)
    if operation == "submit-for-review":
        return "post", f"{API}/families/{encounter.pk}/submit-for-review/", None, 201
    review = family_submit_for_review(actor=colleague, encounter_id=encounter.pk)
    if operation == "reviews list":
        return "get", f"{API}/amenability-reviews/", None, 200
    if operation == "reviews retrieve":
        return "get", f"{API}/amenability-reviews/{review.pk}/", None, 200
    if operation == "reviews return":
        return "post", f"{API}/amenability-reviews/{review.pk}/return/", {"reason": "Matrix test"}, 200
    return "post", f"{API}/amenability-reviews/{review.pk}/decide/", {"reason": "Matrix test"}, 200


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("operation", list(ROLE_MATRIX))
def test_each_endpoint_admits_exactly_the_roles_of_the_matrix(api_for, role, operation):
    user = user_with_role(role)
    method, path, body, success = _request_for(user, operation)

    response = getattr(api_for(user), method)(path, body, format="json")

    expected = success if role in ROLE_MATRIX[operation] else 403
    assert response.status_code == expected, response.content


@pytest.mark.parametrize("operation", list(ROLE_MATRIX))
def test_anonymous_callers_are_refused_and_nothing_changes(api_for, officer, operation):
    method, path, body, _ = _request_for(officer, operation)
    before = (_registry_counts(), ScreeningFacts.objects.count(), AmenabilityReview.objects.count())

    response = getattr(api_for(None), method)(path, body, format="json")

    assert response.status_code in (401, 403)
    assert (_registry_counts(), ScreeningFacts.objects.count(), AmenabilityReview.objects.count()) == before
    assert not MemberDecision.objects.exists()


def test_a_superuser_without_a_role_is_refused(api_for):
    admin = UserFactory(is_superuser=True, is_staff=True)

    response = api_for(admin).post(f"{API}/intakes/", _intake(), format="json")

    assert response.status_code == 403
    assert not Alien.objects.exists()


def test_duplicates_path_resolves_to_the_duplicates_view_not_the_alien_detail():
    duplicates = resolve(f"{API}/aliens/duplicates/")
    detail = resolve(f"{API}/aliens/7/")

    assert duplicates.func.view_class is AlienDuplicatesView
    assert detail.func.cls is AlienViewSet


# --- the whole path ---------------------------------------------------------------------------------------


def test_the_whole_path_from_intake_to_the_supervisors_decision_a2_f1_f2_a3(api_for, officer, supervisor):
    officer_api = api_for(officer)

    # Intake: the three-member family in one call.
    created = officer_api.post(f"{API}/intakes/", _intake(), format="json")
    assert created.status_code == 201, created.content
    intake = created.json()
    mother, father, child = (row["id"] for row in intake["cases"])
    assert [row["status"] for row in intake["cases"]] == ["screening"] * 3
    assert [(row["member"], row["relationship"]) for row in intake["cases"]] == [
        (0, "head"),
        (1, "spouse"),
        (2, "child"),
    ]
    assert [row["name"] for row in intake["cases"]] == [
        "Ana Lucía Reyes Mejía",
        "José Manuel Ortiz Pérez",
        "Valeria Ortiz Reyes",
    ]

    # Screening facts for each; the Mexican child returns voluntarily with the family (F2).
    facts = {
        mother: {"officer_fluent": True},
        father: {
            "officer_fluent": False,
            "interpretation_mode": "telephonic",
            "interpretation_language": "es",
        },
        child: {"officer_fluent": True, "mexican_member_choice": "voluntary_return"},
    }
    for case_id, body in facts.items():
        saved = officer_api.put(f"{API}/cases/{case_id}/screening/", body, format="json")
        assert saved.status_code == 200, saved.content
        assert saved.json()["recorded"] is True

    # The live proposal: the child is not amenable (A2 mexican_national); the parents are, kept together (F1).
    proposal = officer_api.get(f"{API}/families/{intake['encounter']}/proposal/").json()
    by_case = {m["case"]: m for m in proposal["members"]}
    assert proposal["ready_for_review"] is True
    assert by_case[child]["amenable"] is False
    assert any(r["code"] == "mexican_national" and r["rule"] == "A2" for r in by_case[child]["reasons"])
    assert all(r["explanation"] for r in by_case[child]["reasons"])
    for parent in (mother, father):
        assert by_case[parent]["amenable"] is True
        assert any(n["rule"] == "F1" for n in by_case[parent]["notes"])

    # Submitted for the supervisor's review (A3).
    submitted = officer_api.post(f"{API}/families/{intake['encounter']}/submit-for-review/")
    assert submitted.status_code == 201, submitted.content
    review_id = submitted.json()["id"]
    assert submitted.json()["status"] == "pending"
    assert submitted.json()["submitted_by"]["id"] == officer.pk

    # Another user, a supervisor at San Ysidro, finds it in the queue and decides.
    supervisor_api = api_for(supervisor)
    queue = supervisor_api.get(f"{API}/amenability-reviews/").json()["results"]
    assert [row["id"] for row in queue] == [review_id]
    assert [(m["case"], m["proposed_amenable"]) for m in queue[0]["members"]] == [
        (mother, True),
        (father, True),
        (child, False),
    ]
    decided = supervisor_api.post(
        f"{API}/amenability-reviews/{review_id}/decide/",
        {"reason": "Facts verified with the family"},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert body["status"] == "decided"
    assert body["decided_by"]["id"] == supervisor.pk
    assert [
        (d["case"], d["amenable"], [(r["code"], r["rule"]) for r in d["reasons"]]) for d in body["decisions"]
    ] == [
        (mother, True, []),
        (father, True, []),
        (child, False, [("mexican_national", "A2")]),
    ]
    (child_decision,) = (d for d in body["decisions"] if d["case"] == child)
    assert child_decision["proposed_reasons"] == child_decision["reasons"]  # confirmed as proposed
    assert child_decision["reasons"][0]["explanation"]

    # Each case moved, and its history names the supervisor and the reason.
    statuses = dict(Case.objects.filter(pk__in=[mother, father, child]).values_list("pk", "status"))
    assert statuses == {
        mother: CaseStatus.AMENABLE,
        father: CaseStatus.AMENABLE,
        child: CaseStatus.NOT_AMENABLE,
    }
    for case_id in (mother, father, child):
        last = Case.objects.get(pk=case_id).history.first()
        assert last.history_user == supervisor
        assert "Facts verified with the family" in last.history_change_reason
    assert "mexican_national (A2)" in Case.objects.get(pk=child).history.first().history_change_reason
    assert not api_for(supervisor).get(f"{API}/amenability-reviews/").json()["results"]


# --- intake -------------------------------------------------------------------------------------------------


def test_intake_returns_the_encounter_family_and_cases_with_normalised_a_numbers_n2(api_for, officer):
    members = [_member("head", "Rosa", "Castillo", dt.date(1985, 4, 9), country="sv", a_number="087-654-321")]

    response = api_for(officer).post(f"{API}/intakes/", _intake(members=members), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    encounter = Encounter.objects.get(pk=body["encounter"])
    assert body["family_unit"] == encounter.family_unit_id
    assert body["cases"][0]["a_number"] == "A087654321"
    assert Alien.objects.get().country_of_citizenship == "SV"


def test_intake_with_a_future_birth_date_names_the_member_and_creates_nothing(api_for, officer):
    members = _mixed_family_members()
    members[1]["date_of_birth"] = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    before = _registry_counts()

    response = api_for(officer).post(f"{API}/intakes/", _intake(members=members), format="json")

    body = refusal(response)
    assert (body["field"], body["code"]) == ("members.1.date_of_birth", "date_in_future")
    assert body["detail"] == "Member 2 (José Manuel Ortiz Pérez): Date of birth cannot be in the future."
    assert _registry_counts() == before


def test_intake_with_a_malformed_birth_date_names_the_member(api_for, officer):
    members = _mixed_family_members()
    members[2]["date_of_birth"] = "05/06/2019"

    response = api_for(officer).post(f"{API}/intakes/", _intake(members=members), format="json")

    body = refusal(response)
    assert [(error["field"], error["code"]) for error in body["errors"]] == [
        ("members.2.date_of_birth", "invalid")
    ]
    assert body["detail"].startswith("Member 3 (Valeria Ortiz Reyes): Date has wrong format.")
    assert not Alien.objects.exists()


def test_intake_with_a_bad_a_number_names_the_member_and_rule_n2(api_for, officer):
    members = _mixed_family_members()
    members[0]["a_number"] = "B12345"

    response = api_for(officer).post(f"{API}/intakes/", _intake(members=members), format="json")

    assert response.status_code == 400
    assert response.json()["field"] == "members.0.a_number"
    assert response.json()["rule"] == "N2"
    assert not Alien.objects.exists()


def test_intake_time_without_offset_is_refused_naming_occurred_at(api_for, officer):
    body = _intake()
    body["occurred_at"] = "2026-01-05T10:00:00"

    response = api_for(officer).post(f"{API}/intakes/", body, format="json")

    assert (refusal(response)["field"], refusal(response)["code"]) == ("occurred_at", "naive")


def test_intake_outside_the_officers_duty_locations_is_forbidden_and_creates_nothing(api_for, officer):
    response = api_for(officer).post(f"{API}/intakes/", _intake("elp-poe"), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_permitted"
    assert _registry_counts() == (0, 0, 0, 0)


def _registered_maria() -> Alien:
    return AlienFactory(
        family_name="Hernandez Lopez",
        given_names="Maria Jose",
        date_of_birth=dt.date(1991, 2, 3),
        a_number=None,
    )


def _typed_maria(**extra: Any) -> dict[str, Any]:
    # Accented, and the day and month swapped: the same person, typed differently.
    return _member("head", "María José", "Hernández López", dt.date(1991, 3, 2), **extra)


def test_a_possible_duplicate_is_refused_listing_the_candidates(api_for, officer):
    known = _registered_maria()
    before = _registry_counts()

    response = api_for(officer).post(f"{API}/intakes/", _intake(members=[_typed_maria()]), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "possible_duplicate"
    assert body["candidates"] == [
        {
            "member": 0,
            "id": known.pk,
            "a_number": None,
            "name": "Maria Jose Hernandez Lopez",
            "family_name": "Hernandez Lopez",
            "given_names": "Maria Jose",
            "date_of_birth": "1991-02-03",
            "country_of_citizenship": "HN",
            "match": "name_and_birth_date",
        }
    ]
    assert _registry_counts() == before


def test_a_possible_duplicate_dismissed_with_a_reason_is_registered_and_the_dismissal_recorded(
    api_for, officer
):
    known = _registered_maria()
    typed = _typed_maria(dismissed_duplicates=[{"alien_id": known.pk, "reason": "Different mother's name"}])

    response = api_for(officer).post(f"{API}/intakes/", _intake(members=[typed]), format="json")

    assert response.status_code == 201, response.content
    dismissal = DuplicateDismissal.objects.get()
    assert (dismissal.candidate, dismissal.reason, dismissal.dismissed_by) == (
        known,
        "Different mother's name",
        officer,
    )
    assert response.json()["cases"][0]["alien"] != known.pk


def test_a_possible_duplicate_can_be_linked_to_the_registered_person(api_for, officer):
    known = _registered_maria()  # registered elsewhere: linked because the check offers her for this typing
    linked = _typed_maria(existing_alien_id=known.pk)

    response = api_for(officer).post(f"{API}/intakes/", _intake(members=[linked]), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["cases"][0]["alien"] == known.pk
    assert Alien.objects.count() == 1


# --- screening facts ------------------------------------------------------------------------------------


def test_screening_reads_defaults_until_recorded_then_who_recorded_them(api_for, officer):
    case = mixed_family(officer).cases.order_by("id").first()
    client = api_for(officer)

    blank = client.get(f"{API}/cases/{case.pk}/screening/").json()
    client.put(f"{API}/cases/{case.pk}/screening/", {"officer_fluent": True}, format="json")
    recorded = client.get(f"{API}/cases/{case.pk}/screening/").json()

    assert blank["recorded"] is False
    assert blank["fit_to_travel"] == "not_assessed"
    assert blank["officer_fluent"] is None
    assert blank["updated_by"] is None
    assert recorded["recorded"] is True
    assert recorded["updated_by"]["id"] == officer.pk
    assert (
        AccessLog.objects.filter(user=officer, object_type="screening", object_ids=[str(case.pk)]).count()
        == 2
    )


def test_screening_put_replaces_every_fact_and_patch_changes_only_those_sent(api_for, officer):
    case = mixed_family(officer).cases.order_by("id").first()
    path = f"{API}/cases/{case.pk}/screening/"
    client = api_for(officer)

    client.put(path, {"officer_fluent": True, "pregnancy_disclosed": True}, format="json")
    client.patch(path, {"notes": "Seen with her husband"}, format="json")
    kept = ScreeningFacts.objects.get(case=case)
    client.put(path, {"officer_fluent": True}, format="json")
    replaced = ScreeningFacts.objects.get(case=case)

    assert (kept.pregnancy_disclosed, kept.notes) == (True, "Seen with her husband")
    assert (replaced.pregnancy_disclosed, replaced.notes) == (False, "")


def test_n3_not_fluent_without_an_interpretation_mode_is_refused_naming_the_field(api_for, officer):
    case = mixed_family(officer).cases.order_by("id").first()

    response = api_for(officer).put(
        f"{API}/cases/{case.pk}/screening/", {"officer_fluent": False}, format="json"
    )

    body = refusal(response)
    assert (body["field"], body["rule"]) == ("interpretation_mode", "N3")
    assert "interpretation_mode" not in body  # the message is not repeated under the field's name
    assert not ScreeningFacts.objects.exists()


def test_n3_interpretation_mode_and_language_are_recorded_by_language_code(api_for, officer):
    case = mixed_family(officer).cases.order_by("id").first()
    body = {"officer_fluent": False, "interpretation_mode": "in_person", "interpretation_language": "es"}

    response = api_for(officer).put(f"{API}/cases/{case.pk}/screening/", body, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["interpretation_language"] == "es"
    assert ScreeningFacts.objects.get(case=case).interpretation_language.code == "es"


def test_an_unknown_interpretation_language_is_refused_naming_the_field(api_for, officer):
    case = mixed_family(officer).cases.order_by("id").first()
    body = {"officer_fluent": False, "interpretation_mode": "in_person", "interpretation_language": "xx"}

    response = api_for(officer).put(f"{API}/cases/{case.pk}/screening/", body, format="json")

    body = refusal(response)
    assert (body["field"], body["code"]) == ("interpretation_language", "does_not_exist")


def test_a5_a_referral_outcome_without_a_referral_is_refused_with_the_rule(api_for, officer):
    case = mixed_family(officer).cases.order_by("id").first()
    body = {"officer_fluent": True, "medical_referral_outcome": "cleared"}

    response = api_for(officer).patch(f"{API}/cases/{case.pk}/screening/", body, format="json")

    assert response.status_code == 400
    assert (response.json()["field"], response.json()["rule"]) == ("medical_referral_outcome", "A5")


def test_f2_the_choice_is_refused_for_a_member_who_is_not_mexican(api_for, officer):
    mother = mixed_family(officer).cases.order_by("id").first()
    body = {"officer_fluent": True, "mexican_member_choice": "voluntary_return"}

    response = api_for(officer).put(f"{API}/cases/{mother.pk}/screening/", body, format="json")

    assert response.status_code == 400
    assert response.json()["rule"] == "F2"


def test_screening_cannot_change_once_the_family_is_submitted_a3(api_for, officer):
    encounter, _ = _submitted_review(officer)
    case = encounter.cases.order_by("id").first()

    response = api_for(officer).patch(
        f"{API}/cases/{case.pk}/screening/", {"criminal_history": True}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "screening_closed"
    assert ScreeningFacts.objects.get(case=case).criminal_history is False


def test_a_case_at_another_location_is_not_found(api_for, officer):
    elsewhere = mixed_family(user_with_role(Role.CBP_OFFICER, locations=["elp-poe"]), location_code="elp-poe")
    case = elsewhere.cases.order_by("id").first()
    client = api_for(officer)

    read = client.get(f"{API}/cases/{case.pk}/screening/")
    written = client.put(f"{API}/cases/{case.pk}/screening/", {"officer_fluent": True}, format="json")

    assert (read.status_code, written.status_code) == (404, 404)
    assert not ScreeningFacts.objects.exists()


def test_a_national_reader_sees_the_screening_and_the_read_is_logged(api_for, officer):
    asylum_officer = user_with_role(Role.ASYLUM_OFFICER)
    case = mixed_family(officer).cases.order_by("id").first()

    response = api_for(asylum_officer).get(f"{API}/cases/{case.pk}/screening/")

    assert response.status_code == 200
    assert AccessLog.objects.filter(user=asylum_officer, object_type="screening").exists()


# --- proposal and submission ----------------------------------------------------------------------------


def test_the_proposal_lists_blockers_until_the_screening_is_complete(api_for, officer):
    encounter = mixed_family(officer)

    proposal = api_for(officer).get(f"{API}/families/{encounter.pk}/proposal/").json()

    assert proposal["encounter"] == encounter.pk
    assert proposal["ready_for_review"] is False
    assert [[(b["field"], b["rule"]) for b in m["blockers"]] for m in proposal["members"]] == [
        [("screening", "A3")]
    ] * 3


def test_f3_the_proposal_carries_the_family_reason(api_for, officer):
    encounter = mixed_family(officer)
    screen_all(officer, encounter, Valeria={"fear_of_return_expressed": True, "mexican_member_choice": ""})

    proposal = api_for(officer).get(f"{API}/families/{encounter.pk}/proposal/").json()

    assert [r["code"] for r in proposal["family_reasons"]] == ["family_mexican_member_fear"]
    assert not any(m["amenable"] for m in proposal["members"])


def test_the_proposal_of_a_family_elsewhere_is_not_found(api_for, officer):
    elsewhere = mixed_family(user_with_role(Role.CBP_OFFICER, locations=["elp-poe"]), location_code="elp-poe")

    response = api_for(officer).get(f"{API}/families/{elsewhere.pk}/proposal/")

    assert response.status_code == 404


def test_submitting_an_incomplete_screening_is_a_conflict_naming_what_is_missing(api_for, officer):
    encounter = mixed_family(officer)
    screen_all(officer, encounter, Valeria={"mexican_member_choice": ""})

    response = api_for(officer).post(f"{API}/families/{encounter.pk}/submit-for-review/")

    assert response.status_code == 409
    assert response.json()["code"] == "screening_incomplete"
    assert "F2" in response.json()["detail"]
    assert set(encounter.cases.values_list("status", flat=True)) == {CaseStatus.SCREENING}
    assert not AmenabilityReview.objects.exists()


def test_submitting_twice_returns_the_same_review(api_for, officer):
    encounter = mixed_family(officer)
    screen_all(officer, encounter)
    client = api_for(officer)

    first = client.post(f"{API}/families/{encounter.pk}/submit-for-review/")
    second = client.post(f"{API}/families/{encounter.pk}/submit-for-review/")

    assert first.json()["id"] == second.json()["id"]
    assert AmenabilityReview.objects.count() == 1


# --- the supervisor's decision (A3) --------------------------------------------------------------------------


def test_a3_whoever_submitted_cannot_decide_separation_of_duties(api_for, supervisor):
    both = UserFactory(roles=[Role.CBP_OFFICER, Role.CBP_SUPERVISOR], locations=["sys-poe"])
    encounter = mixed_family(both)
    screen_all(both, encounter)
    client = api_for(both)
    review_id = client.post(f"{API}/families/{encounter.pk}/submit-for-review/").json()["id"]

    response = client.post(
        f"{API}/amenability-reviews/{review_id}/decide/", {"reason": "Fine"}, format="json"
    )

    assert response.status_code == 403
    assert (response.json()["code"], response.json()["rule"]) == ("separation_of_duties", "A3")
    assert AmenabilityReview.objects.get().status == AmenabilityReview.Status.PENDING
    assert set(encounter.cases.values_list("status", flat=True)) == {CaseStatus.AWAITING_REVIEW}


def test_deciding_a_decided_family_is_a_conflict_naming_who_decided(
    api_for, officer, supervisor, supervisor_b
):
    _, review = _submitted_review(officer)
    path = f"{API}/amenability-reviews/{review.pk}/decide/"
    api_for(supervisor).post(path, {"reason": "First"}, format="json")
    moves = Case.history.count()

    response = api_for(supervisor_b).post(path, {"reason": "Second"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "already_decided"
    assert supervisor.display_name in response.json()["detail"]
    assert Case.history.count() == moves
    assert MemberDecision.objects.count() == 3


def test_a_supervisor_at_another_port_gets_not_found_and_an_empty_queue(api_for, officer):
    """404, not 403: the review is outside the supervisor's scope (another duty location), and the API
    never reveals that a record exists there — the same rule as the registry endpoints."""
    _, review = _submitted_review(officer)
    el_paso = api_for(user_with_role(Role.CBP_SUPERVISOR, locations=["elp-poe"]))

    decided = el_paso.post(f"{API}/amenability-reviews/{review.pk}/decide/", {"reason": "x"}, format="json")
    read = el_paso.get(f"{API}/amenability-reviews/{review.pk}/")
    queue = el_paso.get(f"{API}/amenability-reviews/").json()["results"]

    assert (decided.status_code, read.status_code, queue) == (404, 404, [])
    assert AmenabilityReview.objects.get().status == AmenabilityReview.Status.PENDING


def test_a2_a_discretionary_exclusion_is_recorded_with_its_reason(api_for, officer, supervisor):
    encounter, review = _submitted_review(officer)
    father = encounter.cases.order_by("id")[1]
    body = {
        "reason": "Reviewed",
        "overrides": [{"case": father.pk, "kind": "exclude_discretion", "reason": "Extradition inquiry"}],
    }

    response = api_for(supervisor).post(f"{API}/amenability-reviews/{review.pk}/decide/", body, format="json")

    assert response.status_code == 200, response.content
    decision = next(d for d in response.json()["decisions"] if d["case"] == father.pk)
    assert (decision["amenable"], decision["override"]) == (False, "exclude_discretion")
    assert decision["reasons"] == [
        {
            "code": "discretion",
            "rule": "A2",
            "explanation": "Excluded at the discretion of the Port Director or Chief Patrol Agent.",
        }
    ]
    father.refresh_from_db()
    assert father.status == CaseStatus.NOT_AMENABLE


def test_a4_overruling_a_health_exclusion_that_was_not_proposed_is_refused(api_for, officer, supervisor):
    encounter, review = _submitted_review(officer)
    child = encounter.cases.order_by("id")[2]
    body = {"reason": "x", "overrides": [{"case": child.pk, "kind": "overrule_health", "reason": "why"}]}

    response = api_for(supervisor).post(f"{API}/amenability-reviews/{review.pk}/decide/", body, format="json")

    assert response.status_code == 400
    assert response.json()["rule"] == "A4"
    assert not MemberDecision.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"reason": ""}, "reason", "blank"),
        (
            {"reason": "ok", "overrides": [{"case": 1, "kind": "confirm", "reason": "x"}]},
            "overrides.0.kind",
            "invalid_choice",
        ),
        (
            {"reason": "ok", "overrides": [{"case": 999999, "kind": "exclude_discretion", "reason": "x"}]},
            "overrides",
            "invalid",
        ),
    ],
    ids=["blank reason", "unknown override kind", "override outside the family"],
)
def test_a_malformed_decision_is_refused_naming_the_field_and_changes_nothing(
    api_for, officer, supervisor, body, field, code
):
    _, review = _submitted_review(officer)

    response = api_for(supervisor).post(f"{API}/amenability-reviews/{review.pk}/decide/", body, format="json")

    assert (refusal(response)["field"], refusal(response)["code"]) == (field, code)
    assert AmenabilityReview.objects.get().status == AmenabilityReview.Status.PENDING


def test_the_officer_reads_the_decided_review_and_the_read_is_logged(api_for, officer, supervisor):
    _, review = _submitted_review(officer)
    api_for(supervisor).post(
        f"{API}/amenability-reviews/{review.pk}/decide/", {"reason": "OK"}, format="json"
    )

    body = api_for(officer).get(f"{API}/amenability-reviews/{review.pk}/").json()

    assert body["decided_by"]["id"] == supervisor.pk
    assert body["decision_reason"] == "OK"
    assert [m["status"] for m in body["members"]] == ["amenable", "amenable", "not_amenable"]
    assert len(body["decisions"]) == 3
    assert AccessLog.objects.filter(user=officer, object_type="amenability_review").exists()


# --- A3: returning the family to the officer for re-screening ------------------------------------------------

RETURN_REASON = "Check the father's parole papers"


def _return_path(review: AmenabilityReview) -> str:
    return f"{API}/amenability-reviews/{review.pk}/return/"


def test_a3_returning_answers_the_review_as_returned_and_moves_every_case_back_to_screening(
    api_for, officer, supervisor
):
    # Given a family submitted for review
    encounter, review = _submitted_review(officer)

    # When a supervisor of the port returns it to the officer
    response = api_for(supervisor).post(_return_path(review), {"reason": RETURN_REASON}, format="json")

    # Then the answer is the review, returned (not decided) by the supervisor with the reason, no decisions
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["status"]) == (review.pk, "returned")
    assert body["returned_by"] == {"id": supervisor.pk, "name": supervisor.display_name}
    assert body["returned_at"] is not None
    assert body["return_reason"] == RETURN_REASON
    assert (body["decided_by"], body["decided_at"], body["decision_reason"]) == (None, None, "")
    assert body["decisions"] == []
    assert [m["status"] for m in body["members"]] == ["screening"] * 3
    assert set(encounter.cases.values_list("status", flat=True)) == {CaseStatus.SCREENING}
    # And the officer reads it as returned; the queue no longer lists it
    read = api_for(officer).get(f"{API}/amenability-reviews/{review.pk}/").json()
    assert (read["status"], read["return_reason"], read["decided_by"]) == ("returned", RETURN_REASON, None)
    assert api_for(supervisor).get(f"{API}/amenability-reviews/").json()["results"] == []


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}], ids=["missing", "blank", "spaces"])
def test_a3_returning_without_a_reason_is_refused_naming_reason(api_for, officer, supervisor, body):
    encounter, review = _submitted_review(officer)

    response = api_for(supervisor).post(_return_path(review), body, format="json")

    assert refusal(response)["field"] == "reason"
    assert AmenabilityReview.objects.get().status == AmenabilityReview.Status.PENDING
    assert set(encounter.cases.values_list("status", flat=True)) == {CaseStatus.AWAITING_REVIEW}


def test_a3_whoever_submitted_cannot_return_the_family_separation_of_duties(api_for):
    # Given a user who is both officer and supervisor and submitted the family
    both = UserFactory(roles=[Role.CBP_OFFICER, Role.CBP_SUPERVISOR], locations=["sys-poe"])
    encounter, review = _submitted_review(both)

    # When they return it
    response = api_for(both).post(_return_path(review), {"reason": "Mine"}, format="json")

    # Then 403 with the rule, and nothing moved
    assert response.status_code == 403
    assert (response.json()["code"], response.json()["rule"]) == ("separation_of_duties", "A3")
    assert AmenabilityReview.objects.get().status == AmenabilityReview.Status.PENDING
    assert set(encounter.cases.values_list("status", flat=True)) == {CaseStatus.AWAITING_REVIEW}


def test_a3_a_supervisor_at_another_port_cannot_return_the_family_not_found(api_for, officer):
    _, review = _submitted_review(officer)
    el_paso = api_for(user_with_role(Role.CBP_SUPERVISOR, locations=["elp-poe"]))

    response = el_paso.post(_return_path(review), {"reason": "x"}, format="json")

    assert response.status_code == 404
    assert AmenabilityReview.objects.get().status == AmenabilityReview.Status.PENDING


@pytest.mark.parametrize("first", ["return", "decide"])
@pytest.mark.parametrize("second", ["return", "decide"])
def test_a3_a_family_already_returned_or_decided_cannot_be_returned_or_decided_again(
    api_for, officer, supervisor, supervisor_b, first, second
):
    # Given a family the first supervisor returned or decided
    _, review = _submitted_review(officer)
    path = f"{API}/amenability-reviews/{review.pk}/{{}}/"
    assert api_for(supervisor).post(path.format(first), {"reason": "First"}, format="json").status_code == 200
    moves = Case.history.count()

    # When a second supervisor returns or decides it
    response = api_for(supervisor_b).post(path.format(second), {"reason": "Second"}, format="json")

    # Then 409 already_decided naming who closed it and how; nothing changed
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["rule"]) == ("already_decided", "A3")
    assert supervisor.display_name in response.json()["detail"]
    verb = "returned to the officer" if first == "return" else "decided"
    assert f"already {verb} by" in response.json()["detail"]
    assert Case.history.count() == moves
    review.refresh_from_db()
    assert review.decision_reason == "First"


def test_a3_the_corrected_screening_is_submitted_again_as_a_new_review_and_decided(
    api_for, officer, supervisor
):
    # Given a family returned because of the father's parole papers
    encounter, first = _submitted_review(officer)
    supervisor_api, officer_api = api_for(supervisor), api_for(officer)
    supervisor_api.post(_return_path(first), {"reason": RETURN_REASON}, format="json")
    father = encounter.cases.order_by("id")[1]

    # When the officer corrects the facts and submits the family again
    corrected = officer_api.patch(f"{API}/cases/{father.pk}/screening/", {"parole": True}, format="json")
    submitted = officer_api.post(f"{API}/families/{encounter.pk}/submit-for-review/")

    # Then it is a new pending review, the only one in the queue, and it can be decided
    assert corrected.status_code == 200, corrected.content
    assert submitted.status_code == 201, submitted.content
    second = submitted.json()
    assert second["id"] != first.pk and second["status"] == "pending"
    assert [m["proposed_amenable"] for m in second["members"]] == [True, False, False]
    queue = supervisor_api.get(f"{API}/amenability-reviews/").json()["results"]
    assert [row["id"] for row in queue] == [second["id"]]
    decided = supervisor_api.post(
        f"{API}/amenability-reviews/{second['id']}/decide/", {"reason": "Parole confirmed"}, format="json"
    )
    assert decided.status_code == 200, decided.content
    father.refresh_from_db()
    assert father.status == CaseStatus.NOT_AMENABLE
    assert api_for(officer).get(f"{API}/amenability-reviews/{first.pk}/").json()["status"] == "returned"


# --- possible duplicates ------------------------------------------------------------------------------------


def test_duplicates_find_an_exact_a_number_in_any_spelling_at_any_location(api_for, officer):
    known = CaseFactory(
        alien__a_number="A123456789", encounter__location=location("elp-poe")
    ).alien  # identity is checked nationally

    response = api_for(officer).get(f"{API}/aliens/duplicates/", {"a_number": "123-456-789"})

    assert response.status_code == 200
    assert [(row["id"], row["match"]) for row in response.json()] == [(known.pk, "a_number")]


def test_duplicates_find_an_accented_name_with_day_and_month_swapped(api_for, officer):
    known = _registered_maria()
    AlienFactory(family_name="Hernandez Lopez", given_names="Maria Jose", date_of_birth=dt.date(1991, 7, 3))

    response = api_for(officer).get(
        f"{API}/aliens/duplicates/",
        {"family_name": "Hernández López", "given_names": "María José", "date_of_birth": "1991-03-02"},
    )

    assert response.status_code == 200
    assert [(row["id"], row["match"]) for row in response.json()] == [(known.pk, "name_and_birth_date")]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"family_name": "Reyes", "date_of_birth": "1991-02-31"}, "date_of_birth"),
        ({"family_name": "Reyes", "date_of_birth": "03/02/1991"}, "date_of_birth"),
        ({"a_number": "B-12"}, "a_number"),
        ({"family_name": "Reyes"}, None),  # the query as a whole
    ],
)
def test_duplicates_refuse_a_bad_query_naming_the_parameter(api_for, officer, query, field):
    response = api_for(officer).get(f"{API}/aliens/duplicates/", query)

    assert refusal(response).get("field") == field


# --- reads do not grow with rows (STYLE rule 8) ---------------------------------------------------------


def _submit_families(count: int, start: int) -> None:
    """``count`` families of three, each entered and submitted by its own officer at San Ysidro. Birth dates
    differ per family so that nobody looks like a duplicate of anybody."""
    for i in range(start, start + count):
        officer = user_with_role(Role.CBP_OFFICER)
        encounter = intake_create(
            actor=officer,
            location=location("sys-poe"),
            occurred_at=timezone.now() - dt.timedelta(hours=2),
            members=[
                member("head", "Ana", f"Reyes {i}", dt.date(1980 + i, 1, 20)),
                member("spouse", "José", f"Ortiz {i}", dt.date(1970 + i, 2, 21), country="GT", sex="M"),
                member("child", "Valeria", f"Ortiz {i}", dt.date(2016, 3, 13 + i), country="MX"),
            ],
        )
        screen_all(officer, encounter)
        family_submit_for_review(actor=officer, encounter_id=encounter.pk)


def test_the_review_queue_reads_in_a_fixed_number_of_queries(api_for, supervisor):
    client = api_for(supervisor)
    client.get(f"{API}/amenability-reviews/")  # the first request of a session warms caches

    _submit_families(2, start=0)
    with CaptureQueriesContext(connection) as few:
        few_rows = client.get(f"{API}/amenability-reviews/").json()["results"]
    _submit_families(4, start=2)
    with CaptureQueriesContext(connection) as many:
        many_rows = client.get(f"{API}/amenability-reviews/").json()["results"]

    assert (len(few_rows), len(many_rows)) == (2, 6)
    assert all(len(row["members"]) == 3 and "a_number" in row["members"][0] for row in many_rows)
    assert [row["submitted_at"] for row in many_rows] == sorted(row["submitted_at"] for row in many_rows)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 8


def _maria_families(count: int) -> None:
    for _ in range(count):
        CaseFactory(
            alien__family_name="Hernandez Lopez",
            alien__given_names="Maria Jose",
            alien__date_of_birth=dt.date(1991, 2, 3),
        )


def test_the_duplicates_search_reads_in_a_fixed_number_of_queries(api_for, officer):
    client = api_for(officer)
    client.get(f"{API}/aliens/duplicates/", {"a_number": "A000000001"})  # warm the session
    _maria_families(2)
    exact = Alien.objects.order_by("id").first().a_number
    query = {
        "a_number": exact,
        "family_name": "Hernández López",
        "given_names": "María José",
        "date_of_birth": "1991-02-03",
    }

    with CaptureQueriesContext(connection) as few:
        few_rows = client.get(f"{API}/aliens/duplicates/", query).json()
    _maria_families(4)
    with CaptureQueriesContext(connection) as many:
        many_rows = client.get(f"{API}/aliens/duplicates/", query).json()

    assert [row["match"] for row in few_rows] == ["a_number", "name_and_birth_date"]
    assert len(many_rows) == 6  # the exact match, then the five most similar
    assert len(many.captured_queries) == len(few.captured_queries)


# --- the OpenAPI schema -------------------------------------------------------------------------------------

STEP_TWO_OPERATIONS = {
    ("/api/v1/intakes/", "post"): INTAKE,
    ("/api/v1/aliens/duplicates/", "get"): CBP_FIELD,
    ("/api/v1/cases/{case_id}/screening/", "get"): SCREENING_READERS,
    ("/api/v1/cases/{case_id}/screening/", "put"): INTAKE,
    ("/api/v1/cases/{case_id}/screening/", "patch"): INTAKE,
    ("/api/v1/families/{encounter_id}/proposal/", "get"): CBP_FIELD,
    ("/api/v1/families/{encounter_id}/submit-for-review/", "post"): INTAKE,
    ("/api/v1/amenability-reviews/", "get"): SUPERVISOR,
    ("/api/v1/amenability-reviews/{id}/", "get"): CBP_FIELD,
    ("/api/v1/amenability-reviews/{id}/decide/", "post"): SUPERVISOR,
    ("/api/v1/amenability-reviews/{id}/return/", "post"): SUPERVISOR,
}


def test_every_step_two_operation_is_documented_with_exactly_the_roles_it_admits(api_for, officer):
    schema = api_for(officer).get(f"{API}/schema/", {"format": "json"}).json()

    for (path, method), roles in STEP_TWO_OPERATIONS.items():
        description = schema["paths"][path][method]["description"]
        admitted = description.split("**Roles admitted:**")[1]
        named = {role for role in Role if f"`{role}`" in admitted}
        assert named == roles, (path, method)


def test_duplicate_search_results_are_access_logged(officer, client_for):
    from mpp.audit.models import AccessLog
    from tests.factories import AlienFactory

    known = AlienFactory(a_number="A555444333")
    client = client_for(officer)

    response = client.get("/api/v1/aliens/duplicates/", {"a_number": "555-444-333"})

    assert response.status_code == 200
    assert (
        AccessLog.objects.filter(user=officer, object_type="alien", object_ids=[str(known.pk)]).count() == 1
    )


def test_s1_the_queue_and_the_review_say_when_the_decision_waits_for_a_fear_claim(
    api_for, officer, supervisor
):
    """S1/S4: ``waits_for_hold`` is true while a member's fear claim is pending, false once the supervisory
    asylum officer has concurred with its assessment (which releases its hold); deciding meanwhile is
    refused with the hold's rule."""
    from screenings.models import FearClaim
    from tests.screenings.factories import concur

    encounter = mixed_family(officer)
    screen_all(officer, encounter, **{"José Manuel": {"fear_of_return_expressed": True}})
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    client = api_for(supervisor)

    queued = client.get(f"{API}/amenability-reviews/").json()["results"]
    refused = client.post(
        f"{API}/amenability-reviews/{review.pk}/decide/", {"reason": "Reviewed"}, format="json"
    )
    concur(FearClaim.objects.get(case__encounter=encounter), outcome="negative")
    after = client.get(f"{API}/amenability-reviews/{review.pk}/").json()

    assert [row["waits_for_hold"] for row in queued] == [True]
    assert refused.status_code == 409
    assert (refused.json()["rule"], refused.json()["code"]) == ("S1", "fear_claim_pending")
    assert after["waits_for_hold"] is False


# --- one contract: bad input names the field, names mean one thing ---------------------------------------

NUL = "\x00"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"location": f"sys-poe{NUL}"}, "location", "null_characters_not_allowed"),
        ({"occurred_at": "0001-01-01T00:00:00Z"}, "occurred_at", "date_too_early"),
        ({"occurred_at": "2026-01-05T09:30:00+16:00"}, "occurred_at", "utc_offset"),
        ({"members": [{"date_of_birth": "0001-01-01"}]}, "members.0.date_of_birth", "date_too_early"),
        (
            {"members": [{"preferred_language": f"es{NUL}"}]},
            "members.0.preferred_language",
            "null_characters_not_allowed",
        ),
        (
            {"members": [{"family_name": f"Reyes{NUL}"}]},
            "members.0.family_name",
            "null_characters_not_allowed",
        ),
    ],
    ids=["nul_location", "year_1", "offset", "born_in_year_1", "nul_language", "nul_name"],
)
def test_an_intake_that_cannot_be_true_or_stored_is_refused_naming_the_field(
    api_for, officer, change, field, code
):
    body = _intake(members=[_member("head", "Rosa", "Castillo", dt.date(1985, 4, 9), country="SV")])
    if "members" in change:
        body["members"][0].update(change["members"][0])
    else:
        body.update(change)

    response = api_for(officer).post(f"{API}/intakes/", body, format="json")

    assert (refusal(response)["field"], refusal(response)["code"]) == (field, code)
    assert _registry_counts() == (0, 0, 0, 0)


def test_an_intake_body_that_is_not_an_object_is_refused_not_a_server_error(api_for, officer):
    response = api_for(officer).post(f"{API}/intakes/", [None, None], format="json")

    assert refusal(response)["code"] == "invalid"


def test_a_possible_duplicate_is_refused_in_the_one_error_body_with_its_candidates(api_for, officer):
    known = _registered_maria()

    response = api_for(officer).post(f"{API}/intakes/", _intake(members=[_typed_maria()]), format="json")

    body = response.json()
    assert response.status_code == 400
    assert set(body) == {"code", "detail", "field", "errors", "candidates"}
    assert (body["code"], body["field"]) == ("possible_duplicate", "members")
    assert body["errors"] == [{"field": "members", "code": "possible_duplicate", "detail": body["detail"]}]
    assert [(c["member"], c["id"]) for c in body["candidates"]] == [(0, known.pk)]


def test_the_intake_result_says_which_member_each_case_belongs_to(api_for, officer):
    linked = AlienFactory(
        family_name="Lima", given_names="Rosa", date_of_birth=dt.date(1986, 1, 9), created_by=officer
    )
    members = [
        _member("head", "Ana", "Castillo", dt.date(1985, 4, 9), country="SV"),
        {"relationship": "sibling", "existing_alien_id": linked.pk},
        _member("child", "Luis", "Castillo", dt.date(2015, 8, 1), country="SV", sex="M"),
    ]

    response = api_for(officer).post(f"{API}/intakes/", _intake(members=members), format="json")

    assert response.status_code == 201, response.content
    rows = response.json()["cases"]
    assert [(r["member"], r["relationship"], r["name"]) for r in rows] == [
        (0, "head", "Ana Castillo"),
        (1, "sibling", "Rosa Lima"),
        (2, "child", "Luis Castillo"),
    ]
    assert rows[1]["alien"] == linked.pk


@pytest.mark.parametrize(
    ("method", "field"), [("put", "interpretation_language"), ("patch", "other_condition")]
)
def test_screening_facts_with_a_nul_are_refused_naming_the_field(api_for, officer, method, field):
    case = mixed_family(officer).cases.order_by("id").first()

    response = getattr(api_for(officer), method)(
        f"{API}/cases/{case.pk}/screening/", {"officer_fluent": True, field: f"es{NUL}"}, format="json"
    )

    assert (refusal(response)["field"], refusal(response)["code"]) == (field, "null_characters_not_allowed")
    assert not ScreeningFacts.objects.exists()


def test_screening_facts_not_yet_recorded_have_no_time_and_the_schema_allows_it(api_for, officer):
    case = mixed_family(officer).cases.order_by("id").first()
    client = api_for(officer)

    blank = client.get(f"{API}/cases/{case.pk}/screening/").json()
    schema = client.get(f"{API}/schema/", {"format": "json"}).json()

    assert (blank["recorded"], blank["updated_at"], blank["updated_by"]) == (False, None, None)
    assert schema["components"]["schemas"]["ScreeningFacts"]["properties"]["updated_at"]["nullable"] is True


def test_the_schema_says_put_resets_the_facts_left_out_and_patch_keeps_them(api_for, officer):
    schema = api_for(officer).get(f"{API}/schema/", {"format": "json"}).json()
    operations = schema["paths"]["/api/v1/cases/{case_id}/screening/"]
    components = schema["components"]["schemas"]

    def body_of(method: str) -> dict[str, Any]:
        ref = operations[method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return components[ref.rsplit("/", 1)[1]]

    put, patch = body_of("put"), body_of("patch")
    assert {
        name: put["properties"][name].get("default") for name in ("parole", "fit_to_travel", "notes")
    } == {
        "parole": False,
        "fit_to_travel": "not_assessed",
        "notes": "",
    }
    assert not any("default" in prop for prop in patch["properties"].values())
    assert "reset to its default" in operations["put"]["description"]
    assert "keep their values" in operations["patch"]["description"]


def test_a_put_resets_a_fact_left_out_to_its_default_and_a_patch_keeps_it(api_for, officer):
    case = mixed_family(officer).cases.order_by("id").first()
    path = f"{API}/cases/{case.pk}/screening/"
    client = api_for(officer)
    client.put(
        path, {"officer_fluent": True, "fit_to_travel": "fit", "notes": "Seen at secondary"}, format="json"
    )

    patched = client.patch(path, {"parole": True}, format="json").json()
    put = client.put(path, {"officer_fluent": True}, format="json").json()

    assert (patched["parole"], patched["fit_to_travel"], patched["notes"]) == (
        True,
        "fit",
        "Seen at secondary",
    )
    assert (put["parole"], put["fit_to_travel"], put["notes"], put["officer_fluent"]) == (
        False,
        "not_assessed",
        "",
        True,
    )


def test_a_proposal_member_is_identified_by_case(api_for, officer):
    encounter = mixed_family(officer)

    proposal = api_for(officer).get(f"{API}/families/{encounter.pk}/proposal/").json()

    assert [m["case"] for m in proposal["members"]] == list(
        encounter.cases.order_by("id").values_list("pk", flat=True)
    )
    assert all("key" not in m for m in proposal["members"])


def test_a2_reasons_keep_their_rule_after_submission_in_the_queue_the_review_and_the_decision(
    api_for, officer, supervisor
):
    encounter, review = _submitted_review(officer)
    child = encounter.cases.order_by("id")[2]  # the Mexican daughter: not amenable, A2 mexican_national
    client = api_for(supervisor)

    queued = client.get(f"{API}/amenability-reviews/").json()["results"][0]
    decided = client.post(
        f"{API}/amenability-reviews/{review.pk}/decide/", {"reason": "Verified"}, format="json"
    )

    (in_queue,) = (m for m in queued["members"] if m["case"] == child.pk)
    (frozen,) = (m for m in decided.json()["proposal"]["members"] if m["case"] == child.pk)
    (decision,) = (d for d in decided.json()["decisions"] if d["case"] == child.pk)
    for reasons in (
        in_queue["proposed_reasons"],
        frozen["reasons"],
        decision["proposed_reasons"],
        decision["reasons"],
    ):
        assert [(r["code"], r["rule"]) for r in reasons] == [("mexican_national", "A2")]
        assert reasons[0]["explanation"] == frozen["reasons"][0]["explanation"] != ""


def test_a3_a_decided_review_reports_who_decided_and_no_return(api_for, officer, supervisor):
    _, review = _submitted_review(officer)

    body = (
        api_for(supervisor)
        .post(f"{API}/amenability-reviews/{review.pk}/decide/", {"reason": "Verified"}, format="json")
        .json()
    )

    assert body["decided_by"] == {"id": supervisor.pk, "name": supervisor.display_name}
    assert (body["decision_reason"], body["decided_at"] is not None) == ("Verified", True)
    assert (body["returned_by"], body["returned_at"], body["return_reason"]) == (None, None, "")


def test_a_pending_review_reports_neither_a_decision_nor_a_return(api_for, officer, supervisor):
    _, review = _submitted_review(officer)

    body = api_for(supervisor).get(f"{API}/amenability-reviews/{review.pk}/").json()

    assert [body[k] for k in ("decided_by", "decided_at", "returned_by", "returned_at")] == [None] * 4
    assert (body["decision_reason"], body["return_reason"], body["decisions"]) == ("", "", [])


def test_a_person_with_an_open_case_gets_another_only_with_a_reason_through_the_api(api_for, officer):
    """An A-number already registered links the person; they have an open case, so the API asks why a second
    one is opened (``open_case_exists``) and records the reason given on the new case's timeline."""
    from cases.models import CaseEvent

    first = [_member("head", "Rosa", "Castillo", dt.date(1985, 4, 9), country="sv", a_number="087-654-321")]
    client = api_for(officer)
    assert client.post(f"{API}/intakes/", _intake(members=first), format="json").status_code == 201

    again = [_member("head", "Rosa", "Castillo", dt.date(1985, 4, 9), country="sv", a_number="087-654-321")]
    refused = client.post(f"{API}/intakes/", _intake(members=again), format="json")
    again[0]["open_case_reason"] = "Re-encountered at the port after a removal order was rescinded"
    created = client.post(f"{API}/intakes/", _intake(members=again), format="json")

    body = refusal(refused)
    assert (body["code"], body["field"]) == ("open_case_exists", "members.0.open_case_reason")
    assert created.status_code == 201, created.content
    opened = CaseEvent.objects.get(case_id=created.json()["cases"][0]["id"], type="case.opened")
    assert opened.data["open_case_reason"] == "Re-encountered at the port after a removal order was rescinded"


def test_the_queue_members_built_directly_are_what_the_member_serializer_renders(officer, supervisor):
    """ReviewQueueItemSerializer.get_members builds the members directly for speed: they must be exactly
    what ReviewMemberSerializer(many=True) renders, reasons included."""
    import json

    from screenings import selectors
    from screenings.api.serializers import ReviewMemberSerializer, ReviewQueueItemSerializer

    _encounter, review = _submitted_review(officer)
    review = selectors.reviews_pending_for(user=supervisor).get(pk=review.pk)
    cases = {case.pk: case for case in review.encounter.cases.all()}
    raw = [  # the frozen proposal's members, joined to their cases, as the serializer's source
        {
            "case": member["key"],
            "alien": cases[member["key"]].alien_id,
            "a_number": cases[member["key"]].alien.a_number,
            "name": member["name"],
            "status": cases[member["key"]].status,
            "proposed_amenable": member["amenable"],
            "proposed_reasons": member["reasons"],
            "uac": member.get("uac", False),
            "refer_to_uscis": member.get("refer_to_uscis", False),
        }
        for member in review.proposal["members"]
    ]

    direct = ReviewQueueItemSerializer(review).data["members"]
    through_serializer = ReviewMemberSerializer(raw, many=True).data

    assert direct and json.dumps(direct) == json.dumps(through_serializer)
    assert any(member["proposed_reasons"] for member in direct)  # the mixed family has reasons to compare
