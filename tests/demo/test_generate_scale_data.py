"""``manage.py generate_scale_data``: program-scale data in set-based SQL that still obeys the rules."""

import hashlib
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Max, Min

from cases.models import Alien, Case, CaseEvent, FamilyMember, FamilyUnit, Hold
from mpp.accounts.models import User
from screenings.models import AmenabilityReview, MemberDecision, ScreeningFacts
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

CASES = 300
# Written out from the transition table: the 13 statuses of cases.models.CaseStatus.
EVERY_STATUS = {
    "screening",
    "awaiting_review",
    "amenable",
    "not_amenable",
    "enrolled",
    "in_mexico",
    "in_us_for_hearing",
    "removed_from_mpp",
    "completed_relief",
    "completed_removal_order",
    "completed_other",
    "handed_to_ice",
    "reopened",
}


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_scale_data", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def generated():
    return generate("--cases", str(CASES), "--seed", "11", "--allow-any-database")


def digest() -> str:
    rows = Alien.objects.order_by("id").values_list("id", "a_number", "given_names", "family_name", "sex")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def test_refuses_a_database_whose_name_does_not_end_in_scale():
    assert not connection.settings_dict["NAME"].endswith("_scale")  # pytest's test_<name>

    with pytest.raises(CommandError, match="does not end in _scale"):
        generate("--cases", "10")

    assert Case.objects.count() == 0


def test_refuses_a_database_with_cases_even_when_any_database_is_allowed():
    CaseFactory()

    with pytest.raises(CommandError, match="already has"):
        generate("--cases", "10", "--allow-any-database")

    assert Case.objects.count() == 1


def test_creates_exactly_the_cases_asked_for_in_families_of_one_to_five(generated):
    assert Case.objects.count() == CASES
    assert Alien.objects.count() == CASES
    sizes = FamilyUnit.objects.annotate(n=Count("members")).aggregate(lo=Min("n"), hi=Max("n"))
    assert (sizes["lo"], sizes["hi"]) == (1, 5)
    assert FamilyMember.objects.filter(relationship="head").count() == FamilyUnit.objects.count()
    assert "300 cases" in generated


def test_every_status_appears(generated):
    assert set(Case.objects.values_list("status", flat=True)) == EVERY_STATUS


def test_fear_claim_holds_are_open_and_released_under_rule_s1(generated):
    holds = Hold.objects.all()

    assert holds.filter(released_at__isnull=True).exists()
    assert set(holds.exclude(released_at=None).values_list("outcome", flat=True)) == {"negative", "positive"}
    assert set(holds.values_list("kind", "rule")) == {("fear_claim", "S1")}
    assert all(h.opened_by.has_role("cbp_officer", "border_patrol_agent") for h in holds)
    assert all(h.released_by.has_role("supervisory_asylum_officer") for h in holds.exclude(released_by=None))


def test_every_case_opens_with_case_opened_and_its_last_move_reaches_its_status(generated):
    for case in Case.objects.all():
        events = list(CaseEvent.objects.filter(case=case).order_by("occurred_at", "id"))
        assert events[0].type == "case.opened", case.pk
        moves = [e for e in events if "to" in e.data]
        expected = moves[-1].data["to"] if moves else "screening"
        assert case.status == expected, case.pk
        chain = ["screening", *(m.data["to"] for m in moves)]
        assert [m.data["from"] for m in moves] == chain[:-1], case.pk


def test_review_states_follow_the_family_and_separation_of_duties(generated):
    awaiting = Case.objects.filter(status="awaiting_review")
    pending = AmenabilityReview.objects.filter(status="pending")

    assert set(pending.values_list("encounter_id", flat=True)) == set(
        awaiting.values_list("encounter_id", flat=True)
    )
    decided = AmenabilityReview.objects.filter(status="decided")
    assert decided.exists()
    assert not decided.filter(decided_by=None).exists()
    assert all(r.decided_by_id != r.submitted_by_id for r in decided)
    decided_cases = Case.objects.exclude(status__in=["screening", "awaiting_review"])
    assert MemberDecision.objects.count() == decided_cases.count()
    assert not MemberDecision.objects.filter(amenable=False, reasons=[]).exists()
    assert ScreeningFacts.objects.filter(case__in=decided_cases).count() == decided_cases.count()


