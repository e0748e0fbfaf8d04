"""``manage.py seed_demo``: demo users per role and demo cases whose histories come from the services,
with the hearings of step 6 (docket time, pro bono lists, NTAs, hearings, tear sheets and printing).

The seed runs once for the module, in a transaction rolled back after its last test; each test runs in a
savepoint inside it (as Django's ``TestCase.setUpTestData`` does), so what a test changes is undone. The
first run with ``DEMO_PASSWORD`` set is in ``test_seed_demo_password.py`` (it needs an empty database).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    OPEN_REFERRAL,
    Case,
    CaseEvent,
    CaseStatus,
    CustodyReferral,
    EroHandoff,
    FamilyMember,
    Hold,
)
from cases.rules import looks_like_a_number
from cases.selectors import ero_handoffs_due, hold_blocks, open_custody_referrals
from demo.management.commands.seed_demo import GRID_DAYS
from hearings.day_selectors import expected_arrivals
from hearings.models import (
    AddressInMexico,
    Completion,
    Hearing,
    HearingAttendance,
    HearingLocation,
    HearingSlot,
    NoticeToAppear,
    ObserverRequest,
    ProBonoProvider,
    Reopening,
    Representation,
    TearSheet,
)
from hearings.observer_selectors import observer_log
from hearings.selectors import filing_queue, print_queue, tear_sheet_data_many
from mpp.accounts.models import User
from mpp.accounts.roles import Role
from mpp.outbox.models import Notification
from screenings.fear_selectors import asylum_offices_of
from screenings.fear_services import fear_assessment_review
from screenings.models import FearAssessment, FearClaim

pytestmark = pytest.mark.django_db

S = CaseStatus
# Statuses a case reaches only after its NTA was served (N1).
SERVED_STATUSES = {
    S.ENROLLED,
    S.IN_MEXICO,
    S.IN_US_FOR_HEARING,
    S.COMPLETED_RELIEF,
    S.COMPLETED_REMOVAL_ORDER,
    S.COMPLETED_OTHER,
    S.HANDED_TO_ICE,
    S.REOPENED,
}
# Events the system records without a user (the bus reissuing a moved hearing's tear sheet, N5).
SYSTEM_EVENTS = {"tear_sheet.reissued"}
FIXED_HOLIDAYS = {(1, 1), (6, 19), (7, 4), (11, 11), (12, 24), (12, 25), (12, 31)}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The output of one seed of an empty database (no DEMO_PASSWORD), shared by the module's tests."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as env:
        env.delenv("DEMO_PASSWORD", raising=False)
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield seed()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def seed_moment(output: str) -> dt.datetime:
    """The moment a run counted its days from (its first line): tests compute "today" from it, never from
    the clock after the run (a run crosses midnight in some US zone every hour)."""
    found = re.search(r"seed_demo: run as of (\S+) ", output)
    assert found, output
    return dt.datetime.fromisoformat(found.group(1))


@pytest.fixture
def moment(seeded) -> dt.datetime:
    return seed_moment(seeded)


def user(username: str) -> User:
    return User.objects.get(username=username)


def at(code: str):
    from tests.factories import location

    return location(code)


# --- users ---------------------------------------------------------------------------------------------


def test_running_twice_creates_nothing_the_second_time(seeded, moment):
    """Nothing new, step 8's records included; only if the second run's local day is a later one than the
    first's (it crossed a midnight) does it top the docket grid up, with slots of the new last day only."""
    models = (
        User,
        Case,
        NoticeToAppear,
        Hearing,
        TearSheet,
        ProBonoProvider,
        HearingAttendance,
        Completion,
        Reopening,
        Representation,
        EroHandoff,
        ObserverRequest,
        CaseEvent,
    )

    def counts():
        return [model.objects.count() for model in models]

    before = counts()
    slots_before = set(HearingSlot.objects.values_list("pk", flat=True))

    output = seed()

    assert counts() == before
    assert "passwords are unchanged" in output
    assert "Demo password" not in output
    assert "demo cases already there; none created" in output
    new_slots = list(HearingSlot.objects.exclude(pk__in=slots_before).select_related("hearing_location"))
    for slot in new_slots:
        zone = slot.hearing_location.zone
        last_day = timezone.localdate(moment, zone) + dt.timedelta(days=GRID_DAYS)
        assert timezone.localdate(slot.starts_at, zone) > last_day, slot
    assert ("hearing slots for the next weeks already published" in output) is not bool(new_slots)


