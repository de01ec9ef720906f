"""Dovetail settings. Everything that differs between machines comes from the environment.

DOVETAIL_ENV chooses the profile:
- ``development`` (default): DEBUG on unless DEBUG=0, local PostgreSQL/Redis by default.
- ``production``: SECRET_KEY, DATABASE_URL, REDIS_URL and ALLOWED_HOSTS are required, DEBUG is
  refused, and the HTTPS/cookie hardening is on so that ``manage.py check --deploy`` is clean.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path
from urllib.parse import urlparse

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.env import REQUIRED, Env, redis_url_for_test_worker

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

DOVETAIL_ENV: str = env.choice("DOVETAIL_ENV", ("development", "production"), "development")
PRODUCTION = DOVETAIL_ENV == "production"

DEBUG: bool = env.boolean("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG=1 is not allowed when DOVETAIL_ENV=production.")

if PRODUCTION:
    SECRET_KEY: str = env.string("SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak: use at least 50 random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
else:
    SECRET_KEY = env.string("SECRET_KEY", "dev-only-insecure-key-" + "x" * 40)


def _dev_default(value: str) -> str:
    """In production every deployment-specific variable must be set explicitly."""
    return REQUIRED if PRODUCTION else value


ALLOWED_HOSTS: list[str] = env.strings(
    "ALLOWED_HOSTS", _dev_default("localhost,127.0.0.1,[::1],testserver")
)
CSRF_TRUSTED_ORIGINS: list[str] = env.strings("CSRF_TRUSTED_ORIGINS", [])
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("https://", "http://")):
        raise ImproperlyConfigured(
            f"CSRF_TRUSTED_ORIGINS has {_origin!r}: each origin starts with https://, "
            "like https://dovetail.example.org."
        )
DATABASES = {
    "default": env.database(
        "DATABASE_URL", _dev_default("postgresql://postgres@127.0.0.1:5432/dovetail")
    )
}
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# Each server thread keeps its connection (and its prepared statements) this long; the health
# check replaces one the database dropped. 0 closes it after every request (for a pooler).
DATABASES["default"]["CONN_MAX_AGE"] = env.integer("DATABASE_CONN_MAX_AGE", 600, minimum=0)
# A kept connection is checked before a request reuses it, so after a database restart the
# next request reconnects instead of failing (common/contention.py).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASE_IS_POSTGRES and env.boolean("DATABASE_PREPARED_STATEMENTS", True):
    # The hot paths' statements (common.prepared.fast_cursor) are prepared once per connection
    # and run with their generic plan, so PostgreSQL stops re-planning them (planning a slot
    # search cost as much as running it). Only those statements are prepared: Django's own
    # cursors bind parameters on the client. Turn off behind a pooler that cannot keep prepared
    # statements (PgBouncer in transaction mode before 1.21).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["prepare_threshold"] = 0
    _options["options"] = (
        _options.get("options", "") + " -c plan_cache_mode=force_generic_plan"
    ).strip()
REDIS_URL: str = env.redis_url("REDIS_URL", _dev_default("redis://127.0.0.1:6379/0"))
# A parallel test run (pytest-xdist worker gwN) gives each worker the Redis database N after
# REDIS_URL's, as pytest-django gives each its own PostgreSQL database: tests flush the cache
# and run Celery workers, which must not take another test process's tasks.
REDIS_URL = redis_url_for_test_worker(REDIS_URL, os.environ.get("PYTEST_XDIST_WORKER", ""))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "localflavor",
    "axes",
    "csp",
    "common",
    "practices",
    "staff",
    "patients",
    "records",
    "appointments",
    "audit",
    "online",
    "signin",
    "notifications",
    "community",
    "terminology",
]

MIDDLEWARE = [
    "common.middleware.RequestContextMiddleware",
    "common.handlers.HostileInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files keep their long cache lifetimes.
    "common.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Audits every patient a request loads that its selector did not (audit/recorder.py).
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after AXES_FAILURE_LIMIT failures for one username from one address,
# that pair is locked out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env.integer("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env.integer("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The real client address (common/client_ip.py): X-Forwarded-For is believed only for the
# entries added by our own TRUSTED_PROXY_COUNT proxies (README: deployment). Every lock-out,
# throttle and audit row uses this one answer.
TRUSTED_PROXY_COUNT: int = env.integer("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "common.client_ip.client_ip"
# API tokens stop working this many minutes after they were issued (sign in again for a new
# one); signing out, a password change or reset, or the patient's security page end them sooner.
API_TOKEN_LIFETIME_MINUTES: int = env.integer("API_TOKEN_LIFETIME_MINUTES", 8 * 60, minimum=1)

# Browser-side defences (README: guarantees). A strict Content-Security-Policy: scripts and
# styles only from our own static files (no inline script or handler anywhere in templates/,
# tests/common/test_security_headers.py walks them), no plugins, no framing, forms post only
# here. The QR code for two-step sign-in is a data: image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        # nhsuk-frontend's CSS takes the Frutiger font from the NHS's own font host (its
        # licence allows no other).
        "font-src": ["'self'", "https://assets.nhs.uk"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# No page needs the camera, microphone, location, payment or USB (common.middleware).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), interest-cohort=()"
)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "staff.context_processors.working_context",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages come from npm (package.json) and are served from node_modules as they are.
_ASSET_DIRS = [
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STATICFILES_DIRS: list[tuple[str, Path] | Path] = [
    (prefix, path) for prefix, path in _ASSET_DIRS if path.exists()
]
if (BASE_DIR / "static").exists():
    STATICFILES_DIRS.append(BASE_DIR / "static")
FORM_RENDERER = "common.forms.NHSFormRenderer"
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.string("CACHE_KEY_PREFIX", "dovetail"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Idle timeout: the session expires SESSION_IDLE_MINUTES after the last request.
SESSION_COOKIE_AGE = env.integer("SESSION_IDLE_MINUTES", 60, minimum=1) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True

AUTH_THROTTLE_RATE: str = env.string("AUTH_THROTTLE_RATE", "10/min")
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", AUTH_THROTTLE_RATE):
    raise ImproperlyConfigured(
        f"AUTH_THROTTLE_RATE={AUTH_THROTTLE_RATE!r} is not a rate: use a number per "
        "second, minute, hour or day, like 10/min."
    )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    # common.parsers.JSONParser bounds size, nesting and values (a hostile body is a 4xx).
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"auth": AUTH_THROTTLE_RATE},
    # Only for DRF's own get_ident; our throttles use common.client_ip, which reads the same.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# Bounds on a JSON request body (common/parsers.py).
API_JSON_MAX_BYTES = env.integer("API_JSON_MAX_BYTES", 1024 * 1024, minimum=1024)
API_JSON_MAX_DEPTH = 32
API_JSON_MAX_ITEMS = env.integer("API_JSON_MAX_ITEMS", 10_000, minimum=100)
SPECTACULAR_SETTINGS = {
    "TITLE": "Dovetail API",
    "DESCRIPTION": "Appointment book and shared record for a multi-site GP practice.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Staff roles appear under several field names (role, author_role...): one schema enum.
    "ENUM_NAME_OVERRIDES": {
        "StaffRoleEnum": "staff.roles.Role",
        "AllergyStatusEnum": "records.clinical.Allergy.Status",
    },
    # Every operation documents the errors any endpoint can give (common/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.schema.add_error_responses",
    ],
}

# Celery: the broker is Redis (memory:// only where a development setting has no REDIS_URL).
CELERY_BROKER_URL: str = env.string("CELERY_BROKER_URL", REDIS_URL or "memory://")
_BROKER_SCHEMES = ("redis", "rediss", "memory", "amqp", "pyamqp")
if urlparse(CELERY_BROKER_URL).scheme not in _BROKER_SCHEMES:
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL must start with one of {', '.join(s + '://' for s in _BROKER_SCHEMES)}"
        " (leave it unset to use REDIS_URL)."
    )
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.boolean("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}

# Notifications (docs/notifications.md). The backend is checked at start-up by the app config;
# production must choose one explicitly (local would silently send patients nothing).
NOTIFICATIONS_BACKEND: str = env.choice(
    "NOTIFICATIONS_BACKEND", ("local", "notify", "email"), _dev_default("local")
)
NOTIFY_API_KEY: str = env.string("NOTIFY_API_KEY", "")
NOTIFY_BASE_URL: str = env.string("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_SMS_TEMPLATE_ID: str = env.string("NOTIFY_SMS_TEMPLATE_ID", "")
NOTIFY_EMAIL_TEMPLATE_ID: str = env.string("NOTIFY_EMAIL_TEMPLATE_ID", "")
NOTIFY_TIMEOUT_SECONDS: int = env.integer("NOTIFY_TIMEOUT_SECONDS", 20, minimum=1)
NOTIFICATIONS_FROM_EMAIL: str = env.string("NOTIFICATIONS_FROM_EMAIL", "no-reply@dovetail.invalid")
NOTIFICATIONS_LEASE_SECONDS: int = env.integer("NOTIFICATIONS_LEASE_SECONDS", 300, minimum=30)
NOTIFICATIONS_MAX_ATTEMPTS: int = env.integer("NOTIFICATIONS_MAX_ATTEMPTS", 6, minimum=1)
NOTIFICATIONS_RETRY_BASE_SECONDS: int = env.integer(
    "NOTIFICATIONS_RETRY_BASE_SECONDS", 60, minimum=1
)
NOTIFICATIONS_REQUEUE_SECONDS: int = env.integer("NOTIFICATIONS_REQUEUE_SECONDS", 600, minimum=60)
NOTIFICATIONS_DISPATCH_BATCH: int = env.integer("NOTIFICATIONS_DISPATCH_BATCH", 2000, minimum=1)


def _quiet_hours(name: str, default: str) -> tuple[datetime.time, datetime.time]:
    value = env.string(name, default)
    try:
        start, end = (datetime.time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a period of the day: expected HH:MM-HH:MM, e.g. 21:00-08:00."
        ) from None
    return start, end


NOTIFICATIONS_SMS_QUIET_HOURS = _quiet_hours("NOTIFICATIONS_SMS_QUIET_HOURS", "21:00-08:00")
CELERY_BEAT_SCHEDULE["notifications-dispatch-due"] = {
    "task": "notifications.dispatch_due",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# Community links (docs/community.md): directory entries not checked for this many days are
# stale; a social prescribing referral is followed up this many days after it was made.
COMMUNITY_STALE_AFTER_DAYS: int = env.integer("COMMUNITY_STALE_AFTER_DAYS", 183, minimum=1)
SOCIAL_PRESCRIBING_FOLLOW_UP_DAYS: int = env.integer(
    "SOCIAL_PRESCRIBING_FOLLOW_UP_DAYS", 28, minimum=1
)
CELERY_BEAT_SCHEDULE["community-flag-stale-resources"] = {
    "task": "community.tasks.flag_stale_resources",
    "schedule": crontab(hour=2, minute=10),
}
CELERY_BEAT_SCHEDULE["community-create-follow-ups"] = {
    "task": "community.tasks.create_due_follow_ups",
    "schedule": crontab(hour=2, minute=20),
}

DEMO_PASSWORD: str = env.string("DEMO_PASSWORD", "dovetail-demo")

# Patient online accounts (patients/, docs/patients.md).
PATIENT_REGISTRATION_CODE_DAYS = env.integer("PATIENT_REGISTRATION_CODE_DAYS", 90, minimum=1)
PATIENT_REGISTRATION_MAX_FAILURES = env.integer("PATIENT_REGISTRATION_MAX_FAILURES", 5, minimum=1)
PATIENT_REGISTRATION_IP_LIMIT = env.integer("PATIENT_REGISTRATION_IP_LIMIT", 20, minimum=1)
PATIENT_REGISTRATION_IP_WINDOW_MINUTES = env.integer(
    "PATIENT_REGISTRATION_IP_WINDOW_MINUTES", 60, minimum=1
)
# Patients are signed out after this many idle minutes (staff: SESSION_IDLE_MINUTES).
PATIENT_SESSION_IDLE_MINUTES = env.integer("PATIENT_SESSION_IDLE_MINUTES", 20, minimum=1)
PATIENT_TOTP_MAX_FAILURES = env.integer("PATIENT_TOTP_MAX_FAILURES", 5, minimum=1)
EMAIL_BACKEND: str = env.string(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL: str = env.string("DEFAULT_FROM_EMAIL", "Dovetail <no-reply@dovetail.invalid>")
PATIENT_PASSWORD_RESET_LIMIT = env.integer("PATIENT_PASSWORD_RESET_LIMIT", 3, minimum=1)
PASSWORD_RESET_TIMEOUT = env.integer("PASSWORD_RESET_TIMEOUT_MINUTES", 60, minimum=5) * 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), "INFO"),
    },
    # django-axes announces itself at INFO on every start; keep start-up output clean.
    "loggers": {"axes": {"level": "WARNING"}},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

# Appointment book: how far ahead the rota is turned into slots, and its nightly jobs.
SLOT_HORIZON_DAYS: int = env.integer("SLOT_HORIZON_DAYS", 42, minimum=1)
CELERY_BEAT_SCHEDULE["appointments-generate-slots"] = {
    "task": "appointments.tasks.generate_slots",
    "schedule": crontab(hour=1, minute=30),
}
CELERY_BEAT_SCHEDULE["appointments-mark-dna"] = {
    "task": "appointments.tasks.mark_dna",
    "schedule": crontab(hour=0, minute=30),
}

# API performance (perf branch): token authentication that loads the token, its user, their
# staff membership, practice and working-site check in one query (common/authentication.py).
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "common.authentication.TokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
# Patient online booking: how many future appointments one patient may hold when booking online.
PATIENT_ONLINE_MAX_FUTURE_APPOINTMENTS = env.integer(
    "PATIENT_ONLINE_MAX_FUTURE_APPOINTMENTS", 2, minimum=1
)
