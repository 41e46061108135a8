"""Settings for Partnerships KB, read from the environment.

Every value has a safe development default except SECRET_KEY, which production (DEBUG off)
must be given. Variables read:

DATABASE_URL   postgres://user@host:port/name; unset: a SQLite file beside manage.py
DATABASE_REPLICA_URL  PostgreSQL streaming replica(s) for reads, comma-separated; unset: none
SECRET_KEY     required when DEBUG is off
DEBUG          1/true/yes to turn on; off by default
ALLOWED_HOSTS  comma-separated; default localhost, 127.0.0.1, [::1]
REDIS_URL      redis://127.0.0.1:6379/0: responses and throttle counts cached in Redis,
               shared by every worker and machine; unset: in-process cache, and throttle
               counts shared by the workers of one machine through THROTTLE_CACHE_DIR
THROTTLE_CACHE_DIR  without REDIS_URL: where the workers keep throttle counts; default a
               directory in the system's temporary directory
CACHE_MAX_AGE  seconds a client or proxy may reuse a public answer before revalidating
               it (ETag / Last-Modified); default 60
RESPONSE_CACHE 0 to store no answer in the cache (ETag and 304 still answered); default 1
CORS_API       0 to stop answering cross-origin reads of /api/ (on by default: GET, HEAD
               and OPTIONS from any origin, without credentials)
HTTPS_ONLY     1: redirect to HTTPS, secure cookies, HSTS; default: on when DEBUG is off
HSTS_SECONDS   Strict-Transport-Security max-age when HTTPS_ONLY; default 31536000 (a year)
API_ANON_RATE  anonymous API throttle, e.g. 120/minute (the default)
API_EXPENSIVE_RATE  per-client budget of each expensive API endpoint (CSV exports, the
               matrices, reconciliation, search); default 20/minute
PAGE_EXPENSIVE_RATE per-client budget of the matching pages; default 30/minute. Each of
               the three rates "off" turns that throttle off (benchmarks only)
API_TOKEN_DAYS days an API token lives; default 90
FORWARDED_ALLOW_IPS proxies whose X-Forwarded-For is believed (comma list of addresses or
               networks, as gunicorn reads it); default 127.0.0.1
DB_STATEMENT_TIMEOUT seconds a PostgreSQL statement may run; default 5 (0: no limit;
               manage.py commands default to 0)
DB_CONNECT_TIMEOUT seconds to wait for a PostgreSQL connection; default 3
MAX_BODY_BYTES largest request body accepted; default 1048576 (1 MiB); beyond: 413
LOG_FORMAT     json (default when DEBUG is off) or text
LOG_LEVEL      default INFO
AXES_COOLOFF_MINUTES how long a login lockout lasts; default 15
STATIC_ROOT    where collectstatic writes; default staticfiles/ beside manage.py
"""

import datetime as dt
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from partnerships.routing import replica_databases

BASE_DIR = Path(__file__).resolve().parent.parent


def env_rate(name: str, default: str) -> str | None:
    """A throttle rate such as 120/minute; "off" turns the throttle off (benchmarks)."""
    value = os.environ.get(name, default).strip()
    return None if value.lower() in ("off", "none", "0") else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment (production), "
            "or set DEBUG=1 for a local development server."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_countries",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "axes",
    "corsheaders",
    "partnerships",
    "frameworks",
    "missions",
]

MIDDLEWARE = [
    "partnerships.middleware.RequestIdMiddleware",
    "partnerships.middleware.RequestLimitsMiddleware",
    # Before anything that answers: CORS headers on every /api/ answer, 304s included.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "partnerships.middleware.DatabaseUnavailableMiddleware",
    # ETag / 304 and the shared response cache for anonymous reads: before sessions, so a
    # hit costs one small query and one cache read (partnerships/serving/conditional.py).
    "partnerships.serving.conditional.ConditionalCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "partnerships.throttling.PageThrottleMiddleware",
    "partnerships.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "partnerships.middleware.SecurityHeadersMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: counts failed logins (admin, API token) and locks out after too many.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "partnerships.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "partnerships.wsgi.application"

DATABASES = {
    # An empty DATABASE_URL counts as unset: the embedded SQLite default.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
# Bounded work: no statement runs longer than DB_STATEMENT_TIMEOUT and no connection waits
# longer than DB_CONNECT_TIMEOUT; either answers 503 with Retry-After (middleware.py).
DB_STATEMENT_TIMEOUT = float(os.environ.get("DB_STATEMENT_TIMEOUT", "5"))
DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "3"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": DB_CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={int(DB_STATEMENT_TIMEOUT * 1000)}",
        }
    )
