"""The officers' and court staff's hearings pages (N1, N3, N5, N6, H2, M3/M4), driven through the Django test
client on the real database: who may open and use each page, what it shows (times in the place's zone
with the zone named), what a refusal says (the field, the rule and the reason code), and that the lists
read the same number of queries for few rows as for many."""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseStatus
from hearings.models import AddressInMexico, Hearing, HearingSlot, NoticeToAppear, TearSheet
from hearings.services import AddressInput, address_change_record, hearings_move, nta_file
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from mpp.outbox.services import outbox_relay
from tests.factories import AlienFactory, CaseFactory, EncounterFactory, location, user_with_role
from tests.hearings.factories import amenable_family, hearing_location, serve, slot
from tests.screenings.factories import fear_claim_for

pytestmark = pytest.mark.django_db

LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SERVE_OK = {Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT}
COURT_OK = {Role.COURT_STAFF}


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def visible_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def local(moment: dt.datetime, tz_name: str) -> str:
    """The page's words for a moment: "Tue 2026-12-15 08:30 PST (America/Los_Angeles)"."""
    at = moment.astimezone(zoneinfo.ZoneInfo(tz_name))
    return f"{at:%a %Y-%m-%d %H:%M} {at:%Z} ({tz_name})"


def serve_form(at: HearingSlot, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "classification": "arriving",
        "charges": ["212(a)(7)(A)(i)(I)"],
        "slot": at.pk,
        "oral_notice_language": "es",
        "interpretation": "none",
        "interpreter_language": "",
        "address": "Calle Juárez 123, Col. Centro",
        "address_city": "Tijuana",
        "address_state": "Baja California",
        "address_phone": "+52 664 000 0000",
    }
    data.update(changes)
    return data


def nta_url(cases: list[Case]) -> str:
    return reverse("hearings:family-nta", args=[cases[0].encounter_id])


def served_family(officer, *, size: int = 2, at: HearingSlot | None = None) -> list[Case]:
    cases = amenable_family(size)
    serve(cases, officer=officer, at=at or slot())
    return cases


# --- Serving the NTA (N1, N3) ------------------------------------------------------------------------


def test_n1_the_nta_page_lists_each_member_the_allegations_and_slots_with_room_for_the_family(
    client_for, officer
):
    cases = amenable_family(2)
    roomy = slot(days_ahead=5, hour=8, minute=30, capacity=10)
    too_small = slot(days_ahead=6, hour=9, minute=0, capacity=1)
    place = hearing_location("sdg-ic-mpp")

    response = client_for(officer).get(nta_url(cases))

    assert response.status_code == 200
    text = visible_text(response)
    assert text.count("Will be served") == 2
    for case in cases:
        assert case.alien.full_name in text
    assert "You are a native of Honduras and a citizen of Honduras." in text
    assert "You arrived in the United States at San Ysidro" in text
    # The slot: hearing time in the court's zone, named; the report time at the port, in the port's zone.
    assert local(roomy.starts_at, "America/Los_Angeles") in text
    assert local(roomy.starts_at - place.report_lead, place.reporting_port.time_zone) in text
    assert "10 places left" in text
    assert f'name="slot" value="{too_small.pk}"' not in page_text(response)  # no room for a family of 2
    # Defaults: the charge at the border, the head's language for the oral notice, no interpreter.
    assert re.search(r'value="212\(a\)\(7\)\(A\)\(i\)\(I\)" checked', page_text(response))
    assert re.search(r'<option value="es" selected>', page_text(response))


def test_n1_serving_the_family_enrols_every_member_and_says_who_when_and_where_to_print(client_for, officer):
    cases = amenable_family(2)
    at = slot(days_ahead=7, capacity=10)
    place = hearing_location("sdg-ic-mpp")
    client = client_for(officer)

    response = client.post(nta_url(cases), serve_form(at), follow=True)

    assert response.redirect_chain[-1][0] == reverse("cases:detail", args=[cases[0].pk])
    assert {c.status for c in Case.objects.filter(pk__in=[c.pk for c in cases])} == {CaseStatus.ENROLLED}
    assert NoticeToAppear.objects.filter(case__in=cases).count() == 2
    at.refresh_from_db()
    assert at.booked == 2
    text = visible_text(response)
    assert f"NTA served on {cases[0].alien.full_name}, {cases[1].alien.full_name}." in text
    assert local(at.starts_at, "America/Los_Angeles") in text
    assert local(at.starts_at - place.report_lead, "America/Los_Angeles") in text
    body = page_text(response)
    assert f'href="{reverse("hearings:nta-pdf", args=[cases[0].encounter_id])}"' in body
    assert f'href="{reverse("hearings:print-queue")}"' in body


def test_n1_serving_twice_changes_nothing_and_says_so(client_for, officer):
    cases = amenable_family(2)
    at = slot(capacity=10)
    client = client_for(officer)
    client.post(nta_url(cases), serve_form(at))

    response = client.post(nta_url(cases), serve_form(at), follow=True)

    assert "already been served on every member" in visible_text(response)
    assert NoticeToAppear.objects.filter(case__in=cases).count() == 2
    at.refresh_from_db()
    assert at.booked == 2


def test_n1_an_already_served_member_links_to_their_nta_and_the_page_offers_no_form(client_for, officer):
    cases = served_family(officer)

    response = client_for(officer).get(nta_url(cases))

    assert response.status_code == 200
    body = page_text(response)
    assert body.count('data-testid="already-served"') == 2
    assert reverse("hearings:case-hearings", args=[cases[0].pk]) in body
    assert 'data-testid="nta-form"' not in body
    assert "Every amenable member has been served." in visible_text(response)


