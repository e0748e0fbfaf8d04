"""``generate_scale_data``'s fear part (``scale_fear``): the claims, USCIS assessments and ICE custody of step 7,
written in set-based SQL, still obey the rules and the database's constraints (S1-S4, F4)."""

import datetime as dt
import math
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F
from django.utils import timezone

from cases.models import Case, CaseEvent, CustodyDetermination, CustodyReferral, Hold
from demo.management.commands import generate_scale_data as command
from demo.management.commands import scale_hearings as qh
from mpp.accounts.models import Location, User
from mpp.accounts.roles import Role
from screenings.fear_selectors import fear_claim_queue
from screenings.models import AmenabilityReview, FearAssessment, FearClaim
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

CASES = 1200
SEED = 4


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_scale_data", *args, "--allow-any-database", stdout=out)
    return out.getvalue()


@pytest.fixture
def generated():
    return generate("--cases", str(CASES), "--seed", str(SEED))


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def test_s1_every_fear_claim_hold_has_its_claim_open_while_pending_released_with_the_outcome(generated):
    holds = Hold.objects.filter(kind="fear_claim")

    assert holds.count() == FearClaim.objects.count() > 0
    assert not holds.filter(fear_claim__isnull=True).exists()
    for claim in FearClaim.objects.select_related("hold", "assessment"):
        hold = claim.hold
        assert hold.case_id == claim.case_id
        if claim.status == FearClaim.Status.DECIDED:
            assert hold.released_at == claim.decided_at and hold.outcome == claim.outcome, claim.pk
            assert hold.released_by_id == claim.assessment.reviewed_by_id, claim.pk
        else:
            assert hold.released_at is None and claim.outcome == "", claim.pk
    assert set(FearClaim.objects.values_list("status", flat=True)) == set(FearClaim.Status.values)
    assert "fear claims" in generated


def test_s1_claims_go_to_the_asylum_office_that_serves_the_place_and_pending_ones_to_both_offices(generated):
    claims = FearClaim.objects.select_related("location", "asylum_office")

    for claim in claims:
        assert claim.asylum_office_id == claim.location.asylum_office_id, claim.pk
        assert claim.asylum_office.kind == Location.Kind.ASYLUM_OFFICE
    pending_offices = set(
        claims.exclude(status=FearClaim.Status.DECIDED).values_list("asylum_office__code", flat=True)
    )
    assert pending_offices == {"lax-zla", "hou-zhn"}


def test_s1_who_stated_it_where_and_when(generated):
    claims = FearClaim.objects.select_related("case__alien", "case__encounter", "location", "stated_by_alien")

    assert set(claims.values_list("setting", flat=True)) == {"screening", "hearing_day"}
    for claim in claims:
        assert claim.stated_at >= claim.case.created_at and claim.stated_at <= timezone.now(), claim.pk
        assert claim.language_id == claim.case.alien.preferred_language_id
        if claim.setting == FearClaim.Setting.SCREENING:
            # the fear stated at screening is the same record as the screening's: it names the review
            review = AmenabilityReview.objects.get(pk=claim.review_id)
            assert review.encounter_id == claim.case.encounter_id, claim.pk
        else:
            assert claim.review_id is None and claim.location.kind == Location.Kind.PORT_OF_ENTRY, claim.pk
        if claim.stated_by == FearClaim.StatedBy.PARENT:
            # F3's "on behalf of": a parent of the same family, for a child
            assert age_on(claim.case.alien.date_of_birth, claim.stated_at.date()) < 18, claim.pk
            assert claim.stated_by_alien.family_memberships.get().relationship == "head"
            assert claim.stated_by_alien.family_memberships.get().family_unit_id == (
                claim.case.encounter.family_unit_id
            )
        else:
            assert claim.stated_by_alien_id is None
    assert claims.filter(stated_by=FearClaim.StatedBy.PARENT).exists()