def test_every_role_has_a_demo_user(seeded):
    for role in Role.values:
        username = "demo_admin" if role == Role.ADMINISTRATOR else f"demo_{role}"
        demo = user(username)
        assert demo.has_role(role), username
        assert demo.has_usable_password()
    admin = user("demo_admin")
    assert admin.is_staff and admin.is_superuser


def test_location_scoped_demo_users_have_their_duty_locations(seeded):
    def codes(username):
        return set(user(username).duty_locations.values_list("code", flat=True))

    assert codes("demo_cbp_officer") == {"sys-poe", "lrd-poe"}
    assert codes("demo_cbp_supervisor") == {"sys-poe", "lrd-poe"}
    assert codes("demo_print_staff") == {"sys-poe", "lrd-poe"}
    assert codes("demo_border_patrol_agent") == {"cv-bps"}
    # S1-S3: USCIS work the claims of the asylum offices they are posted at: both, for the demo.
    for username in ("demo_asylum_officer", "demo_supervisory_asylum_officer"):
        assert codes(username) == {"lax-zla", "hou-zhn"}
        assert [o.code for o in asylum_offices_of(user(username))] == ["hou-zhn", "lax-zla"]
    # S4: ICE is told of the custody determinations due where the people are: every place a case is.
    assert set(Case.objects.values_list("location__code", flat=True)) <= codes("demo_ice_officer")


def test_the_first_run_prints_the_password_once_and_it_works(seeded):
    line = next(line for line in seeded.splitlines() if "Demo password for all demo users:" in line)
    password = line.split("Demo password for all demo users:")[1].strip(" │")

    assert user("demo_cbp_officer").check_password(password)
    assert user("demo_analyst").check_password(password)


def test_reset_passwords_sets_and_prints_a_new_one(seeded):
    officer = user("demo_cbp_officer")
    old_hash = officer.password

    output = seed("--reset-passwords")

    officer.refresh_from_db()
    assert officer.password != old_hash
    assert "Demo password for all demo users:" in output


# --- cases ---------------------------------------------------------------------------------------------


def test_there_are_about_fifty_cases_of_several_nationalities_and_statuses(seeded):
    cases = Case.objects.select_related("alien")

    assert cases.count() >= 45
    assert len({c.alien.country_of_citizenship.code for c in cases}) >= 3
    assert len({c.status for c in cases}) >= 8
    assert all(looks_like_a_number(c.alien.a_number) for c in cases)
    assert len({c.location.code for c in cases}) >= 5


def test_family_units_include_single_adults_parents_with_children_and_a_mexican_child(seeded):
    sizes = FamilyMember.objects.values("family_unit").annotate(n=Count("id")).values_list("n", flat=True)
    mexican = Case.objects.get(alien__country_of_citizenship="MX")

    assert 1 in set(sizes) and max(sizes) >= 3
    assert mexican.status == CaseStatus.NOT_AMENABLE
    assert not NoticeToAppear.objects.filter(case=mexican).exists()  # F2: not amenable, never served
    assert FamilyMember.objects.filter(
        family_unit__members__alien=mexican.alien, relationship=FamilyMember.Relationship.HEAD
    ).exclude(alien__country_of_citizenship="MX")


def test_a_family_waits_for_a_members_pending_fear_claim(seeded):
    """F4: the claim stated at San Ysidro (S1) was referred to the Los Angeles Asylum Office; the claimant's
    case carries its open hold and stays where it stood (amenable), and the family, amenable too, cannot
    be returned to Mexico."""
    claim = FearClaim.objects.select_related("hold", "case").get(status=FearClaim.Status.REFERRED)
    pending = claim.case
    family = Case.objects.filter(encounter=pending.encounter).exclude(pk=pending.pk)

    assert (claim.location.code, claim.asylum_office.code) == ("sys-poe", "lax-zla")
    assert claim.hold.is_open and claim.hold.case_id == pending.pk
    assert pending.status == CaseStatus.AMENABLE
    assert family.exists()
    assert {c.status for c in family} == {CaseStatus.AMENABLE}
    for member in family:
        assert hold_blocks(case=member, target=CaseStatus.IN_MEXICO)[0].rule == "F4"
    assert not NoticeToAppear.objects.filter(case__encounter=pending.encounter).exists()
    # S1: the office's asylum officers were told, with a link to the claim (no statement in the notice).
    notice = Notification.objects.get(
        user=user("demo_asylum_officer"), url=reverse("screenings:fear-claim", args=[claim.pk])
    )
    assert claim.statement not in notice.message