def test_a3_a_member_not_yet_decided_is_listed_as_not_served_with_why(client_for, officer):
    cases = amenable_family(2)
    Case.objects.filter(pk=cases[1].pk).update(status=CaseStatus.AWAITING_REVIEW)

    response = client_for(officer).get(nta_url(cases))

    text = visible_text(response)
    assert text.count("Will be served") == 1
    assert (
        "Not served Awaiting supervisor review of amenability: only members the supervisor found amenable"
        in text
    )


@pytest.mark.parametrize("role", list(Role))
def test_n1_only_officers_and_agents_may_open_or_post_the_nta_page(client_for, role):
    cases = amenable_family(2)
    at = slot(capacity=10)
    user = user_with_role(role, locations=["sys-poe"])
    client = client_for(user)

    opened = client.get(nta_url(cases))
    posted = client.post(nta_url(cases), serve_form(at))

    if role in SERVE_OK:
        assert opened.status_code == 200
        assert posted.status_code == 302
        assert NoticeToAppear.objects.filter(case__in=cases).count() == 2
    else:
        assert opened.status_code == 403
        assert posted.status_code == 403
        assert not NoticeToAppear.objects.filter(case__in=cases).exists()


def test_an_officer_at_another_port_gets_404_for_the_family_and_serves_nothing(client_for):
    cases = amenable_family(2)
    at = slot(capacity=10)
    elsewhere = user_with_role(Role.CBP_OFFICER, locations=["elp-poe"])
    client = client_for(elsewhere)

    assert client.get(nta_url(cases)).status_code == 404
    assert client.post(nta_url(cases), serve_form(at)).status_code == 404
    assert not NoticeToAppear.objects.filter(case__in=cases).exists()
    assert client.get(reverse("hearings:family-nta", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"slot": ""}, "slot", "Choose a hearing slot with room for the family."),
        ({"charges": []}, "charges", "Choose at least one charge."),
        ({"charges": ["999(z)"]}, "charges", "999(z)"),
        ({"address_city": ""}, "address_city", "This field is required."),
        ({"address": "   "}, "address", "This field is required."),
        ({"classification": "tourist"}, "classification", "Select a valid choice."),
        ({"oral_notice_language": ""}, "oral_notice_language", "This field is required."),
    ],
)
def test_bad_input_on_the_nta_page_names_the_field_and_saves_nothing(
    client_for, officer, change, field, words
):
    cases = amenable_family(2)
    at = slot(capacity=10)

    response = client_for(officer).post(nta_url(cases), serve_form(at, **change))

    assert response.status_code == 400
    summary = page_text(response).split('id="error-summary"')[1].split("</ul>")[0]
    assert f'href="#id_{field}"' in summary
    assert words in html.unescape(summary)
    assert not NoticeToAppear.objects.filter(case__in=cases).exists()
    assert Case.objects.filter(pk__in=[c.pk for c in cases], status=CaseStatus.AMENABLE).count() == 2


def test_n3_an_interpreter_without_their_language_is_refused_next_to_the_field_with_the_code(
    client_for, officer
):
    cases = amenable_family(2)
    at = slot(capacity=10)

    response = client_for(officer).post(nta_url(cases), serve_form(at, interpretation="telephonic"))

    assert response.status_code == 400
    summary = page_text(response).split('id="error-summary"')[1].split("</ul>")[0]
    assert 'href="#id_interpreter_language"' in summary
    assert "Give the language the interpreter used (N3)." in summary
    assert "n3_interpretation" in summary
    assert not NoticeToAppear.objects.filter(case__in=cases).exists()


def test_n3_a_telephonic_interpreter_is_recorded_with_the_language(client_for, officer):
    cases = amenable_family(1)
    at = slot(capacity=10)

    client_for(officer).post(
        nta_url(cases), serve_form(at, interpretation="telephonic", interpreter_language="quc")
    )

    nta = NoticeToAppear.objects.get(case=cases[0])
    assert (nta.interpretation, nta.interpreter_language.code) == ("telephonic", "quc")


def test_s1_a_pending_fear_claim_blocks_the_family_on_the_page_and_refuses_the_serve_with_the_rule(
    client_for, officer
):
    cases = amenable_family(2)
    at = slot(capacity=10)
    client = client_for(officer)
    assert 'data-testid="nta-form"' in page_text(
        client.get(nta_url(cases))
    )  # the page as the officer opened it
    fear_claim_for(cases[1], actor=officer, statement="Stated a fear of return (S1)")

    response = client.post(nta_url(cases), serve_form(at))

    assert response.status_code == 409
    summary = page_text(response).split('id="error-summary"')[1].split("</ul>")[0]
    assert "S1 · fear_claim_pending" in summary
    assert cases[1].alien.full_name in summary
    assert not NoticeToAppear.objects.filter(case__in=cases).exists()
    at.refresh_from_db()
    assert at.booked == 0
    # Opened again, the page says why before the officer tries.
    again = client.get(nta_url(cases))
    assert 'data-testid="family-blocked"' in page_text(again)
    assert 'data-testid="nta-form"' not in page_text(again)


def test_the_second_officer_booking_the_last_places_is_told_the_slot_is_full_and_nothing_is_saved(
    client_for, officer
):
    first, second = amenable_family(2), amenable_family(2)
    at = slot(capacity=3)
    client = client_for(officer)
    form_page = client.get(nta_url(second))
    assert f'name="slot" value="{at.pk}"' in page_text(form_page)  # it had room when the page was opened
    serve(first, officer=user_with_role(Role.CBP_OFFICER), at=at)

    response = client.post(nta_url(second), serve_form(at))

    assert response.status_code == 409
    summary = page_text(response).split('id="error-summary"')[1].split("</ul>")[0]
    assert "slot_full" in summary
    assert "1 place left; 2 needed" in summary
    assert 'href="#id_slot"' in summary
    assert not NoticeToAppear.objects.filter(case__in=second).exists()


