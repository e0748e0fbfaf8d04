"""ICE custody determinations (S4, F6): the services' rules, the ICE queue and a person's custody page.

S4: a person with a positive fear assessment is not processed for MPP, or is removed from MPP; ICE makes a
case-by-case custody determination (detain, parole, other) — recorded with who, when and why, revisited
with a new one that supersedes the earlier, which stays in the history.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Alien, Case, CaseEvent, CaseStatus, CustodyDetermination, CustodyReferral
from cases.selectors import custody_of_case
from cases.services import custody_determine, custody_refer
from cases.subscribers import notify_custody_referred
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from mpp.audit.models import AccessLog
from mpp.exceptions import InvalidInput, NotPermitted, PolicyRefusal
from mpp.outbox.models import Notification, OutboxEvent
from screenings.fear_services import (
    AssessmentInput,
    ClaimInput,
    fear_assessment_review,
    fear_assessment_submit,
    fear_claim_record,
    fear_interview_schedule,
)
from tests.factories import CaseFactory, family_with_cases, language, location, user_with_role

pytestmark = pytest.mark.django_db

S = CaseStatus
D = CustodyDetermination.Decision
QUEUE = "/cases/custody/"
# Every role but ICE officers: none of them records a custody determination (S4: ICE does).
NOT_ICE = [role for role in Role.values if role != Role.ICE_OFFICER]
# Who reads a person's custody page (cases.selectors.CUSTODY_READ_ROLES), written out from the policy:
# ICE, who decide; the CBP supervisor, who decides for the family; the court (detained docket); USCIS.
CUSTODY_READERS = [
    Role.ICE_OFFICER,
    Role.CBP_SUPERVISOR,
    Role.COURT_STAFF,
    Role.ASYLUM_OFFICER,
    Role.SUPERVISORY_ASYLUM_OFFICER,
]
NOT_CUSTODY_READERS = [
    Role.CBP_OFFICER,
    Role.BORDER_PATROL_AGENT,
    Role.PRINT_STAFF,
    Role.ANALYST,
    Role.ADMINISTRATOR,
]


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def ice() -> User:
    return user_with_role(Role.ICE_OFFICER)


def referred(
    status: str = S.REMOVED_FROM_MPP,
    *,
    code: str = "fear_of_mexico",
    at: str = "sys-poe",
    referred_at: dt.datetime | None = None,
) -> Case:
    """A case removed from MPP (or not processed for it) and referred to ICE, as the fear workflow does."""
    case = CaseFactory(status=status, encounter__location=location(at))
    referral = custody_refer(
        case_id=case.pk,
        actor=user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER, locations=["lax-zla"]),
        rule="S4",
        code=code,
        reason=f"S4: not returned to Mexico under MPP ({code}); ICE makes a case-by-case custody determination.",
    )
    if referred_at is not None:
        CustodyReferral.objects.filter(pk=referral.pk).update(referred_at=referred_at)
    return case


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def local_words(moment: dt.datetime, zone: str) -> str:
    local = timezone.localtime(moment, ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


# --- the service ---------------------------------------------------------------------------------------


def test_s4_ice_records_a_custody_determination_for_a_referred_person_with_who_when_and_why():
    case = referred()
    officer = ice()

    determination = custody_determine(
        case_id=case.pk, actor=officer, decision=D.PAROLE, reason="Mother of two; sponsor in Phoenix"
    )

    assert determination.decision == "parole"
    assert determination.decided_by == officer
    assert determination.reason == "Mother of two; sponsor in Phoenix"
    assert determination.is_current and determination.supersedes is None
    referral = CustodyReferral.objects.get(case=case)
    assert determination.referral == referral
    assert referral.determined_at == determination.decided_at  # the person leaves the queue
    event = CaseEvent.objects.get(case=case, type="custody.determined")
    assert event.actor == officer and event.reason == "Parole: Mother of two; sponsor in Phoenix"
    assert OutboxEvent.objects.filter(event="custody.determined", case_id=case.pk).count() == 1
    case.refresh_from_db()
    assert case.status == S.REMOVED_FROM_MPP  # a custody determination moves nothing


def test_s4_determinations_are_case_by_case_one_persons_does_not_touch_anothers():
    mother, son = referred(), referred()

    custody_determine(case_id=mother.pk, actor=ice(), decision=D.RECOGNIZANCE, reason="Family ties")
    custody_determine(case_id=son.pk, actor=ice(), decision=D.DETAIN, reason="Prior failure to appear")

    assert CustodyDetermination.objects.get(case=mother).decision == "recognizance"
    assert CustodyDetermination.objects.get(case=son).decision == "detain"


def test_s4_a_revisit_supersedes_the_current_determination_and_keeps_the_earlier_in_the_history():
    case = referred()
    first = custody_determine(case_id=case.pk, actor=ice(), decision=D.DETAIN, reason="No address")

    second = custody_determine(case_id=case.pk, actor=ice(), decision=D.PAROLE, reason="Address verified")

    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert second.supersedes == first
    assert second.referral is None  # the referral was answered by the first one
    assert CustodyDetermination.objects.filter(case=case).count() == 2
    assert list(first.history.values_list("is_current", flat=True).order_by("history_id")) == [True, False]
    assert list(CaseEvent.objects.filter(case=case).values_list("type", flat=True).order_by("id"))[-2:] == [
        "custody.determined",
        "custody.revisited",
    ]
    assert CaseEvent.objects.get(case=case, type="custody.revisited").data["supersedes"] == first.pk


@pytest.mark.parametrize(
    "status",
    [
        S.SCREENING,
        S.AWAITING_REVIEW,
        S.AMENABLE,
        S.ENROLLED,
        S.IN_MEXICO,
        S.IN_US_FOR_HEARING,
        S.COMPLETED_RELIEF,
    ],
)
def test_s4_custody_not_due_for_a_person_neither_removed_nor_not_amenable_nor_referred(status):
    case = CaseFactory(status=status)

    with pytest.raises(PolicyRefusal) as refused:
        custody_determine(case_id=case.pk, actor=ice(), decision=D.DETAIN, reason="Asked")

    assert (refused.value.rule, refused.value.code) == ("S4", "custody_not_due")
    assert not CustodyDetermination.objects.filter(case=case).exists()
    assert not CaseEvent.objects.filter(case=case, type__startswith="custody.").exists()


@pytest.mark.parametrize("status", [S.REMOVED_FROM_MPP, S.NOT_AMENABLE])
def test_s4_custody_is_due_for_a_person_removed_from_mpp_or_not_processed_for_it_even_unreferred(status):
    case = CaseFactory(status=status)

    determination = custody_determine(case_id=case.pk, actor=ice(), decision=D.OTHER, reason="Hospitalised")

    assert determination.referral is None and determination.is_current


def test_s4_a_referral_makes_custody_due_whatever_the_status_and_a_determination_keeps_it_revisitable():
    case = referred(S.IN_US_FOR_HEARING, code="family_member_fear_positive")

    custody_determine(case_id=case.pk, actor=ice(), decision=D.DETAIN, reason="Referred by the workflow")
    again = custody_determine(case_id=case.pk, actor=ice(), decision=D.PAROLE, reason="Revisited")

    assert again.supersedes is not None


@pytest.mark.parametrize(
    "status,referral,determination",
    [
        (S.ENROLLED, False, False),
        (S.ENROLLED, True, False),
        (S.IN_MEXICO, False, True),
        (S.REMOVED_FROM_MPP, False, False),
        (S.NOT_AMENABLE, False, False),
        (S.AMENABLE, False, False),
    ],
)
def test_s4_the_page_offers_a_determination_exactly_when_the_service_records_one(
    status, referral, determination
):
    """The custody page's predicate (cases.selectors.custody_refusal) and custody_determine's agree."""
    case = referred(status) if referral else CaseFactory(status=status)
    if determination:  # recorded while due, the case moved on since
        Case.objects.filter(pk=case.pk).update(status=S.REMOVED_FROM_MPP)
        custody_determine(case_id=case.pk, actor=ice(), decision=D.DETAIN, reason="Then")
        Case.objects.filter(pk=case.pk).update(status=status)
    case = Case.objects.select_related("alien").get(pk=case.pk)
    officer = ice()

    offered = custody_of_case(user=officer, case=case)
    try:
        custody_determine(case_id=case.pk, actor=officer, decision=D.PAROLE, reason="Now")
        recorded = True
    except PolicyRefusal:
        recorded = False

    assert offered is not None
    assert offered.may_decide is recorded
    assert (offered.refusal is None) is recorded
    expected = status in (S.REMOVED_FROM_MPP, S.NOT_AMENABLE) or referral or determination
    assert recorded is bool(expected)


@pytest.mark.parametrize("role", NOT_ICE)
def test_s4_only_ice_officers_record_custody_determinations(role):
    case = referred()
    user = user_with_role(role)

    with pytest.raises(NotPermitted) as refused:
        custody_determine(case_id=case.pk, actor=user, decision=D.DETAIN, reason="Not mine to decide")

    assert "ICE officer" in refused.value.message
    assert not CustodyDetermination.objects.filter(case=case).exists()
    assert CustodyReferral.objects.get(case=case).determined_at is None


@pytest.mark.parametrize(
    "decision,reason,field",
    [("release", "Because", "decision"), ("", "Because", "decision"), ("detain", "  ", "reason")],
)
def test_s4_a_determination_needs_a_known_decision_and_a_reason_naming_the_field(decision, reason, field):
    case = referred()

    with pytest.raises(InvalidInput) as refused:
        custody_determine(case_id=case.pk, actor=ice(), decision=decision, reason=reason)

    assert refused.value.field == field
    assert not CustodyDetermination.objects.exists()


def test_s4_a_concurred_positive_assessment_puts_each_member_on_the_ice_queue_with_its_reason_code():
    mother, son = family_with_cases(size=2, status=S.ENROLLED)
    officer = user_with_role(Role.CBP_OFFICER)
    asylum_officer = user_with_role(Role.ASYLUM_OFFICER, locations=["lax-zla"])
    sao = user_with_role(Role.SUPERVISORY_ASYLUM_OFFICER, locations=["lax-zla"])
    claim = fear_claim_record(
        case_id=mother.pk,
        actor=officer,
        data=ClaimInput(
            stated_by="self", location_id=location().pk, setting="encounter", language_id=language("es").pk
        ),
    )
    fear_interview_schedule(
        claim_id=claim.pk, actor=asylum_officer, interview_at=timezone.now() + dt.timedelta(hours=1)
    )
    fear_assessment_submit(
        claim_id=claim.pk,
        actor=asylum_officer,
        data=AssessmentInput(
            interview_held_at=timezone.now(),
            determination="positive",
            grounds=["political_opinion"],
            account="Threatened for organising",
            determination_reason="Credible, consistent",
        ),
    )

    fear_assessment_review(claim_id=claim.pk, actor=sao, decision="concur", reason="Concur")

    client = _client(ice())
    text = page_text(client.get(QUEUE))
    for case, code in ((mother, "S4 · fear_of_mexico"), (son, "S4 · family_member_fear_positive")):
        row = text[text.index(case.alien.full_name) :]
        assert code in row[: row.index("</tr>")]


@pytest.mark.django_db(transaction=True)
def test_s4_two_ice_officers_deciding_at_once_both_record_in_order_the_second_superseding_the_first():
    case = referred()
    officers = {"first": ice(), "second": ice()}
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def decide(name: str, decision: str) -> None:
        try:
            barrier.wait(timeout=10)
            custody_determine(case_id=case.pk, actor=officers[name], decision=decision, reason=f"By {name}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("first", D.DETAIN)),
        threading.Thread(target=decide, args=("second", D.PAROLE)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    earlier, later = CustodyDetermination.objects.filter(case=case).order_by("decided_at", "id")
    assert (earlier.is_current, later.is_current) == (False, True)
    assert later.supersedes_id == earlier.pk
    assert earlier.referral_id is not None and later.referral_id is None  # the referral answered once
    types = list(
        CaseEvent.objects.filter(case=case, type__startswith="custody.d").values_list("type", flat=True)
    )
    assert types == ["custody.determined"]
    assert CaseEvent.objects.filter(case=case, type="custody.revisited").count() == 1


# --- the ICE queue -------------------------------------------------------------------------------------


def test_s4_the_ice_queue_lists_who_where_why_and_when_oldest_referral_first():
    now = timezone.now()
    later = referred(
        at="lrd-poe", code="family_member_fear_positive", referred_at=now - dt.timedelta(hours=1)
    )
    earlier = referred(at="sys-poe", code="fear_of_mexico", referred_at=now - dt.timedelta(days=2))
    determined = referred(referred_at=now - dt.timedelta(days=5))
    custody_determine(case_id=determined.pk, actor=ice(), decision=D.DETAIN, reason="Decided already")

    response = _client(ice()).get(QUEUE)

    text = page_text(response)
    assert response.status_code == 200
    assert "<title>Custody determinations — Determination due — MPP Case Management</title>" in text
    assert text.index(earlier.alien.full_name) < text.index(later.alien.full_name)
    assert determined.alien.full_name not in text
    assert text.count('data-testid="custody-row"') == 2
    row = text[text.index(earlier.alien.full_name) :]
    row = row[: row.index("</tr>")]
    assert earlier.alien.a_number in row
    assert "San Ysidro Port of Entry" in row
    assert "S4 · fear_of_mexico" in row
    assert "not returned to Mexico under MPP" in row  # the plain words the referring workflow recorded
    referral = CustodyReferral.objects.get(case=earlier)
    # The day, then the time under it (the row fits at 1280 px).
    assert local_words(referral.referred_at, "America/Los_Angeles").replace(" ", "<br>", 1) in row
    assert reverse("cases:custody", args=[earlier.pk]) in row
    laredo_row = text[text.index(later.alien.full_name) :]
    laredo_referral = CustodyReferral.objects.get(case=later)
    assert (
        local_words(laredo_referral.referred_at, "America/Chicago").replace(" ", "<br>", 1)
        in laredo_row[: laredo_row.index("</tr>")]
    )


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_names_are_escaped_on_both_tabs_of_the_ice_queue():
    case = referred()
    Alien.objects.filter(pk=case.alien_id).update(family_name=HOSTILE)
    custody_determine(case_id=case.pk, actor=ice(), decision=D.PAROLE, reason=HOSTILE)
    other = referred()
    Alien.objects.filter(pk=other.alien_id).update(given_names=HOSTILE)

    for url in (QUEUE, f"{QUEUE}?tab=determined"):
        raw = _client(ice()).get(url).content.decode()

        assert "<script>alert" not in raw and "<img src=x" not in raw
        assert "&lt;script&gt;alert" in raw


def test_the_ice_queue_says_so_when_nothing_is_due():
    response = _client(ice()).get(QUEUE)

    assert 'data-testid="custody-queue-empty"' in page_text(response)


def test_the_ice_queue_pages_by_50_without_repeats():
    start = timezone.now() - dt.timedelta(days=3)
    cases = [referred(referred_at=start + dt.timedelta(minutes=i)) for i in range(51)]
    client = _client(ice())

    first = page_text(client.get(QUEUE))
    assert first.count('data-testid="custody-row"') == 50
    query = re.search(r'<a href="(\?[^"]+)"[^>]*data-testid="pager-next"', first).group(1)
    second = page_text(client.get(QUEUE + query))

    assert second.count('data-testid="custody-row"') == 1
    assert cases[-1].alien.full_name in second and cases[-1].alien.full_name not in first
    assert cases[0].alien.full_name in first


def test_the_ice_queue_records_the_cases_shown_in_the_access_log():
    case = referred()
    officer = ice()

    _client(officer).get(QUEUE)

    log = AccessLog.objects.get(user=officer, object_type="case")
    assert log.object_ids == [str(case.pk)]


def test_s4_the_recently_determined_tab_lists_determinations_latest_first_revisits_marked():
    case = referred()
    custody_determine(case_id=case.pk, actor=ice(), decision=D.DETAIN, reason="First")
    custody_determine(case_id=case.pk, actor=ice(), decision=D.PAROLE, reason="Second")

    response = _client(ice()).get(QUEUE, {"tab": "determined"})

    text = page_text(response)
    assert 'aria-current="page" data-testid="tab-determined"' in text
    rows = text.split('data-testid="determined-row"')[1:]
    assert len(rows) == 2
    assert "Parole" in rows[0] and "current" in rows[0]
    assert "Detain" in rows[1] and "superseded" in rows[1]


@pytest.mark.parametrize("role", NOT_ICE)
def test_the_ice_queue_is_for_ice_officers_only(role):
    response = _client(user_with_role(role)).get(QUEUE)

    assert response.status_code == 403


def test_the_ice_queue_needs_sign_in(client):
    response = client.get(QUEUE)

    assert response.status_code == 302


def _queue_queries(client, tab: str = "") -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(QUEUE, {"tab": tab} if tab else {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_ice_queue_reads_as_many_queries_for_many_referrals_as_for_few():
    client = _client(ice())
    referred(), referred()
    few = _queue_queries(client)

    for code in ("sys-poe", "lrd-poe", "elp-poe", "nog-poe", "bro-poe", "egp-poe"):
        referred(at=code)
    many = _queue_queries(client)

    assert few == many


def test_the_recently_determined_tab_reads_as_many_queries_for_many_determinations_as_for_few():
    client = _client(ice())
    officer = ice()
    for case in (referred(), referred()):
        custody_determine(case_id=case.pk, actor=officer, decision=D.DETAIN, reason="Few")
    few = _queue_queries(client, "determined")

    for code in ("lrd-poe", "elp-poe", "nog-poe", "bro-poe", "egp-poe"):
        case = referred(at=code)
        custody_determine(case_id=case.pk, actor=ice(), decision=D.DETAIN, reason="Many")
        custody_determine(case_id=case.pk, actor=ice(), decision=D.PAROLE, reason="Revisited")
    many = _queue_queries(client, "determined")

    assert few == many


# --- a person's custody page -----------------------------------------------------------------------------


def custody_url(case: Case) -> str:
    return reverse("cases:custody", args=[case.pk])


def test_s4_the_custody_page_shows_the_referral_and_the_history_current_first_superseded_marked():
    case = referred()
    first_officer, second_officer = ice(), ice()
    custody_determine(case_id=case.pk, actor=first_officer, decision=D.DETAIN, reason="No fixed address")
    custody_determine(case_id=case.pk, actor=second_officer, decision=D.RECOGNIZANCE, reason="Sponsor found")

    response = _client(ice()).get(custody_url(case))

    text = page_text(response)
    assert response.status_code == 200
    assert f"Custody — {case.alien.full_name}" in text
    referral = text[text.index('data-testid="custody-referrals"') :]
    assert "S4 · fear_of_mexico" in referral and "Determined" in referral
    rows = text.split('data-testid="determination-row"')[1:]
    assert len(rows) == 2
    current, earlier = rows
    assert "Release on recognizance" in current and "current" in current and "Sponsor found" in current
    assert second_officer.display_name in current
    assert "Detain" in earlier and "superseded" in earlier and "No fixed address" in earlier
    assert "by release on recognizance" in earlier
    assert first_officer.display_name in earlier
    detain = CustodyDetermination.objects.get(case=case, decision="detain")
    assert local_words(detain.decided_at, "America/Los_Angeles") in earlier
    assert "Revisit the custody determination" in text and 'data-testid="custody-form"' in text


def test_s4_an_ice_officer_records_a_determination_from_the_custody_page():
    case = referred()
    officer = ice()
    client = _client(officer)

    response = client.post(custody_url(case), {"decision": "parole", "reason": "Sponsor in Phoenix"})

    assert response.status_code == 302 and response.url == custody_url(case)
    determination = CustodyDetermination.objects.get(case=case)
    assert (determination.decision, determination.decided_by, determination.reason) == (
        "parole",
        officer,
        "Sponsor in Phoenix",
    )
    text = page_text(client.get(response.url))
    assert f"Custody determination recorded for {case.alien.full_name}: Parole." in text


def test_s4_revisiting_from_the_custody_page_says_the_earlier_stays_superseded():
    case = referred()
    custody_determine(case_id=case.pk, actor=ice(), decision=D.DETAIN, reason="First")
    client = _client(ice())

    response = client.post(custody_url(case), {"decision": "other", "reason": "Hospitalised"}, follow=True)

    text = page_text(response)
    assert "Custody determination revisited" in text and "marked superseded" in text
    assert CustodyDetermination.objects.filter(case=case).count() == 2


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"reason": "No decision chosen"}, "decision", "Choose the determination"),
        ({"decision": "detain", "reason": ""}, "reason", "Give the reason for the determination."),
        ({"decision": "release", "reason": "Unknown"}, "decision", "Select a valid choice."),
    ],
)
def test_s4_a_refused_determination_names_the_field_in_the_error_summary(data, field, message):
    case = referred()

    response = _client(ice()).post(custody_url(case), data)

    text = page_text(response)
    assert response.status_code == 400
    assert "<title>Error: Custody —" in text
    assert "The custody determination was not recorded" in text
    assert f'<a href="#id_{field}">' in text and message in text
    assert f'id="id_{field}_error"' in text
    assert not CustodyDetermination.objects.exists()


def test_s4_a_person_not_due_gets_the_reason_code_and_no_form():
    case = CaseFactory(status=S.IN_MEXICO)

    response = _client(ice()).get(custody_url(case))

    text = page_text(response)
    assert 'data-testid="custody-form"' not in text
    assert "custody_not_due" in text and "S4" in text
    assert "ICE determines custody for people removed from MPP or not processed for it" in text


def test_s4_posting_for_a_person_not_due_is_refused_with_the_rule_and_code():
    case = CaseFactory(status=S.ENROLLED)

    response = _client(ice()).post(custody_url(case), {"decision": "detain", "reason": "Hand-edited form"})

    text = page_text(response)
    assert response.status_code == 409
    assert "S4 · custody_not_due" in text
    assert not CustodyDetermination.objects.exists()


@pytest.mark.parametrize("role", CUSTODY_READERS)
def test_the_custody_readers_read_the_custody_page_and_only_ice_gets_the_form(role):
    case = referred()
    custody_determine(case_id=case.pk, actor=ice(), decision=D.DETAIN, reason="Flight risk")

    response = _client(user_with_role(role)).get(custody_url(case))

    text = page_text(response)
    assert response.status_code == 200
    assert "Flight risk" in text
    assert ('data-testid="custody-form"' in text) is (role == Role.ICE_OFFICER)
    if role != Role.ICE_OFFICER:
        assert "Custody determinations are recorded by ICE officers." in text


@pytest.mark.parametrize("role", NOT_CUSTODY_READERS)
def test_other_roles_may_not_open_the_custody_page(role):
    case = referred()

    response = _client(user_with_role(role)).get(custody_url(case))

    assert response.status_code == 403


@pytest.mark.parametrize("role", [r for r in CUSTODY_READERS if r != Role.ICE_OFFICER])
def test_s4_a_reader_who_is_not_ice_may_not_post_a_determination(role):
    case = referred()

    response = _client(user_with_role(role)).post(
        custody_url(case), {"decision": "detain", "reason": "Mine?"}
    )

    assert response.status_code == 403
    assert not CustodyDetermination.objects.exists()


def test_a_cbp_supervisor_reads_custody_at_their_duty_locations_only():
    here, elsewhere = referred(at="sys-poe"), referred(at="lrd-poe")
    supervisor = user_with_role(Role.CBP_SUPERVISOR, locations=["sys-poe"])
    client = _client(supervisor)

    assert client.get(custody_url(here)).status_code == 200
    assert client.get(custody_url(elsewhere)).status_code == 404


def test_the_custody_page_of_a_missing_case_is_not_found():
    response = _client(ice()).get(reverse("cases:custody", args=[999_999_999]))

    assert response.status_code == 404


def test_reading_a_custody_page_is_recorded_in_the_access_log():
    case = referred()
    reader = user_with_role(Role.COURT_STAFF)

    _client(reader).get(custody_url(case))

    assert AccessLog.objects.get(user=reader).object_ids == [str(case.pk)]


def test_the_custody_page_reads_as_many_queries_for_a_long_history_as_for_a_short_one():
    short, long = referred(), referred()
    custody_determine(case_id=short.pk, actor=ice(), decision=D.DETAIN, reason="Once")
    for index, decision in enumerate([D.DETAIN, D.PAROLE, D.OTHER, D.RECOGNIZANCE, D.DETAIN, D.PAROLE]):
        custody_determine(case_id=long.pk, actor=ice(), decision=decision, reason=f"Revisit {index}")
    client = _client(ice())

    counts = []
    for case in (short, long):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(custody_url(case)).status_code == 200
        counts.append(len(ctx.captured_queries))

    assert counts[0] == counts[1]


def test_the_case_page_links_the_custody_page_for_ice_officers_only():
    case = referred()

    ice_page = page_text(_client(ice()).get(reverse("cases:detail", args=[case.pk])))
    court_page = page_text(
        _client(user_with_role(Role.COURT_STAFF)).get(reverse("cases:detail", args=[case.pk]))
    )

    assert f'href="{custody_url(case)}" data-testid="custody-link"' in ice_page
    assert 'data-testid="custody-link"' not in court_page


def test_s4_the_referral_tells_ice_at_the_location_with_a_link_to_the_custody_page():
    """cases.subscribers.notify_custody_referred links the page this module serves (``cases:custody``)."""
    here = user_with_role(Role.ICE_OFFICER, locations=["sys-poe"])
    elsewhere = user_with_role(Role.ICE_OFFICER, locations=["lrd-poe"])
    case = referred(at="sys-poe")
    event = OutboxEvent.objects.get(event="custody.referred", case_id=case.pk)

    notify_custody_referred(event)

    notice = Notification.objects.get(event=event)
    assert notice.user == here and notice.user != elsewhere
    assert notice.url == custody_url(case)
    assert _client(here).get(notice.url).status_code == 200
