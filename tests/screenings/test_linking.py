"""Linking a member of an intake to a registered person (N2, duplicates): only a person the officer may see,
or one the duplicate check offered for what the officer typed — never a person reached by a guessed id.

Written out: an officer at San Ysidro sees the people with a case at San Ysidro or registered by them
(``cases.selectors.aliens_visible_to``); the duplicate check searches every location (identity is
national). A guessed id of a person known only at El Paso and an id nobody has get the same answer: the
same status, code and words, and nothing is created.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Alien, Case, CaseStatus, Encounter, FamilyUnit
from mpp.audit.models import AccessLog
from mpp.exceptions import InvalidInput
from screenings.models import DuplicateDismissal, IntakeDraft
from screenings.services import (
    intake_draft_resolve_duplicate,
    intake_draft_save_encounter,
    intake_draft_save_member,
    intake_draft_start,
)
from tests.factories import AlienFactory, CaseFactory, EncounterFactory, location

pytestmark = pytest.mark.django_db

API = "/api/v1"
REFUSAL = (
    "No registered person you may link has that id: link a person you can see, or a possible duplicate "
    "the check offered for this member."
)
MARIA = {  # as typed at San Ysidro: accents, and the day and month of birth swapped
    "relationship": "head",
    "family_name": "Hernández López",
    "given_names": "María José",
    "date_of_birth": "1991-03-02",
    "sex": "F",
    "country_of_citizenship": "HN",
    "preferred_language": "es",
    "a_number": "",
}
ROSA = {**MARIA, "family_name": "Castillo Ruiz", "given_names": "Rosa", "date_of_birth": "1984-07-21"}


@pytest.fixture
def known_only_at_el_paso() -> Alien:
    """Maria, registered at El Paso with a closed case there: nobody at San Ysidro sees her record."""
    maria = AlienFactory(
        family_name="Hernandez Lopez",
        given_names="Maria Jose",
        date_of_birth=dt.date(1991, 2, 3),
        a_number=None,
    )
    CaseFactory(
        alien=maria, status=CaseStatus.NOT_AMENABLE, encounter=EncounterFactory(location=location("elp-poe"))
    )
    return maria


@pytest.fixture
def seen_at_san_ysidro() -> Alien:
    """Rosa, with a closed case at San Ysidro: the officer there sees her."""
    rosa = AlienFactory(family_name="Castillo Ruiz", given_names="Rosa", date_of_birth=dt.date(1984, 7, 21))
    CaseFactory(alien=rosa, status=CaseStatus.NOT_AMENABLE)
    return rosa


def unknown_id() -> int:
    return (Alien.objects.aggregate(top=Max("pk"))["top"] or 0) + 1000


def registry_counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Alien, FamilyUnit, Encounter, Case, DuplicateDismissal))


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def intake(*members: dict[str, Any]) -> dict[str, Any]:
    return {
        "location": "sys-poe",
        "occurred_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "members": list(members),
    }


def without_tokens(text: str) -> str:
    """A page without what differs on every response: CSRF tokens and CSP nonces."""
    return re.sub(r'nonce="[^"]*"|[A-Za-z0-9]{32,}', "", html.unescape(text))


# --- the API: POST intakes/ ----------------------------------------------------------------------------


def test_api_links_a_person_the_officer_sees_by_id_alone(officer, seen_at_san_ysidro):
    response = api(officer).post(
        f"{API}/intakes/",
        intake({"relationship": "head", "existing_alien_id": seen_at_san_ysidro.pk}),
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["cases"][0]["alien"] == seen_at_san_ysidro.pk


def test_api_refuses_a_guessed_id_outside_the_officers_scope_exactly_as_an_unknown_id_and_creates_nothing(
    officer, known_only_at_el_paso
):
    client = api(officer)
    before = registry_counts()

    out_of_scope = client.post(
        f"{API}/intakes/",
        intake({"relationship": "head", "existing_alien_id": known_only_at_el_paso.pk}),
        format="json",
    )
    unknown = client.post(
        f"{API}/intakes/", intake({"relationship": "head", "existing_alien_id": unknown_id()}), format="json"
    )

    assert out_of_scope.status_code == unknown.status_code == 400
    assert out_of_scope.json() == unknown.json()
    assert out_of_scope.json()["code"] == "no_such_person"
    assert out_of_scope.json()["detail"] == REFUSAL
    assert out_of_scope.json()["field"] == "members.0.existing_alien_id"
    assert "Hernandez" not in out_of_scope.content.decode()
    assert registry_counts() == before
    assert not AccessLog.objects.filter(
        object_type="alien", object_ids__contains=[str(known_only_at_el_paso.pk)]
    ).exists()


def test_api_refuses_a_person_elsewhere_whom_the_typed_identity_does_not_offer(
    officer, known_only_at_el_paso
):
    before = registry_counts()

    response = api(officer).post(
        f"{API}/intakes/", intake({**ROSA, "existing_alien_id": known_only_at_el_paso.pk}), format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "no_such_person")
    assert registry_counts() == before


def test_api_links_the_possible_duplicate_the_check_offered_across_locations_and_logs_the_read(
    officer, known_only_at_el_paso
):
    client = api(officer)

    offered = client.post(f"{API}/intakes/", intake(MARIA), format="json", REMOTE_ADDR="198.51.100.20")
    linked = client.post(
        f"{API}/intakes/", intake({**MARIA, "existing_alien_id": known_only_at_el_paso.pk}), format="json"
    )

    assert offered.status_code == 400
    assert [c["id"] for c in offered.json()["candidates"]] == [known_only_at_el_paso.pk]
    shown = AccessLog.objects.get(path=f"{API}/intakes/", ip_address="198.51.100.20")
    assert (shown.user, shown.object_type, shown.object_ids) == (
        officer,
        "alien",
        [str(known_only_at_el_paso.pk)],
    )
    assert linked.status_code == 201, linked.content
    case = Case.objects.get(pk=linked.json()["cases"][0]["id"])
    assert (case.alien, case.location.code) == (known_only_at_el_paso, "sys-poe")
    read = AccessLog.objects.filter(path=f"{API}/intakes/").exclude(pk=shown.pk).get()
    assert (read.user, read.object_type, read.object_ids) == (
        officer,
        "alien",
        [str(known_only_at_el_paso.pk)],
    )


def test_api_records_a_dismissal_only_for_a_candidate_the_check_offered(officer, known_only_at_el_paso):
    other = AlienFactory(family_name="Okonkwo", given_names="Chidi", date_of_birth=dt.date(1980, 1, 1))
    dismissed = [
        {"alien_id": known_only_at_el_paso.pk, "reason": "Different mother's name"},
        {"alien_id": other.pk, "reason": "Not offered: a guessed id"},
        {"alien_id": unknown_id(), "reason": "Nobody has this id"},
    ]

    response = api(officer).post(
        f"{API}/intakes/", intake({**MARIA, "dismissed_duplicates": dismissed}), format="json"
    )

    assert response.status_code == 201, response.content
    assert list(DuplicateDismissal.objects.values_list("candidate_id", flat=True)) == [
        known_only_at_el_paso.pk
    ]


# --- the HTML intake: the draft's "This is the same person" ----------------------------------------------


def draft_with(officer, member: dict[str, Any]) -> IntakeDraft:
    draft = intake_draft_start(actor=officer, location=location("sys-poe"))
    intake_draft_save_encounter(
        actor=officer,
        draft_id=draft.pk,
        location=location("sys-poe"),
        occurred_at=timezone.now() - dt.timedelta(hours=1),
    )
    return intake_draft_save_member(actor=officer, draft_id=draft.pk, data=member)


def resolve(client, draft: IntakeDraft, candidate_id: int, **post: str):
    return client.post(
        reverse("screenings:intake-duplicate-resolve", args=[draft.pk, 0, candidate_id]),
        {"decision": "same", "step": "members", **post},
    )


def test_page_links_the_duplicate_the_draft_offered_across_locations_and_logs_who_saw_it(
    client_for, officer, known_only_at_el_paso
):
    draft = draft_with(officer, MARIA)
    client = client_for(officer)

    shown = client.get(
        reverse("screenings:intake-draft", args=[draft.pk]) + "?step=members", REMOTE_ADDR="192.0.2.8"
    )
    linked = resolve(client, draft, known_only_at_el_paso.pk)
    created = client.post(reverse("screenings:intake-submit", args=[draft.pk]))

    assert "HERNANDEZ LOPEZ, Maria Jose" in html.unescape(shown.content.decode())
    seen = AccessLog.objects.get(object_type="alien", ip_address="192.0.2.8")
    assert (seen.user, seen.channel, seen.object_ids) == (officer, "page", [str(known_only_at_el_paso.pk)])
    assert linked.status_code == 302
    link_read = AccessLog.objects.get(
        path=reverse("screenings:intake-duplicate-resolve", args=[draft.pk, 0, known_only_at_el_paso.pk])
    )
    assert (link_read.user, link_read.object_type, link_read.object_ids) == (
        officer,
        "alien",
        [str(known_only_at_el_paso.pk)],
    )
    assert created.status_code == 302
    draft.refresh_from_db()
    assert draft.encounter.cases.get().alien == known_only_at_el_paso


def test_page_links_a_person_the_officer_sees_even_when_the_check_did_not_offer_them(
    client_for, officer, seen_at_san_ysidro
):
    draft = draft_with(officer, MARIA)  # typed as Maria; the officer knows it is Rosa, whose case is here

    linked = resolve(client_for(officer), draft, seen_at_san_ysidro.pk)

    assert linked.status_code == 302
    draft.refresh_from_db()
    assert draft.data["members"][0]["existing_alien_id"] == seen_at_san_ysidro.pk


@pytest.mark.parametrize("decision", ["same", "different"])
def test_page_refuses_a_guessed_id_outside_the_officers_scope_exactly_as_an_unknown_id(
    client_for, officer, known_only_at_el_paso, decision
):
    draft = draft_with(officer, ROSA)  # the duplicate check does not offer Maria for Rosa
    client = client_for(officer)
    saved = dict(IntakeDraft.objects.get(pk=draft.pk).data)
    post = {"decision": decision, "reason": "Different person"}

    out_of_scope = resolve(client, draft, known_only_at_el_paso.pk, **post)
    unknown = resolve(client, draft, unknown_id(), **post)

    assert out_of_scope.status_code == unknown.status_code == 400
    assert without_tokens(out_of_scope.content.decode()) == without_tokens(unknown.content.decode())
    assert "Hernandez" not in out_of_scope.content.decode()
    assert IntakeDraft.objects.get(pk=draft.pk).data == saved
    assert not AccessLog.objects.filter(
        object_type="alien", object_ids__contains=[str(known_only_at_el_paso.pk)]
    ).exists()


def test_the_service_gives_one_answer_for_an_unknown_and_an_out_of_scope_candidate(
    officer, known_only_at_el_paso
):
    draft = draft_with(officer, ROSA)
    refusals = []

    for candidate_id in (known_only_at_el_paso.pk, unknown_id()):
        with pytest.raises(InvalidInput) as refused:
            intake_draft_resolve_duplicate(
                actor=officer, draft_id=draft.pk, index=0, candidate_id=candidate_id, link=True
            )
        refusals.append(refused.value.as_dict())

    assert refusals[0] == refusals[1] == {"code": "no_such_person", "detail": REFUSAL, "field": "candidate"}


def test_a_draft_linked_before_an_edit_of_the_identity_is_refused_when_the_cases_are_created(
    client_for, officer, known_only_at_el_paso
):
    """The check is made again when the cases are created: a link that the typed identity no longer offers
    creates nothing. (Written directly: editing the member on the page drops its link.)"""
    draft = draft_with(officer, MARIA)
    resolve(client_for(officer), draft, known_only_at_el_paso.pk)
    member = {**IntakeDraft.objects.get(pk=draft.pk).data["members"][0], **ROSA}
    IntakeDraft.objects.filter(pk=draft.pk).update(data={**draft.data, "members": [member]})
    before = registry_counts()

    refused = client_for(officer).post(reverse("screenings:intake-submit", args=[draft.pk]))

    assert refused.status_code == 400
    assert REFUSAL in html.unescape(refused.content.decode())
    assert registry_counts() == before