def test_the_nta_page_lists_the_slots_of_the_ports_hearing_locations_and_all_on_request(client_for, officer):
    cases = amenable_family(1)
    here = slot(place="sdg-ic-mpp", capacity=5)
    far = slot(place="elp-ic-mpp", capacity=5)
    client = client_for(officer)

    near = page_text(client.get(nta_url(cases)))
    everywhere = page_text(client.get(nta_url(cases) + "?place=all"))

    assert f'name="slot" value="{here.pk}"' in near and f'name="slot" value="{far.pk}"' not in near
    assert f'name="slot" value="{here.pk}"' in everywhere and f'name="slot" value="{far.pk}"' in everywhere
    assert local(far.starts_at, "America/Denver") in html.unescape(everywhere)


# --- Docket time (slots) -----------------------------------------------------------------------------


def slots_url(place_code: str = "sdg-ic-mpp", week: dt.date | None = None) -> str:
    place = hearing_location(place_code)
    query = f"?place={place.pk}"
    if week:
        query += f"&week={week.isoformat()}"
    return reverse("hearings:slots") + query


def test_court_staff_see_a_weeks_slots_with_times_in_the_zone_and_the_room_left(
    client_for, court_clerk, officer
):
    place = hearing_location("sdg-ic-mpp")
    today = timezone.localdate(timezone.now(), place.zone)
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
    at = HearingSlot.objects.create(
        hearing_location=place,
        starts_at=dt.datetime.combine(monday + dt.timedelta(days=2), dt.time(8, 30), tzinfo=place.zone),
        capacity=4,
        published_by=court_clerk,
    )
    next_week = HearingSlot.objects.create(
        hearing_location=place,
        starts_at=dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(8, 30), tzinfo=place.zone),
        capacity=4,
        published_by=court_clerk,
    )
    serve(amenable_family(3), officer=officer, at=at)

    response = client_for(court_clerk).get(slots_url(week=monday + dt.timedelta(days=3)))

    assert response.status_code == 200
    text = visible_text(response)
    row = re.search(r'<tr data-testid="slot-row">(.*?)</tr>', page_text(response), re.S).group(1)
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", c).split())
        for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
    ]
    hearing_local = at.starts_at.astimezone(LOS_ANGELES)
    assert cells[:3] == [
        f"{hearing_local:%a %Y-%m-%d}",
        f"{hearing_local:%H:%M %Z}",  # the column names the zone: America/Los_Angeles
        f"{(at.starts_at - place.report_lead).astimezone(LOS_ANGELES):%a %Y-%m-%d %H:%M %Z}",
    ]
    assert "Hearing time (America/Los_Angeles)" in text
    assert "Report at San Ysidro Port of Entry (America/Los_Angeles)" in text
    assert cells[3:6] == ["4", "3", "1"]
    assert local(next_week.starts_at, "America/Los_Angeles") not in text  # another week
    assert f"week of {monday:%A, %B} {monday.day}, {monday.year}" in text


def test_court_staff_publish_docket_time_and_are_told_what_was_published(client_for, court_clerk):
    place = hearing_location("imp-ic-mpp")
    day = timezone.localdate(timezone.now(), place.zone) + dt.timedelta(days=9)

    response = client_for(court_clerk).post(
        reverse("hearings:slots"),
        {
            "publish-hearing_location": place.pk,
            "publish-day": day.isoformat(),
            "publish-times": "08:30, 13:00",
            "publish-capacity": "15",
        },
        follow=True,
    )

    slots = list(HearingSlot.objects.filter(hearing_location=place).order_by("starts_at"))
    assert [s.starts_at.astimezone(place.zone).time() for s in slots] == [dt.time(8, 30), dt.time(13, 0)]
    assert {s.capacity for s in slots} == {15}
    text = visible_text(response)
    assert f"Published 2 slots at {place.name} (15 places each)" in text
    assert local(slots[0].starts_at, "America/Los_Angeles") in text  # in the message, the zone named


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"publish-times": "8:3x"}, "publish-times", "“8:3x” is not a time"),
        ({"publish-times": " , "}, "publish-times", "Give at least one start time"),
        ({"publish-times": "08:30, 08:30"}, "publish-times", "A start time is given twice."),
        ({"publish-capacity": "0"}, "publish-capacity", "greater than or equal to 1"),
        ({"publish-day": "2020-01-06"}, "publish-day", "is in the past at"),
        ({"publish-day": "2026-02-30"}, "publish-day", "Enter a valid date."),
    ],
)
def test_bad_docket_time_names_the_field_and_publishes_nothing(client_for, court_clerk, change, field, words):
    place = hearing_location("imp-ic-mpp")
    day = timezone.localdate(timezone.now(), place.zone) + dt.timedelta(days=9)
    data = {
        "publish-hearing_location": place.pk,
        "publish-day": day.isoformat(),
        "publish-times": "08:30",
        "publish-capacity": "15",
    }
    data.update(change)

    response = client_for(court_clerk).post(reverse("hearings:slots"), data)

    assert response.status_code == 400
    summary = page_text(response).split('id="error-summary"')[1].split("</ul>")[0]
    assert f'href="#id_{field}"' in summary
    assert words in summary
    assert not HearingSlot.objects.filter(hearing_location=place).exists()


