import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture
def reader(db):
    """A logged-in user with no permissions."""
    return UserFactory()


@pytest.fixture
def curator(db):
    """A staff member of the Curators group (model permissions, not a superuser)."""
    return UserFactory(curator=True)


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (the production database)")


@pytest.fixture
def api():
    """DRF's test client, anonymous until a test logs it in."""
    return APIClient()
