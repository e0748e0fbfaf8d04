"""Roles, reference data and the deny-by-default permission."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from mpp.accounts.models import Location, validate_time_zone
from mpp.accounts.roles import Role
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_its_exact_name():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "cbp_officer",
        "border_patrol_agent",
        "cbp_supervisor",
        "asylum_officer",
        "supervisory_asylum_officer",
        "court_staff",
        "ice_officer",
        "print_staff",
        "analyst",
        "administrator",
    }
    assert set(Role.values) <= set(Group.objects.values_list("name", flat=True))


@pytest.mark.parametrize(
    "code", ["sys-poe", "cxl-poe", "nog-poe", "elp-poe", "egp-poe", "lrd-poe", "bro-poe"]
)
def test_the_mpp_ports_of_entry_are_loaded_with_a_time_zone(code):
    port = Location.objects.get(code=code)

    assert port.kind == Location.Kind.PORT_OF_ENTRY
    validate_time_zone(port.time_zone)


def test_border_patrol_stations_courts_and_hearing_facilities_are_loaded():
    assert Location.objects.filter(kind=Location.Kind.BORDER_PATROL_STATION).count() >= 7
    assert Location.objects.filter(kind=Location.Kind.IMMIGRATION_COURT).count() >= 5
    laredo = Location.objects.get(code="lrd-ihf")
    brownsville = Location.objects.get(code="bro-ihf")
    assert laredo.kind == brownsville.kind == Location.Kind.HEARING_FACILITY
    assert laredo.court.kind == Location.Kind.IMMIGRATION_COURT
    assert brownsville.time_zone == "America/Chicago"


def test_a_bad_time_zone_is_refused():
    with pytest.raises(ValidationError, match="IANA"):
        validate_time_zone("Central Time")


def test_users_can_hold_several_roles_and_duty_locations():
    user = UserFactory(roles=[Role.CBP_OFFICER, Role.PRINT_STAFF], locations=["sys-poe", "lrd-poe"])

    assert user.has_role(Role.PRINT_STAFF)
    assert not user.has_role(Role.CBP_SUPERVISOR)
    assert len(user.duty_location_ids) == 2
    assert user.is_location_scoped


def test_national_roles_are_not_location_scoped():
    assert not user_with_role(Role.COURT_STAFF).is_location_scoped
    assert not user_with_role(Role.ADMINISTRATOR).is_location_scoped


def test_a_deactivated_user_holds_no_role():
    user = user_with_role(Role.CBP_SUPERVISOR, is_active=False)

    assert user.role_names == frozenset()