def test_a_time_that_already_has_a_slot_is_refused_with_its_code(client_for, court_clerk):
    existing = slot(place="imp-ic-mpp", days_ahead=9, hour=8, minute=30)
    day = existing.starts_at.astimezone(existing.hearing_location.zone).date()

    response = client_for(court_clerk).post(
        reverse("hearings:slots"),
        {
            "publish-hearing_location": existing.hearing_location_id,
            "publish-day": day.isoformat(),
            "publish-times": "13:00, 08:30",
            "publish-capacity": "5",
        },
    )

    assert response.status_code == 400
    assert "slot_exists" in page_text(response)
    assert HearingSlot.objects.filter(hearing_location=existing.hearing_location).count() == 1


@pytest.mark.parametrize("role", list(Role))
def test_only_court_staff_open_the_slots_page_and_publish(client_for, role):
    place = hearing_location("imp-ic-mpp")
    day = timezone.localdate(timezone.now(), place.zone) + dt.timedelta(days=9)
    client = client_for(user_with_role(role, locations=["sys-poe"]))

    opened = client.get(reverse("hearings:slots"))
    posted = client.post(
        reverse("hearings:slots"),
        {
            "publish-hearing_location": place.pk,
            "publish-day": day.isoformat(),
            "publish-times": "08:30",
            "publish-capacity": "5",
        },
    )

    expected = 200 if role in COURT_OK else 403
    assert opened.status_code == expected
    assert posted.status_code == (302 if role in COURT_OK else 403)
    assert HearingSlot.objects.filter(hearing_location=place).exists() == (role in COURT_OK)


def test_the_publish_form_offers_every_active_place_from_the_pages_own_read(client_for, court_clerk):
    from hearings.models import HearingLocation

    laredo = hearing_location("lrd-ihf")
    HearingLocation.objects.filter(code="imp-ic-mpp").update(is_active=False)
    client = client_for(court_clerk)
    url = slots_url("lrd-ihf")
    client.get(url)

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)

    body = response.content.decode()
    select = re.search(r'<select name="publish-hearing_location"[^>]*>(.*?)</select>', body, re.S)
    assert select, "no hearing location select"
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]*)</option>', select.group(1))
    active = HearingLocation.objects.filter(is_active=True)
    assert sorted(int(v) for v, _, _ in options) == sorted(active.values_list("pk", flat=True))
    assert [int(v) for v, chosen, _ in options if chosen] == [laredo.pk]
    assert f"{laredo.name} ({laredo.time_zone})" in [html.unescape(label) for _, _, label in options]
    place_reads = [q for q in ctx.captured_queries if 'FROM "hearings_hearinglocation"' in q["sql"]]
    assert len(place_reads) == 1, place_reads  # the page's own read; the select adds none


def test_the_slots_page_reads_the_same_number_of_queries_for_1_slot_as_for_30(client_for, court_clerk):
    place = hearing_location("sdg-ic-mpp")
    today = timezone.localdate(timezone.now(), place.zone)
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=14)
    other_monday = monday + dt.timedelta(days=7)

    def publish(start: dt.date, count: int) -> None:
        for i in range(count):
            HearingSlot.objects.create(
                hearing_location=place,
                starts_at=dt.datetime.combine(
                    start + dt.timedelta(days=i % 5), dt.time(7 + i // 5, 0), tzinfo=place.zone
                ),
                capacity=10,
                published_by=court_clerk,
            )

    publish(monday, 1)
    publish(other_monday, 30)
    client = client_for(court_clerk)
    client.get(slots_url(week=monday))

    few = count_queries(client, slots_url(week=monday))
    many = count_queries(client, slots_url(week=other_monday))

    assert few == many


# --- The filing queue (M3/M4) ------------------------------------------------------------------------


def test_m3_the_filing_queue_lists_served_ntas_oldest_first_and_files_the_chosen_ones(
    client_for, officer, court_clerk
):
    at = slot(capacity=10)
    older = served_family(officer, size=1, at=at)
    newer = served_family(officer, size=2, at=at)
    nta_ids = list(NoticeToAppear.objects.order_by("served_at", "id").values_list("pk", "case_id"))
    client = client_for(court_clerk)

    listed = client.get(reverse("hearings:filing-queue"))

    text = page_text(listed)
    order = [int(m) for m in re.findall(r'name="nta_ids" value="(\d+)"', text)]
    assert order == [pk for pk, _ in nta_ids]
    assert older[0].alien.full_name in text and newer[1].alien.full_name in text

    today = timezone.localdate()
    response = client.post(
        reverse("hearings:filing-queue"),
        {"nta_ids": [nta_ids[0][0], nta_ids[1][0]], "filed_on": today.isoformat()},
        follow=True,
    )

    assert "2 NTAs confirmed as filed on" in visible_text(response)
    filed = NoticeToAppear.objects.filter(filed_on=today)
    assert set(filed.values_list("pk", flat=True)) == {nta_ids[0][0], nta_ids[1][0]}
    assert all(n.filed_by_id == court_clerk.pk for n in filed)
    left = [int(m) for m in re.findall(r'name="nta_ids" value="(\d+)"', page_text(response))]
    assert left == [nta_ids[2][0]]


def test_the_filing_queue_filters_by_court(client_for, officer, court_clerk):
    served_family(officer, size=1, at=slot(place="sdg-ic-mpp"))
    el_paso = served_family(
        user_with_role(Role.CBP_OFFICER, locations=["sys-poe"]), size=1, at=slot(place="elp-ic-mpp")
    )
    court = hearing_location("elp-ic-mpp").court

    response = client_for(court_clerk).get(reverse("hearings:filing-queue") + f"?court={court.pk}")

    rows = re.findall(r'data-testid="filing-row"', page_text(response))
    assert len(rows) == 1
    assert el_paso[0].alien.full_name in page_text(response)


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"filed_on": "2026-01-01"}, "nta_ids", "Choose at least one NTA."),
        (
            {"nta_ids": ["1"], "filed_on": "2999-01-01"},
            "filed_on",
            "The filing date cannot be in the future.",
        ),
        ({"nta_ids": ["1"], "filed_on": "yesterday"}, "filed_on", "Enter a valid date."),
    ],
)
def test_bad_filing_input_names_the_field_and_files_nothing(
    client_for, officer, court_clerk, data, field, words
):
    served_family(officer, size=1)
    data = {k: ([str(NoticeToAppear.objects.get().pk)] if k == "nta_ids" else v) for k, v in data.items()}

    response = client_for(court_clerk).post(reverse("hearings:filing-queue"), data)

    assert response.status_code == 400
    summary = page_text(response).split('id="error-summary"')[1].split("</ul>")[0]
    assert f'href="#id_{field}"' in summary and words in summary
    assert not NoticeToAppear.objects.filter(filed_on__isnull=False).exists()