def test_history_rows_name_the_actor_and_the_reason(generated):
    for model in (Alien, Case, FamilyUnit, Hold, AmenabilityReview):
        created = model.history.filter(history_type="+")
        assert created.count() == model.objects.count(), model
        assert not created.filter(history_user=None).exists(), model
        assert not created.filter(history_change_reason="").exists(), model
    moved = Case.objects.exclude(status="screening").first()
    assert moved.history.filter(history_type="~", status=moved.status).exists()
    assert User.objects.filter(username__startswith="scale_").exclude(password__startswith="!").count() == 0


def test_a_numbers_are_valid_and_unique(generated):
    numbers = list(Alien.objects.values_list("a_number", flat=True))

    assert all(re.fullmatch(r"A[0-9]{9}", n) for n in numbers)
    assert len(set(numbers)) == len(numbers)


def test_names_carry_accents_and_dates_of_birth_fit_the_role(generated):
    assert Alien.objects.filter(family_name__regex=r"[áéíóúÁÉÍÓÚñ]").exists()
    for member in FamilyMember.objects.select_related("alien", "family_unit"):
        encounter = member.family_unit.encounters.get()
        age = (encounter.occurred_at.date() - member.alien.date_of_birth).days / 365.25
        if member.relationship in {"head", "spouse"}:
            assert age >= 18, member.pk
        if member.relationship == "child":
            assert age < 18, member.pk


@pytest.mark.django_db(transaction=True)
def test_the_same_seed_gives_the_same_people():
    generate("--cases", "120", "--seed", "5", "--allow-any-database")
    first = digest()
    with connection.cursor() as cursor:  # the history tables refuse DELETE, not TRUNCATE
        cursor.execute(
            "TRUNCATE cases_alien, cases_familyunit, cases_case, cases_caseevent, cases_hold, "
            "screenings_amenabilityreview, screenings_screeningfacts, screenings_memberdecision, "
            "cases_familymember, cases_encounter, cases_historicalalien, hearings_hearingslot CASCADE"
        )

    generate("--cases", "120", "--seed", "5", "--allow-any-database")

    assert digest() == first
    assert Alien.objects.count() == 120


def test_system_checks_pass_after_generating(generated):
    call_command("check", stdout=StringIO())


def test_every_served_case_has_an_nta_hearings_and_tear_sheets_that_obey_n1_n5_h2(generated):
    from hearings.models import Hearing, HearingSlot, NoticeToAppear, TearSheet

    served = Case.objects.exclude(status__in=["screening", "awaiting_review", "amenable", "not_amenable"])
    assert NoticeToAppear.objects.count() == served.count() > 0
    assert set(NoticeToAppear.objects.values_list("case_id", flat=True)) == set(
        served.values_list("id", flat=True)
    )
    # N1: the NTA names the initial hearing; H2: later hearings continue the one before, on a later day.
    for nta in NoticeToAppear.objects.select_related("initial_hearing"):
        assert nta.initial_hearing.is_initial and nta.initial_hearing.case_id == nta.case_id
        assert nta.served_at.date() >= nta.arrived_on
    assert (
        Hearing.objects.filter(status="scheduled")
        .values("case_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
        == 0
    )
    for hearing in Hearing.objects.exclude(replaces=None).select_related("replaces"):
        assert hearing.starts_at.date() > hearing.replaces.starts_at.date()
        assert hearing.replaces.status == "continued"
    # N5: one current tear sheet per hearing; every earlier one superseded by the next version.
    assert TearSheet.objects.count() == Hearing.objects.count()
    for sheet in TearSheet.objects.exclude(superseded_by=None).select_related("superseded_by"):
        assert sheet.superseded_by.version == sheet.version + 1
    assert TearSheet.objects.filter(superseded_at=None, printed_at=None).exists()  # something to print
    assert not TearSheet.objects.filter(printed_at__isnull=False, printed_by__isnull=True).exists()
    # Slots are never overbooked, and each hearing sits in a slot at its own time.
    assert not HearingSlot.objects.filter(booked__gt=models_F("capacity")).exists()
    assert not Hearing.objects.exclude(starts_at=models_F("slot__starts_at")).exists()
    # M3/M4: most NTAs filed, some served and not yet filed.
    assert NoticeToAppear.objects.filter(filed_on__isnull=False).exists()


def models_F(name: str):  # django.db.models.F, named so the assertions read
    from django.db.models import F

    return F(name)