def test_s2_s3_assessments_by_the_offices_staff_and_concurred_by_someone_else(generated):
    claims = FearClaim.objects.select_related("assessment", "asylum_office")
    now = timezone.now()

    assert not claims.filter(status=FearClaim.Status.REFERRED, assessment__isnull=False).exists()
    assert not claims.exclude(status=FearClaim.Status.REFERRED).filter(assessment__isnull=True).exists()
    for claim in claims.exclude(status=FearClaim.Status.REFERRED):
        a = claim.assessment
        officer = User.objects.get(pk=a.asylum_officer_id)
        assert officer.has_role(Role.ASYLUM_OFFICER) and claim.asylum_office_id in officer.duty_location_ids
        assert a.interview_at >= claim.stated_at
        if claim.status == FearClaim.Status.SCHEDULED:
            assert a.status == "scheduled" and a.determination == "" and a.interview_held_at is None
            continue
        assert a.interview_held_at <= a.assessed_at <= now, claim.pk
        assert a.assessed_by_id == a.asylum_officer_id
        assert (a.determination == "positive") == bool(a.grounds), claim.pk
        assert not a.interpretation_mode or a.interview_language_id is not None
        assert a.account and a.determination_reason
        if a.status in ("concurred", "returned"):
            reviewer = User.objects.get(pk=a.reviewed_by_id)
            assert reviewer.has_role(Role.SUPERVISORY_ASYLUM_OFFICER), claim.pk
            assert claim.asylum_office_id in reviewer.duty_location_ids, claim.pk
            assert a.reviewed_by_id != a.assessed_by_id and a.reviewed_at >= a.assessed_at, claim.pk
    expected = {
        "decided": "concurred",
        "submitted": "submitted",
        "returned": "returned",
        "scheduled": "scheduled",
    }
    for claim in claims.exclude(status=FearClaim.Status.REFERRED):
        assert claim.assessment.status == expected[claim.status]
        if claim.status == FearClaim.Status.DECIDED:
            assert claim.assessment.determination == claim.outcome


def test_f4_nobody_in_the_family_moved_to_mexico_and_the_claimant_was_not_decided_while_pending(generated):
    for claim in FearClaim.objects.select_related("case__encounter"):
        until = claim.decided_at or timezone.now()
        family = Case.objects.filter(encounter__family_unit_id=claim.case.encounter.family_unit_id)
        for member in family:
            blocked = {"in_mexico"} | (
                {"amenable", "not_amenable", "enrolled"} if member.pk == claim.case_id else set()
            )
            moves = member.history.filter(
                history_type="~", history_date__gt=claim.stated_at, history_date__lt=until
            )
            assert not moves.filter(status__in=blocked).exists(), (claim.pk, member.pk)


def test_about_13_percent_of_referrals_positive_and_at_most_15_percent_of_the_enrolled_referred(generated):
    claims = FearClaim.objects.count()
    positive = FearClaim.objects.filter(outcome="positive").count()
    enrolled = Case.objects.filter(status__in=qh.SERVED_STATUSES).count()
    # the extra claims (beyond the stories' holds) are stated at the port on hearing day and decided negative
    extra = FearClaim.objects.filter(hold__reason__contains="at the port on hearing day; referred to the")

    assert positive > 0 and extra.exists()
    assert claims == max(claims - extra.count(), min(math.ceil(positive / 0.13), math.floor(0.15 * enrolled)))
    assert set(extra.values_list("status", "outcome").distinct()) == {("decided", "negative")}


def test_s4_custody_referral_for_every_member_removed_from_mpp_by_a_positive_assessment(generated):
    removed = Case.objects.filter(status="removed_from_mpp")
    referrals = CustodyReferral.objects.select_related("case")

    assert set(referrals.values_list("case_id", flat=True)) == set(removed.values_list("pk", flat=True))
    claimants = set(FearClaim.objects.filter(outcome="positive").values_list("case_id", flat=True))
    for referral in referrals:
        assert referral.rule == "S4" and referral.location_id == referral.case.location_id
        expected = "fear_of_mexico" if referral.case_id in claimants else "family_member_fear_positive"
        assert referral.code == expected, referral.pk
        moved = referral.case.history.filter(status="removed_from_mpp").earliest("history_date")
        assert referral.referred_at == moved.history_date
        assert User.objects.get(pk=referral.referred_by_id).has_role(Role.SUPERVISORY_ASYLUM_OFFICER)
    assert referrals.filter(determined_at__isnull=True).exists()  # the ICE queue
    assert referrals.filter(determined_at__isnull=False).exists()


def test_s4_custody_determinations_by_ice_one_current_per_person_revisits_supersede(generated):
    determinations = CustodyDetermination.objects.select_related("referral", "supersedes")

    assert determinations.exists()
    assert (
        not determinations.filter(is_current=True).values("case_id").annotate(n=Count("id")).filter(n__gt=1)
    )
    for d in determinations:
        assert User.objects.get(pk=d.decided_by_id).has_role(Role.ICE_OFFICER)
        assert d.decided_at <= timezone.now() and d.reason
        if d.supersedes is None:
            assert d.referral.determined_at == d.decided_at and d.referral.case_id == d.case_id
        else:
            assert d.referral_id is None and not d.supersedes.is_current
            assert d.supersedes.decided_at < d.decided_at and d.supersedes.case_id == d.case_id
    assert determinations.filter(supersedes__isnull=False).exists()
    determined = set(CustodyReferral.objects.exclude(determined_at=None).values_list("case_id", flat=True))
    assert determined == set(determinations.filter(is_current=True).values_list("case_id", flat=True))