def test_released_fear_claims_left_the_cases_where_the_story_took_them(seeded):
    """S4: a negative outcome was released and the person went on to Mexico; a positive one was released
    and the concurrence removed the case from MPP."""
    outcomes = dict(Hold.objects.filter(released_at__isnull=False).values_list("outcome", "case__status"))
    assert outcomes == {"negative": CaseStatus.IN_MEXICO, "positive": CaseStatus.REMOVED_FROM_MPP}


def test_s1_s3_there_is_a_fear_claim_at_every_step_of_the_workflow(seeded):
    """Referred; the interview scheduled (ahead); assessed by the demo asylum officer and waiting for the
    supervisory review; concurred negative; concurred positive. Each went through the fear services: the
    claim owns its hold, and the records' dates follow each other as the story tells them."""
    claims = list(FearClaim.objects.select_related("hold", "asylum_office").order_by("stated_at"))
    ao, sao = user("demo_asylum_officer"), user("demo_supervisory_asylum_officer")

    assert sorted((c.status, c.outcome) for c in claims) == sorted(
        [
            ("referred", ""),
            ("scheduled", ""),
            ("submitted", ""),
            ("decided", "negative"),
            ("decided", "positive"),
        ]
    )
    assert {c.asylum_office.code for c in claims} == {"lax-zla", "hou-zhn"}
    now = timezone.now()
    for claim in claims:
        assert claim.hold.opened_at == claim.stated_at < now, claim
        assert claim.hold.is_open is (claim.status != FearClaim.Status.DECIDED), claim
    scheduled = FearAssessment.objects.get(claim__status=FearClaim.Status.SCHEDULED)
    assert scheduled.interview_at > now and scheduled.asylum_officer == ao
    for assessment in FearAssessment.objects.exclude(status=FearAssessment.Status.SCHEDULED).select_related(
        "claim"
    ):
        assert assessment.assessed_by == ao, assessment
        assert assessment.claim.stated_at < assessment.interview_at < assessment.interview_held_at, assessment
        assert assessment.interview_held_at <= assessment.assessed_at < now, assessment
        if assessment.status == FearAssessment.Status.CONCURRED:
            assert assessment.reviewed_by == sao and assessment.assessed_at < assessment.reviewed_at < now
    # S2: interpreted when the officer does not speak the person's language; counsel by telephone.
    assert FearAssessment.objects.filter(
        counsel_present_by_phone=True, counsel_name__endswith="(demo)"
    ).exists()
    assert "seed_demo: fear claims — " in seeded


def test_s3_the_demo_supervisory_asylum_officer_can_concur_with_the_waiting_assessment(seeded):
    """The assessment waiting for review was made by the demo asylum officer, so the demo SAO may concur
    (separation of duties): the positive assessment takes effect and the enrolled family leaves MPP (F5)."""
    claim = FearClaim.objects.get(status=FearClaim.Status.SUBMITTED)
    family = Case.objects.filter(encounter=claim.case.encounter)
    assert {c.status for c in family} == {CaseStatus.ENROLLED} and family.count() == 2

    fear_assessment_review(
        claim_id=claim.pk, actor=user("demo_supervisory_asylum_officer"), decision="concur", reason="Concur."
    )

    assert {c.status for c in family.all()} == {CaseStatus.REMOVED_FROM_MPP}