# Read replicas (partnerships/routing.py). Keep after every change to default's OPTIONS:
# the replicas copy them.
DATABASES.update(
    replica_databases(os.environ.get("DATABASE_REPLICA_URL", ""), DATABASES["default"])
)
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["partnerships.routing.ReplicaRouter"]
    MIDDLEWARE.insert(1, "partnerships.routing.ReadRoutingMiddleware")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    _redis = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        # A cache that is down must never take the site down with it.
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
        },
    }
    # One Redis for all: answers (keyed by the data stamp) and throttle counts, so the
    # documented rate holds across workers and machines.
    CACHES = {"default": _redis, "throttle": {**_redis, "KEY_PREFIX": "throttle"}}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Without Redis the workers of one machine still share one count (files).
        "throttle": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("THROTTLE_CACHE_DIR")
            or os.path.join(tempfile.gettempdir(), "partnerships-kb-throttle"),
        },
    }

# The response cache (partnerships/serving/conditional.py); RESPONSE_CACHE=0 stores
# nothing (ETags and 304s still work), e.g. to measure uncached answers.
SERVING_CACHE = "default"
if not env_bool("RESPONSE_CACHE", True):
    CACHES["uncached"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    SERVING_CACHE = "uncached"
SERVING_CACHE_SECONDS = 600  # entries are keyed by the data stamp: this only frees memory
SERVING_MAX_BYTES = 4 * 1024 * 1024  # larger answers are revalidated, not stored
SERVING_MAX_AGE = int(os.environ.get("CACHE_MAX_AGE", "60"))
# Not the data's: the admin, the probes, the token endpoint, and the API's schema and
# documentation (they change with a deploy, not with a write).
SERVING_EXCLUDED_PATHS = (
    "/admin/",
    "/healthz",
    "/readyz",
    "/api/v1/auth/",
    "/api/v1/schema/",
    "/api/v1/docs/",
    "/api/v1/redoc/",
)

# Cross-origin reads of the API (django-cors-headers): any origin, no credentials, and no
# write is ever allowed across origins.
CORS_ALLOW_ALL_ORIGINS = env_bool("CORS_API", True)
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = ("accept", "if-none-match", "if-modified-since", "x-request-id")
CORS_EXPOSE_HEADERS = (
    "ETag",
    "Last-Modified",
    "Retry-After",
    "X-Dataset-Version",
    "X-Query",
    "X-Request-ID",
)
CORS_PREFLIGHT_MAX_AGE = 86400

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and development read static files from the finders, no collectstatic needed.
WHITENOISE_USE_FINDERS = DEBUG
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise as they are.
WHITENOISE_ROOT = BASE_DIR / "public"

DATA_DIR = BASE_DIR / "data"

# One client identity (partnerships/clients.py): X-Forwarded-For only from these proxies.
FORWARDED_ALLOW_IPS = env_list("FORWARDED_ALLOW_IPS", ["127.0.0.1"])
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
# Expensive pages (matrices, compare, search, reconciliation, CSV exports) per client.
PAGE_EXPENSIVE_RATE = env_rate("PAGE_EXPENSIVE_RATE", "30/minute")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "partnerships.api.schema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a bad token is then a 401 with WWW-Authenticate, not a 403.
        "partnerships.tokens.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["partnerships.api.base.ReadAnyoneWriteCurators"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "partnerships.api.base.PageNumberPagination",
    "DEFAULT_RENDERER_CLASSES": [
        "partnerships.api.renderers.ORJSONRenderer",
        "partnerships.api.browsable.BrowsableAPIRenderer",
        "partnerships.api.renderers.CSVRenderer",
        "partnerships.api.renderers.ExcelCSVRenderer",
    ],
    # Clients are told apart by partnerships.clients.client_ip (proxy-aware, not spoofable).
    "DEFAULT_THROTTLE_CLASSES": [
        "partnerships.api.throttles.AnonThrottle",
        "partnerships.api.throttles.ExpensiveThrottle",
    ],
    # Anonymous clients: a documented rate per address; curators are not throttled. The
    # expensive endpoints have their own, lower budget per client (anyone).
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_ANON_RATE", "120/minute"),
        **dict.fromkeys(
            ("export", "matrix", "reconcile", "search"),
            env_rate("API_EXPENSIVE_RATE", "20/minute"),
        ),
    },
    "DEFAULT_PARSER_CLASSES": [
        "partnerships.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "partnerships.api.base.exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Partnerships KB API",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "DESCRIPTION": (
        "Partnerships KB: NATO's partnership frameworks, partner nations, NATO-led missions "
        "and partner contributions, every fact with its sources.\n\n"
        "**Dates carry their precision.** A date is written as `YYYY`, `YYYY-MM` or "
        "`YYYY-MM-DD` and comes with `*_precision` (day, month or year). A period covers from "
        "the first day of its start's unit to the last day of its end's unit, inclusive "
        "(`covers_from` / `covers_until`); an open end is ongoing; `end_unknown` means it "
        "ended on an unknown date, and it then counts only within its start's unit. Every "
        "`as_of` and `active_on` filter uses this rule.\n\n"
        "**Filters** repeat for any-of (`?framework=a&framework=b`); `*_all` means all-of. "
        "**Exports**: `?format=csv` on any list or matrix streams the whole filtered set; the "
        "`X-Dataset-Version` header names the data it came from; `?format=csv-excel` adds "
        "the byte order mark Excel needs. **Anonymous** clients are throttled (default 120 "
        "requests a minute; 429 beyond).\n\n"
        "**Caching**: every anonymous read answers with a strong `ETag` and `Last-Modified`; "
        "send them back (`If-None-Match`, `If-Modified-Since`) and an unchanged answer is a "
        "bodiless 304. Answers about a past moment (`known_at`) are immutable. **CORS**: any "
        "origin may read (GET, HEAD, OPTIONS; no credentials).\n\n"
        "**Budgets**: CSV exports, matrices, reconciliation and search have a lower budget "
        "per client. **Writes** accept an `Idempotency-Key` header: a retry with the same "
        "key and body gets the first answer and writes nothing; the same key with another "
        "body is a 422. **Lost updates**: a detail read made with a token or a session, and "
        "every write, carries the record's version as `ETag`; send it back as `If-Match` on "
        "PUT, PATCH or DELETE and a write to a record changed since is refused with 412 "
        "(nothing written; the body names the current version and holds the current "
        "record). Without `If-Match` a write goes ahead (the last write wins); `If-Match: *` "
        "too. **Reasons**: a `Change-Reason` header on a write is kept in history. "
        "**Tokens** expire (90 days by default) and are rotated at "
        "`auth/token/rotate/`.\n\n"
        "**Strict**: an unknown query parameter is a 400 that names it and lists the accepted "
        "ones; so is a malformed `page` or `page_size`. Every ordering ends with the primary "
        "key, so walking the pages shows each row once."
    ),
    "COMPONENT_SPLIT_REQUEST": True,
    # Every `*_precision` field shares one enum (day, month, year).
    "ENUM_NAME_OVERRIDES": {"PrecisionEnum": "partnerships.dates.Precision"},
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

