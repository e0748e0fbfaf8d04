"""The HTML pages: sign-in, home per role, search, the case page (what moves it next), notifications."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseStatus, Hold
from cases.services import case_move
from hearings.workflow import HEARING_DAY
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from mpp.outbox.models import Notification, OutboxEvent
from screenings.services import screening_facts_save
from screenings.workflow import AMENABILITY_REVIEW
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

PASSWORD = "correct-horse-battery"  # UserFactory's default


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def between(text: str, start: str, end: str) -> str:
    """The part of a page from the first ``start`` to the next ``end`` after it."""
    begin = text.index(start)
    return text[begin : text.index(end, begin)]


def submit_for_review(case: Case, officer: User, reason: str = "Screened") -> Case:
    """Move a case to awaiting_review as the screening workflow does (A3: that move is the workflow's)."""
    return case_move(
        case_id=case.pk,
        to_status=CaseStatus.AWAITING_REVIEW,
        actor=officer,
        reason=reason,
        workflow=AMENABILITY_REVIEW,
    )


FEAR_ACCOUNT = "Said her former partner's gang threatened her in Tijuana; referred to USCIS"


def fear_claim(
    case: Case,
    *,
    by: User | None = None,
    reason: str = FEAR_ACCOUNT,
    opened_at: dt.datetime | None = None,
) -> Hold:
    """An open S1 fear-claim hold written directly, at the case's location (what blocks moves while a claim
    is pending; ``fear_claim_for``, i.e. ``fear_claim_record``, is used where the claim and its recorded
    events matter to the test)."""
    return Hold.objects.create(
        case=case,
        kind="fear_claim",
        rule="S1",
        reason=reason,
        location=case.location,
        opened_by=by or user_with_role(Role.CBP_OFFICER),
        opened_at=opened_at or timezone.now(),
    )


# --- Sign in and out -------------------------------------------------------------------------------------


def test_login_page_has_banner_cui_notice_and_labelled_fields(client):
    response = client.get(reverse("login"))

    text = page_text(response)
    assert response.status_code == 200
    assert "<title>Sign in — MPP Case Management</title>" in text
    assert "An official website of the United States government" in text
    assert "Controlled Unclassified Information — authorized use only" in text
    assert '<label class="usa-label" for="id_username">' in text
    assert '<label class="usa-label" for="id_password">' in text
    assert 'href="#main-content"' in text  # skip link
    assert "vendor/uswds/js/uswds-init.min.js" in text and "vendor/uswds/css/uswds.min.css" in text


def test_login_with_the_right_password_lands_on_home(client, officer):
    response = client.post(reverse("login"), {"username": officer.username, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("cases:home")
    assert "Recent cases at your duty locations" in page_text(client.get(response.url))


def test_login_with_a_wrong_password_says_so_next_to_the_form(client, officer):
    response = client.post(reverse("login"), {"username": officer.username, "password": "wrong-password-123"})

    text = page_text(response)
    assert response.status_code == 200
    assert "<title>Error: Sign in — MPP Case Management</title>" in text
    assert "Sign-in failed" in text
    assert "Please enter a correct username and password" in text


def test_login_with_empty_fields_names_each_field(client):
    response = client.post(reverse("login"), {"username": "", "password": ""})

    text = page_text(response)
    assert '<a href="#id_username">Username</a>: This field is required.' in text
    assert '<a href="#id_password">Password</a>: This field is required.' in text
    assert 'id="id_username_error"' in text and 'aria-invalid="true"' in text


def test_logout_is_a_post_that_returns_to_the_login_page(client_for, officer):
    client = client_for(officer)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get(reverse("cases:home")).status_code == 302


def test_an_expired_form_gets_a_clear_page_not_a_technical_one(officer):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": officer.username, "password": PASSWORD})

    assert response.status_code == 403
    assert "The form expired" in page_text(response)


def test_pages_send_anonymous_users_to_the_login_page(client, case):
    for url in (reverse("cases:home"), reverse("cases:search"), reverse("cases:detail", args=[case.pk])):
        response = client.get(url)

        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")


def test_the_header_names_the_user_roles_and_offers_log_out(client_for):
    officer = user_with_role(Role.CBP_OFFICER, first_name="Ana", last_name="Ruiz")

    text = page_text(client_for(officer).get(reverse("cases:home")))

    assert "MPP Case Management" in text
    assert "Ana Ruiz" in text
    assert "CBP officer (port of entry)" in text
    assert f'action="{reverse("logout")}"' in text and ">Log out</button>" in text


# --- Home per role ---------------------------------------------------------------------------------------

# role → what its home page must say
HOME_CONTENT = {
    Role.CBP_OFFICER: "Recent cases at your duty locations",
    Role.BORDER_PATROL_AGENT: "Recent cases at your duty locations",
    Role.CBP_SUPERVISOR: "Awaiting amenability review",
    Role.ASYLUM_OFFICER: "Recent cases",
    Role.SUPERVISORY_ASYLUM_OFFICER: "Recent cases",
    Role.COURT_STAFF: "Recent cases",
    Role.ICE_OFFICER: "Recent cases",
    Role.PRINT_STAFF: "Recent cases at your duty locations",
    Role.ADMINISTRATOR: "Recent cases",
    Role.ANALYST: "USCIS referrals and their outcomes (M2)",
}


@pytest.mark.parametrize("role", list(Role))
def test_home_shows_each_role_its_own_content(client_for, role):
    at_sys = CaseFactory(status=CaseStatus.AWAITING_REVIEW)  # San Ysidro
    at_cv = family_with_cases(size=1, location_code="cv-bps")[0]  # Chula Vista station
    user = user_with_role(role)

    response = client_for(user).get(reverse("cases:home"))

    text = page_text(response)
    assert response.status_code == 200
    assert Role(role).label in text  # the heading area names the role
    assert HOME_CONTENT[role] in text
    visible = {
        Role.CBP_OFFICER: {at_sys},
        Role.CBP_SUPERVISOR: {at_sys},
        Role.PRINT_STAFF: {at_sys},
        Role.BORDER_PATROL_AGENT: {at_cv},
        Role.ANALYST: set(),
    }.get(role, {at_sys, at_cv})
    for shown in (at_sys, at_cv):
        assert (shown.alien.a_number in text) is (shown in visible), shown.location.code
    assert ('role="search"' in text) is (role != Role.ANALYST)


def test_analyst_home_says_there_is_no_access_to_personal_data(client_for):
    text = page_text(client_for(user_with_role(Role.ANALYST)).get(reverse("cases:home")))

    assert "no access to personal case data" in text
    assert f'href="{reverse("cases:search")}"' not in text  # no Search in the menu


def test_home_without_a_role_asks_for_an_administrator(client_for):
    text = page_text(client_for(UserFactory()).get(reverse("cases:home")))

    assert "No role assigned" in text
    assert "Ask an administrator" in text


def test_supervisor_review_queue_lists_cases_awaiting_review_oldest_first(client_for, supervisor, officer):
    newer, older = CaseFactory(), CaseFactory()
    submit_for_review(older, officer)
    submit_for_review(newer, officer)
    still_screening = CaseFactory()

    text = page_text(client_for(supervisor).get(reverse("cases:home")))

    queue = text[
        text.index('data-testid="review-queue"') : text.index("</table>", text.index("review-queue"))
    ]
    assert queue.index(older.alien.a_number) < queue.index(newer.alien.a_number)
    assert still_screening.alien.a_number not in queue


def test_home_shows_status_tags(client_for, officer):
    CaseFactory(status=CaseStatus.NOT_AMENABLE)
    CaseFactory(status=CaseStatus.AWAITING_REVIEW)

    text = page_text(client_for(officer).get(reverse("cases:home")))

    assert 'class="usa-tag mpp-status mpp-status--out">Not amenable to MPP</span>' in text
    assert (
        'class="usa-tag mpp-status mpp-status--action">Awaiting supervisor review of amenability</span>'
        in text
    )
    assert "Fear claim pending" not in text  # a pending fear claim is a hold now, not a status


# --- Search ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["A123456789", "123-456-789", "a 123456789"])
def test_search_finds_a_case_by_any_a_number_spelling(client_for, officer, spelling):
    case = CaseFactory(alien=AlienFactory(a_number="A123456789"))
    CaseFactory()  # someone else

    response = client_for(officer).get(reverse("cases:search"), {"q": spelling})

    text = page_text(response)
    assert response.status_code == 200
    assert "1 result for A-number" in text
    assert f'href="{reverse("cases:detail", args=[case.pk])}"' in text  # listed, not redirected
    assert text.count("<tr>") == 2  # the header row and one result


def test_search_finds_a_misspelled_family_name(client_for, officer):
    case = CaseFactory(alien=AlienFactory(family_name="Hernandez", given_names="Lucia"))
    CaseFactory(alien=AlienFactory(family_name="Okonkwo", given_names="Chidi"))

    text = page_text(client_for(officer).get(reverse("cases:search"), {"q": "Hernandes"}))

    assert case.alien.a_number in text
    assert "Okonkwo" not in text


def test_search_results_show_the_person_and_the_case(client_for, officer):
    case = CaseFactory(
        alien=AlienFactory(family_name="Hernandez", given_names="Lucia", country_of_citizenship="GT")
    )

    text = page_text(client_for(officer).get(reverse("cases:search"), {"q": "Hernandez"}))

    for column in ("A-number", "Name", "Date of birth", "Citizenship", "Location", "Status"):
        assert f'<th scope="col">{column}</th>' in text
    assert "HERNANDEZ, Lucia" in text
    assert "1990-05-17" in text
    assert "Guatemala" in text
    assert "San Ysidro Port of Entry" in text
    assert "Screening in progress" in text
    assert f"Case {case.pk}</a>" in text


def test_search_results_are_recorded_in_the_access_log(client_for, officer):
    shown = CaseFactory(alien=AlienFactory(family_name="Hernandez", given_names="Lucia"))
    elsewhere = CaseFactory(
        alien=AlienFactory(family_name="Hernandez", given_names="Rosa"),
        encounter=EncounterFactory(location=location("elp-poe")),
    )

    client_for(officer).get(reverse("cases:search"), {"q": "Hernandez"})

    logged = {
        pk
        for ids in AccessLog.objects.filter(user=officer, object_type="case").values_list(
            "object_ids", flat=True
        )
        for pk in ids
    }
    assert logged == {str(shown.pk)}  # what the officer was shown, not the case at another port
    assert str(elsewhere.pk) not in logged


def test_search_without_a_query_explains_how_to_search(client_for, officer):
    text = page_text(client_for(officer).get(reverse("cases:search")))

    assert "How to search" in text
    assert "No results" not in text


def test_search_without_results_says_so(client_for, officer):
    CaseFactory()

    text = page_text(client_for(officer).get(reverse("cases:search"), {"q": "A999999999"}))

    assert "No results" in text
    assert "No case you can see matches A-number" in text


def test_officer_cannot_open_or_find_a_case_at_another_port(client_for, officer):
    elsewhere = CaseFactory(
        encounter__location=location("elp-poe"),
        alien=AlienFactory(a_number="A555666777", family_name="Villanueva"),
    )
    client = client_for(officer)

    assert client.get(reverse("cases:detail", args=[elsewhere.pk])).status_code == 404
    by_number = page_text(client.get(reverse("cases:search"), {"q": "A555666777"}))
    by_name = page_text(client.get(reverse("cases:search"), {"q": "Villanueva"}))
    assert "No results" in by_number and "No results" in by_name
    assert reverse("cases:detail", args=[elsewhere.pk]) not in by_number + by_name


@pytest.mark.parametrize("role", [Role.ANALYST, None])
def test_users_without_case_access_get_403_on_search_and_case_pages(client_for, case, role):
    user = user_with_role(role) if role else UserFactory()
    client = client_for(user)

    assert client.get(reverse("cases:search"), {"q": case.alien.a_number}).status_code == 403
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 403
    assert "Access denied" in page_text(response)
    hold = client.post(
        reverse("cases:hold-open", args=[case.pk]), {"hold-kind": "fear_claim", "hold-reason": "x"}
    )
    assert hold.status_code == 403
    assert not Hold.objects.exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.SCREENING
    assert not AccessLog.objects.filter(object_type="case", object_ids__contains=[str(case.pk)]).exists()


# --- The case page ---------------------------------------------------------------------------------------


def test_case_page_shows_person_family_encounter_status_and_timeline(client_for, officer):
    head, child = family_with_cases(size=2)
    submit_for_review(head, officer, reason="Screening done")

    response = client_for(officer).get(reverse("cases:detail", args=[head.pk]))

    text = page_text(response)
    assert response.status_code == 200
    assert f"<title>Case {head.pk} — MPP Case Management</title>" in text  # no personal data in the title
    # Person
    assert f'<dd class="mpp-a-number">{head.alien.a_number}</dd>' in text
    assert head.alien.family_name in text and head.alien.given_names in text
    assert "1990-05-17 (age " in text
    assert "Honduras" in text and "Spanish" in text and "Female" in text
    # Family unit, with the other member's case in this encounter
    assert child.alien.full_name in text and child.alien.a_number in text
    assert "Child of the head" in text
    assert f'href="{reverse("cases:detail", args=[child.pk])}"' in text
    # Encounter: local time and UTC, where, component
    assert "(America/Los_Angeles)" in text and " UTC" in text
    assert "San Ysidro Port of Entry" in text
    assert "Office of Field Operations (at a port of entry)" in text
    # Status
    assert "<code>awaiting_review</code>" in text
    # Timeline: who, from → to, why
    timeline = text[text.index('data-testid="timeline"') :]
    assert officer.display_name in timeline
    assert "Screening done" in timeline
    assert "Screening in progress → <strong>Awaiting supervisor review of amenability</strong>" in timeline


def test_viewing_a_case_writes_an_access_log_row(client_for, officer, case):
    client_for(officer).get(reverse("cases:detail", args=[case.pk]))

    entry = AccessLog.objects.get(object_type="case", object_ids__contains=[str(case.pk)])
    assert entry.user == officer
    assert entry.channel == "page"
    assert entry.path == reverse("cases:detail", args=[case.pk])


def test_a_case_that_does_not_exist_is_404(client_for, officer):
    assert client_for(officer).get(reverse("cases:detail", args=[987654])).status_code == 404


# --- What moves the case next (step 8: no status-change form) ---------------------------------------------

# The moves the amenability review makes (A3), written out from the policy: the officer submits the
# screening; the supervisor confirms, excludes or sends it back.
REVIEW_WORKFLOW_MOVES = {
    CaseStatus.SCREENING: [CaseStatus.AWAITING_REVIEW],
    CaseStatus.AWAITING_REVIEW: [CaseStatus.AMENABLE, CaseStatus.NOT_AMENABLE, CaseStatus.SCREENING],
}


def next_moves(text: str) -> str:
    return between(text, 'data-testid="next-moves"', "</section>")


def test_the_case_page_lists_the_moves_of_the_table_and_the_users_roles_and_where_each_is_made(
    client_for, officer, supervisor
):
    """H1: from enrolled, the port's hearing day returns the person to Mexico (CBP officer and supervisor);
    S4: removal from MPP is the supervisory asylum officer's concurrence, listed to neither."""
    case = CaseFactory(status=CaseStatus.ENROLLED)

    officer_moves = next_moves(page_text(client_for(officer).get(reverse("cases:detail", args=[case.pk]))))
    supervisor_moves = next_moves(
        page_text(client_for(supervisor).get(reverse("cases:detail", args=[case.pk])))
    )

    for moves in (officer_moves, supervisor_moves):
        assert (
            '<li data-move="in_mexico"><strong>In Mexico awaiting hearing</strong>: made by recording the '
            in moves
        )
        assert "return to Mexico at the port (the case's hearing day, H1)." in moves
        assert 'data-move="in_us_for_hearing"' not in moves  # not a move of the table from enrolled
        assert 'data-move="removed_from_mpp"' not in moves
        assert "<form" not in moves and "<select" not in moves  # nothing is moved here


@pytest.mark.parametrize("current", [CaseStatus.SCREENING, CaseStatus.AWAITING_REVIEW])
def test_a3_the_case_page_says_the_amenability_review_makes_its_moves(
    client_for, officer, supervisor, current
):
    """A3: from these statuses every move of the table belongs to the screening and review workflow; the
    page names it for the role that makes each move, and has no form to make one."""
    case = CaseFactory(status=current)
    makers = {CaseStatus.SCREENING: officer, CaseStatus.AWAITING_REVIEW: supervisor}

    for user in (officer, supervisor):
        text = page_text(client_for(user).get(reverse("cases:detail", args=[case.pk])))
        moves = next_moves(text)
        assert 'id="id_to_status"' not in text, user
        for status in REVIEW_WORKFLOW_MOVES[current]:
            assert (f'data-move="{status}"' in moves) is (user == makers[current]), (user, status)
        if user == makers[current]:
            assert "(the family's screening page, A3)" in moves or "(the review queue, A3)" in moves
        else:
            assert "Your role makes no move of this case" in moves


def test_the_page_says_so_when_the_users_roles_make_no_move_of_the_case(client_for, court_clerk, case):
    text = page_text(client_for(court_clerk).get(reverse("cases:detail", args=[case.pk])))

    assert "Your role makes no move of this case from “Screening in progress”." in next_moves(text)
    assert 'data-move="' not in next_moves(text)


def test_s4_the_sao_is_told_removal_from_mpp_is_made_by_the_concurrence(client_for):
    """S4: removal from MPP is made by the SAO's concurrence with a positive assessment, not here."""
    case = CaseFactory(status=CaseStatus.ENROLLED)
    sao = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER)

    moves = next_moves(page_text(client_for(sao).get(reverse("cases:detail", args=[case.pk]))))

    assert '<li data-move="removed_from_mpp">' in moves
    assert "made by the supervisory asylum officer's concurrence with a positive fear assessment" in moves
    assert 'data-move="in_mexico"' not in moves


def test_a_move_made_by_its_workflow_is_on_the_timeline_with_actor_and_reason(client_for, officer):
    """N1/H1: the officer returns an enrolled person to Mexico with the tear sheet (the hearing day's move)."""
    case = CaseFactory(status=CaseStatus.ENROLLED)
    case_move(
        case_id=case.pk,
        to_status=CaseStatus.IN_MEXICO,
        actor=officer,
        reason="Returned through San Ysidro with the tear sheet",
        workflow=HEARING_DAY,
    )

    page = page_text(client_for(officer).get(reverse("cases:detail", args=[case.pk])))

    row = between(page, '<tr data-event="hearing_day.returned">', "</tr>")
    assert (
        "Returned to Mexico (H1): Enrolled: NTA served → <strong>In Mexico awaiting hearing</strong>" in row
    )
    assert "Returned through San Ysidro with the tear sheet" in row
    assert officer.display_name in row


# --- Holds on the case page: a pending fear claim (S1, S3, S4, F4) ---------------------------------------


def test_s1_the_holds_section_shows_an_open_fear_claim_with_rule_blocks_who_when_and_where(
    client_for, supervisor
):
    recorder = user_with_role(Role.CBP_OFFICER, first_name="Ana", last_name="Ruiz")
    case = CaseFactory(status=CaseStatus.ENROLLED)  # San Ysidro: America/Los_Angeles, PST in January
    fear_claim(case, by=recorder, opened_at=dt.datetime(2026, 1, 5, 18, 14, tzinfo=dt.UTC))

    text = page_text(client_for(supervisor).get(reverse("cases:detail", args=[case.pk])))

    holds = between(text, 'data-testid="holds"', "</table>")
    assert "Fear claim pending (USCIS assessment)" in holds
    assert '<span class="mpp-rule">S1</span>' in holds
    assert "2026-01-05 10:14 PST" in holds  # when, in the opening location's time
    assert "San Ysidro Port of Entry" in holds  # where
    assert "Ana Ruiz" in holds  # who
    assert "<strong>Open</strong>" in holds
    # what it blocks: the claimant's amenability decision, enrolment and return (S1/S4), the family's
    # return to Mexico (F4)
    blocks = html.unescape(between(holds, "moving this case to", "</td>"))
    for words in (
        "“Amenable”",
        "“Not amenable to MPP”",
        "“Enrolled”",
        "“In Mexico awaiting hearing”",
        "(S1)",
    ):
        assert words in blocks, words
    assert "moving any other member of the family to “In Mexico awaiting hearing” (F4)" in blocks
    assert FEAR_ACCOUNT in holds  # the CBP supervisor may read the account (S4: decides knowing it)
    assert 'data-testid="no-holds"' not in text


@pytest.mark.parametrize(
    ("role", "reads_the_account"),
    [
        (Role.SUPERVISORY_ASYLUM_OFFICER, True),
        (Role.ASYLUM_OFFICER, True),
        (Role.CBP_SUPERVISOR, True),
        (Role.COURT_STAFF, False),
        (Role.ICE_OFFICER, False),
        (Role.CBP_OFFICER, False),
    ],  # print staff see no holds or timeline at all (tests/cases/test_privacy.py)
)
def test_s1_the_fear_account_is_shown_only_to_the_roles_that_assess_or_decide_on_it(
    client_for, officer, role, reads_the_account
):
    """Field-level privacy: USCIS (S1-S3) and the CBP supervisor (S4, F4) read what the hold says of the
    fear stated; the others see that a fear claim is pending, and what it blocks, but not what was said."""
    case = CaseFactory(status=CaseStatus.ENROLLED)
    hold = fear_claim_for(case, actor=officer, statement=FEAR_ACCOUNT).hold

    text = page_text(client_for(user_with_role(role)).get(reverse("cases:detail", args=[case.pk])))

    holds = between(text, 'data-testid="holds"', "</table>")
    assert "Fear claim pending (USCIS assessment)" in holds  # everyone sees the hold itself
    assert (hold.reason in text) is reads_the_account  # anywhere on the page, timeline included
    if not reads_the_account:
        assert FEAR_ACCOUNT not in text  # nor the statement, anywhere
    assert ("Details restricted to the roles that assess them." in holds) is not reads_the_account
    opened = between(text, '<tr data-event="hold.opened">', "</tr>")
    assert ("Restricted (fear details)." in opened) is not reads_the_account


def test_f4_another_members_page_shows_the_family_notice_with_the_claimants_name(client_for, officer):
    returning, claimant = family_with_cases(size=2, status=CaseStatus.IN_US_FOR_HEARING)
    fear_claim(claimant)

    returning_page = page_text(client_for(officer).get(reverse("cases:detail", args=[returning.pk])))
    claimant_page = page_text(client_for(officer).get(reverse("cases:detail", args=[claimant.pk])))

    notice = between(returning_page, 'data-testid="family-holds"', "</div>")
    assert '<span class="mpp-rule">F4 · family_fear_pending</span>' in notice
    assert f"{claimant.alien.full_name}, of the same family unit, has a fear claim pending" in notice
    assert "nobody in the family is returned to Mexico until it is decided" in notice
    assert f'href="{reverse("cases:detail", args=[claimant.pk])}"' in notice
    assert 'data-testid="family-holds"' not in claimant_page  # the claimant's own hold is in the table
    assert 'data-testid="held">hold</span>' in returning_page  # the family table marks the claimant


def test_f4_the_return_to_mexico_is_listed_as_blocked_instead_of_offered(client_for, officer):
    returning, claimant = family_with_cases(size=2, status=CaseStatus.IN_US_FOR_HEARING)
    fear_claim(claimant)

    text = page_text(client_for(officer).get(reverse("cases:detail", args=[returning.pk])))

    blocked = re.sub(r"<[^>]+>", "", between(text, 'data-testid="blocked-move"', "</p>"))
    assert "“In Mexico awaiting hearing” is blocked now — F4 · family_fear_pending:" in blocked
    assert claimant.alien.full_name in blocked
    assert '<option value="in_mexico"' not in text


def test_s1_the_generic_hold_form_does_not_record_a_fear_claim(client_for, officer):
    """S1: a fear claim is recorded with the fear claim form (screenings.fear_assessment, which opens its
    hold); the generic hold form neither offers the kind nor opens it when posted."""
    case = CaseFactory(status=CaseStatus.ENROLLED)
    client = client_for(officer)
    page = page_text(client.get(reverse("cases:detail", args=[case.pk])))
    assert '<option value="fear_claim">' not in page

    response = client.post(
        reverse("cases:hold-open", args=[case.pk]),
        {"hold-kind": "fear_claim", "hold-reason": "Stated fear of return at the hearing; referred to USCIS"},
    )

    assert response.status_code in (400, 403)
    assert 'id="id_hold-kind_error"' in page_text(response)
    assert not Hold.objects.exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.ENROLLED


def test_s1_a_fear_claim_recorded_shows_its_hold_on_the_case_page_and_the_status_stays(client_for, officer):
    case = CaseFactory(status=CaseStatus.ENROLLED)
    claim = fear_claim_for(case, actor=officer)

    page = page_text(client_for(officer).get(reverse("cases:detail", args=[case.pk])))

    hold = Hold.objects.get(case=case)
    assert (hold.kind, hold.rule, hold.opened_by, hold.location.code, hold.is_open) == (
        "fear_claim",
        "S1",
        officer,
        "sys-poe",
        True,
    )
    assert claim.hold_id == hold.pk
    case.refresh_from_db()
    assert case.status == CaseStatus.ENROLLED  # a hold changes no status
    assert "<strong>Open</strong>" in between(page, 'data-testid="holds"', "</table>")
    opened = between(page, '<tr data-event="hold.opened">', "</tr>")
    assert officer.display_name in opened


def test_s1_recording_a_fear_claim_without_a_reason_is_refused_next_to_the_field(client_for, officer):
    case = CaseFactory(status=CaseStatus.ENROLLED)

    response = client_for(officer).post(
        reverse("cases:hold-open", args=[case.pk]), {"hold-kind": "fear_claim", "hold-reason": "   "}
    )

    text = page_text(response)
    assert response.status_code == 400
    assert '<span class="usa-error-message" id="id_hold-reason_error">This field is required.</span>' in text
    assert not Hold.objects.exists()
    assert not CaseEvent.objects.filter(case=case).exists()


# Print staff: no holds section at all (tests/cases/test_privacy.py).
@pytest.mark.parametrize("role", [Role.ASYLUM_OFFICER])
def test_s1_a_role_that_does_not_record_fear_claims_gets_no_form_and_its_post_is_refused(client_for, role):
    """S1: CBP (and court staff) refer a stated fear to USCIS; print staff and asylum officers do not."""
    case = CaseFactory(status=CaseStatus.ENROLLED)
    client = client_for(user_with_role(role))

    page = page_text(client.get(reverse("cases:detail", args=[case.pk])))
    response = client.post(
        reverse("cases:hold-open", args=[case.pk]), {"hold-kind": "fear_claim", "hold-reason": "Fear stated"}
    )

    assert 'data-testid="hold-form"' not in page
    assert reverse("cases:hold-open", args=[case.pk]) not in page
    # Refused either by the form (the kind is not one this user may choose) or by the service (403).
    assert response.status_code in (400, 403)
    assert 'id="id_hold-kind_error"' in page_text(response)
    assert not Hold.objects.exists()


def test_s3_the_sao_releases_the_fear_claim_by_concurring_not_from_the_case_page_and_the_status_stays(
    client_for, officer
):
    """S3/S4: the case page offers the SAO no release form and refuses a posted one (workflow_owned); the
    concurred negative assessment releases the hold, and the case stays where it was."""
    case = CaseFactory(status=CaseStatus.ENROLLED)
    claim = fear_claim_for(case, actor=officer, statement=FEAR_ACCOUNT)
    hold = claim.hold
    sao = asylum_officer_for(claim, Role.SUPERVISORY_ASYLUM_OFFICER)
    client = client_for(sao)
    assert 'data-testid="release-form"' not in page_text(client.get(reverse("cases:detail", args=[case.pk])))

    response = client.post(
        reverse("cases:hold-release", args=[case.pk, hold.pk]),
        {
            f"release-{hold.pk}-outcome": "negative",
            f"release-{hold.pk}-reason": "Negative assessment concurred by SAO",
        },
    )

    assert response.status_code == 403
    assert "workflow_owned: " in page_text(response)
    hold.refresh_from_db()
    assert hold.is_open

    concur(claim, outcome="negative", sao=sao)

    hold.refresh_from_db()
    assert (hold.is_open, hold.released_by, hold.outcome) == (False, sao, "negative")
    case.refresh_from_db()
    assert case.status == CaseStatus.ENROLLED
    page = page_text(client.get(reverse("cases:detail", args=[case.pk])))
    assert '<tr data-event="hold.released">' in page
    assert 'data-testid="release-form"' not in page


@pytest.mark.parametrize(
    "role", [Role.CBP_OFFICER, Role.CBP_SUPERVISOR, Role.ASYLUM_OFFICER, Role.SUPERVISORY_ASYLUM_OFFICER]
)
def test_s3_nobody_gets_the_generic_release_form_for_a_fear_claim(client_for, role):
    case = CaseFactory(status=CaseStatus.ENROLLED)
    fear_claim(case)

    text = page_text(client_for(user_with_role(role)).get(reverse("cases:detail", args=[case.pk])))

    assert "<strong>Open</strong>" in text
    assert 'data-testid="release-form"' not in text


@pytest.mark.parametrize("outcome", ["", "negative", "positive"])
def test_s4_a_posted_generic_release_is_refused_whatever_the_outcome(client_for, outcome):
    """The outcome is the concurred assessment's determination (S3), never a value posted to the case page."""
    case = CaseFactory(status=CaseStatus.ENROLLED)
    hold = fear_claim(case)
    sao = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER)

    response = client_for(sao).post(
        reverse("cases:hold-release", args=[case.pk, hold.pk]),
        {f"release-{hold.pk}-outcome": outcome, f"release-{hold.pk}-reason": "Assessment concurred"},
    )

    assert response.status_code == (400 if outcome == "" else 403)
    hold.refresh_from_db()
    assert hold.is_open
    assert not CaseEvent.objects.filter(type="hold.released").exists()


def test_holds_of_a_case_at_another_location_are_404_for_a_location_scoped_officer(client_for, officer):
    elsewhere = CaseFactory(encounter__location=location("elp-poe"), status=CaseStatus.ENROLLED)
    held = fear_claim(elsewhere)
    client = client_for(officer)

    opened = client.post(
        reverse("cases:hold-open", args=[elsewhere.pk]), {"hold-kind": "fear_claim", "hold-reason": "x"}
    )
    released = client.post(
        reverse("cases:hold-release", args=[elsewhere.pk, held.pk]),
        {f"release-{held.pk}-outcome": "negative", f"release-{held.pk}-reason": "x"},
    )

    assert (opened.status_code, released.status_code) == (404, 404)
    assert Hold.objects.get() == held
    held.refresh_from_db()
    assert held.is_open


def test_a_hold_of_another_case_cannot_be_released_through_this_cases_url(client_for):
    here, other = CaseFactory(status=CaseStatus.ENROLLED), CaseFactory(status=CaseStatus.ENROLLED)
    other_hold = fear_claim(other)
    sao = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER)

    response = client_for(sao).post(
        reverse("cases:hold-release", args=[here.pk, other_hold.pk]),
        {f"release-{other_hold.pk}-outcome": "negative", f"release-{other_hold.pk}-reason": "x"},
    )

    assert response.status_code == 404
    other_hold.refresh_from_db()
    assert other_hold.is_open


