"""The print staff's pages (N1, N5): the print queue of their duty location (waiting, printed, superseded;
filtered by court and hearing day; 50 a page by keyset, as many queries for 2 sheets as for 20), printing
the checked sheets as one batch (small batches built at once, larger ones by the Celery task after
commit), the batch's progress and PDF, marking it printed (who and when; reprints recorded), and the one-
sheet and NTA record PDFs. Driven through the Django test client on the real database."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases.models import CaseEvent
from hearings.models import HearingSlot, PrintBatch, TearSheet, TearSheetPrint
from hearings.services import (
    INLINE_BATCH_MAX,
    hearings_move,
    print_batch_build,
    print_batch_create,
    print_batch_mark_printed,
    tear_sheet_reissue,
)
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from tests.factories import language, user_with_role
from tests.hearings.factories import amenable_family, hearing_location, serve, slot

pytestmark = pytest.mark.django_db

QUEUE = "hearings:print-queue"


# --- helpers ---------------------------------------------------------------------------------------------


def waiting_sheets(
    officer: User,
    count: int,
    *,
    at: HearingSlot | None = None,
    location_code: str = "sys-poe",
    language_code: str = "es",
) -> list[TearSheet]:
    """``count`` people served one by one (a family of one each) into ``at``: one waiting sheet each, in
    the order issued."""
    at = at or slot(capacity=200)
    sheets = []
    for _ in range(count):
        cases = amenable_family(1, location_code)
        alien = cases[0].alien
        alien.preferred_language = language(language_code)
        alien.save(update_fields=["preferred_language"])
        serve(cases, officer=officer, at=at)
        sheets.append(TearSheet.objects.get(case=cases[0]))
    return sheets


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def sheet_ids(text: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-testid="sheet-row" data-sheet-id="(\d+)"', text)]


def get(client: Client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return page_text(response), len(ctx.captured_queries)


def supersede(sheet: TearSheet, court_clerk: User, *, days_ahead: int = 20) -> TearSheet:
    """Reschedule the sheet's hearing (H2) and issue the new version, as the event-bus subscriber does."""
    new_slot = slot(days_ahead=days_ahead, publisher=court_clerk)
    (moved,) = hearings_move(
        hearing_ids=[sheet.hearing_id],
        slot_id=new_slot.pk,
        mode="rescheduled",
        actor=court_clerk,
        reason="Judge ill",
    )
    return tear_sheet_reissue(old_hearing_id=sheet.hearing_id, new_hearing_id=moved.pk)


@pytest.fixture
def print_staff(db) -> User:
    """Print staff at San Ysidro."""
    return user_with_role(Role.PRINT_STAFF, first_name="Rosa", last_name="Quintero")


@pytest.fixture
def printer(client_for, print_staff) -> Client:
    return client_for(print_staff)


# --- the queue -------------------------------------------------------------------------------------------


def test_the_queue_shows_the_waiting_sheets_of_the_print_staffs_own_location_only_n1(officer, printer):
    mine = waiting_sheets(officer, 2)
    laredo_officer = user_with_role(Role.CBP_OFFICER, locations=["lrd-poe"])
    theirs = waiting_sheets(laredo_officer, 1, at=slot(place="lrd-ihf", capacity=10), location_code="lrd-poe")

    response = printer.get(reverse(QUEUE))

    text = page_text(response)
    assert response.status_code == 200
    assert sheet_ids(text) == [s.pk for s in mine]  # oldest issued first
    assert str(theirs[0].pk) not in re.findall(r'name="sheets" value="(\d+)"', text)
    alien = mine[0].case.alien
    assert alien.full_name in text and alien.a_number in text
    assert "San Diego Immigration Court" in text
    hearing_local = mine[0].hearing.starts_at.astimezone(mine[0].hearing.hearing_location.zone)
    row = text.split('data-testid="sheet-row"')[1]
    assert f"{hearing_local:%a %Y-%m-%d %H:%M %Z}" in row and "America/Los_Angeles" in row  # the zone named
    assert "Spanish" in text and "New" in text and "Not yet" in text
    assert text.count('name="sheets"') == 2
    assert "Print selected" in text