@pytest.mark.parametrize("role", list(Role))
def test_only_court_staff_open_the_filing_queue_and_file(client_for, officer, role):
    served_family(officer, size=1)
    nta = NoticeToAppear.objects.get()
    client = client_for(user_with_role(role, locations=["sys-poe"]))

    opened = client.get(reverse("hearings:filing-queue"))
    posted = client.post(
        reverse("hearings:filing-queue"), {"nta_ids": [nta.pk], "filed_on": timezone.localdate().isoformat()}
    )

    nta.refresh_from_db()
    if role in COURT_OK:
        assert (opened.status_code, posted.status_code) == (200, 302)
        assert nta.filed_on is not None
    else:
        assert (opened.status_code, posted.status_code) == (403, 403)
        assert nta.filed_on is None


def test_the_filing_queue_reads_the_same_number_of_queries_for_1_nta_as_for_7_and_logs_who_saw_whom(
    client_for, officer, court_clerk
):
    at = slot(capacity=20)
    first = served_family(officer, size=1, at=at)
    client = client_for(court_clerk)
    client.get(reverse("hearings:filing-queue"))
    few = count_queries(client, reverse("hearings:filing-queue"))
    for _ in range(3):
        served_family(officer, size=2, at=at)

    many = count_queries(client, reverse("hearings:filing-queue"))

    assert many == few
    logged = AccessLog.objects.filter(user=court_clerk, object_type="case").latest("at")
    assert str(first[0].pk) in logged.object_ids and len(logged.object_ids) == 7


# --- The docket --------------------------------------------------------------------------------------


def docket_url(at: HearingSlot) -> str:
    place = at.hearing_location
    day = at.starts_at.astimezone(place.zone).date()
    return reverse("hearings:docket") + f"?place={place.pk}&day={day.isoformat()}"


def test_the_docket_shows_the_days_hearings_with_person_language_and_time_and_moved_ones_as_moved(
    client_for, officer, court_clerk
):
    at = slot(days_ahead=8, capacity=10)
    later = slot(days_ahead=15, capacity=10)
    cases = served_family(officer, size=2, at=at)
    first = Hearing.objects.get(case=cases[0])
    hearings_move(
        hearing_ids=[first.pk], slot_id=later.pk, mode="rescheduled", actor=court_clerk, reason="Judge ill"
    )

    response = client_for(court_clerk).get(docket_url(at))

    assert response.status_code == 200
    body = page_text(response)
    text = visible_text(response)
    assert local(at.starts_at, "America/Los_Angeles") in text
    for case in cases:
        assert case.alien.full_name in text and case.alien.a_number in text
    assert "Spanish" in text
    assert f"Moved (rescheduled) to {local(later.starts_at, 'America/Los_Angeles')}" in text
    assert docket_url(later).replace("&", "&amp;") in response.content.decode()
    second = Hearing.objects.get(case=cases[1])
    assert reverse("hearings:hearing-move", args=[second.pk]) in body
    assert reverse("hearings:hearing-move", args=[first.pk]) not in body  # moved: not offered again


@pytest.mark.parametrize("role", list(Role))
def test_the_docket_is_for_court_staff_and_read_only_for_cbp_field_roles(client_for, officer, role):
    at = slot(capacity=10)
    cases = served_family(officer, size=1, at=at)
    hearing = Hearing.objects.get(case=cases[0])
    user = user_with_role(role, locations=["sys-poe"])

    response = client_for(user).get(docket_url(at))

    if role in {Role.COURT_STAFF, Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT, Role.CBP_SUPERVISOR}:
        assert response.status_code == 200
        moves = reverse("hearings:hearing-move", args=[hearing.pk]) in page_text(response)
        assert moves == (role == Role.COURT_STAFF)
    else:
        assert response.status_code == 403


def test_the_docket_shows_an_officer_only_their_locations_people(client_for, officer):
    at = slot(capacity=10)
    cases = served_family(officer, size=1, at=at)
    elsewhere = user_with_role(Role.CBP_OFFICER, locations=["elp-poe"])

    response = client_for(elsewhere).get(docket_url(at))

    assert response.status_code == 200
    assert cases[0].alien.full_name not in page_text(response)


def test_the_docket_reads_the_same_number_of_queries_for_1_hearing_as_for_9(client_for, officer, court_clerk):
    few_slot = slot(days_ahead=8, capacity=20)
    many_slot = slot(days_ahead=9, capacity=20)
    served_family(officer, size=1, at=few_slot)
    for _ in range(3):
        served_family(officer, size=3, at=many_slot)
    moved = Hearing.objects.filter(slot=many_slot).first()
    hearings_move(
        hearing_ids=[moved.pk],
        slot_id=slot(days_ahead=20).pk,
        mode="rescheduled",
        actor=court_clerk,
        reason="r",
    )
    client = client_for(court_clerk)
    client.get(docket_url(few_slot))

    assert count_queries(client, docket_url(few_slot)) == count_queries(client, docket_url(many_slot))