# --- The timeline on the case page -----------------------------------------------------------------------


def test_a4_a_screening_facts_edit_shows_its_content_to_cbp_and_only_its_kind_to_court_staff(
    client_for, officer, court_clerk, case
):
    """A4/A5 facts are medical: CBP officers who record them see which facts changed; court staff see
    that the screening was updated, marked (medical), without the reason or the facts."""
    screening_facts_save(
        actor=officer, case_id=case.pk, facts={"officer_fluent": True, "pregnancy_disclosed": True}
    )

    officer_page = page_text(client_for(officer).get(reverse("cases:detail", args=[case.pk])))
    clerk_page = page_text(client_for(court_clerk).get(reverse("cases:detail", args=[case.pk])))

    officer_row = between(officer_page, '<tr data-event="screening.facts_saved">', "</tr>")
    clerk_row = between(clerk_page, '<tr data-event="screening.facts_saved">', "</tr>")
    assert "Screening facts updated" in officer_row and "(medical)" not in officer_row
    assert "pregnancy_disclosed" in officer_row
    assert "Screening facts recorded" in officer_row  # the reason
    assert "Screening facts updated (medical)" in clerk_row
    assert "Restricted (medical details)." in clerk_row
    assert "pregnancy_disclosed" not in clerk_page
    assert "Screening facts recorded" not in clerk_row
    assert officer.display_name in clerk_row  # who and when stay visible


