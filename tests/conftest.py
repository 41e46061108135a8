from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import UserFactory

# Suites that drive a browser, fuzz the API or start servers: `pytest -m "not slow"` leaves
# them out for a fast loop; plain `pytest` (and `make test`) runs everything.
SLOW_SUITES = ("browser", "fuzz", "ops")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        parts = item.path.relative_to(here).parts if item.path.is_relative_to(here) else ()
        if parts and parts[0] in SLOW_SUITES:
            item.add_marker(pytest.mark.slow)


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
