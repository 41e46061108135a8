"""Settings for the test suite: production's settings (partnerships/settings.py), with every
difference the tests need stated here. Named in pyproject.toml ([tool.pytest.ini_options]).

Production's defaults do not look at the test runner: settings.py refuses to start without
SECRET_KEY and turns HTTPS_ONLY on whenever DEBUG is off. The tests turn them off here.
"""

import os

# `make test` sets SECRET_KEY; a bare `pytest` gets a key that is never used in production.
os.environ.setdefault("SECRET_KEY", "insecure-test-only-key")

from partnerships.settings import *  # noqa: E402, F403
from partnerships.settings import DATABASES, STORAGES  # noqa: E402

# The test client and the live server speak plain HTTP on localhost.
HTTPS_ONLY = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False

# Tests read static files from the finders; no collectstatic manifest is needed.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A 503 for a database error logs its traceback, so a failing test shows the cause.
DATABASE_ERROR_TRACEBACKS = True

# A read replica (DATABASE_REPLICA_URL) is the test database itself: no second database is
# created, and the router reads it through the primary's connection.
for _alias in DATABASES:
    if _alias != "default":
        DATABASES[_alias]["TEST"] = {"MIRROR": "default"}

# Throttle counts in the default cache's memory (the same LOCATION): a test's
# `cache.clear()` starts them afresh.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
# Tests write rows without history (factories, bulk loads), which the data stamp does not
# see: no answer is stored unless a test turns the response cache on (tests/serving/).
SERVING_CACHE = "serving"
CACHES["serving"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
# The suite asks for many matrices, searches and exports a minute: the expensive budgets
# are off here, and the throttle tests set their own (tests/project/test_abuse.py).
PAGE_EXPENSIVE_RATE = None
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],  # noqa: F405
        **dict.fromkeys(("export", "matrix", "reconcile", "search"), None),
    },
}

# The suite shares a busy machine: a test database's migrations and teardown must not hit
# production's statement timeout; the timeout tests set their own (SET statement_timeout).
DB_STATEMENT_TIMEOUT = 60
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["OPTIONS"]["options"] = "-c statement_timeout=60000"  # noqa: F405