def test_a_person_whose_language_has_no_catalogue_is_listed_as_english_and_spanish_n1a(officer, printer):
    (sheet,) = waiting_sheets(officer, 1, language_code="quc")

    text = page_text(printer.get(reverse(QUEUE)))

    assert sheet.language_code == ""
    assert "English and Spanish" in text


def test_print_staff_of_several_locations_choose_the_queue_of_one(officer, client_for):
    (san_ysidro,) = waiting_sheets(officer, 1)
    laredo_officer = user_with_role(Role.CBP_OFFICER, locations=["lrd-poe"])
    (laredo,) = waiting_sheets(laredo_officer, 1, at=slot(place="lrd-ihf"), location_code="lrd-poe")
    client = client_for(user_with_role(Role.PRINT_STAFF, locations=["sys-poe", "lrd-poe"]))

    default = page_text(client.get(reverse(QUEUE)))
    chosen = page_text(client.get(reverse(QUEUE), {"location": laredo.location_id}))

    assert 'name="location"' in default  # the location select
    assert "Print queue — Laredo Port of Entry" in default  # the first by name
    assert sheet_ids(default) == [laredo.pk]
    assert sheet_ids(page_text(client.get(reverse(QUEUE), {"location": san_ysidro.location_id}))) == [
        san_ysidro.pk
    ]
    assert sheet_ids(chosen) == [laredo.pk]


def test_the_queue_filters_by_court_and_by_the_hearing_day_where_it_is_heard(officer, printer):
    san_diego = waiting_sheets(officer, 1, at=slot(days_ahead=5, hour=16))
    later = waiting_sheets(officer, 1, at=slot(days_ahead=6, hour=8))
    # The same local day as San Diego's hearing: between midnight in Chicago and midnight in San Diego,
    # "5 days from today" is a day later in Laredo.
    sd_day = san_diego[0].hearing.starts_at.astimezone(san_diego[0].hearing.hearing_location.zone).date()
    laredo_today = timezone.localdate(timezone.now(), hearing_location("lrd-ihf").zone)
    laredo = waiting_sheets(
        officer, 1, at=slot(place="lrd-ihf", days_ahead=(sd_day - laredo_today).days, hour=8)
    )
    court_id = laredo[0].hearing.hearing_location.court_id
    # 16:00 in San Diego is after midnight UTC: the hearing's own day is what the filter means.
    day = san_diego[0].hearing.starts_at.astimezone(san_diego[0].hearing.hearing_location.zone).date()
    assert san_diego[0].hearing.starts_at.astimezone(dt.UTC).date() != day

    by_court = sheet_ids(page_text(printer.get(reverse(QUEUE), {"court": court_id})))
    by_day = sheet_ids(page_text(printer.get(reverse(QUEUE), {"hearing_on": day.isoformat()})))
    next_day = sheet_ids(
        page_text(printer.get(reverse(QUEUE), {"hearing_on": (day + dt.timedelta(days=1)).isoformat()}))
    )

    assert by_court == [laredo[0].pk]
    assert by_day == [san_diego[0].pk, laredo[0].pk]
    assert next_day == [later[0].pk]


def test_the_printed_tab_lists_sheets_printed_before_with_their_count_for_reprint(
    officer, printer, print_staff
):
    printed, waiting = waiting_sheets(officer, 2)
    batch = print_batch_create(sheet_ids=[printed.pk], actor=print_staff)
    print_batch_build(batch_id=batch.pk)
    print_batch_mark_printed(batch_id=batch.pk, actor=print_staff)

    waiting_ids = sheet_ids(page_text(printer.get(reverse(QUEUE))))
    printed_text = page_text(printer.get(reverse(QUEUE), {"state": "printed"}))

    assert waiting_ids == [waiting.pk]
    assert sheet_ids(printed_text) == [printed.pk]
    assert "1 time" in printed_text
    assert f'name="sheets" value="{printed.pk}"' in printed_text  # may be printed again


def test_the_superseded_tab_is_read_only_and_names_the_replacement_n5(officer, printer, court_clerk):
    (old,) = waiting_sheets(officer, 1)
    new = supersede(old, court_clerk)

    superseded_text = page_text(printer.get(reverse(QUEUE), {"state": "superseded"}))
    waiting_ids = sheet_ids(page_text(printer.get(reverse(QUEUE))))

    assert sheet_ids(superseded_text) == [old.pk]
    assert f"Superseded by v{new.version} — do not print" in superseded_text
    assert 'name="sheets"' not in superseded_text and "Print selected" not in superseded_text
    assert "Do not print these sheets." in superseded_text
    assert waiting_ids == [new.pk]


