"""The HTML pages: sign-in, home per role, search, the case page, the status-change form, notifications."""

from __future__ import annotations

import html

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import CaseStatus
from cases.permissions import WORKFLOW_OWNED
from cases.services import case_move, case_transition
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from mpp.outbox.models import Notification, OutboxEvent
from tests.factories import (
    AlienFactory,
    CaseFactory,
    EncounterFactory,
    UserFactory,
    family_with_cases,
    location,
    user_with_role,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # UserFactory's default


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


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
    Role.ANALYST: "Metrics arrive with the metrics step",
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
    case_move(case_id=older.pk, to_status=CaseStatus.AWAITING_REVIEW, actor=officer, reason="Screened")
    case_move(case_id=newer.pk, to_status=CaseStatus.AWAITING_REVIEW, actor=officer, reason="Screened")
    still_screening = CaseFactory()

    text = page_text(client_for(supervisor).get(reverse("cases:home")))

    queue = text[
        text.index('data-testid="review-queue"') : text.index("</table>", text.index("review-queue"))
    ]
    assert queue.index(older.alien.a_number) < queue.index(newer.alien.a_number)
    assert still_screening.alien.a_number not in queue


def test_home_shows_status_tags(client_for, officer):
    CaseFactory(status=CaseStatus.FEAR_CLAIM_PENDING)

    text = page_text(client_for(officer).get(reverse("cases:home")))

    assert (
        'class="usa-tag mpp-status mpp-status--blocked">Fear claim pending: return to Mexico blocked' in text
    )


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

    logged = set(
        AccessLog.objects.filter(user=officer, object_type="case").values_list("object_id", flat=True)
    )
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
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 403
    response = client.post(
        reverse("cases:transition", args=[case.pk]), {"to_status": "fear_claim_pending", "reason": "x"}
    )
    assert response.status_code == 403
    assert "Access denied" in page_text(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.SCREENING
    assert not AccessLog.objects.filter(object_type="case", object_id=str(case.pk)).exists()


# --- The case page ---------------------------------------------------------------------------------------


def test_case_page_shows_person_family_encounter_status_and_timeline(client_for, officer):
    head, child = family_with_cases(size=2)
    case_move(case_id=head.pk, to_status=CaseStatus.AWAITING_REVIEW, actor=officer, reason="Screening done")

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

    entry = AccessLog.objects.get(object_type="case", object_id=str(case.pk))
    assert entry.user == officer
    assert entry.channel == "page"
    assert entry.path == reverse("cases:detail", args=[case.pk])


def test_a_case_that_does_not_exist_is_404(client_for, officer):
    assert client_for(officer).get(reverse("cases:detail", args=[987654])).status_code == 404


# --- The status-change form ------------------------------------------------------------------------------


def test_the_form_offers_only_the_moves_of_the_table_and_the_users_roles(client_for, officer, supervisor):
    case = CaseFactory(status=CaseStatus.ENROLLED)

    officer_page = page_text(client_for(officer).get(reverse("cases:detail", args=[case.pk])))
    supervisor_page = page_text(client_for(supervisor).get(reverse("cases:detail", args=[case.pk])))

    assert '<option value="in_mexico">' in officer_page
    assert '<option value="fear_claim_pending">' in officer_page
    assert '<option value="removed_from_mpp">' not in officer_page  # the supervisor decides
    assert '<option value="in_us_for_hearing">' not in officer_page  # not a move of the table from enrolled
    assert '<option value="removed_from_mpp">' in supervisor_page
    assert '<option value="in_mexico">' in supervisor_page


@pytest.mark.parametrize("current", [CaseStatus.SCREENING, CaseStatus.AWAITING_REVIEW])
def test_the_form_never_offers_the_moves_the_amenability_workflow_owns(
    client_for, officer, supervisor, current
):
    """From these statuses the table allows awaiting_review / amenable / not_amenable / screening; only the
    screening and review workflow makes those moves, so the status-change form offers none of them."""
    case = CaseFactory(status=current)

    for user in (officer, supervisor):
        text = page_text(client_for(user).get(reverse("cases:detail", args=[case.pk])))
        assert 'id="id_to_status"' in text  # the form is there, with the moves the user does own
        for status in WORKFLOW_OWNED:
            assert f'<option value="{status}"' not in text, (user, status)


def test_s4_out_of_a_pending_fear_claim_only_the_supervisory_asylum_officer_gets_the_form(
    client_for, officer, supervisor
):
    """S4: the assessment's outcome decides where the case goes, back to where it stood included."""
    case = CaseFactory(status=CaseStatus.FEAR_CLAIM_PENDING)
    sao = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER)

    sao_page = page_text(client_for(sao).get(reverse("cases:detail", args=[case.pk])))
    officer_page = page_text(client_for(officer).get(reverse("cases:detail", args=[case.pk])))
    supervisor_page = page_text(client_for(supervisor).get(reverse("cases:detail", args=[case.pk])))

    for status in (
        CaseStatus.AMENABLE,
        CaseStatus.NOT_AMENABLE,
        CaseStatus.REMOVED_FROM_MPP,
        CaseStatus.IN_MEXICO,
    ):
        assert f'<option value="{status}"' in sao_page, status
    assert 'id="id_to_status"' not in officer_page
    assert 'id="id_to_status"' not in supervisor_page


def test_posting_a_workflow_owned_move_shows_workflow_owned_and_leaves_the_status(client_for, supervisor):
    case = CaseFactory(status=CaseStatus.AWAITING_REVIEW)

    response = client_for(supervisor).post(
        reverse("cases:transition", args=[case.pk]),
        {"to_status": CaseStatus.AMENABLE, "reason": "Looks amenable"},
    )

    text = page_text(response)
    assert response.status_code == 403
    assert '<a href="#id_to_status">New status</a>: workflow_owned: A case moves to “amenable” only' in text
    assert '<span class="usa-error-message" id="id_to_status_error">workflow_owned:' in text
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_REVIEW
    assert case.history.count() == 1


def test_the_form_is_hidden_when_no_move_is_open_to_the_user(client_for, court_clerk, case):
    text = page_text(client_for(court_clerk).get(reverse("cases:detail", args=[case.pk])))

    assert reverse("cases:transition", args=[case.pk]) not in text
    assert "Your role has no status change available for this case" in text


def test_a_status_change_is_recorded_with_actor_and_reason(client_for, officer, case):
    client = client_for(officer)

    response = client.post(
        reverse("cases:transition", args=[case.pk]),
        {"to_status": CaseStatus.FEAR_CLAIM_PENDING, "reason": "Fear of return stated, referred to USCIS"},
    )

    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[case.pk])
    case.refresh_from_db()
    assert case.status == CaseStatus.FEAR_CLAIM_PENDING
    latest = case.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == officer
    assert latest.history_change_reason == "Fear of return stated, referred to USCIS"
    page = page_text(client.get(response.url))
    assert "Status changed to “Fear claim pending: return to Mexico blocked”" in page
    assert "Fear of return stated, referred to USCIS" in page