# --- Moving a hearing (H2, N5) -----------------------------------------------------------------------


def move_url(hearing: Hearing) -> str:
    return reverse("hearings:hearing-move", args=[hearing.pk])


def test_h2_court_staff_reschedule_a_hearing_into_a_slot_of_the_same_court(client_for, officer, court_clerk):
    at = slot(days_ahead=8, capacity=10)
    later = slot(days_ahead=15, capacity=10)
    other_court = slot(place="elp-ic-mpp", days_ahead=15, capacity=10)
    cases = served_family(officer, size=2, at=at)
    hearing = Hearing.objects.get(case=cases[0])
    client = client_for(court_clerk)

    form_page = page_text(client.get(move_url(hearing)))
    assert f'name="slot" value="{later.pk}"' in form_page
    assert f'name="slot" value="{other_court.pk}"' not in form_page
    assert f'name="slot" value="{at.pk}"' not in form_page  # the slot it is in
    assert cases[1].alien.full_name in form_page  # offered: the family member in the same slot

    response = client.post(
        move_url(hearing),
        {"mode": "rescheduled", "slot": later.pk, "reason": "The judge is ill"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("hearings:case-hearings", args=[cases[0].pk])
    text = visible_text(response)
    assert (
        f"Hearing rescheduled to {later.hearing_location.name}, {local(later.starts_at, 'America/Los_Angeles')}"
        in text
    )
    assert "A new tear sheet will be issued and the print staff of San Ysidro" in text
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.RESCHEDULED
    assert hearing.replaced_by.slot_id == later.pk
    assert Hearing.objects.get(case=cases[1]).status == Hearing.Status.SCHEDULED  # not asked: stays


def test_h2_the_family_in_the_same_slot_moves_together_when_asked(client_for, officer, court_clerk):
    at = slot(days_ahead=8, capacity=10)
    later = slot(days_ahead=15, capacity=10)
    cases = served_family(officer, size=3, at=at)
    hearing = Hearing.objects.get(case=cases[1])

    client_for(court_clerk).post(
        move_url(hearing),
        {"mode": "rescheduled", "family": "on", "slot": later.pk, "reason": "Interpreter not available"},
    )

    assert Hearing.objects.filter(case__in=cases, status="scheduled", slot=later).count() == 3
    later.refresh_from_db()
    at.refresh_from_db()
    assert (at.booked, later.booked) == (0, 3)


def test_h2_a_continuance_to_the_same_day_is_refused_naming_the_slot_and_the_rule(
    client_for, officer, court_clerk
):
    at = slot(days_ahead=8, hour=8, capacity=10)
    same_day = slot(days_ahead=8, hour=13, capacity=10)
    cases = served_family(officer, size=1, at=at)
    hearing = Hearing.objects.get(case=cases[0])

    response = client_for(court_clerk).post(
        move_url(hearing), {"mode": "continued", "slot": same_day.pk, "reason": "More time"}
    )

    assert response.status_code == 400
    summary = page_text(response).split('id="error-summary"')[1].split("</ul>")[0]
    assert 'href="#id_slot"' in summary and "h2_later_day" in summary
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.SCHEDULED


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"reason": ""}, "reason", "This field is required."),
        ({"mode": "cancel"}, "mode", "Select a valid choice."),
        ({"slot": ""}, "slot", "Choose the new hearing slot."),
    ],
)
def test_bad_move_input_names_the_field_and_moves_nothing(
    client_for, officer, court_clerk, change, field, words
):
    at = slot(days_ahead=8, capacity=10)
    later = slot(days_ahead=15, capacity=10)
    hearing = Hearing.objects.get(case=served_family(officer, size=1, at=at)[0])
    data = {"mode": "rescheduled", "slot": later.pk, "reason": "Judge ill", **change}

    response = client_for(court_clerk).post(move_url(hearing), data)

    assert response.status_code == 400
    summary = page_text(response).split('id="error-summary"')[1].split("</ul>")[0]
    assert f'href="#id_{field}"' in summary and words in summary
    assert Hearing.objects.count() == 1


@pytest.mark.parametrize("role", list(Role))
def test_only_court_staff_move_hearings(client_for, officer, role):
    at = slot(days_ahead=8, capacity=10)
    later = slot(days_ahead=15, capacity=10)
    hearing = Hearing.objects.get(case=served_family(officer, size=1, at=at)[0])
    client = client_for(user_with_role(role, locations=["sys-poe"]))

    opened = client.get(move_url(hearing))
    posted = client.post(move_url(hearing), {"mode": "rescheduled", "slot": later.pk, "reason": "Judge ill"})

    if role in COURT_OK:
        assert (opened.status_code, posted.status_code) == (200, 302)
        assert Hearing.objects.count() == 2
    else:
        assert (opened.status_code, posted.status_code) == (403, 403)
        assert Hearing.objects.count() == 1


def test_a_missing_hearing_is_404_and_a_moved_one_points_to_its_replacement(client_for, officer, court_clerk):
    at = slot(days_ahead=8, capacity=10)
    later = slot(days_ahead=15, capacity=10)
    hearing = Hearing.objects.get(case=served_family(officer, size=1, at=at)[0])
    (new,) = hearings_move(
        hearing_ids=[hearing.pk], slot_id=later.pk, mode="rescheduled", actor=court_clerk, reason="r"
    )
    client = client_for(court_clerk)

    assert client.get(reverse("hearings:hearing-move", args=[999999])).status_code == 404
    moved = page_text(client.get(move_url(hearing)))
    assert 'data-testid="not-scheduled"' in moved and move_url(new) in moved
    assert 'data-testid="move-form"' not in moved


