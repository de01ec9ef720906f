"""Settings come from the environment and fail loudly: the variable named, no traceback."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import REQUIRED, Env

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = secrets.token_urlsafe(50)
PRODUCTION = {
    "DOVETAIL_ENV": "production",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "dovetail.example.org",
    "DATABASE_URL": "postgresql://dovetail:secret@db.internal:5432/dovetail",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "NOTIFICATIONS_BACKEND": "email",
}


def _without(name: str) -> dict[str, str]:
    return {k: v for k, v in PRODUCTION.items() if k != name}


# case name -> (environment, the variable the error must name)
BAD_ENVIRONMENTS: dict[str, tuple[dict[str, str], str]] = {
    "database_url_nonsense": ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
    # PostgreSQL only (ADR 0001): SQLite is no longer a fallback.
    "database_url_sqlite": ({"DATABASE_URL": "sqlite:///var/demo.sqlite3"}, "DATABASE_URL"),
    "broker_url_filesystem": ({"CELERY_BROKER_URL": "filesystem://"}, "CELERY_BROKER_URL"),
    "database_url_no_name": ({"DATABASE_URL": "postgresql://db.internal:5432/"}, "DATABASE_URL"),
    "redis_url_http": ({"REDIS_URL": "http://x"}, "REDIS_URL"),
    "redis_url_bad_port": ({"REDIS_URL": "redis://cache:port/0"}, "REDIS_URL"),
    "debug_maybe": ({"DEBUG": "maybe"}, "DEBUG"),
    "unknown_profile": ({"DOVETAIL_ENV": "staging"}, "DOVETAIL_ENV"),
    "session_idle_words": ({"SESSION_IDLE_MINUTES": "a day"}, "SESSION_IDLE_MINUTES"),
    "log_level_loud": ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    "throttle_rate_words": ({"AUTH_THROTTLE_RATE": "lots"}, "AUTH_THROTTLE_RATE"),
    "broker_url_nonsense": ({"CELERY_BROKER_URL": "nonsense"}, "CELERY_BROKER_URL"),
    "csrf_origin_without_scheme": ({"CSRF_TRUSTED_ORIGINS": "example.org"}, "CSRF_TRUSTED_ORIGINS"),
    "production_without_secret_key": (_without("SECRET_KEY"), "SECRET_KEY"),
    "production_weak_secret_key": ({**PRODUCTION, "SECRET_KEY": "changeme"}, "SECRET_KEY"),
    "production_repetitive_secret_key": ({**PRODUCTION, "SECRET_KEY": "ab" * 30}, "SECRET_KEY"),
    "production_without_allowed_hosts": (_without("ALLOWED_HOSTS"), "ALLOWED_HOSTS"),
    "production_without_notifications_backend": (
        _without("NOTIFICATIONS_BACKEND"),
        "NOTIFICATIONS_BACKEND",
    ),
    "production_empty_allowed_hosts": ({**PRODUCTION, "ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS"),
    "production_without_database_url": (_without("DATABASE_URL"), "DATABASE_URL"),
    "production_without_redis_url": (_without("REDIS_URL"), "REDIS_URL"),
    "production_with_debug": ({**PRODUCTION, "DEBUG": "1"}, "DEBUG"),
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run manage.py with only ``env`` (plus PATH/HOME): the developer's shell cannot leak in."""
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", ""), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def bad_results() -> dict[str, subprocess.CompletedProcess[str]]:
    """Start every bad configuration at once: each is a separate Python process."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = {
            name: pool.submit(manage, "check", env=env)
            for name, (env, _) in BAD_ENVIRONMENTS.items()
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("case", sorted(BAD_ENVIRONMENTS))
def test_bad_setting_stops_start_up_naming_the_variable(
    case: str, bad_results: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    result = bad_results[case]
    variable = BAD_ENVIRONMENTS[case][1]
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("Configuration error: ")
    assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_database_password_is_not_echoed_in_the_error() -> None:
    result = manage("check", env={"DATABASE_URL": "mysql://u:hunter2@db/x"})
    assert result.returncode == 2
    assert "hunter2" not in result.stderr
    assert "****" in result.stderr


def test_unreachable_database_is_reported_in_one_line_naming_database_url() -> None:
    result = manage("showmigrations", env={"DATABASE_URL": "postgresql://u@127.0.0.1:1/dovetail"})
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("Database error: cannot use the database at 127.0.0.1:1/")
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_complete_production_configuration_passes_the_deploy_checks() -> None:
    result = manage("check", "--deploy", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


# --- config.env.Env with a dict for the environment ---------------------------------------


def test_missing_required_variable_names_it() -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is not set"):
        Env({}).string("SECRET_KEY")


def test_missing_optional_variable_gives_the_default() -> None:
    assert Env({}).string("LOG_LEVEL", "INFO") == "INFO"


def test_required_marker_is_the_same_as_no_default() -> None:
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS is not set"):
        Env({}).strings("ALLOWED_HOSTS", REQUIRED)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1", True), ("true", True), ("Yes", True), (" on ", True), ("0", False), ("off", False)],
)
def test_boolean_accepts_the_usual_spellings(raw: str, value: bool) -> None:
    assert Env({"DEBUG": raw}).boolean("DEBUG") is value


def test_boolean_refuses_anything_else() -> None:
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a true/false value"):
        Env({"DEBUG": "maybe"}).boolean("DEBUG")


def test_integer_parses_and_enforces_its_minimum() -> None:
    assert Env({"N": " 60 "}).integer("N", minimum=60) == 60
    with pytest.raises(ImproperlyConfigured, match="N=59 is too small: the minimum is 60"):
        Env({"N": "59"}).integer("N", minimum=60)
    with pytest.raises(ImproperlyConfigured, match="N='ten' is not a whole number"):
        Env({"N": "ten"}).integer("N")


def test_strings_splits_on_commas_and_refuses_an_empty_list() -> None:
    assert Env({"H": "a.example, b.example,"}).strings("H") == ["a.example", "b.example"]
    with pytest.raises(ImproperlyConfigured, match="H is empty"):
        Env({"H": " , "}).strings("H")


def test_choice_lists_the_allowed_values() -> None:
    with pytest.raises(ImproperlyConfigured, match="development, production"):
        Env({"E": "staging"}).choice("E", ("development", "production"))


def test_database_url_is_parsed_into_django_settings() -> None:
    config = Env({"D": "postgresql://u:p@db:5433/dovetail"}).database("D")
    assert (config["ENGINE"], config["HOST"], config["PORT"], config["NAME"]) == (
        "django.db.backends.postgresql",
        "db",
        5433,
        "dovetail",
    )


@pytest.mark.parametrize("raw", ["nonsense", "mysql://u:p@db/x", "postgresql://db:5432"])
def test_database_url_that_is_not_postgres_with_a_name_is_refused(raw: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"^D"):
        Env({"D": raw}).database("D")


def test_redis_url_must_be_redis_with_a_host_and_numeric_port() -> None:
    assert Env({"R": "redis://127.0.0.1:6379/7"}).redis_url("R") == "redis://127.0.0.1:6379/7"
    assert Env({"R": ""}).redis_url("R") == ""
    for raw in ["http://x", "redis://", "redis://h:port/0"]:
        with pytest.raises(ImproperlyConfigured, match=r"^R"):
            Env({"R": raw}).redis_url("R")


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/0", "gw1", "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379/2", "gw0", "redis://127.0.0.1:6379/2"),
        ("rediss://u:p@cache:6380/4?ssl_cert_reqs=none", "gw3", "rediss://u:p@cache:6380/7?ssl_cert_reqs=none"),
        ("redis://cache:6379", "gw2", "redis://cache:6379/2"),
        ("redis://127.0.0.1:6379/0", "", "redis://127.0.0.1:6379/0"),
        ("", "gw1", ""),
    ],
)
def test_each_parallel_test_worker_gets_its_own_redis_database(
    url: str, worker: str, expected: str
) -> None:
    """pytest-xdist worker gwN flushes and consumes Redis database D+N, never another's."""
    from config.env import redis_url_for_test_worker

    assert redis_url_for_test_worker(url, worker) == expected