# --- Notifications ---------------------------------------------------------------------------------------


def notify(user, message: str, *, url: str = "") -> Notification:
    event = OutboxEvent.objects.create(event="test.event")
    return Notification.objects.create(user=user, event=event, message=message, url=url)


def test_notifications_page_marks_unread_items_and_the_header_counts_them(client_for, supervisor):
    unread = notify(supervisor, "Case 1 is waiting for amenability review.", url="/cases/1/")
    read = notify(supervisor, "An older notice")
    Notification.objects.filter(pk=read.pk).update(read_at="2026-01-01T00:00Z")
    client = client_for(supervisor)

    text = page_text(client.get(reverse("notifications")))

    assert "Case 1 is waiting for amenability review." in text and "An older notice" in text
    assert text.count(">Unread</span>") == 1
    assert f'action="{reverse("notification-read", args=[unread.pk])}"' in text
    assert f'action="{reverse("notification-read", args=[read.pk])}"' not in text
    assert 'data-testid="unread-count">1<span class="usa-sr-only"> unread</span>' in text
    assert 'href="/cases/1/"' in text


def test_mark_read_clears_the_badge(client_for, supervisor):
    note = notify(supervisor, "Please review")
    client = client_for(supervisor)

    response = client.post(reverse("notification-read", args=[note.pk]), {"next": reverse("notifications")})

    assert response.status_code == 302
    text = page_text(client.get(response.url))
    assert 'data-testid="unread-count"' not in text
    assert ">Unread</span>" not in text