# --- A case's hearings and documents (N5, N6) --------------------------------------------------------


def hearings_url(case: Case, partial: bool = False) -> str:
    return reverse("hearings:case-hearings", args=[case.pk]) + ("?partial=1" if partial else "")


def test_n5_the_case_page_shows_the_nta_hearings_sheets_and_the_superseded_one_after_a_move(
    client_for, officer, court_clerk
):
    at = slot(days_ahead=8, capacity=10)
    later = slot(days_ahead=15, capacity=10)
    cases = served_family(officer, size=1, at=at)
    hearing = Hearing.objects.get(case=cases[0])
    place = hearing.hearing_location
    client = client_for(court_clerk)

    before = visible_text(client.get(hearings_url(cases[0])))
    assert "Served, not yet filed" in before
    assert "Oral notice in Spanish" in before
    assert "Interpretation (N3) None" in before
    assert "INA 212(a)(7)(A)(i)(I)" in before
    assert local(at.starts_at, "America/Los_Angeles") in before
    assert local(at.starts_at - place.report_lead, "America/Los_Angeles") in before
    assert "v1" in before and "Waiting to be printed" in before
    assert "Calle Juárez 123, Col. Centro, Tijuana, Baja California, Mexico" in before

    hearings_move(
        hearing_ids=[hearing.pk], slot_id=later.pk, mode="rescheduled", actor=court_clerk, reason="Judge ill"
    )
    outbox_relay()  # the tear-sheet subscriber (N5) runs
    nta_file(
        nta_ids=[NoticeToAppear.objects.get(case=cases[0]).pk],
        filed_on=timezone.localdate(),
        actor=court_clerk,
    )

    response = client.get(hearings_url(cases[0]))
    text = visible_text(response)
    rows = re.findall(r'<tr data-testid="sheet-row" data-version="(\d)"', page_text(response))
    assert rows == ["2", "1"]
    assert "SUPERSEDED by v2" in text
    assert "Reissued (hearing moved)" in text
    assert f"replaced by the hearing of {local(later.starts_at, 'America/Los_Angeles')}" in text
    assert f"Filed {timezone.localdate():%Y-%m-%d}" in text
    assert "Served, not yet filed" not in text


def test_the_partial_is_the_summary_only_and_the_case_page_loads_it_in_place(client_for, officer):
    cases = served_family(officer, size=1)
    client = client_for(officer)

    partial = client.get(hearings_url(cases[0], partial=True))
    case_page = page_text(client.get(reverse("cases:detail", args=[cases[0].pk])))

    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert 'data-testid="hearings-summary"' in partial.content.decode()
    assert "served, not yet filed" in visible_text(partial)
    assert f'hx-get="{hearings_url(cases[0], partial=True)}"' in case_page
    assert 'hx-trigger="load"' in case_page
    assert f'href="{hearings_url(cases[0])}"' in case_page  # without JavaScript: the link
    assert "vendor/htmx/htmx.min.js" in case_page
    assert "<script>" not in case_page  # no inline script (CSP)


def test_the_serve_link_is_offered_to_officers_for_an_amenable_case_only(client_for, officer, court_clerk):
    cases = amenable_family(1)

    mine = page_text(client_for(officer).get(hearings_url(cases[0], partial=True)))
    court = page_text(client_for(court_clerk).get(hearings_url(cases[0], partial=True)))

    assert reverse("hearings:family-nta", args=[cases[0].encounter_id]) in mine
    assert reverse("hearings:family-nta", args=[cases[0].encounter_id]) not in court


@pytest.mark.parametrize("role", list(Role))
def test_who_reads_a_cases_hearings(client_for, officer, role):
    cases = served_family(officer, size=1)
    user = user_with_role(role, locations=["sys-poe"])

    response = client_for(user).get(hearings_url(cases[0]))

    readers = {
        Role.CBP_OFFICER,
        Role.BORDER_PATROL_AGENT,
        Role.CBP_SUPERVISOR,
        Role.COURT_STAFF,
        Role.PRINT_STAFF,
        Role.ICE_OFFICER,
        Role.ASYLUM_OFFICER,
        Role.SUPERVISORY_ASYLUM_OFFICER,
    }
    assert response.status_code == (200 if role in readers else 403)


def test_another_locations_case_is_404_on_its_hearings_page(client_for, officer):
    cases = served_family(officer, size=1)
    elsewhere = user_with_role(Role.CBP_OFFICER, locations=["elp-poe"])

    assert client_for(elsewhere).get(hearings_url(cases[0])).status_code == 404
    assert client_for(officer).get(reverse("hearings:case-hearings", args=[999999])).status_code == 404


def test_the_case_hearings_page_reads_the_same_number_of_queries_for_one_hearing_as_for_five(
    client_for, officer, court_clerk
):
    one = served_family(officer, size=1, at=slot(days_ahead=5, capacity=10))[0]
    many = served_family(officer, size=1, at=slot(days_ahead=6, capacity=10))[0]
    for days in (10, 12, 14, 16):
        current = Hearing.objects.get(case=many, status="scheduled")
        hearings_move(
            hearing_ids=[current.pk],
            slot_id=slot(days_ahead=days).pk,
            mode="rescheduled",
            actor=court_clerk,
            reason="r",
        )
        outbox_relay()  # each move's new tear sheet (N5)
    address_change_record(
        case_id=many.pk,
        address=AddressInput(address="Av. Revolución 9", city="Tijuana", state="Baja California"),
        received_on=timezone.localdate(),
        how_received="mail",
        actor=court_clerk,
    )
    assert TearSheet.objects.filter(case=many).count() == 5
    client = client_for(court_clerk)
    client.get(hearings_url(one))

    assert count_queries(client, hearings_url(one)) == count_queries(client, hearings_url(many))
    assert count_queries(client, hearings_url(one, partial=True)) == count_queries(
        client, hearings_url(many, partial=True)
    )


