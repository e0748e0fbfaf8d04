"""N2: assigning the A-number of a person registered without one — service, page and API — and the case event
it records on each of the person's cases."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.exceptions import CaseNotFound, InvalidInput, NotPermitted
from cases.models import CaseEvent
from cases.selectors import case_timeline
from cases.services import alien_assign_a_number
from mpp.accounts.roles import Role
from tests.factories import AlienFactory, CaseFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def unnumbered():
    """A person at San Ysidro with no A-number yet, with two cases (two encounters)."""
    alien = AlienFactory(a_number=None, given_names="Rosa", family_name="Téllez")
    first = CaseFactory(alien=alien)
    second = CaseFactory(alien=alien)
    return alien, first, second


def test_n2_assigning_normalises_the_number_and_records_it_on_every_case_of_the_person(officer, unnumbered):
    alien, first, second = unnumbered

    alien_assign_a_number(alien_id=alien.pk, a_number="12-345-678", actor=officer, reason="Biometrics taken")

    alien.refresh_from_db()
    assert alien.a_number == "A012345678"
    events = CaseEvent.objects.filter(type="alien.a_number_assigned").order_by("case_id")
    assert [(e.case_id, e.data, e.actor) for e in events] == [
        (first.pk, {"a_number": "A012345678"}, officer),
        (second.pk, {"a_number": "A012345678"}, officer),
    ]
    assert alien.history.first().history_change_reason == "Biometrics taken"
    entry = case_timeline(case=first, user=officer)[-1]
    assert (entry.label, entry.reason) == ("A-number assigned", "Biometrics taken")


def test_n2_the_same_assignment_twice_records_it_once(officer, unnumbered):
    alien, _, _ = unnumbered

    alien_assign_a_number(alien_id=alien.pk, a_number="A123456780", actor=officer, reason="Assigned")
    alien_assign_a_number(alien_id=alien.pk, a_number="123456780", actor=officer, reason="Double submit")

    assert CaseEvent.objects.filter(type="alien.a_number_assigned").count() == 2  # one per case, once


def test_n2_a_person_with_a_number_keeps_it(officer):
    alien = CaseFactory(alien__a_number="A111111111").alien

    with pytest.raises(InvalidInput) as refused:
        alien_assign_a_number(alien_id=alien.pk, a_number="A222222222", actor=officer, reason="x")

    assert (refused.value.code, refused.value.rule, refused.value.field) == (
        "a_number_already_assigned",
        "N2",
        "a_number",
    )
    alien.refresh_from_db()
    assert alien.a_number == "A111111111"


def test_n2_a_number_registered_to_someone_else_is_refused(officer, unnumbered):
    alien, _, _ = unnumbered
    AlienFactory(a_number="A333333333")

    with pytest.raises(InvalidInput) as refused:
        alien_assign_a_number(alien_id=alien.pk, a_number="333-333-333", actor=officer, reason="x")

    assert refused.value.code == "a_number_exists"
    alien.refresh_from_db()
    assert alien.a_number is None
    assert not CaseEvent.objects.filter(type="alien.a_number_assigned").exists()


@pytest.mark.parametrize("bad", ["A12345", "B123456789", "12345678901"])
def test_n2_a_malformed_number_is_refused_naming_the_field(officer, unnumbered, bad):
    alien, _, _ = unnumbered

    with pytest.raises(InvalidInput) as refused:
        alien_assign_a_number(alien_id=alien.pk, a_number=bad, actor=officer, reason="x")

    assert refused.value.field == "a_number"


@pytest.mark.parametrize(
    "role", [Role.PRINT_STAFF, Role.COURT_STAFF, Role.ASYLUM_OFFICER, Role.ICE_OFFICER, Role.ANALYST]
)
def test_only_cbp_field_roles_assign_a_numbers(unnumbered, role):
    alien, _, _ = unnumbered

    with pytest.raises(NotPermitted):
        alien_assign_a_number(
            alien_id=alien.pk, a_number="A123456780", actor=user_with_role(role), reason="x"
        )

    alien.refresh_from_db()
    assert alien.a_number is None


def test_a_person_known_only_at_another_location_is_not_found(unnumbered):
    alien, _, _ = unnumbered
    elsewhere = user_with_role(Role.CBP_OFFICER, locations=["elp-poe"])

    with pytest.raises(CaseNotFound):
        alien_assign_a_number(alien_id=alien.pk, a_number="A123456780", actor=elsewhere, reason="x")


def test_the_case_page_assigns_the_number_and_shows_it(client, officer, unnumbered):
    _, first, _ = unnumbered
    client.force_login(officer)
    page = client.get(reverse("cases:detail", args=[first.pk]))
    assert 'data-testid="a-number-form"' in page.content.decode()

    response = client.post(
        reverse("cases:a-number", args=[first.pk]),
        {"anum-a_number": "123-456-780", "anum-reason": "Biometrics taken at San Ysidro"},
    )

    assert response.status_code == 302
    after = client.get(reverse("cases:detail", args=[first.pk])).content.decode()
    assert "A123456780" in after and 'data-testid="a-number-form"' not in after
    assert 'data-event="alien.a_number_assigned"' in after


def test_the_case_page_shows_a_bad_number_next_to_the_field_and_saves_nothing(client, officer, unnumbered):
    alien, first, _ = unnumbered
    client.force_login(officer)

    response = client.post(
        reverse("cases:a-number", args=[first.pk]), {"anum-a_number": "A12", "anum-reason": "Biometrics"}
    )

    assert response.status_code == 400
    assert "N2 · a_number_invalid" in response.content.decode()
    alien.refresh_from_db()
    assert alien.a_number is None


def test_print_staff_see_no_form_and_are_refused(client, unnumbered):
    alien, first, _ = unnumbered
    client.force_login(user_with_role(Role.PRINT_STAFF))

    assert (
        'data-testid="a-number-form"'
        not in client.get(reverse("cases:detail", args=[first.pk])).content.decode()
    )
    response = client.post(
        reverse("cases:a-number", args=[first.pk]), {"anum-a_number": "A123456780", "anum-reason": "x"}
    )

    assert response.status_code == 403
    alien.refresh_from_db()
    assert alien.a_number is None


def test_api_assigns_the_number_and_refuses_other_roles(officer, unnumbered):
    alien, _, _ = unnumbered
    url = reverse("api-v1:aliens-assign-a-number", args=[alien.pk])
    clerk = APIClient()
    clerk.force_login(user_with_role(Role.COURT_STAFF))
    api = APIClient()
    api.force_login(officer)

    refused = clerk.post(url, {"a_number": "A123456780", "reason": "x"}, format="json")
    bad = api.post(url, {"a_number": "nope", "reason": "x"}, format="json")
    done = api.post(url, {"a_number": "A123456780", "reason": "Biometrics"}, format="json")

    assert refused.status_code == 403
    assert bad.status_code == 400 and bad.json()["field"] == "a_number"
    assert done.status_code == 200 and done.json()["a_number"] == "A123456780"


def test_api_another_locations_person_is_404(unnumbered):
    alien, _, _ = unnumbered
    api = APIClient()
    api.force_login(user_with_role(Role.CBP_OFFICER, locations=["elp-poe"]))

    response = api.post(
        reverse("api-v1:aliens-assign-a-number", args=[alien.pk]), {"a_number": "A123456780", "reason": "x"}
    )

    assert response.status_code == 404
