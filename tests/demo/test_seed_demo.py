"""``manage.py seed_demo``: demo users per role and demo cases whose histories come from the services."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from cases.models import Case, CaseEvent, CaseStatus, FamilyMember, Hold
from cases.rules import looks_like_a_number
from cases.selectors import hold_blocks
from mpp.accounts.models import User
from mpp.accounts.roles import Role

DEMO_USERNAMES = {f"demo_{role}" for role in Role.values if role != Role.ADMINISTRATOR} | {"demo_admin"}

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    return seed()


def test_running_twice_creates_nothing_the_second_time(seeded):
    users, cases = User.objects.count(), Case.objects.count()

    output = seed()

    assert (User.objects.count(), Case.objects.count()) == (users, cases)
    assert "passwords are unchanged" in output
    assert "Demo password" not in output


def test_every_role_has_a_demo_user(seeded):
    for role in Role.values:
        username = "demo_admin" if role == Role.ADMINISTRATOR else f"demo_{role}"
        user = User.objects.get(username=username)
        assert user.has_role(role), username
        assert user.has_usable_password()
    admin = User.objects.get(username="demo_admin")
    assert admin.is_staff and admin.is_superuser


def test_location_scoped_demo_users_have_their_duty_locations(seeded):
    def codes(username):
        return set(User.objects.get(username=username).duty_locations.values_list("code", flat=True))

    assert codes("demo_cbp_officer") == {"sys-poe", "lrd-poe"}
    assert codes("demo_cbp_supervisor") == {"sys-poe", "lrd-poe"}
    assert codes("demo_print_staff") == {"sys-poe", "lrd-poe"}
    assert codes("demo_border_patrol_agent") == {"cv-bps"}


def test_the_first_run_prints_the_password_once_and_it_works(seeded):
    line = next(line for line in seeded.splitlines() if "Demo password for all demo users:" in line)
    password = line.split("Demo password for all demo users:")[1].strip(" │")

    assert User.objects.get(username="demo_cbp_officer").check_password(password)
    assert User.objects.get(username="demo_analyst").check_password(password)


def test_reset_passwords_sets_and_prints_a_new_one(seeded):
    officer = User.objects.get(username="demo_cbp_officer")
    old_hash = officer.password

    output = seed("--reset-passwords")

    officer.refresh_from_db()
    assert officer.password != old_hash
    assert "Demo password for all demo users:" in output


def test_demo_password_comes_from_the_environment_when_set(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "border-demo-2019-password")

    output = seed()

    assert User.objects.get(username="demo_court_staff").check_password("border-demo-2019-password")
    assert "border-demo-2019-password" not in output


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
    assert FamilyMember.objects.filter(
        family_unit__members__alien=mexican.alien, relationship=FamilyMember.Relationship.HEAD
    ).exclude(alien__country_of_citizenship="MX")


def test_a_family_waits_for_a_members_pending_fear_claim(seeded):
    """F4: the claimant's case carries an open fear-claim hold (S1), stays where it stood (amenable), and
    the family, amenable too, cannot be returned to Mexico."""
    hold = Hold.objects.get(kind="fear_claim", released_at__isnull=True)
    pending = hold.case
    family = Case.objects.filter(encounter=pending.encounter).exclude(pk=pending.pk)

    assert pending.status == CaseStatus.AMENABLE
    assert family.exists()
    assert {c.status for c in family} == {CaseStatus.AMENABLE}
    for member in family:
        assert hold_blocks(case=member, target=CaseStatus.IN_MEXICO)[0].rule == "F4"


def test_released_fear_claims_left_the_cases_where_the_story_took_them(seeded):
    """S4: a negative outcome was released and the person went on to Mexico; a positive one was released
    and the SAO removed the case from MPP."""
    outcomes = dict(Hold.objects.filter(released_at__isnull=False).values_list("outcome", "case__status"))
    assert outcomes == {"negative": CaseStatus.IN_MEXICO, "positive": CaseStatus.REMOVED_FROM_MPP}


def test_every_demo_case_has_a_whole_timeline_of_case_events(seeded):
    """The timeline reads case events: every case was opened, every status it reached is there, and
    screening-fact edits and holds show too."""
    for case in Case.objects.all():
        events = list(case.events.order_by("occurred_at", "id"))
        assert events[0].type == "case.opened", case
        reached = [e.data["to"] for e in events if "to" in e.data]
        assert (reached[-1] if reached else CaseStatus.SCREENING) == case.status, case
        assert all(e.actor_id and e.reason for e in events), case
    assert CaseEvent.objects.filter(type="screening.facts_saved").exists()
    assert CaseEvent.objects.filter(type="hold.opened").count() == Hold.objects.count()


def test_every_case_has_a_history_with_actor_and_reason(seeded):
    for case in Case.objects.all():
        rows = list(case.history.all())
        assert rows, case
        assert all(row.history_user_id and row.history_change_reason for row in rows), case
    moved = Case.objects.get(status=CaseStatus.HANDED_TO_ICE)
    assert moved.history.latest("history_id").history_user.username == "demo_ice_officer"