def test_hostile_strings_are_escaped_on_the_pages(client_for, officer, court_clerk):
    encounter = EncounterFactory(location=location("sys-poe"))
    case = CaseFactory(
        encounter=encounter, status=CaseStatus.AMENABLE, alien=AlienFactory(given_names=HOSTILE)
    )
    at = slot(days_ahead=8, capacity=10)
    client = client_for(officer)
    client.post(nta_url([case]), serve_form(at, address=HOSTILE, address_city=HOSTILE))
    assert NoticeToAppear.objects.filter(case=case).exists()

    pages = [
        client.get(nta_url([case])),
        client.get(hearings_url(case)),
        client_for(court_clerk).get(hearings_url(case)),
        client_for(court_clerk).get(docket_url(at)),
        client_for(court_clerk).get(reverse("hearings:filing-queue")),
        client_for(court_clerk).get(move_url(Hearing.objects.get(case=case))),
    ]

    for response in pages:
        assert response.status_code == 200
        body = response.content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert" in body


# --- Change of address (N6) --------------------------------------------------------------------------


def address_url(case: Case) -> str:
    return reverse("hearings:address-change", args=[case.pk])


ADDRESS_FORM = {
    "address": "Av. Revolución 1200, Zona Centro",
    "address_city": "Tijuana",
    "address_state": "Baja California",
    "address_phone": "",
    "how_received": "mail",
}


def test_n6_an_eoir33_becomes_the_current_address_and_the_old_one_stays_in_the_history(
    client_for, officer, court_clerk
):
    cases = served_family(officer, size=1)
    client = client_for(court_clerk)

    response = client.post(
        address_url(cases[0]), {**ADDRESS_FORM, "received_on": timezone.localdate().isoformat()}, follow=True
    )

    assert response.redirect_chain[-1][0] == hearings_url(cases[0])
    text = visible_text(response)
    assert "Change of address recorded (EOIR-33, N6): Av. Revolución 1200, Zona Centro, Tijuana" in text
    rows = re.findall(r'<tr data-testid="address-row"(.*?)</tr>', page_text(response), re.S)
    assert len(rows) == 2
    assert "Av. Revolución 1200" in rows[0] and 'data-testid="current-address"' in rows[0]
    assert "Calle Juárez 123" in rows[1] and "current-address" not in rows[1]
    assert (
        AddressInMexico.objects.filter(case=cases[0], source="eoir33", recorded_by=court_clerk).count() == 1
    )


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"address_city": ""}, "address_city", "This field is required."),
        ({"received_on": "2999-01-01"}, "received_on", "The date received cannot be in the future."),
        ({"how_received": "at_service"}, "how_received", "Select a valid choice."),
    ],
)
def test_bad_address_input_names_the_field_and_saves_nothing(client_for, officer, change, field, words):
    cases = served_family(officer, size=1)
    data = {**ADDRESS_FORM, "received_on": timezone.localdate().isoformat(), **change}

    response = client_for(officer).post(address_url(cases[0]), data)

    assert response.status_code == 400
    summary = page_text(response).split('id="error-summary"')[1].split("</ul>")[0]
    assert f'href="#id_{field}"' in summary and words in summary
    assert AddressInMexico.objects.filter(case=cases[0]).count() == 1


def test_n6_an_address_before_any_nta_is_refused_with_its_code(client_for, officer):
    (case,) = amenable_family(1)

    response = client_for(officer).post(
        address_url(case), {**ADDRESS_FORM, "received_on": timezone.localdate().isoformat()}
    )

    assert response.status_code == 409
    assert "no_nta" in page_text(response)
    assert not AddressInMexico.objects.exists()


@pytest.mark.parametrize("role", list(Role))
def test_court_staff_officers_and_agents_record_a_change_of_address(client_for, officer, role):
    cases = served_family(officer, size=1)
    client = client_for(user_with_role(role, locations=["sys-poe"]))

    opened = client.get(address_url(cases[0]))
    posted = client.post(
        address_url(cases[0]), {**ADDRESS_FORM, "received_on": timezone.localdate().isoformat()}
    )

    if role in {Role.COURT_STAFF, Role.CBP_OFFICER, Role.BORDER_PATROL_AGENT}:
        assert (opened.status_code, posted.status_code) == (200, 302)
        assert AddressInMexico.objects.filter(case=cases[0]).count() == 2
    else:
        assert (opened.status_code, posted.status_code) == (403, 403)
        assert AddressInMexico.objects.filter(case=cases[0]).count() == 1


def test_an_officer_at_another_port_cannot_record_an_address_on_the_case(client_for, officer):
    cases = served_family(officer, size=1)
    elsewhere = user_with_role(Role.CBP_OFFICER, locations=["elp-poe"])

    response = client_for(elsewhere).post(
        address_url(cases[0]), {**ADDRESS_FORM, "received_on": timezone.localdate().isoformat()}
    )

    assert response.status_code == 404
    assert AddressInMexico.objects.filter(case=cases[0]).count() == 1


# --- The menu ----------------------------------------------------------------------------------------


def test_the_menu_offers_the_docket_slots_and_filing_to_court_staff_only(client_for, officer, court_clerk):
    court_menu = page_text(client_for(court_clerk).get(reverse("cases:home")))
    officer_menu = page_text(client_for(officer).get(reverse("cases:home")))

    for name in ("hearings:docket", "hearings:slots", "hearings:filing-queue"):
        assert f'href="{reverse(name)}"' in court_menu
        assert f'href="{reverse(name)}"' not in officer_menu