def test_a_notification_link_to_another_site_is_not_rendered(client_for, supervisor):
    notify(supervisor, "Odd link", url="//evil.example/x")

    text = page_text(client_for(supervisor).get(reverse("notifications")))

    assert "evil.example" not in text


# --- Query counts: pages must not issue a query per row --------------------------------------------------


@pytest.mark.parametrize("role", [role for role in Role if role != Role.ANALYST])
def test_home_query_count_does_not_grow_with_cases(client_for, role):
    user = user_with_role(role)
    client = client_for(user)
    where = "cv-bps" if role == Role.BORDER_PATROL_AGENT else "sys-poe"  # where this user can see cases

    def add_cases(count: int) -> None:
        for i in range(count):
            status = CaseStatus.AWAITING_REVIEW if i % 2 else CaseStatus.ENROLLED
            (added,) = family_with_cases(size=1, location_code=where, status=status)
            if status == CaseStatus.ENROLLED:
                fear_claim(added)

    add_cases(3)
    few = count_queries(client, reverse("cases:home"))
    add_cases(7)
    many = count_queries(client, reverse("cases:home"))

    assert page_text(client.get(reverse("cases:home"))).count('href="/cases/') >= 10
    assert many == few


def test_supervisor_home_query_count_does_not_grow_with_the_queue(client_for, supervisor):
    client = client_for(supervisor)
    for _ in range(3):
        CaseFactory(status=CaseStatus.AWAITING_REVIEW)
    few = count_queries(client, reverse("cases:home"))

    for _ in range(7):
        CaseFactory(status=CaseStatus.AWAITING_REVIEW)
    many = count_queries(client, reverse("cases:home"))

    assert many == few