def test_f5_a_concurred_positive_removed_a_family_of_three_who_wait_on_ices_custody_queue(seeded):
    """S4/F5: one concurrence moved the claimant and the family with him out of MPP, each case saying why,
    and referred each to ICE for a custody determination: the demo ICE officer's queue has them, and ICE
    and the port's CBP supervisors were told."""
    claim = FearClaim.objects.get(outcome=FearClaim.Outcome.POSITIVE)
    family = list(Case.objects.filter(encounter=claim.case.encounter).order_by("id"))
    ice = user("demo_ice_officer")

    assert len(family) == 3
    assert {c.status for c in family} == {CaseStatus.REMOVED_FROM_MPP}
    for case in family:
        removed = CaseEvent.objects.get(case=case, type="fear.removed_from_mpp")
        code = "fear_of_mexico" if case == claim.case else "family_member_fear_positive"
        assert (removed.actor, removed.data["code"]) == (user("demo_supervisory_asylum_officer"), code)
    referred = set(open_custody_referrals(ice).values_list("case_id", flat=True))
    assert {c.pk for c in family} <= referred
    assert CustodyReferral.objects.filter(case__in=family, determined_at__isnull=True).count() == 3
    assert Notification.objects.filter(user=ice, url__endswith="/custody/").count() >= 3
    assert Notification.objects.filter(
        user=user("demo_cbp_supervisor"), message__contains="fear assessment concurred"
    ).exists()


def test_every_demo_case_has_a_whole_timeline_of_case_events(seeded):
    """The timeline reads case events: every case was opened, every status it reached is there, and
    screening-fact edits, holds and the hearings' events show too. Every event names who acted, except
    what the system does on its own (a moved hearing's new tear sheet), and says why."""
    for case in Case.objects.all():
        events = list(case.events.order_by("occurred_at", "id"))
        assert events[0].type == "case.opened", case
        reached = [e.data["to"] for e in events if e.data.get("to") in S.values]
        assert (reached[-1] if reached else CaseStatus.SCREENING) == case.status, case
        assert all(e.reason for e in events), case
        assert all(e.actor_id or e.type in SYSTEM_EVENTS for e in events), case
    assert CaseEvent.objects.filter(type="screening.facts_saved").exists()
    assert CaseEvent.objects.filter(type="hold.opened").count() == Hold.objects.count()
    assert not CaseEvent.objects.filter(actor__isnull=True).exclude(type__in=SYSTEM_EVENTS).exists()


def test_every_case_has_a_history_with_actor_and_reason(seeded):
    for case in Case.objects.all():
        rows = list(case.history.all())
        assert rows, case
        assert all(row.history_user_id and row.history_change_reason for row in rows), case
    moved = Case.objects.get(status=CaseStatus.HANDED_TO_ICE)
    assert moved.history.latest("history_id").history_user.username == "demo_ice_officer"


# --- hearings: docket time and the pro bono lists ----------------------------------------------------


def test_docket_time_is_published_for_the_weekdays_of_the_next_three_weeks_at_every_hearing_location(
    seeded, moment
):
    clerk = user("demo_court_staff")
    places = list(HearingLocation.objects.filter(is_active=True))
    assert len(places) == 7

    for place in places:
        today = timezone.localdate(moment, place.zone)
        for n in range(1, 22):
            day = today + dt.timedelta(days=n)
            start = dt.datetime.combine(day, dt.time.min, tzinfo=place.zone)
            slots = HearingSlot.objects.filter(
                hearing_location=place, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
            )
            times = {timezone.localtime(s.starts_at, place.zone).time() for s in slots}
            if day.weekday() >= 5 or (day.month, day.day) in FIXED_HOLIDAYS:
                assert not times, (place.code, day)
                continue
            assert {dt.time(8, 30), dt.time(10, 0), dt.time(13, 0)} <= times, (place.code, day)
            assert all(12 <= s.capacity <= 20 and s.published_by == clerk for s in slots), (place.code, day)


def test_each_court_has_a_pro_bono_list_that_is_clearly_fictional(seeded):
    """N4: the list printed on the tear sheets of hearings before that court."""
    courts = {p.court for p in HearingLocation.objects.filter(is_active=True).select_related("court")}

    for court in courts:
        providers = list(ProBonoProvider.objects.filter(court=court, is_active=True))
        assert len(providers) >= 2, court
        for provider in providers:
            assert provider.name.endswith("(demo)"), provider
            assert re.fullmatch(r"\(\d{3}\) 555-01\d\d", provider.phone), provider
            assert provider.history.first().history_user == user("demo_admin")


# --- hearings: the NTA, the hearings and the packets -----------------------------------------------