def test_an_illegal_move_shows_its_code_and_leaves_the_status(client_for, officer, case):
    response = client_for(officer).post(
        reverse("cases:transition", args=[case.pk]), {"to_status": CaseStatus.IN_MEXICO, "reason": "Return"}
    )

    text = page_text(response)
    assert response.status_code == 409
    assert "illegal_transition: A case cannot move from “Screening in progress” (screening)" in text
    assert "<title>Error: Case" in text
    assert "Return</textarea>" in text  # the reason typed is kept
    case.refresh_from_db()
    assert case.status == CaseStatus.SCREENING
    assert case.history.count() == 1


def test_a_move_owned_by_another_role_shows_not_permitted_next_to_the_field(client_for, officer):
    case = CaseFactory(status=CaseStatus.ENROLLED)

    response = client_for(officer).post(
        reverse("cases:transition", args=[case.pk]),
        {"to_status": CaseStatus.REMOVED_FROM_MPP, "reason": "Should not be in MPP"},
    )

    text = page_text(response)
    assert response.status_code == 403
    assert (
        '<a href="#id_to_status">New status</a>: not_permitted: Moving a case to “removed_from_mpp” is for:'
        in text
    )
    assert '<span class="usa-error-message" id="id_to_status_error">not_permitted:' in text
    case.refresh_from_db()
    assert case.status == CaseStatus.ENROLLED


def test_the_f4_refusal_names_the_rule_and_the_code(client_for, officer):
    returning, claimant = family_with_cases(size=2, status=CaseStatus.IN_US_FOR_HEARING)
    case_transition(
        case_id=claimant.pk, to_status=CaseStatus.FEAR_CLAIM_PENDING, actor=officer, reason="Fear stated"
    )

    response = client_for(officer).post(
        reverse("cases:transition", args=[returning.pk]),
        {"to_status": CaseStatus.IN_MEXICO, "reason": "Hearing over"},
    )

    text = page_text(response)
    assert response.status_code == 409
    assert "F4 · family_fear_pending: " in text
    assert claimant.alien.full_name in text
    returning.refresh_from_db()
    assert returning.status == CaseStatus.IN_US_FOR_HEARING


def test_a_status_change_without_a_reason_is_refused_next_to_the_reason_field(client_for, officer, case):
    response = client_for(officer).post(
        reverse("cases:transition", args=[case.pk]),
        {"to_status": CaseStatus.FEAR_CLAIM_PENDING, "reason": "  "},
    )

    text = page_text(response)
    assert response.status_code == 400
    assert '<a href="#id_reason">Reason</a>: This field is required.' in text
    assert 'id="id_reason_error"' in text
    assert '<option value="fear_claim_pending" selected>' in text
    case.refresh_from_db()
    assert case.status == CaseStatus.SCREENING


def test_the_status_change_form_accepts_post_only(client_for, officer, case):
    assert client_for(officer).get(reverse("cases:transition", args=[case.pk])).status_code == 405


def test_an_officer_cannot_move_a_case_at_another_port(client_for, officer):
    elsewhere = CaseFactory(encounter__location=location("elp-poe"))

    response = client_for(officer).post(
        reverse("cases:transition", args=[elsewhere.pk]), {"to_status": "fear_claim_pending", "reason": "x"}
    )

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == CaseStatus.SCREENING


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
            status = CaseStatus.AWAITING_REVIEW if i % 2 else CaseStatus.FEAR_CLAIM_PENDING
            family_with_cases(size=1, location_code=where, status=status)

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
        case_move(case_id=head.pk, to_status=CaseStatus.AWAITING_REVIEW, actor=officer, reason="Screened")

    few = count_queries(client, reverse("cases:detail", args=[small.pk]))
    many = count_queries(client, reverse("cases:detail", args=[large.pk]))

    assert page_text(client.get(reverse("cases:detail", args=[large.pk]))).count("Child of the head") == 9
    assert many == few