def test_search_results_query_count_does_not_grow_with_results(client_for, officer):
    client = client_for(officer)
    url = reverse("cases:search") + "?q=Alvarado"
    for _ in range(3):
        CaseFactory(alien=AlienFactory(family_name="Alvarado"))
    few = count_queries(client, url)

    for _ in range(7):
        CaseFactory(alien=AlienFactory(family_name="Alvarado"))
    many = count_queries(client, url)

    assert page_text(client.get(url)).count("ALVARADO, ") == 10
    assert many == few


def test_notifications_query_count_does_not_grow_with_notifications(client_for, supervisor):
    client = client_for(supervisor)
    for i in range(3):
        notify(supervisor, f"Notice {i}", url=f"/cases/{i}/")
    few = count_queries(client, reverse("notifications"))

    for i in range(3, 10):
        notify(supervisor, f"Notice {i}", url=f"/cases/{i}/")
    many = count_queries(client, reverse("notifications"))

    assert many == few


def test_case_page_query_count_does_not_grow_with_the_family(client_for, officer):
    client = client_for(officer)
    small = family_with_cases(size=3)[0]
    large = family_with_cases(size=10)[0]
    for head in (small, large):
        submit_for_review(head, officer)

    few = count_queries(client, reverse("cases:detail", args=[small.pk]))
    many = count_queries(client, reverse("cases:detail", args=[large.pk]))

    assert page_text(client.get(reverse("cases:detail", args=[large.pk]))).count("Child of the head") == 9
    assert many == few


