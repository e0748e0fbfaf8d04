"""Observers and press at the immigration hearing facilities (O1, O2): the services, the log page and the
page closing a hearing to the public.

O1: anyone may ask, in person, to observe at Laredo or Brownsville; granted case by case; recorded. A hearing
closed for the person's sensitive matters is refused with that reason, ``o1_closed_hearing``, never its
details. O2: a press visit is coordinated through DHS Public Affairs; recorded like O1. The log never names
the person heard.
"""

from __future__ import annotations

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.exceptions import CaseNotFound, IllegalTransition, InvalidInput, NotPermitted, PolicyRefusal
from cases.models import CaseEvent
from hearings.models import Hearing, ObserverRequest
from hearings.observer_selectors import closed_hearing_ids, observer_log
from hearings.observer_services import (
    CLOSED_EVENT_REASON,
    CLOSED_WORDS,
    hearing_close_to_public,
    hearing_open_to_public,
    observer_request_decide,
    observer_request_record,
)
from mpp.accounts.roles import Role
from tests.factories import user_with_role
from tests.hearings.factories import hearing_location
from tests.hearings.observer_helpers import (
    BROWNSVILLE,
    HEARD_FAMILY_NAME,
    LAREDO,
    LAREDO_EAGLE_PASS,
    SECRET,
    asked,
    court,
    facility_day,
    hearing_at,
    laredo_supervisor,
)

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'
# Roles that neither record nor decide observers' requests (O1/O2: court staff and CBP supervisors do).
OUTSIDERS = [
    Role.CBP_OFFICER,
    Role.BORDER_PATROL_AGENT,
    Role.PRINT_STAFF,
    Role.ICE_OFFICER,
    Role.ANALYST,
    Role.ASYLUM_OFFICER,
    Role.SUPERVISORY_ASYLUM_OFFICER,
]


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def log_url(code: str = LAREDO, day=None) -> str:
    return reverse("hearings:observers") + f"?facility={code}" + (f"&day={day.isoformat()}" if day else "")


def close(hearing: Hearing, reason: str = SECRET) -> Hearing:
    return hearing_close_to_public(hearing_id=hearing.pk, actor=court(), reason=reason)


# --- recording (O1, O2) ------------------------------------------------------------------------------------


def test_o1_a_member_of_the_public_asking_in_person_is_recorded_with_who_when_and_history():
    day = facility_day()
    clerk = court()

    request = asked(by=clerk, day=day, name="  Ana Vecina  ", reason="Asked at the front desk at 08:10")

    request.refresh_from_db()
    assert (request.facility.code, request.kind, request.requester_name) == (LAREDO, "public", "Ana Vecina")
    assert (request.for_day, request.hearing, request.decision, request.recorded_by) == (day, None, "", clerk)
    assert (request.outlet, request.public_affairs_contact) == ("", "")
    row = request.history.get()
    assert (row.history_user, row.history_change_reason) == (clerk, "Asked at the front desk at 08:10")
    assert not CaseEvent.objects.exists()  # about a facility, not a case


def test_o2_a_press_request_names_the_outlet_and_the_dhs_public_affairs_contact():
    request = asked(day=facility_day(), kind=ObserverRequest.Kind.PRESS, name="R. Gómez")

    assert (request.kind, request.outlet, request.public_affairs_contact) == (
        "press",
        "Laredo Morning Times",
        "J. Ortiz, DHS OPA",
    )


@pytest.mark.parametrize(
    ("outlet", "contact", "field", "code"),
    [
        ("Laredo Morning Times", "", "public_affairs_contact", "o2_public_affairs_required"),
        ("Laredo Morning Times", "   ", "public_affairs_contact", "o2_public_affairs_required"),
        ("", "J. Ortiz, DHS OPA", "outlet", "o2_outlet_required"),
    ],
)
def test_o2_press_without_dhs_public_affairs_or_an_outlet_is_refused_and_nothing_recorded(
    outlet, contact, field, code
):
    with pytest.raises(InvalidInput) as refused:
        asked(
            day=facility_day(),
            kind=ObserverRequest.Kind.PRESS,
            outlet=outlet,
            public_affairs_contact=contact,
        )

    assert (refused.value.field, refused.value.code, refused.value.rule) == (field, code, "O2")
    assert not ObserverRequest.objects.exists()