def test_n1_everyone_enrolled_or_beyond_was_served_an_nta_with_an_initial_hearing_and_a_tear_sheet(seeded):
    served = Case.objects.filter(status__in=SERVED_STATUSES) | Case.objects.filter(events__type="nta.served")
    served = served.distinct()
    assert served.count() >= 30

    for case in served:
        nta = NoticeToAppear.objects.select_related("initial_hearing").get(case=case)
        assert nta.initial_hearing.is_initial and nta.initial_hearing.case_id == case.pk, case
        assert TearSheet.objects.filter(case=case, version=1, reason="new").exists(), case
        assert AddressInMexico.objects.filter(case=case, source="nta").exists(), case
        enrolment = [e for e in case.events.all() if e.data.get("to") == S.ENROLLED]
        assert [(e.type, e.actor_id) for e in enrolment] == [("nta.served", nta.served_by_id)], case
    never_served = Case.objects.filter(
        status__in=[S.SCREENING, S.AWAITING_REVIEW, S.AMENABLE, S.NOT_AMENABLE]
    )
    assert not NoticeToAppear.objects.filter(case__in=never_served).exists()


def test_n3_the_nta_was_explained_in_the_persons_language_through_an_interpreter_when_needed(seeded):
    for nta in NoticeToAppear.objects.select_related(
        "case__alien__preferred_language", "oral_notice_language", "interpreter_language"
    ):
        spoken = nta.case.alien.preferred_language.code
        assert nta.oral_notice_language.code == spoken, nta
        if spoken in {"es", "en"}:
            assert (nta.interpretation, nta.interpreter_language) == ("none", None), nta
        else:
            assert (nta.interpretation, nta.interpreter_language.code) == ("telephonic", spoken), nta


def test_hearings_stand_where_each_story_stands(seeded, moment):
    """Not yet heard: the hearing is ahead (or today, for today's arrivals at San Ysidro). Heard and
    completed: the first hearing is past. In the U.S. for a hearing: it is on the latest court day."""
    now = moment
    for case in Case.objects.filter(status__in=SERVED_STATUSES):
        scheduled = Hearing.objects.filter(case=case, status="scheduled").first()
        initial = NoticeToAppear.objects.get(case=case).initial_hearing
        if case.status in {S.ENROLLED, S.IN_MEXICO}:
            assert scheduled is not None, case
            zone = scheduled.hearing_location.zone
            today = timezone.localdate(now, zone)
            today_at_port = timezone.localdate(scheduled.starts_at, zone) == today
            assert scheduled.starts_at > now or (today_at_port and case.reporting_port.code == "sys-poe"), (
                case
            )
        elif case.status == S.IN_US_FOR_HEARING:
            # The latest court day whose report time had passed: up to a long weekend ago.
            assert now - dt.timedelta(days=6) < initial.starts_at < now + dt.timedelta(days=1), case
        else:
            assert initial.starts_at < now, case


def test_m3_some_ntas_are_filed_and_the_newest_wait_for_court_staff(seeded):
    unfiled = NoticeToAppear.objects.filter(filed_on__isnull=True)
    filed = NoticeToAppear.objects.filter(filed_on__isnull=False)

    assert unfiled.exists() and filed.count() > unfiled.count()
    assert {n.case.status for n in unfiled} == {S.ENROLLED}
    assert all(n.filed_by == user("demo_court_staff") for n in filed)
    assert all(n.filed_on >= timezone.localdate(n.served_at) for n in filed)
    assert set(filing_queue(user=user("demo_court_staff"))) == set(unfiled)


@pytest.mark.parametrize("code", ["sys-poe", "lrd-poe"])
def test_packets_wait_in_the_print_queue_at_san_ysidro_and_laredo_and_those_carried_were_printed(
    seeded, code
):
    printer = user("demo_print_staff")
    place = at(code)

    waiting = list(print_queue(user=printer, location_id=place.pk, state="waiting"))
    printed = list(print_queue(user=printer, location_id=place.pk, state="printed"))

    assert waiting, code
    assert printed, code
    # Waiting: the newly served (not yet returned) and the reissued; everyone returned carried theirs.
    assert all(s.case.status == S.ENROLLED or s.reason == "reissued" for s in waiting), code
    assert all(s.printed_by == printer and s.print_count == 1 for s in printed), code


def test_n1a_there_are_tear_sheets_in_every_language_and_the_bilingual_fallback(seeded):
    current = TearSheet.objects.filter(superseded_at__isnull=True).select_related(
        "case__alien__preferred_language"
    )

    assert {"en", "es", "pt", "ht", ""} <= {s.language_code for s in current}
    bilingual = {s.case.alien.preferred_language.code for s in current if s.language_code == ""}
    assert bilingual and not bilingual & {"en", "es", "pt", "ht"}
    waiting_languages = {
        s.language_code for s in current if s.printed_at is None and s.location.code in {"sys-poe", "lrd-poe"}
    }
    assert {"en", "pt", "ht", ""} <= waiting_languages