def test_case_events_and_history_the_services_would_have_written(generated):
    for claim in FearClaim.objects.select_related("assessment"):
        types = list(
            CaseEvent.objects.filter(case_id=claim.case_id, occurred_at__gte=claim.stated_at)
            .order_by("occurred_at", "id")
            .values_list("type", flat=True)
        )
        assert types.index("hold.opened") < types.index("fear.claim_recorded"), claim.pk
        if claim.status != FearClaim.Status.REFERRED:
            assert "fear.interview_scheduled" in types
        if claim.status == FearClaim.Status.DECIDED:
            assert types.index("hold.released") < types.index("fear.concurred"), claim.pk
        history = list(claim.history.order_by("history_date", "history_id"))
        assert history[0].history_type == "+" and history[0].status == "referred"
        assert history[-1].status == claim.status and history[-1].outcome == claim.outcome
        assert all(h.history_user_id and h.history_change_reason for h in history)
        if claim.status != FearClaim.Status.REFERRED:
            a_history = list(claim.assessment.history.order_by("history_date", "history_id"))
            assert a_history[0].status == "scheduled" and a_history[-1].status == claim.assessment.status
    # the restricted content is marked: the assessment's determination is fear, a return's reason interview
    assert not CaseEvent.objects.filter(type="fear.assessed").exclude(sensitivities=["fear"]).exists()
    assert (
        not CaseEvent.objects.filter(type="fear.assessment_returned")
        .exclude(sensitivities=["interview"])
        .exists()
    )
    assert CaseEvent.objects.filter(type="custody.referred").count() == CustodyReferral.objects.count()
    assert CaseEvent.objects.filter(type__in=["custody.determined", "custody.revisited"]).count() == (
        CustodyDetermination.objects.count()
    )
    for model in (FearClaim, FearAssessment, CustodyReferral, CustodyDetermination):
        assert model.history.filter(history_type="+").count() == model.objects.count(), model
    returned_once = FearAssessment.history.filter(status="returned").values("id")
    assert FearAssessment.objects.filter(status="concurred", id__in=returned_once).exists()


def test_the_office_queue_lists_claims_for_its_posted_staff_only(generated):
    office = Location.objects.get(code="hou-zhn")
    officer = User.objects.get(username="scale_asylum_officer_hou-zhn_1")
    elsewhere = User.objects.get(username="scale_asylum_officer_lax-zla_1")

    page = fear_claim_queue(user=officer, office_id=office.pk, tab="decided", params={})
    other = fear_claim_queue(user=elsewhere, office_id=office.pk, tab="decided", params={})

    assert page.rows and all(claim.asylum_office_id == office.pk for claim in page.rows)
    assert not other.rows


def test_add_fear_extends_a_database_generated_without_it(monkeypatch):
    monkeypatch.setattr(
        command, "_generate_fear", lambda *args, **kwargs: []
    )  # a database from before step 7
    generate("--cases", "600", "--seed", "2")
    assert not FearClaim.objects.exists() and Hold.objects.exists()
    monkeypatch.undo()

    out = generate("--cases", "600", "--add-fear")

    holds = Hold.objects.filter(kind="fear_claim")
    assert holds.count() == FearClaim.objects.count() > 0
    assert not holds.filter(fear_claim__isnull=True).exists()
    assert CustodyReferral.objects.count() == Case.objects.filter(status="removed_from_mpp").count()
    assert "added" in out and "fear claims" in out
    assert not FearAssessment.objects.filter(status="concurred", reviewed_by=F("assessed_by")).exists()
    with pytest.raises(CommandError, match="already has"):
        generate("--cases", "600", "--add-fear")


def test_add_fear_refuses_a_database_without_cases():
    with pytest.raises(CommandError, match="no cases"):
        generate("--cases", "10", "--add-fear")


def test_add_fear_refuses_a_database_whose_name_does_not_end_in_scale():
    if connection.settings_dict["NAME"].endswith("_scale"):
        pytest.skip("this run's test database is named …_scale")
    CaseFactory()

    with pytest.raises(CommandError, match="not a _scale database"):
        call_command("generate_scale_data", "--cases", "10", "--add-fear", stdout=StringIO())

    assert not FearClaim.objects.exists()