def test_o1_requests_are_recorded_at_the_hearing_facilities_only_not_a_courtroom():
    with pytest.raises(InvalidInput) as refused:
        observer_request_record(
            facility_id=hearing_location("sdg-ic-mpp").pk,
            kind="public",
            requester_name="Ana",
            for_day=facility_day(),
            actor=court(),
            reason="Asked",
        )

    assert (refused.value.field, refused.value.code, refused.value.rule) == (
        "facility",
        "o1_not_a_hearing_facility",
        "O1",
    )


def test_o1_a_named_hearing_must_be_at_that_facility_on_that_day():
    day = facility_day()
    elsewhere = hearing_at(BROWNSVILLE, day)
    another_day = hearing_at(LAREDO, facility_day(days_ahead=4))
    moved = hearing_at(LAREDO, day, status=Hearing.Status.RESCHEDULED)

    for hearing in (elsewhere, another_day, moved):
        with pytest.raises(InvalidInput) as refused:
            asked(day=day, hearing=hearing)
        assert (refused.value.field, refused.value.code) == ("hearing", "o1_hearing_not_at_facility")
    # The Eagle Pass returns' courtroom is in Laredo's building: a hearing there is at the facility.
    same_building = hearing_at(LAREDO_EAGLE_PASS, day)
    recorded = asked(day=day, hearing=same_building, code=LAREDO_EAGLE_PASS)
    assert (recorded.facility.code, recorded.hearing) == (LAREDO, same_building)
    assert ObserverRequest.objects.count() == 1


def test_o1_when_they_asked_cannot_be_in_the_future():
    import datetime as dt

    from django.utils import timezone

    with pytest.raises(InvalidInput) as refused:
        asked(day=facility_day(), asked_at=timezone.now() + dt.timedelta(hours=1))

    assert refused.value.field == "asked_at"


def test_a_name_and_a_reason_are_required():
    with pytest.raises(InvalidInput) as no_name:
        asked(day=facility_day(), name="  ")
    with pytest.raises(InvalidInput) as no_reason:
        asked(day=facility_day(), reason=" ")

    assert (no_name.value.field, no_reason.value.field) == ("requester_name", "reason")


# --- deciding (O1, O2) ------------------------------------------------------------------------------------


def test_o1_a_request_for_an_open_hearing_is_granted_with_who_when_and_why():
    hearing = hearing_at(LAREDO, facility_day())
    request = asked(day=hearing.starts_at.date(), hearing=hearing)
    boss = laredo_supervisor()

    decided = observer_request_decide(
        request_id=request.pk, decision="granted", actor=boss, reason="Seats available"
    )

    assert (decided.decision, decided.refusal_code, decided.decided_by) == ("granted", "", boss)
    assert decided.decision_reason == "Seats available"
    assert decided.decided_at is not None
    assert decided.history.first().history_change_reason == "Seats available"


def test_o1_granting_a_hearing_closed_to_the_public_is_refused_with_o1_closed_hearing_and_no_details():
    hearing = hearing_at(LAREDO, facility_day())
    request = asked(day=facility_day(), hearing=hearing)
    close(hearing)

    with pytest.raises(PolicyRefusal) as refused:
        observer_request_decide(request_id=request.pk, decision="granted", actor=court(), reason="Seats")

    assert (refused.value.code, refused.value.rule, refused.value.http_status) == (
        "o1_closed_hearing",
        "O1",
        409,
    )
    assert refused.value.message == CLOSED_WORDS
    assert SECRET not in str(refused.value.as_dict())
    request.refresh_from_db()
    assert request.decision == ""


def test_o1_refusing_a_closed_hearing_records_the_o1_closed_hearing_code():
    hearing = close(hearing_at(LAREDO, facility_day()))
    request = asked(day=facility_day(), hearing=hearing)

    decided = observer_request_decide(
        request_id=request.pk, decision="refused", actor=court(), reason="Closed hearing"
    )

    assert (decided.decision, decided.refusal_code) == ("refused", "o1_closed_hearing")


def test_o1_a_grant_for_a_day_covers_the_open_hearings_only_and_says_so():
    day = facility_day()
    hearing_at(LAREDO, day, hour=9)
    hearing_at(LAREDO_EAGLE_PASS, day, hour=10)
    close(hearing_at(LAREDO, day, hour=11))
    request = asked(day=day)

    decided = observer_request_decide(request_id=request.pk, decision="granted", actor=court(), reason="Yes")

    assert decided.decision == "granted"
    assert decided.decision_reason == (
        "Yes — The grant covers the hearings open to the public that day only; 1 closed to the public (O1) "
        "are not covered."
    )
    assert SECRET not in decided.decision_reason


