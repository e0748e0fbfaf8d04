"""Field-level privacy on the case page and its API: who reads the family, the holds, the timeline, and the
medical (A4/A5) and fear (S1) content in them.

The policy, written out (mpp.accounts.roles.DETAIL_ROLES and cases.selectors.CASE_CONTEXT_ROLES):
- medical content: CBP officers, Border Patrol agents, CBP supervisors;
- fear content: asylum officers, supervisory asylum officers, CBP supervisors;
- the family unit, the holds and the timeline: every role that sees cases except print staff, who print
  for the person and the case.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent, CaseStatus
from cases.selectors import CASE_CONTEXT_ROLES, case_timeline, holds_of_case
from cases.services import case_move
from hearings.workflow import HEARING_DAY
from mpp.accounts.roles import Role
from screenings.services import amenability_decide, family_submit_for_review, intake_create
from tests.factories import CaseFactory, location, user_with_role
from tests.screenings.factories import fear_claim_for, member, screen_all

pytestmark = pytest.mark.django_db

API = "/api/v1"
FEAR_ACCOUNT = "Says men from the cartel in Reynosa shot his brother and will kill him"
CONDITION = "Seven months pregnant, high blood pressure"
# Words that say what a medical or fear record contains: none may reach a role that may not read it.
WITHHELD = ("health", "A4", "fit_to_travel", "other_condition", CONDITION, FEAR_ACCOUNT)


@pytest.fixture
def family(officer) -> dict[str, Case]:
    """A family decided by the supervisor: the mother not amenable on health (A4, found not fit to
    travel), the father amenable and then stating a fear of return (S1: a fear claim, pending, with its
    hold)."""
    encounter = intake_create(
        actor=officer,
        location=location("sys-poe"),
        occurred_at=timezone.now() - dt.timedelta(hours=2),
        members=[
            member("head", "Ana Lucía", "Reyes Mejía", dt.date(1990, 3, 14)),
            member("spouse", "José Manuel", "Ortiz Pérez", dt.date(1987, 11, 2), country="GT", sex="M"),
        ],
    )
    screen_all(
        officer,
        encounter,
        **{
            "Ana Lucía": {
                "fit_to_travel": "not_fit",
                "pregnancy_disclosed": True,
                "other_condition": CONDITION,
            }
        },
    )
    review = family_submit_for_review(actor=officer, encounter_id=encounter.pk)
    amenability_decide(
        actor=user_with_role(Role.CBP_SUPERVISOR),
        review_id=review.pk,
        reason="Family reviewed with the officer",
    )
    mother, father = encounter.cases.select_related("alien").order_by("id")
    fear_claim_for(father, actor=officer, statement=FEAR_ACCOUNT)
    return {"mother": mother, "father": father}


def without_tokens(text: str) -> str:
    """A page without its CSRF tokens, whose random letters could spell "A4"."""
    return re.sub(r"[A-Za-z0-9]{32,}", "", html.unescape(text))


def page(client_for, user, case: Case) -> str:
    response = client_for(user).get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return without_tokens(response.content.decode())


def test_the_scenario_is_what_the_tests_below_assume(family):
    mother, father = family["mother"], family["father"]
    mother.refresh_from_db()
    father.refresh_from_db()

    assert (mother.status, father.status) == (CaseStatus.NOT_AMENABLE, CaseStatus.AMENABLE)
    assert father.holds.get().is_open


def test_a4_the_health_exclusion_event_is_marked_medical(family):
    decided = CaseEvent.objects.get(case=family["mother"], data__to=CaseStatus.NOT_AMENABLE)

    assert decided.sensitivities == ["medical"]
    assert "health (A4)" in decided.reason  # the content that the mark withholds


@pytest.mark.parametrize("role", [Role.PRINT_STAFF, Role.COURT_STAFF, Role.ICE_OFFICER])
@pytest.mark.parametrize("whose", ["mother", "father"])
def test_medical_and_fear_details_are_absent_from_the_case_page_of_roles_that_may_not_read_them(
    client_for, family, role, whose
):
    text = page(client_for, user_with_role(role), family[whose])

    for word in WITHHELD:
        assert word not in text, word


def test_print_staff_see_the_person_and_the_case_not_the_family_the_holds_or_the_timeline(client_for, family):
    printer = user_with_role(Role.PRINT_STAFF)

    mothers = page(client_for, printer, family["mother"])
    fathers = page(client_for, printer, family["father"])

    assert "REYES MEJÍA" in mothers.upper() and "Not amenable to MPP" in mothers  # the person and the case
    for text in (mothers, fathers):
        assert 'data-testid="family"' not in text
        assert 'data-testid="family-holds"' not in text
        assert 'data-testid="holds"' not in text and 'id="holds-heading"' not in text
        assert 'data-testid="timeline"' not in text
        assert 'data-testid="context-restricted"' in text
    assert "Ortiz Pérez" not in mothers  # the other member of the family is not named
    assert "Reyes Mejía" not in fathers
    assert "Fear claim" not in fathers


@pytest.mark.parametrize("role", [Role.COURT_STAFF, Role.ICE_OFFICER])
def test_court_and_ice_see_the_family_and_that_a_claim_is_pending_but_not_what_was_said(
    client_for, family, role
):
    text = page(client_for, user_with_role(role), family["father"])

    assert 'data-testid="family"' in text and "Reyes Mejía" in text
    assert "Fear claim pending (USCIS assessment)" in text
    assert "Details restricted to the roles that assess them." in text
    assert 'data-testid="timeline"' in text


def test_the_cbp_supervisor_reads_the_medical_and_the_fear_details(client_for, family):
    supervisor = user_with_role(Role.CBP_SUPERVISOR)

    mothers = page(client_for, supervisor, family["mother"])
    fathers = page(client_for, supervisor, family["father"])

    assert "Not amenable: health (A4)." in mothers
    assert "fit_to_travel" in mothers  # which screening facts changed
    assert family["father"].holds.get().reason in fathers  # the fear claim's hold, restricted (fear)


def test_the_supervisory_asylum_officer_reads_the_fear_account_not_the_medical_details(client_for, family):
    sao = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER)

    mothers = page(client_for, sao, family["mother"])
    fathers = page(client_for, sao, family["father"])

    assert family["father"].holds.get().reason in fathers  # the fear claim's hold, restricted (fear)
    assert "A4" not in mothers and "fit_to_travel" not in mothers and CONDITION not in mothers


# --- one selector decides: the API answers as the page does ---------------------------------------------


def test_the_api_admits_to_family_holds_and_timeline_exactly_the_roles_the_selector_admits():
    from cases.api.views import REGISTRY_READER_ROLES

    assert REGISTRY_READER_ROLES == CASE_CONTEXT_ROLES
    assert frozenset(Role.values) - CASE_CONTEXT_ROLES == {Role.PRINT_STAFF, Role.ANALYST}


def test_for_print_staff_the_selectors_return_no_holds_and_no_timeline(family):
    printer = user_with_role(Role.PRINT_STAFF)

    assert holds_of_case(user=printer, case=family["father"]) == []
    assert case_timeline(case=family["mother"], user=printer) == []


def test_print_staff_are_refused_the_timeline_and_holds_endpoints_and_get_no_family_in_the_case(family):
    client = APIClient()
    client.force_login(user_with_role(Role.PRINT_STAFF))
    father = family["father"]

    case = client.get(f"{API}/cases/{father.pk}/")

    assert client.get(f"{API}/cases/{father.pk}/timeline/").status_code == 403
    assert client.get(f"{API}/cases/{father.pk}/holds/").status_code == 403
    assert client.get(f"{API}/family-units/").status_code == 403
    assert case.status_code == 200
    assert "Reyes" not in case.content.decode()


@pytest.mark.parametrize("role", [Role.COURT_STAFF, Role.ICE_OFFICER])
def test_the_api_timeline_and_holds_withhold_the_same_details_as_the_page(family, role):
    client = APIClient()
    client.force_login(user_with_role(role))

    bodies = [
        client.get(f"{API}/cases/{family['mother'].pk}/timeline/").content.decode(),
        client.get(f"{API}/cases/{family['father'].pk}/timeline/").content.decode(),
        client.get(f"{API}/cases/{family['father'].pk}/holds/").content.decode(),
    ]

    for body in bodies:
        for word in WITHHELD:
            assert word not in body, word


# --- a move's reason: what it is --------------------------------------------------------------------


def test_a_moves_reason_is_read_by_every_timeline_reader_unless_its_workflow_marks_it(client_for):
    """Decided: the reason recorded with a move carries no sensitivity unless the workflow that makes it
    marks one (``case_move(sensitivities=...)``): it is the record of a move, read by court, ICE and USCIS
    alike. Medical or fear details go to the screening or a fear claim hold, which are restricted. (The
    generic "Change status" form that once said so next to its field is gone, step 8.)"""
    case = CaseFactory(status=CaseStatus.ENROLLED)
    supervisor = user_with_role(Role.CBP_SUPERVISOR)
    form_page = page(client_for, supervisor, case)
    case_move(
        case_id=case.pk,
        to_status=CaseStatus.IN_MEXICO,
        actor=supervisor,
        reason="Returned through the port",
        workflow=HEARING_DAY,
    )

    court_page = page(client_for, user_with_role(Role.COURT_STAFF), case)

    assert 'data-testid="reason-privacy"' not in form_page  # no status-change form any more
    assert "Returned through the port" in court_page
    assert CaseEvent.objects.get(case=case, type="hearing_day.returned").sensitivities == []


def test_print_staff_posting_a_hold_are_refused_and_shown_the_refusal_without_the_holds(client_for):
    case = CaseFactory(status=CaseStatus.ENROLLED)

    response = client_for(user_with_role(Role.PRINT_STAFF)).post(
        reverse("cases:hold-open", args=[case.pk]), {"hold-kind": "fear_claim", "hold-reason": "Fear stated"}
    )

    text = without_tokens(response.content.decode())
    assert response.status_code in (400, 403)
    assert "The hold was not recorded" in text  # the error summary at the top
    assert 'data-testid="holds"' not in text
    assert not case.holds.exists()