def test_h2_n5_a_rescheduled_hearing_has_a_new_tear_sheet_and_the_old_one_is_superseded(seeded):
    moved = list(Hearing.objects.filter(status="rescheduled").select_related("replaced_by", "case"))
    assert moved

    for old in moved:
        new = old.replaced_by
        assert new.status == "scheduled" and new.starts_at > old.starts_at, old
        first = TearSheet.objects.get(hearing=old)
        second = TearSheet.objects.get(hearing=new)
        assert (first.superseded_by, first.printed_at is not None) == (second, True), old
        assert (second.reason, second.version, second.printed_at) == ("reissued", 2, None), old
        assert second.location.code == "sys-poe"
        assert CaseEvent.objects.filter(case=old.case, type="tear_sheet.reissued", actor=None).exists()
        assert CaseEvent.objects.filter(case=old.case, type="hearing.rescheduled").exists()
    assert Notification.objects.filter(
        user=user("demo_print_staff"), message__startswith="Rescheduled hearing: tear sheet v2"
    ).exists()


def test_h2_continued_hearings_go_on_on_a_later_day_with_a_new_tear_sheet(seeded):
    continued = list(
        Hearing.objects.filter(status="continued").select_related("replaced_by", "hearing_location")
    )
    assert continued

    for old in continued:
        zone = old.hearing_location.zone
        new = old.replaced_by
        assert timezone.localdate(new.starts_at, zone) > timezone.localdate(old.starts_at, zone), old
        assert TearSheet.objects.get(hearing=old).superseded_by == TearSheet.objects.get(hearing=new)


def test_n6_a_change_of_address_is_what_the_packet_prints(seeded):
    (change,) = AddressInMexico.objects.filter(source="eoir33")
    sheet = TearSheet.objects.get(case=change.case, superseded_at__isnull=True)

    assert tear_sheet_data_many([sheet.pk])[sheet.pk].current_address == change.one_line
    assert change.recorded_by == user("demo_court_staff")


# --- step 8: hearing day, court, ICE ERO, observers ----------------------------------------------------

COMPLETED = {S.COMPLETED_RELIEF, S.COMPLETED_REMOVAL_ORDER, S.COMPLETED_OTHER}


def _arrivals_today(moment):
    port = at("sys-poe")
    day = timezone.localdate(moment, ZoneInfo(port.time_zone))
    page = expected_arrivals(user=user("demo_cbp_officer"), port_id=port.pk, day=day)
    assert page is not None
    return port, day, page.rows


def test_h1_todays_arrivals_at_san_ysidro_are_on_the_demo_officers_list(seeded, moment):
    """H1: four people report at San Ysidro today for hearings at San Diego: a single man at 04:30, a
    mother and son with counsel of record at 08:00 (H3), a single man at 11:30 (port time). The first is
    checked in by the demo CBP officer if his report time had passed when the seed ran; nobody else is."""
    port, _day, rows = _arrivals_today(moment)
    zone = ZoneInfo(port.time_zone)
    by_time: dict[dt.time, list] = {}
    for row in rows:
        by_time.setdefault(timezone.localtime(row.report_at, zone).time(), []).append(row)

    assert [r.report_at for r in rows] == sorted(r.report_at for r in rows)
    assert {dt.time(4, 30), dt.time(8, 0), dt.time(11, 30)} <= set(by_time)
    (first,) = by_time[dt.time(4, 30)]
    family = by_time[dt.time(8, 0)]
    (last,) = by_time[dt.time(11, 30)]
    assert len(family) == 2 and len({r.family_unit_id for r in family}) == 1
    assert all(r.counsel for r in family) and not first.counsel and not last.counsel
    assert all(r.place_name == "San Diego Immigration Court (MPP docket)" for r in rows)
    passed = first.report_at + dt.timedelta(minutes=10) <= moment
    assert (first.checked_in_at is not None) is passed
    assert first.case_status == (S.IN_US_FOR_HEARING if passed else S.IN_MEXICO)
    for row in [*family, last]:
        assert row.checked_in_at is None and row.case_status == S.IN_MEXICO, row
    if passed:
        attendance = HearingAttendance.objects.get(hearing_id=first.hearing_id)
        assert attendance.checked_in_by == user("demo_cbp_officer")
        assert CaseEvent.objects.filter(case_id=first.case_id, type="hearing_day.checked_in").exists()
    assert re.search(r"seed_demo: \d+ expected at San Ysidro", seeded)