def test_o1_a_day_whose_every_hearing_is_closed_is_refused_o1_closed_hearing():
    day = facility_day()
    close(hearing_at(LAREDO, day, hour=9))
    request = asked(day=day)

    with pytest.raises(PolicyRefusal) as refused:
        observer_request_decide(request_id=request.pk, decision="granted", actor=court(), reason="Yes")
    refused_request = observer_request_decide(
        request_id=request.pk, decision="refused", actor=court(), reason="All closed"
    )

    assert refused.value.code == "o1_closed_hearing"
    assert SECRET not in refused.value.message
    assert refused_request.refusal_code == "o1_closed_hearing"


def test_o1_a_decision_is_recorded_once():
    request = asked(day=facility_day())
    observer_request_decide(request_id=request.pk, decision="refused", actor=court(), reason="Room full")

    with pytest.raises(IllegalTransition) as refused:
        observer_request_decide(request_id=request.pk, decision="granted", actor=court(), reason="Changed")

    assert (refused.value.code, refused.value.http_status) == ("o1_already_decided", 409)
    request.refresh_from_db()
    assert (request.decision, request.decision_reason) == ("refused", "Room full")


@pytest.mark.parametrize("decision", ["", "maybe", "pending"])
def test_a_decision_is_granted_or_refused(decision):
    request = asked(day=facility_day())

    with pytest.raises(InvalidInput) as refused:
        observer_request_decide(request_id=request.pk, decision=decision, actor=court(), reason="x")

    assert refused.value.field == "decision"


# --- closing a hearing to the public (O1) ---------------------------------------------------------------


def test_o1_closing_keeps_the_reason_on_the_hearing_and_a_case_event_that_reveals_nothing():
    hearing = hearing_at(LAREDO, facility_day())
    clerk = court()

    hearing_close_to_public(hearing_id=hearing.pk, actor=clerk, reason=SECRET)

    hearing.refresh_from_db()
    assert (hearing.closed_to_public, hearing.closed_reason, hearing.closed_by) == (True, SECRET, clerk)
    event = CaseEvent.objects.get(case=hearing.case, type="hearing.closed_to_public")
    assert (event.reason, event.actor, event.data["hearing_id"]) == (CLOSED_EVENT_REASON, clerk, hearing.pk)
    assert SECRET not in str(event.data) + event.reason
    assert hearing.history.first().history_change_reason == CLOSED_EVENT_REASON
    assert closed_hearing_ids([hearing.pk, hearing.pk + 1000]) == {hearing.pk}


def test_o1_closing_twice_changes_nothing_and_opening_again_records_it():
    hearing = close(hearing_at(LAREDO, facility_day()))
    close(hearing, reason="Another reason")

    opened = hearing_open_to_public(hearing_id=hearing.pk, actor=court(), reason="Closed by mistake")

    assert (opened.closed_to_public, opened.closed_reason, opened.closed_by) == (False, "", None)
    assert list(
        CaseEvent.objects.filter(case=hearing.case).order_by("id").values_list("type", flat=True)
    ) == ["hearing.closed_to_public", "hearing.opened_to_public"]
    assert closed_hearing_ids([hearing.pk]) == set()


def test_o1_a_grant_given_before_the_hearing_was_closed_is_revised_to_refused():
    hearing = hearing_at(LAREDO, facility_day())
    request = asked(day=facility_day(), hearing=hearing)
    observer_request_decide(request_id=request.pk, decision="granted", actor=court(), reason="Seats")

    close(hearing)

    request.refresh_from_db()
    assert (request.decision, request.refusal_code) == ("refused", "o1_closed_hearing")
    assert CLOSED_WORDS in request.decision_reason and SECRET not in request.decision_reason
    assert [row.decision for row in request.history.order_by("history_id")] == ["", "granted", "refused"]


@pytest.mark.parametrize("role", [Role.CBP_SUPERVISOR, *OUTSIDERS])
def test_o1_only_court_staff_close_a_hearing_to_the_public(role):
    hearing = hearing_at(LAREDO, facility_day())

    with pytest.raises(NotPermitted):
        hearing_close_to_public(
            hearing_id=hearing.pk, actor=user_with_role(role, locations=["lrd-poe"]), reason="x"
        )

    hearing.refresh_from_db()
    assert not hearing.closed_to_public


