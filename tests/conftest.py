import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client

from mpp.accounts.roles import Role
from tests.factories import CaseFactory, user_with_role

# Data migrations that load reference data (roles, locations, languages). Transactional tests end with a
# TRUNCATE of every table, which removes it; the fixture below loads it again for the tests that follow.
REFERENCE_DATA_MIGRATIONS = (
    "mpp.accounts.migrations.0002_roles_and_locations",
    "cases.migrations.0002_languages",
    "mpp.accounts.migrations.0005_location_addresses",
    "hearings.migrations.0002_reference_data",
    "mpp.accounts.migrations.0007_asylum_offices",
)


def load_reference_data() -> None:
    for module in REFERENCE_DATA_MIGRATIONS:
        importlib.import_module(module).load(apps, None)


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(
        (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests (browser, worker, races) last, as pytest-django means to order them: each
    ends with a TRUNCATE of every table, reference data included. pytest-django sorts so, but a module-
    scoped fixture's reordering can undo it; a stable sort here, after the other hooks, restores it."""
    items.sort(key=_is_transactional)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Make sure the reference data exists in tests that use the database (idempotent loaders)."""
    uses_transactions = _is_transactional(request.node)
    if uses_transactions:
        request.getfixturevalue("transactional_db")
        if not Group.objects.exists():
            load_reference_data()
    elif request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        # A safety net: after a transactional test's TRUNCATE, load it inside this test's transaction.
        request.getfixturevalue("db")  # set up now, before the test's own fixtures would
        if not Group.objects.exists():
            load_reference_data()


@pytest.fixture
def officer(db):
    """A CBP officer at San Ysidro."""
    return user_with_role(Role.CBP_OFFICER)


@pytest.fixture
def supervisor(db):
    return user_with_role(Role.CBP_SUPERVISOR)


@pytest.fixture
def court_clerk(db):
    return user_with_role(Role.COURT_STAFF)


@pytest.fixture
def case(db):
    """A case in screening at San Ysidro."""
    return CaseFactory()


@pytest.fixture
def client_for():
    """client_for(user) → a Django test client logged in as that user."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