def test_the_queue_reads_the_same_number_of_queries_for_2_sheets_as_for_20(officer, printer):
    at = slot(capacity=100)
    waiting_sheets(officer, 2, at=at)
    get(printer, reverse(QUEUE))  # the first request of a session warms caches
    few_text, few = get(printer, reverse(QUEUE))
    waiting_sheets(officer, 18, at=at)

    many_text, many = get(printer, reverse(QUEUE))

    assert len(sheet_ids(few_text)) == 2 and len(sheet_ids(many_text)) == 20
    assert many == few


def test_the_queue_pages_50_sheets_at_a_time_by_keyset(officer, printer):
    sheets = waiting_sheets(officer, 52, at=slot(capacity=100))

    first = page_text(printer.get(reverse(QUEUE)))
    next_query = re.search(r'<a href="(\?[^"]*)"[^>]*rel="next"', first).group(1)
    second = page_text(printer.get(reverse(QUEUE) + next_query))

    assert sheet_ids(first) == [s.pk for s in sheets[:50]]
    assert sheet_ids(second) == [s.pk for s in sheets[50:]]


def test_select_all_on_this_page_without_javascript_checks_every_row(officer, printer):
    sheets = waiting_sheets(officer, 3)

    text = page_text(printer.get(reverse(QUEUE), {"select": "all"}))

    for sheet in sheets:
        assert re.search(rf'value="{sheet.pk}" checked', text)


def test_the_queue_records_who_saw_which_sheets(officer, printer, print_staff):
    sheets = waiting_sheets(officer, 2)

    printer.get(reverse(QUEUE))

    row = AccessLog.objects.filter(user=print_staff, object_type="tear_sheet").latest("id")
    assert row.object_ids == [str(s.pk) for s in sheets]


def test_recent_batches_are_listed_on_the_queue_newest_first(officer, printer, print_staff):
    a, b = waiting_sheets(officer, 2)
    first = print_batch_create(sheet_ids=[a.pk], actor=print_staff)
    second = print_batch_create(sheet_ids=[b.pk], actor=print_staff)

    text = page_text(printer.get(reverse(QUEUE)))

    assert re.findall(r">Batch (\d+)</a>", text) == [str(second.pk), str(first.pk)]


# --- printing a batch ------------------------------------------------------------------------------------


def test_printing_a_few_sheets_builds_the_batch_at_once(officer, printer):
    sheets = waiting_sheets(officer, INLINE_BATCH_MAX)

    response = printer.post(
        reverse("hearings:print-batch-create"), {"sheets": [s.pk for s in sheets], "state": "waiting"}
    )

    batch = PrintBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hearings:print-batch", args=[batch.pk])
    assert batch.status == PrintBatch.Status.READY
    assert (batch.total, batch.done, batch.failed) == (INLINE_BATCH_MAX, INLINE_BATCH_MAX, 0)
    page = page_text(printer.get(response["Location"]))
    assert f"Built {INLINE_BATCH_MAX} of {INLINE_BATCH_MAX}" in page
    assert "Open the PDF" in page and "Mark printed" in page
    assert "hx-trigger" not in page  # nothing to wait for


def test_a_larger_batch_is_queued_for_the_worker_after_commit_and_its_page_refreshes_itself(
    officer, printer, django_capture_on_commit_callbacks
):
    sheets = waiting_sheets(officer, INLINE_BATCH_MAX + 1)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = printer.post(reverse("hearings:print-batch-create"), {"sheets": [s.pk for s in sheets]})

    batch = PrintBatch.objects.get()
    assert batch.status == PrintBatch.Status.QUEUED and batch.done == 0
    assert len(callbacks) == 1  # the task is sent only once the batch is committed
    page = page_text(printer.get(response["Location"]))
    progress_url = reverse("hearings:print-batch", args=[batch.pk]) + "?partial=progress"
    assert f'hx-get="{progress_url}"' in page and 'hx-trigger="every 1s"' in page
    assert f"Built 0 of {INLINE_BATCH_MAX + 1}" in page and "Refresh" in page
    assert 'role="progressbar"' in page or "<progress" in page
    assert "Open the PDF" not in page

    print_batch_build(batch_id=batch.pk)  # what the worker does

    fragment = page_text(printer.get(progress_url))
    assert "<html" not in fragment
    assert (
        f"Built {INLINE_BATCH_MAX + 1} of {INLINE_BATCH_MAX + 1}" in fragment and "Open the PDF" in fragment
    )
    assert "hx-trigger" not in fragment  # ready: the polling stops