# --- who records and decides (O1, O2) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "make", [court, laredo_supervisor, lambda: user_with_role(Role.CBP_SUPERVISOR, locations=["lrd-ihf"])]
)
def test_court_staff_and_the_cbp_supervisors_of_the_facility_record_and_decide(make):
    user = make()

    request = asked(by=user, day=facility_day())
    decided = observer_request_decide(request_id=request.pk, decision="granted", actor=user, reason="ok")

    assert decided.decision == "granted"


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_roles_neither_record_nor_decide(role):
    outsider = user_with_role(role, locations=["lrd-poe"] if role != Role.ANALYST else [])
    request = asked(day=facility_day())

    with pytest.raises(NotPermitted):
        asked(by=outsider, day=facility_day())
    with pytest.raises(NotPermitted):
        observer_request_decide(request_id=request.pk, decision="granted", actor=outsider, reason="x")

    assert ObserverRequest.objects.count() == 1


def test_a_cbp_supervisor_elsewhere_finds_neither_the_facility_nor_its_requests():
    san_ysidro = user_with_role(Role.CBP_SUPERVISOR)  # posted at San Ysidro
    request = asked(day=facility_day())

    with pytest.raises(CaseNotFound):
        asked(by=san_ysidro, day=facility_day())
    with pytest.raises(CaseNotFound):
        observer_request_decide(request_id=request.pk, decision="granted", actor=san_ysidro, reason="x")
    with pytest.raises(CaseNotFound):
        asked(by=laredo_supervisor(), day=facility_day(BROWNSVILLE), code=BROWNSVILLE)


# --- the log page -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [court, laredo_supervisor])
def test_the_log_page_is_for_court_staff_and_the_facilitys_cbp_supervisors(client_for, make):
    asked(day=facility_day())

    response = client_for(make()).get(log_url())

    assert response.status_code == 200
    assert 'data-testid="observer-log"' in response.content.decode()


@pytest.mark.parametrize("role", OUTSIDERS)
def test_the_log_page_is_refused_to_other_roles(client_for, role):
    response = client_for(user_with_role(role)).get(log_url())

    assert response.status_code == 403


def test_the_log_page_of_another_facility_is_not_found_for_a_cbp_supervisor(client_for):
    client = client_for(laredo_supervisor())

    assert client.get(log_url(BROWNSVILLE)).status_code == 404
    assert client.get(log_url("no-such-place")).status_code == 404
    san_ysidro = client_for(user_with_role(Role.CBP_SUPERVISOR))
    assert san_ysidro.get(log_url()).status_code == 404
    # Without a facility named, the page says where observers are recorded, instead of a bare 404.
    nowhere = san_ysidro.get(reverse("hearings:observers"))
    assert nowhere.status_code == 200 and 'data-testid="no-facility"' in nowhere.content.decode()


@pytest.mark.parametrize(("make", "shown"), [(court, True), (laredo_supervisor, True), (None, False)])
def test_the_navigation_links_the_log_for_court_staff_and_cbp_supervisors(client_for, make, shown):
    user = make() if make else user_with_role(Role.CBP_OFFICER)

    text = client_for(user).get(reverse("cases:home")).content.decode()

    assert ('data-testid="nav-observers"' in text) is shown


def test_the_log_shows_who_asked_when_for_what_and_the_decision_newest_first(client_for):
    day = facility_day()
    hearing = hearing_at(LAREDO, day, hour=9)
    first = asked(day=day, name="Primera Persona")
    second = asked(day=day, hearing=hearing, kind=ObserverRequest.Kind.PRESS, name="Segundo Periodista")
    observer_request_decide(request_id=first.pk, decision="refused", actor=court(), reason="Room full")

    text = page_text(client_for(court()).get(log_url(day=day)))

    log = text[text.index('data-testid="observer-log"') :]
    assert log.index("Segundo Periodista") < log.index("Primera Persona")
    assert "Laredo Morning Times" in log and "DHS Public Affairs: J. Ortiz, DHS OPA" in log
    assert f"(hearing {hearing.pk})" in log
    assert "Refused" in log and "Room full" in log
    assert f'action="{reverse("hearings:observer-decide", args=[second.pk])}"' in text
    assert f'action="{reverse("hearings:observer-decide", args=[first.pk])}"' not in text