def _hold_history(case: Case, officer: User, ao: User, sao: User, *, released: int) -> None:
    """``released`` fear claims recorded and concurred negative (six events each), then one left pending."""
    for i in range(released):
        claim = fear_claim_for(case, actor=officer, statement=f"Fear stated ({i})")
        concur(claim, outcome="negative", ao=ao, sao=sao, reason=f"Negative, concurred ({i})")
    fear_claim_for(case, actor=officer, statement="Fear stated again")


@pytest.mark.parametrize(
    "role", [Role.CBP_OFFICER, Role.CBP_SUPERVISOR, Role.SUPERVISORY_ASYLUM_OFFICER, Role.COURT_STAFF]
)
def test_case_page_query_count_does_not_grow_with_holds_and_events(client_for, officer, role):
    ao = user_with_role(Role.ASYLUM_OFFICER, locations=["lax-zla"])  # San Ysidro's claims go to Los Angeles
    sao = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER, locations=["lax-zla"])
    client = client_for(user_with_role(role))
    few_case, many_case = family_with_cases(size=2, status=CaseStatus.ENROLLED)  # one family: F4 notices
    _hold_history(few_case, officer, ao, sao, released=1)
    _hold_history(many_case, officer, ao, sao, released=5)
    client.get(reverse("cases:detail", args=[few_case.pk]))  # the first request warms caches

    few = count_queries(client, reverse("cases:detail", args=[few_case.pk]))
    many = count_queries(client, reverse("cases:detail", args=[many_case.pk]))

    many_page = page_text(client.get(reverse("cases:detail", args=[many_case.pk])))
    assert many_page.count('<tr data-event="hold.released">') == 5
    assert many_page.count('<tr data-event="hold.opened">') == 6
    assert many == few