def test_h1_every_hearing_day_step_is_a_recorded_attendance_consistent_with_the_status(seeded, moment):
    """Check-ins, transport, returns and a night in CBP custody went through hearings.day_services: every
    case in the U.S. for a hearing has an open check-in; every return after a hearing is on its row, at or
    after the check-in; nobody checked in failed to appear."""
    for case in Case.objects.filter(status=S.IN_US_FOR_HEARING):
        open_rows = HearingAttendance.objects.filter(case=case, checked_in_at__isnull=False, returned_at=None)
        assert open_rows.exists(), case
    rows = list(HearingAttendance.objects.select_related("case"))
    assert len(rows) >= 15
    for row in rows:
        assert row.checked_in_at is None or row.checked_in_at <= moment, row
        if row.returned_at is not None:
            assert row.checked_in_at <= row.returned_at <= moment and row.returned_port_id, row
        if row.appearance == HearingAttendance.Appearance.FAILED_TO_APPEAR:
            assert row.checked_in_at is None, row
        if row.overnight_in_at is not None:
            assert row.checked_in_at < row.overnight_in_at, row
            assert row.overnight_out_at is None or row.overnight_out_at <= (row.returned_at or moment), row
    assert HearingAttendance.objects.filter(overnight_out_at__isnull=False).exists()
    for case in Case.objects.filter(status=S.IN_MEXICO, events__type="hearing_day.checked_in").distinct():
        assert not HearingAttendance.objects.filter(
            case=case, checked_in_at__isnull=False, returned_at=None
        ).exists(), case
    assert not CaseEvent.objects.filter(type="case.status_changed", data__workflow="generic").exists()


def test_h4_h5_every_completed_case_has_its_recorded_decision(seeded):
    """Completions through hearings.court_services: one initial decision per completed case, its status
    the decision's; an order in absentia after a failure to appear; the reopened case's decision reopened,
    its hand-off cancelled, and a new hearing on the docket."""
    status_of = {
        **{d: S.COMPLETED_RELIEF for d in Completion.RELIEF},
        **{d: S.COMPLETED_REMOVAL_ORDER for d in Completion.REMOVAL},
    }
    for case in Case.objects.filter(status__in=[*COMPLETED, S.HANDED_TO_ICE, S.REOPENED]):
        decisions = list(Completion.objects.filter(case=case).select_related("hearing"))
        assert len(decisions) == 1 and decisions[0].is_initial, case
        decision = decisions[0]
        assert decision.hearing.status == Hearing.Status.HELD, case
        if case.status in COMPLETED:
            assert status_of.get(decision.decision, S.COMPLETED_OTHER) == case.status, case
        if decision.decision == Completion.Decision.REMOVAL_IN_ABSENTIA:
            attendance = HearingAttendance.objects.get(hearing=decision.hearing)
            assert attendance.appearance == HearingAttendance.Appearance.FAILED_TO_APPEAR, case
    (reopened,) = Case.objects.filter(status=S.REOPENED)
    reopening = Reopening.objects.get(case=reopened)
    assert reopening.completion.decision == Completion.Decision.REMOVAL_IN_ABSENTIA
    assert EroHandoff.objects.get(case=reopened).cancelled_at is not None
    assert Hearing.objects.filter(case=reopened, status=Hearing.Status.SCHEDULED).exists()
    decisions = set(Completion.objects.values_list("decision", flat=True))
    assert {"asylum", "withholding", "removal_order", "removal_in_absentia", "termination"} <= decisions
    assert "seed_demo: hearing day and court — " in seeded