def test_o1_the_log_never_names_the_person_heard_nor_why_a_hearing_is_closed(client_for):
    day = facility_day()
    hearing = close(hearing_at(LAREDO, day))
    asked(day=day, hearing=hearing)

    for user in (court(), laredo_supervisor()):
        text = page_text(client_for(user).get(log_url(day=day)))
        assert "Closed to the public" in text
        assert HEARD_FAMILY_NAME not in text
        assert hearing.case.alien.a_number not in text
        assert SECRET not in text


def test_o1_granting_a_closed_hearing_on_the_page_is_refused_in_plain_words_without_details(client_for):
    day = facility_day()
    hearing = hearing_at(LAREDO, day)
    request = asked(day=day, hearing=hearing)
    close(hearing)

    response = client_for(laredo_supervisor()).post(
        reverse("hearings:observer-decide", args=[request.pk]),
        {f"decide-{request.pk}-decision": "granted", f"decide-{request.pk}-reason": "Seats", "day": day},
    )

    text = page_text(response)
    assert response.status_code == 409
    assert CLOSED_WORDS in text
    assert "O1 · o1_closed_hearing" in text
    assert SECRET not in text
    request.refresh_from_db()
    assert request.decision == ""


def test_recording_on_the_page_then_deciding(client_for):
    day = facility_day()
    hearing = hearing_at(LAREDO, day)
    client = client_for(laredo_supervisor())

    recorded = client.post(
        reverse("hearings:observer-record"),
        {
            "facility": LAREDO,
            "day": day.isoformat(),
            "ask-kind": "public",
            "ask-requester_name": "Luz Vecina",
            "ask-for_day": day.isoformat(),
            "ask-hearing": str(hearing.pk),
            "ask-reason": "Asked at the gate",
        },
    )
    request = ObserverRequest.objects.get()
    decided = client.post(
        reverse("hearings:observer-decide", args=[request.pk]),
        {f"decide-{request.pk}-decision": "granted", f"decide-{request.pk}-reason": "Open hearing"},
    )

    assert recorded.status_code == 302 and decided.status_code == 302
    request.refresh_from_db()
    assert (request.requester_name, request.hearing, request.decision) == ("Luz Vecina", hearing, "granted")
    page = page_text(client.get(recorded.url))
    assert "Recorded: Luz Vecina asked to observe" in page


def test_o2_a_press_request_without_public_affairs_on_the_page_names_the_field(client_for):
    day = facility_day()

    response = client_for(court()).post(
        reverse("hearings:observer-record"),
        {
            "facility": LAREDO,
            "ask-kind": "press",
            "ask-requester_name": "R. Gómez",
            "ask-outlet": "Laredo Morning Times",
            "ask-for_day": day.isoformat(),
            "ask-reason": "Called",
        },
    )

    text = page_text(response)
    assert response.status_code == 400
    assert '<a href="#id_ask-public_affairs_contact">DHS Public Affairs contact</a>' in text
    assert "Press visits are coordinated through DHS Public Affairs" in text
    assert "O2 · o2_public_affairs_required" in text
    assert not ObserverRequest.objects.exists()


def test_hostile_strings_are_escaped_on_the_log(client_for):
    day = facility_day()
    asked(
        day=day,
        kind=ObserverRequest.Kind.PRESS,
        name=HOSTILE,
        outlet=HOSTILE,
        public_affairs_contact=HOSTILE,
        reason=HOSTILE,
    )
    decided = asked(day=day, name="Otra")
    observer_request_decide(request_id=decided.pk, decision="refused", actor=court(), reason=HOSTILE)

    raw = client_for(court()).get(log_url(day=day)).content.decode()

    assert HOSTILE not in raw
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in raw