# -- security -----------------------------------------------------------------------------
HTTPS_ONLY = env_bool("HTTPS_ONLY", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000")) if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# Database sessions that take a malformed cookie (a NUL in it) for no session, not a 500.
SESSION_ENGINE = "partnerships.sessions"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
# Health probes from the load balancer speak plain HTTP: no redirect for them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Log a 503 for a database error with its traceback also when DEBUG is off (the test settings).
DATABASE_ERROR_TRACEBACKS = False
MAX_BODY_BYTES = int(os.environ.get("MAX_BODY_BYTES", str(1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES

# Content Security Policy: everything from this site, no inline scripts or styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Lock a user name out after 5 failed logins from one client address, for a cool-off of
# 15 minutes: a stranger elsewhere cannot lock a curator out. The address is the real
# client's (partnerships.clients), not the proxy every request arrives through.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "partnerships.clients.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "partnerships.middleware.lockout_response"

LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "partnerships.middleware.RequestIdLogFilter"}},
    "formatters": {
        "json": {"()": "partnerships.middleware.JsonLogFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(client)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes logs every login at INFO; keep its warnings (lockouts) only.
    "loggers": {"axes": {"level": "WARNING"}},
}

# NATO's KFOR is hosted in Kosovo, which ISO 3166 has not coded: use the user-assigned "XK"
# that the EU and many datasets use.
COUNTRIES_OVERRIDE = {"XK": "Kosovo"}
