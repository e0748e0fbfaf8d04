import pytest
from django.test import Client

from mpp.accounts.roles import Role
from tests.factories import CaseFactory, user_with_role


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
