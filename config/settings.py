"""Dovetail settings. Everything that differs between machines comes from the environment.

DOVETAIL_ENV chooses the profile:
- ``development`` (default): DEBUG on unless DEBUG=0, local PostgreSQL/Redis by default.
- ``production``: SECRET_KEY, DATABASE_URL, REDIS_URL and ALLOWED_HOSTS are required, DEBUG is
  refused, and the HTTPS/cookie hardening is on so that ``manage.py check --deploy`` is clean.
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.env import REQUIRED, Env

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
DATABASES = {
    "default": env.database(
        "DATABASE_URL", _dev_default("postgresql://postgres@127.0.0.1:5432/dovetail")
    )
}
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
REDIS_URL: str = env.redis_url("REDIS_URL", _dev_default("redis://127.0.0.1:6379/0"))

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
    "django_htmx",
    "common",
    "practices",
    "staff",
    "records",
    "appointments",
    "community",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

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
    "DEFAULT_THROTTLE_RATES": {"auth": env.string("AUTH_THROTTLE_RATE", "10/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dovetail API",
    "DESCRIPTION": "Appointment book and shared record for a multi-site GP practice.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Celery: the broker is Redis unless the demo fell back to the filesystem transport.
CELERY_BROKER_URL: str = env.string("CELERY_BROKER_URL", REDIS_URL or "memory://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _folder = env.string("CELERY_BROKER_FOLDER", str(BASE_DIR / "var" / "celery-broker"))
    Path(_folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _folder,
        "data_folder_out": _folder,
        "control_folder": str(Path(_folder) / "control"),
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.boolean("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
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