def test_a_superseded_sheet_is_refused_with_the_replacement_named_n5(officer, printer, court_clerk):
    old, other = waiting_sheets(officer, 2)
    new = supersede(old, court_clerk)

    # A page loaded before the hearing moved still offers the old sheet.
    response = printer.post(reverse("hearings:print-batch-create"), {"sheets": [old.pk, other.pk]})

    text = page_text(response)
    assert response.status_code == 400
    assert "Nothing was printed" in text
    assert f"superseded by v{new.version}" in text and "N5 · superseded" in text
    assert not PrintBatch.objects.exists()
    assert sheet_ids(text) == [other.pk, new.pk]  # the queue again, current sheets only


def test_printing_nothing_is_refused(printer, officer):
    waiting_sheets(officer, 1)

    response = printer.post(reverse("hearings:print-batch-create"), {"state": "waiting"})

    assert response.status_code == 400
    assert "Choose at least one tear sheet to print." in page_text(response)
    assert not PrintBatch.objects.exists()


def test_another_locations_sheet_cannot_be_printed(officer, printer):
    laredo_officer = user_with_role(Role.CBP_OFFICER, locations=["lrd-poe"])
    (theirs,) = waiting_sheets(laredo_officer, 1, at=slot(place="lrd-ihf"), location_code="lrd-poe")

    response = printer.post(reverse("hearings:print-batch-create"), {"sheets": [theirs.pk]})

    assert response.status_code == 404
    assert "does not exist or is not at your duty locations" in page_text(response)
    assert not PrintBatch.objects.exists()


