"""Court staff's pages in court (H2–H5): the docket with counsel (H3), interpreter and the hearing day, its
per-row actions, the decision page, the case's court forms, and ICE's "Final orders" tab (H4). Roles,
query counts, hostile strings."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Alien, CaseStatus, EroHandoff
from hearings import court_services as court
from hearings.models import Completion, Hearing, HearingAttendance, Reopening
from mpp.accounts.roles import Role
from tests.factories import user_with_role
from tests.hearings.court_helpers import checked_in, family_on_docket, port_today
from tests.hearings.factories import slot

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.content.decode())).split())


def docket_url(hearing: Hearing) -> str:
    place = hearing.hearing_location
    day = hearing.starts_at.astimezone(place.zone).date()
    return reverse("hearings:docket") + f"?place={place.pk}&day={day.isoformat()}"


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def heard(court_clerk):
    cases, hearings = family_on_docket(2, clerk=court_clerk)
    return cases, hearings


def test_the_docket_shows_interpreter_counsel_and_the_hearing_day(client_for, court_clerk, heard):
    cases, hearings = heard
    court.representation_record(
        case_id=cases[0].pk,
        kind="attorney",
        name="Ana Ruiz",
        eoir28_filed_on=port_today(cases[0]),
        actor=court_clerk,
        reason="EOIR-28",
    )
    court.failure_to_appear(hearing_ids=[hearings[1].pk], actor=court_clerk, reason="No show")

    response = client_for(court_clerk).get(docket_url(hearings[0]))

    assert response.status_code == 200
    text = text_of(response)
    assert "Ana Ruiz" in text and "None of record" in text
    assert "None needed" in text  # N3: the officer was fluent
    assert "Failed to appear" in text
    body = response.content.decode()
    assert reverse("hearings:hearing-held", args=[hearings[0].pk]) in body
    assert reverse("hearings:hearing-decision", args=[hearings[0].pk]) in body
    assert reverse("hearings:hearing-move", args=[hearings[0].pk]) + "?mode=continued" in body
    assert reverse("hearings:hearing-fta", args=[hearings[1].pk]) not in body  # recorded already


def test_checked_in_people_are_shown_so_and_offer_no_failure_to_appear(client_for, court_clerk, heard):
    _, hearings = heard
    checked_in(hearings[0])

    response = client_for(court_clerk).get(docket_url(hearings[0]))

    assert "Checked in" in text_of(response)
    assert reverse("hearings:hearing-fta", args=[hearings[0].pk]) not in response.content.decode()


def test_the_docket_reads_the_same_number_of_queries_for_few_as_for_many_rows(client_for, court_clerk):
    _, few = family_on_docket(1, clerk=court_clerk, days_ago=2)
    cases, many = family_on_docket(3, clerk=court_clerk, days_ago=3)
    more, more_hearings = family_on_docket(3, clerk=court_clerk, days_ago=3)
    for case in [*cases, *more]:
        court.representation_record(
            case_id=case.pk,
            kind="attorney",
            name="Counsel",
            eoir28_filed_on=port_today(case),
            actor=court_clerk,
            reason="r",
        )
    court.hearing_held(hearing_ids=[many[0].pk], actor=court_clerk, reason="Held")
    court.failure_to_appear(hearing_ids=[many[1].pk], actor=court_clerk, reason="FTA")
    court.completion_record(
        case_id=more[0].pk,
        hearing_id=more_hearings[0].pk,
        decision="asylum",
        decided_on=port_today(more[0]),
        actor=court_clerk,
        reason="Granted",
    )
    client = client_for(court_clerk)
    client.get(docket_url(few[0]))

    assert count_queries(client, docket_url(few[0])) == count_queries(client, docket_url(many[0]))


@pytest.mark.parametrize("role", list(Role))
def test_the_docket_actions_are_for_court_staff_only(client_for, heard, role):
    _, hearings = heard
    user = user_with_role(role, locations=["sys-poe"])

    response = client_for(user).get(docket_url(hearings[0]))
    held = client_for(user).post(
        reverse("hearings:hearing-held", args=[hearings[0].pk]), {"reason": "Held", "next": "/"}
    )

    if role in {Role.COURT_STAFF, Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR}:
        assert response.status_code == 200
        offered = reverse("hearings:hearing-held", args=[hearings[0].pk]) in response.content.decode()
        assert offered == (role == Role.COURT_STAFF)
    else:
        assert response.status_code == 403
    assert held.status_code == (302 if role == Role.COURT_STAFF else 403)
    attended = HearingAttendance.objects.filter(hearing=hearings[0], appearance="attended").exists()
    assert attended == (role == Role.COURT_STAFF)


def test_held_from_the_docket_returns_to_it_with_a_message(client_for, court_clerk, heard):
    _, hearings = heard
    url = docket_url(hearings[0])

    response = client_for(court_clerk).post(
        reverse("hearings:hearing-held", args=[hearings[0].pk]), {"reason": "Held", "next": url}, follow=True
    )

    assert response.redirect_chain[-1][0] == url
    assert "recorded as held" in text_of(response)


def test_a_refused_failure_to_appear_says_why(client_for, court_clerk, heard):
    _, hearings = heard
    checked_in(hearings[0])

    response = client_for(court_clerk).post(
        reverse("hearings:hearing-fta", args=[hearings[0].pk]),
        {"reason": "FTA", "next": docket_url(hearings[0])},
        follow=True,
    )

    assert "h1_checked_in" in text_of(response)


def test_the_continue_link_preselects_continue(client_for, court_clerk, heard):
    _, hearings = heard

    response = client_for(court_clerk).get(
        reverse("hearings:hearing-move", args=[hearings[0].pk]) + "?mode=continued"
    )

    assert re.search(r'value="continued"\s+checked', response.content.decode())


def test_recording_relief_on_the_decision_page_shows_the_person_stays(client_for, court_clerk, heard):
    cases, hearings = heard
    client = client_for(court_clerk)
    url = reverse("hearings:hearing-decision", args=[hearings[0].pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "decision": "asylum",
            "decided_on": port_today(cases[0]).isoformat(),
            "appeal": "none",
            "reason": "Granted",
        },
        follow=True,
    )

    cases[0].refresh_from_db()
    assert cases[0].status == CaseStatus.COMPLETED_RELIEF
    text = text_of(response)
    assert "Relief granted: stays in the U.S." in text
    assert "Initial completion" in text


def test_the_decision_page_names_the_field_in_error(client_for, court_clerk, heard):
    cases, hearings = heard
    court.hearing_held(hearing_ids=[hearings[0].pk], actor=court_clerk, reason="Held")

    missing = client_for(court_clerk).post(
        reverse("hearings:hearing-decision", args=[hearings[0].pk]), {"appeal": "none", "reason": "x"}
    )
    refused = client_for(court_clerk).post(
        reverse("hearings:hearing-decision", args=[hearings[0].pk]),
        {
            "decision": "removal_in_absentia",
            "decided_on": port_today(cases[0]).isoformat(),
            "appeal": "none",
            "reason": "x",
        },
    )

    assert missing.status_code == 400
    assert refused.status_code == 409 and "in_absentia_appeared" in text_of(refused)
    assert not Completion.objects.exists()


def test_the_decision_page_is_for_court_staff(client_for, heard):
    _, hearings = heard

    response = client_for(user_with_role(Role.CBP_SUPERVISOR)).get(
        reverse("hearings:hearing-decision", args=[hearings[0].pk])
    )

    assert response.status_code == 403


def test_case_page_court_forms_counsel_appeal_reopen_and_schedule(client_for, court_clerk, heard):
    cases, hearings = heard
    case = cases[0]
    client = client_for(court_clerk)
    page = reverse("hearings:case-hearings", args=[case.pk])
    today = port_today(case).isoformat()

    client.post(
        reverse("hearings:counsel-record", args=[case.pk]),
        {
            "counsel-kind": "attorney",
            "counsel-name": "Ana Ruiz",
            "counsel-eoir28_filed_on": today,
            "counsel-reason": "EOIR-28",
        },
    )
    court.completion_record(
        case_id=case.pk,
        hearing_id=hearings[0].pk,
        decision="removal_order",
        decided_on=port_today(case),
        appeal="reserved",
        appeal_due_on=port_today(case) + dt.timedelta(days=30),
        actor=court_clerk,
        reason="Ordered",
    )
    shown = text_of(client.get(page))
    completion = Completion.objects.get(case=case)
    client.post(
        reverse("hearings:appeal", args=[case.pk, completion.pk]),
        {"appeal-appeal": "filed", "appeal-filed_on": today, "appeal-reason": "EOIR-26"},
    )
    client.post(
        reverse("hearings:reopen", args=[case.pk]),
        {"reopen-kind": "motion_to_reopen", "reopen-granted_on": today, "reopen-reason": "MTR granted"},
    )
    later = slot(days_ahead=25, hour=9, minute=0, publisher=court_clerk)
    reopened_page = client.get(page)
    client.post(
        reverse("hearings:schedule", args=[case.pk]),
        {"schedule-slot": later.pk, "schedule-kind": "individual", "schedule-reason": "Back on the docket"},
    )

    assert "Ana Ruiz" in shown and "Initial completion" in shown and "BIA deadline" in shown
    completion.refresh_from_db()
    assert completion.appeal == "filed"
    assert Reopening.objects.filter(case=case).count() == 1
    assert f'value="{later.pk}"' in reopened_page.content.decode()  # the slot picker for the reopened case
    assert Hearing.objects.filter(case=case, status="scheduled", slot=later).exists()


def test_case_page_forms_are_not_shown_to_officers_and_posts_are_refused(client_for, heard):
    cases, _ = heard
    officer = user_with_role(Role.CBP_OFFICER)

    page = client_for(officer).get(reverse("hearings:case-hearings", args=[cases[0].pk]))
    posted = client_for(officer).post(reverse("hearings:reopen", args=[cases[0].pk]), {})

    assert page.status_code == 200
    assert 'data-testid="counsel-form"' not in page.content.decode()
    assert "No counsel of record" in text_of(page)
    assert posted.status_code == 403


def test_a_refused_court_form_names_the_field_and_rule(client_for, court_clerk, heard):
    cases, _ = heard

    response = client_for(court_clerk).post(
        reverse("hearings:reopen", args=[cases[0].pk]),
        {
            "reopen-kind": "remand",
            "reopen-granted_on": port_today(cases[0]).isoformat(),
            "reopen-reason": "x",
        },
        follow=True,
    )

    assert "h5_nothing_to_reopen" in text_of(response)


# --- ICE's "Final orders" tab (H4) -------------------------------------------------------------------------


def _final_order(court_clerk, heard):
    cases, hearings = heard
    court.completion_record(
        case_id=cases[0].pk,
        hearing_id=hearings[0].pk,
        decision="removal_in_absentia",
        decided_on=port_today(cases[0]),
        actor=court_clerk,
        reason="In absentia",
    )
    return cases[0], EroHandoff.objects.get(case=cases[0])


def test_ice_sees_the_final_orders_tab_and_records_the_hand_off(client_for, court_clerk, heard):
    case, handoff = _final_order(court_clerk, heard)
    ice = user_with_role(Role.ICE_OFFICER)
    client = client_for(ice)
    tab = reverse("cases:custody-queue") + "?tab=ero"

    listed = client.get(tab)
    response = client.post(
        reverse("cases:ero-handoff-record", args=[handoff.pk]),
        {"handed_location": handoff.location_id, "received_by_name": "ERO Officer Diaz", "reason": "Taken"},
        follow=True,
    )

    assert listed.status_code == 200 and case.alien.full_name in text_of(listed)
    assert "Final orders: hand-off to ERO" in text_of(listed)
    case.refresh_from_db()
    assert case.status == CaseStatus.HANDED_TO_ICE
    assert "handed over to ICE ERO" in text_of(response)
    assert case.alien.full_name not in text_of(client.get(tab))


def test_the_final_orders_tab_is_for_ice(client_for, court_clerk, heard):
    _, handoff = _final_order(court_clerk, heard)

    for role in (Role.CBP_OFFICER, Role.COURT_STAFF, Role.PRINT_STAFF, Role.ANALYST, Role.ASYLUM_OFFICER):
        user = user_with_role(role, locations=["sys-poe"])
        assert client_for(user).get(reverse("cases:custody-queue") + "?tab=ero").status_code == 403
        assert (
            client_for(user).post(reverse("cases:ero-handoff-record", args=[handoff.pk]), {}).status_code
            == 403
        )


def test_the_ero_tab_reads_the_same_queries_for_few_and_many(client_for, court_clerk):
    client = client_for(user_with_role(Role.ICE_OFFICER))
    url = reverse("cases:custody-queue") + "?tab=ero"
    _final_order(court_clerk, family_on_docket(1, clerk=court_clerk))
    client.get(url)
    few = count_queries(client, url)
    for _ in range(3):
        _final_order(court_clerk, family_on_docket(1, clerk=court_clerk))

    assert count_queries(client, url) == few


def test_hostile_strings_are_escaped_on_the_docket_case_page_and_ero_tab(client_for, court_clerk, heard):
    cases, hearings = heard
    hostile = "<script>alert(1)</script>"
    Alien.objects.filter(pk=cases[0].alien_id).update(given_names=hostile)
    court.representation_record(
        case_id=cases[0].pk,
        kind="attorney",
        name=hostile,
        eoir28_filed_on=port_today(cases[0]),
        actor=court_clerk,
        reason="r",
    )
    _final_order(court_clerk, heard)

    pages = [
        client_for(court_clerk).get(docket_url(hearings[0])),
        client_for(court_clerk).get(reverse("hearings:case-hearings", args=[cases[0].pk])),
        client_for(user_with_role(Role.ICE_OFFICER)).get(reverse("cases:custody-queue") + "?tab=ero"),
    ]

    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200
        assert hostile not in body
        assert "&lt;script&gt;" in body


def test_the_case_hearings_page_reads_the_same_queries_with_one_decision_or_several(client_for, court_clerk):
    """The case page budget (12 queries): the court's part adds two (counsel, decisions), whatever the
    history; a removal order in it, a third (the hand-offs to ICE ERO) — 10 in all (the session, the user and
    the unread badge in one query: mpp.sessions), the NTA's charges read in the NTA's row."""
    (few,), (few_hearing,) = family_on_docket(1, clerk=court_clerk)
    (many,), (many_hearing,) = family_on_docket(1, clerk=court_clerk)
    for case, hearing in ((few, few_hearing), (many, many_hearing)):
        court.completion_record(
            case_id=case.pk,
            hearing_id=hearing.pk,
            decision="removal_in_absentia",
            decided_on=port_today(case),
            actor=court_clerk,
            reason="In absentia",
        )
    court.reopening_record(
        case_id=many.pk, kind="motion_to_reopen", granted_on=port_today(many), actor=court_clerk, reason="MTR"
    )
    court.completion_record(
        case_id=many.pk,
        hearing_id=None,
        decision="asylum",
        decided_on=port_today(many),
        actor=court_clerk,
        reason="Granted",
    )
    court.representation_record(
        case_id=many.pk,
        kind="attorney",
        name="A",
        eoir28_filed_on=port_today(many),
        actor=court_clerk,
        reason="r",
    )
    officer = client_for(user_with_role(Role.CBP_OFFICER))
    url = lambda case: reverse("hearings:case-hearings", args=[case.pk])  # noqa: E731
    officer.get(url(few))

    assert count_queries(officer, url(few)) == count_queries(officer, url(many)) == 10
    (plain,), _ = family_on_docket(1, clerk=court_clerk)
    assert count_queries(officer, url(plain)) == 9


def test_o1_the_docket_marks_a_hearing_closed_to_the_public_without_its_reason(
    client_for, court_clerk, heard
):
    """O1: a hearing closed for the person's sensitive matters is tagged on its docket row, the reason is not
    shown; court staff get a link to close (or open) each hearing; the docket reads no more queries for it."""
    from hearings import observer_services

    _, hearings = heard
    client = client_for(court_clerk)
    url = docket_url(hearings[0])
    client.get(url)
    before = count_queries(client, url)
    observer_services.hearing_close_to_public(
        hearing_id=hearings[0].pk, actor=court_clerk, reason="Sensitive <script>x</script> matters"
    )

    response = client.get(url)
    page = response.content.decode()
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(r'<tr data-testid="docket-row"[^>]*data-hearing="(\d+)".*?</tr>', page, re.S)
    }
    closed, open_ = rows[str(hearings[0].pk)], rows[str(hearings[1].pk)]
    assert "Closed to the public" in closed
    assert "Closed to the public" not in open_
    assert "Sensitive" not in page
    assert reverse("hearings:hearing-close", args=[hearings[0].pk]) in closed
    assert "Open to the public" in closed
    assert reverse("hearings:hearing-close", args=[hearings[1].pk]) in open_
    assert "Close to the public" in open_
    assert count_queries(client, url) == before


def test_o1_the_docket_tags_closed_hearings_but_offers_no_close_link_to_port_officers(
    client_for, court_clerk, heard
):
    """O1: everyone who reads the docket sees the tag; only court staff get the close link."""
    from hearings import observer_services

    _, hearings = heard
    observer_services.hearing_close_to_public(
        hearing_id=hearings[0].pk, actor=court_clerk, reason="Sensitive"
    )
    officer = user_with_role(Role.CBP_OFFICER, locations=["sys-poe"])

    page = client_for(officer).get(docket_url(hearings[0])).content.decode()

    assert "Closed to the public" in page
    assert "Sensitive" not in page
    assert reverse("hearings:hearing-close", args=[hearings[0].pk]) not in page