def test_h4_the_hand_off_to_ice_ero_is_due_only_on_final_orders(seeded, moment):
    """A removal order without appeal (or in absentia) is final: its hand-off is due and on ICE's Final
    orders tab; one with the appeal reserved or filed is not; the one carried out was recorded by ICE."""
    ice = user("demo_ice_officer")
    due = set(ero_handoffs_due(user=ice).values_list("case_id", flat=True))
    final = set(
        Completion.objects.filter(
            decision__in=Completion.REMOVAL, appeal="none", case__status=S.COMPLETED_REMOVAL_ORDER
        ).values_list("case_id", flat=True)
    )
    assert due == final and len(due) >= 3
    not_final = Completion.objects.filter(decision__in=Completion.REMOVAL).exclude(appeal="none")
    assert {c.appeal for c in not_final} >= {"reserved"}
    assert not EroHandoff.objects.filter(case__in=[c.case_id for c in not_final]).exists()
    # A reserved appeal's deadline is ahead (older stories filed theirs): none lapsed unrecorded.
    assert all(c.appeal_due_on > c.decided_on for c in not_final)
    assert all(c.appeal_filed_on for c in not_final if c.appeal_due_on < timezone.localdate(moment))
    (handed,) = EroHandoff.objects.filter(handed_at__isnull=False).select_related("case")
    assert handed.case.status == S.HANDED_TO_ICE and handed.handed_by == ice
    assert handed.received_by_name.endswith("(demo)") and handed.handed_location_id


def test_f6_a_split_family_sends_the_member_not_granted_to_ices_custody_queue(seeded):
    """F6: the wife granted asylum stays in the U.S.; her husband, ordered removed with his appeal to the
    BIA reserved or filed, goes to ICE's custody queue pending all proceedings."""
    referral = CustodyReferral.objects.select_related("case").get(
        OPEN_REFERRAL, code="family_member_granted_relief"
    )
    family = Case.objects.filter(encounter=referral.case.encounter)
    granted = family.exclude(pk=referral.case_id).get()

    assert referral.rule == "F6" and referral.is_open
    assert granted.status == S.COMPLETED_RELIEF
    assert Completion.objects.get(case=granted).decision == Completion.Decision.ASYLUM
    assert referral.case.status == S.COMPLETED_REMOVAL_ORDER
    assert Completion.objects.get(case=referral.case).appeal in {"reserved", "filed"}
    # A son granted asylum minutes after his father: referred in between, and withdrawn by his own grant
    # (F6/H4: he stays in the U.S.), with no determination by ICE.
    withdrawn = CustodyReferral.objects.select_related("case").get(
        code="family_member_granted_relief", withdrawn_at__isnull=False
    )
    assert withdrawn.case.status == S.COMPLETED_RELIEF and withdrawn.determined_at is None
    assert withdrawn.withdrawn_reason.startswith("F6/H4: ")
    assert referral.case_id in set(
        open_custody_referrals(user("demo_ice_officer")).values_list("case_id", flat=True)
    )


def test_h3_counsel_of_record_is_on_the_cases_and_the_hearings_held(seeded):
    """H3: EOIR-28s filed for three families (fictional attorneys); a hearing held after counsel filed
    records that counsel on the hearing."""
    reps = list(Representation.objects.filter(ended_on__isnull=True).select_related("case"))
    assert len(reps) == 6 and len({r.case.encounter_id for r in reps}) == 3
    assert all(r.name.endswith("(demo)") and r.eoir28_filed_on for r in reps)
    held = Hearing.objects.filter(status=Hearing.Status.HELD, case__in=[r.case for r in reps])
    assert held.exists() and all(h.counsel_id for h in held)


def test_o1_o2_the_laredo_observer_log_has_a_grant_and_a_refusal_for_a_closed_hearing(seeded):
    """O1: a member of the public asked to observe a hearing: granted. O2: a newspaper asked through DHS
    Public Affairs for a hearing closed to the public: refused with that reason, nothing more said."""
    place = HearingLocation.objects.get(code="lrd-ihf")
    rows = observer_log(place=place, params={}).rows

    assert len(rows) == 2
    public = next(r for r in rows if r.kind == ObserverRequest.Kind.PUBLIC)
    press = next(r for r in rows if r.kind == ObserverRequest.Kind.PRESS)
    assert public.decision == "granted" and not public.hearing.closed_to_public
    assert press.decision == "refused" and press.refusal_code == "o1_closed_hearing"
    assert press.hearing.closed_to_public and press.public_affairs_contact and press.outlet
    assert press.decided_by == user("demo_court_staff") and press.recorded_by == user("demo_cbp_supervisor")
    event = CaseEvent.objects.get(type="hearing.closed_to_public", case=press.hearing.case)
    assert "child" not in event.reason