def test_the_batch_pdf_is_served_inline_without_caching(officer, printer, print_staff):
    sheets = waiting_sheets(officer, 2)
    batch = print_batch_build(
        batch_id=print_batch_create(sheet_ids=[s.pk for s in sheets], actor=print_staff).pk
    )

    response = printer.get(reverse("hearings:print-batch-pdf", args=[batch.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="tear-sheets-batch-{batch.pk}.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 2


def test_the_pdf_of_a_batch_still_building_leads_back_to_its_page(officer, printer, print_staff):
    sheets = waiting_sheets(officer, INLINE_BATCH_MAX + 1)
    batch = print_batch_create(sheet_ids=[s.pk for s in sheets], actor=print_staff)

    response = printer.get(reverse("hearings:print-batch-pdf", args=[batch.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("hearings:print-batch", args=[batch.pk])


def test_marking_printed_records_who_and_when_then_a_second_batch_is_a_reprint(officer, printer, print_staff):
    a, b = waiting_sheets(officer, 2)
    first = print_batch_build(batch_id=print_batch_create(sheet_ids=[a.pk, b.pk], actor=print_staff).pk)
    before = timezone.now()

    response = printer.post(reverse("hearings:print-batch-printed", args=[first.pk]), follow=True)

    assert "2 sheets marked printed (0 reprints)." in page_text(response)
    a.refresh_from_db()
    assert a.printed_by == print_staff and a.printed_at >= before and a.print_count == 1
    assert list(TearSheetPrint.objects.filter(batch=first).values_list("is_reprint", flat=True)) == [
        False,
        False,
    ]
    assert CaseEvent.objects.filter(case=a.case, type="tear_sheet.printed").count() == 1
    assert "Marked printed by Rosa Quintero" in page_text(response)

    second = print_batch_build(batch_id=print_batch_create(sheet_ids=[a.pk], actor=print_staff).pk)
    response = printer.post(reverse("hearings:print-batch-printed", args=[second.pk]), follow=True)

    assert "1 sheet marked printed (1 reprints)." in page_text(response)
    a.refresh_from_db()
    assert a.print_count == 2 and a.printed_at < timezone.now()
    reprint = TearSheetPrint.objects.get(batch=second)
    assert reprint.is_reprint and reprint.printed_by == print_staff
    assert CaseEvent.objects.filter(case=a.case, type="tear_sheet.reprinted").count() == 1


def test_marking_a_batch_printed_twice_records_it_once(officer, printer, print_staff):
    (sheet,) = waiting_sheets(officer, 1)
    batch = print_batch_build(batch_id=print_batch_create(sheet_ids=[sheet.pk], actor=print_staff).pk)
    printer.post(reverse("hearings:print-batch-printed", args=[batch.pk]))

    response = printer.post(reverse("hearings:print-batch-printed", args=[batch.pk]), follow=True)

    assert "already marked printed" in page_text(response)
    assert TearSheetPrint.objects.filter(sheet=sheet).count() == 1


def test_a_batch_not_built_yet_cannot_be_marked_printed(officer, printer, print_staff):
    sheets = waiting_sheets(officer, INLINE_BATCH_MAX + 1)
    batch = print_batch_create(sheet_ids=[s.pk for s in sheets], actor=print_staff)

    response = printer.post(reverse("hearings:print-batch-printed", args=[batch.pk]), follow=True)

    assert "batch_not_ready" in page_text(response)
    assert not TearSheetPrint.objects.exists()


def test_a_failed_sheet_is_listed_with_the_person_and_the_error_n2(officer, printer, print_staff):
    good, bad = waiting_sheets(officer, 2)
    alien = bad.case.alien
    alien.a_number = None  # the A-number was withdrawn as a typo after service: nothing to print (N2)
    alien.save(update_fields=["a_number"])
    batch = print_batch_build(batch_id=print_batch_create(sheet_ids=[good.pk, bad.pk], actor=print_staff).pk)

    text = page_text(printer.get(reverse("hearings:print-batch", args=[batch.pk])))

    assert batch.status == PrintBatch.Status.READY
    assert "Built 2 of 2; 1 could not be built" in text
    failure = re.search(r'data-testid="batch-failure">(.*?)</li>', text, re.S).group(1)
    assert alien.full_name in failure and "A-number" in failure


# --- who may see what ------------------------------------------------------------------------------------


def test_another_locations_batch_answers_404(officer, print_staff, client_for):
    (sheet,) = waiting_sheets(officer, 1)
    batch = print_batch_build(batch_id=print_batch_create(sheet_ids=[sheet.pk], actor=print_staff).pk)
    laredo_printer = client_for(user_with_role(Role.PRINT_STAFF, locations=["lrd-poe"]))

    for name in ("hearings:print-batch", "hearings:print-batch-pdf"):
        assert laredo_printer.get(reverse(name, args=[batch.pk])).status_code == 404
    assert laredo_printer.post(reverse("hearings:print-batch-printed", args=[batch.pk])).status_code == 404
    assert laredo_printer.get(reverse("hearings:print-batch", args=[batch.pk + 1000])).status_code == 404


@pytest.mark.parametrize(
    "role", [Role.CBP_OFFICER, Role.CBP_SUPERVISOR, Role.COURT_STAFF, Role.ICE_OFFICER, Role.ANALYST]
)
def test_the_print_pages_are_for_print_staff_only(role, officer, print_staff, client_for):
    (sheet,) = waiting_sheets(officer, 1)
    batch = print_batch_create(sheet_ids=[sheet.pk], actor=print_staff)
    client = client_for(user_with_role(role))

    assert client.get(reverse(QUEUE)).status_code == 403
    assert client.post(reverse("hearings:print-batch-create"), {"sheets": [sheet.pk]}).status_code == 403
    assert client.get(reverse("hearings:print-batch", args=[batch.pk])).status_code == 403
    assert client.get(reverse("hearings:print-batch-pdf", args=[batch.pk])).status_code == 403
    assert client.post(reverse("hearings:print-batch-printed", args=[batch.pk])).status_code == 403
    assert PrintBatch.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in():
    response = Client().get(reverse(QUEUE))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_print_staff_see_the_print_queue_in_the_navigation(printer, client_for, officer):
    assert "Print queue" in page_text(printer.get(reverse("cases:home")))
    assert "Print queue" not in page_text(client_for(officer).get(reverse("cases:home")))


# --- one sheet, and the NTA record -----------------------------------------------------------------------


def test_one_tear_sheet_as_pdf_for_a_role_that_reads_the_case(officer, client_for, court_clerk):
    (sheet,) = waiting_sheets(officer, 1)
    url = reverse("hearings:tear-sheet-pdf", args=[sheet.pk])

    for user in (officer, court_clerk):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
        reader = PdfReader(io.BytesIO(response.content))
        assert len(reader.pages) == 1
        assert sheet.case.alien.a_number in reader.pages[0].extract_text()


def test_a_superseded_tear_sheet_prints_with_its_banner_n5(officer, client_for, court_clerk):
    (old,) = waiting_sheets(officer, 1, language_code="en")
    supersede(old, court_clerk)

    response = client_for(officer).get(reverse("hearings:tear-sheet-pdf", args=[old.pk]))

    assert response.status_code == 200
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "SUPERSEDED — do not use" in text


def test_a_tear_sheet_outside_the_users_locations_is_404_and_other_roles_403(officer, client_for):
    (sheet,) = waiting_sheets(officer, 1)
    url = reverse("hearings:tear-sheet-pdf", args=[sheet.pk])

    assert client_for(user_with_role(Role.CBP_OFFICER, locations=["lrd-poe"])).get(url).status_code == 404
    assert client_for(user_with_role(Role.ANALYST)).get(url).status_code == 403


def test_the_nta_record_pdf_has_a_page_per_served_member_n2(officer, client_for, court_clerk, print_staff):
    cases = amenable_family(2)
    serve(cases, officer=officer, at=slot())
    url = reverse("hearings:nta-pdf", args=[cases[0].encounter_id])

    for user in (officer, court_clerk, print_staff, user_with_role(Role.CBP_SUPERVISOR)):
        response = client_for(user).get(url)
        assert response.status_code == 200, user.role_names
        assert response["Content-Type"] == "application/pdf"
        reader = PdfReader(io.BytesIO(response.content))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert len(reader.pages) == 2
        assert cases[0].alien.a_number in text and cases[1].alien.a_number in text


def test_the_nta_record_is_404_when_none_was_served_or_not_visible_and_403_for_other_roles(
    officer, client_for
):
    unserved = amenable_family(1)
    served = amenable_family(1)
    serve(served, officer=officer, at=slot())

    assert (
        client_for(officer).get(reverse("hearings:nta-pdf", args=[unserved[0].encounter_id])).status_code
        == 404
    )
    laredo = client_for(user_with_role(Role.CBP_OFFICER, locations=["lrd-poe"]))
    assert laredo.get(reverse("hearings:nta-pdf", args=[served[0].encounter_id])).status_code == 404
    for role in (Role.ICE_OFFICER, Role.ANALYST, Role.ASYLUM_OFFICER):
        client = client_for(user_with_role(role))
        assert client.get(reverse("hearings:nta-pdf", args=[served[0].encounter_id])).status_code == 403


@pytest.mark.parametrize("query", [{}, {"location": "x", "court": "1", "state": "printed"}])
def test_the_queue_filters_render_what_djangos_select_renders(query):
    # The filter form's selects are FastSelect (mpp.widgets): the markup must be Select's, choice for choice.
    from django import forms

    from hearings.print_forms import PrintQueueFilterForm
    from mpp.accounts.models import Location

    places = list(Location.objects.filter(code__in=["sys-poe", "lrd-poe"]).order_by("name"))
    courts = list(Location.objects.filter(kind=Location.Kind.IMMIGRATION_COURT).order_by("name"))
    if query.get("location") == "x":
        query = {**query, "location": str(places[1].pk), "court": str(courts[0].pk)}
    fast = PrintQueueFilterForm(query, locations=places, courts=courts)
    plain = PrintQueueFilterForm(query, locations=places, courts=courts)
    for name in ("location", "state", "court"):
        field = plain.fields[name]
        field.widget = forms.Select(choices=field.choices)

    for name in ("location", "state", "court"):
        assert str(fast[name]) == str(plain[name]), name
    assert "<option" in str(fast["court"]) and "All courts" in str(fast["court"])
