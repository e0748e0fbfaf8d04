"""``manage.py seed_demo`` on an empty database with ``DEMO_PASSWORD`` set (the other seed tests share one
seed without it, in ``test_seed_demo.py``)."""

from io import StringIO

import pytest
from django.core.management import call_command

from mpp.accounts.models import User

pytestmark = pytest.mark.django_db


def test_demo_password_comes_from_the_environment_when_set(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "border-demo-2019-password")
    out = StringIO()

    call_command("seed_demo", stdout=out)

    assert User.objects.get(username="demo_court_staff").check_password("border-demo-2019-password")
    assert "border-demo-2019-password" not in out.getvalue()