def test_the_log_page_reads_a_fixed_number_of_queries_however_many_requests(client_for):
    day = facility_day()
    user = court()
    client = client_for(user)
    hearing = hearing_at(LAREDO, day)
    asked(day=day, hearing=hearing)
    client.get(log_url(day=day))  # warm: session, user

    with CaptureQueriesContext(connection) as few:
        assert client.get(log_url(day=day)).status_code == 200
    for n in range(40):
        asked(day=day, hearing=hearing_at(LAREDO, day, hour=8 + n % 9), name=f"Persona {n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(log_url(day=day)).status_code == 200

    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"] for q in many.captured_queries]


def test_the_days_hearings_are_listed_50_a_page_and_the_form_offers_the_page_shown(client_for):
    # A busy facility hears hundreds a day: the page shows them 50 at a time (keyset), and the request form's
    # hearing list offers the hearings of the page shown; a request for one on another page is still valid.
    day = facility_day()
    made = [hearing_at(LAREDO, day, hour=7) for _ in range(52)]
    hearings = sorted(made, key=lambda h: (h.starts_at, h.pk))  # the page's order (minutes may wrap)
    client = client_for(court())

    first = client.get(log_url(LAREDO, day))
    first_page = first.content.decode()
    assert first_page.count('<tr data-hearing="') == 50
    assert f'<tr data-hearing="{hearings[49].pk}"' in first_page
    assert f'data-hearing="{hearings[50].pk}"' not in first_page
    assert (
        f'<option value="{hearings[49].pk}"' in first_page
        and f'<option value="{hearings[51].pk}"' not in first_page
    )
    later = first.context["day_page"].next_query
    assert later and "hearings_cursor=" in later
    second_page = client.get(reverse("hearings:observers") + later).content.decode()
    assert [h.pk for h in hearings[50:]] == [
        h.pk for h in hearings if f'<tr data-hearing="{h.pk}"' in second_page
    ]

    recorded = client.post(
        reverse("hearings:observer-record"),
        {
            "facility": LAREDO,
            "day": day.isoformat(),
            "ask-kind": "public",
            "ask-requester_name": "Ana Vecina",
            "ask-for_day": day.isoformat(),
            "ask-hearing": str(hearings[51].pk),  # not on the first page
            "ask-reason": "Asked at the gate",
        },
    )
    assert recorded.status_code == 302
    assert ObserverRequest.objects.get().hearing == hearings[51]


def test_the_log_selector_is_one_query_and_pages_by_50(django_assert_num_queries):
    day = facility_day()
    for n in range(52):
        asked(day=day, name=f"P{n}")
    place = hearing_location(LAREDO)

    with django_assert_num_queries(1):
        page = observer_log(place=place, params={})
        names = [r.requester_name for r in page.rows]
        [(r.recorded_by.display_name, r.hearing) for r in page.rows]

    assert len(names) == 50 and page.has_next
    assert names[0] == "P51"  # newest first (asked at the time each was recorded)
    rest = observer_log(place=place, params={"cursor": page.next_cursor})
    assert [r.requester_name for r in rest.rows] == ["P1", "P0"]


# --- the close page (court staff) ---------------------------------------------------------------------------


def test_o1_court_staff_close_a_hearing_on_its_page_and_read_the_reason_there_only(client_for):
    hearing = hearing_at(LAREDO, facility_day())
    client = client_for(court())
    url = reverse("hearings:hearing-close", args=[hearing.pk])

    response = client.post(url, {"action": "close", "reason": SECRET})

    assert response.status_code == 302
    hearing.refresh_from_db()
    assert hearing.closed_to_public
    page = page_text(client.get(url))
    assert SECRET in page and "Closed to the public" in page
    # Anyone reading the case's timeline reads only that it was closed.
    case_page = page_text(client_for(user_with_role(Role.ICE_OFFICER)).get(f"/cases/{hearing.case_id}/"))
    assert "Hearing closed to the public (O1)" in case_page and SECRET not in case_page


@pytest.mark.parametrize("role", [Role.CBP_SUPERVISOR, *OUTSIDERS])
def test_the_close_page_is_for_court_staff_only(client_for, role):
    hearing = close(hearing_at(LAREDO, facility_day()))
    client = client_for(user_with_role(role, locations=["lrd-poe"] if role != Role.ANALYST else []))
    url = reverse("hearings:hearing-close", args=[hearing.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "open", "open-reason": "x"}).status_code == 403
    hearing.refresh_from_db()
    assert hearing.closed_to_public


def test_the_close_page_refuses_an_empty_reason_naming_it(client_for):
    hearing = hearing_at(LAREDO, facility_day())

    response = client_for(court()).post(
        reverse("hearings:hearing-close", args=[hearing.pk]), {"action": "close", "reason": " "}
    )

    assert response.status_code == 400
    assert '<a href="#id_reason">Why the hearing is closed</a>' in page_text(response)
    hearing.refresh_from_db()
    assert not hearing.closed_to_public
