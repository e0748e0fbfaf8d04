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

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseStatus, CustodyReferral, FamilyMember, Hold
from cases.rules import looks_like_a_number
from cases.selectors import hold_blocks, open_custody_referrals
from hearings.models import (
    AddressInMexico,
    Hearing,
    HearingLocation,
    HearingSlot,
    NoticeToAppear,
    ProBonoProvider,
    TearSheet,
)
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


def user(username: str) -> User:
    return User.objects.get(username=username)


def at(code: str):
    from tests.factories import location

    return location(code)


# --- users ---------------------------------------------------------------------------------------------


def test_running_twice_creates_nothing_the_second_time(seeded):
    def counts():
        return [
            model.objects.count()
            for model in (User, Case, HearingSlot, NoticeToAppear, Hearing, TearSheet, ProBonoProvider)
        ]

    before = counts()

    output = seed()

    assert counts() == before
    assert "passwords are unchanged" in output
    assert "Demo password" not in output
    assert "hearing slots for the next weeks already published" in output


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
        reached = [e.data["to"] for e in events if "to" in e.data]
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


def test_docket_time_is_published_for_the_weekdays_of_the_next_three_weeks_at_every_hearing_location(seeded):
    clerk = user("demo_court_staff")
    places = list(HearingLocation.objects.filter(is_active=True))
    assert len(places) == 7

    for place in places:
        today = timezone.localdate(timezone.now(), place.zone)
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


def test_hearings_stand_where_each_story_stands(seeded):
    """Not yet heard: the hearing is ahead. Heard and completed: the first hearing is past. In the U.S.
    for a hearing: it is on the latest court day."""
    now = timezone.now()
    for case in Case.objects.filter(status__in=SERVED_STATUSES):
        scheduled = Hearing.objects.filter(case=case, status="scheduled").first()
        initial = NoticeToAppear.objects.get(case=case).initial_hearing
        if case.status in {S.ENROLLED, S.IN_MEXICO}:
            assert scheduled is not None and scheduled.starts_at > now, case
        elif case.status == S.IN_US_FOR_HEARING:
            assert now - dt.timedelta(days=4) < initial.starts_at < now + dt.timedelta(days=1), case
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
