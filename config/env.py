"""Read configuration from the environment, in one place, failing loudly.

Every reader names the variable in its error so that a bad deployment stops at start-up
with a message an operator can act on, never with a traceback deep inside Django.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_UNSET: Any = object()
REQUIRED: Any = _UNSET
"""Pass as a default to say the variable must be set."""


class Env:
    """Typed access to an environment mapping (``os.environ`` unless given one)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def _raw(self, name: str, default: Any) -> str | Any:
        value = self._environ.get(name)
        if value is None:
            if default is _UNSET:
                raise ImproperlyConfigured(f"{name} is not set: it is required.")
            return default
        return value

    def string(self, name: str, default: Any = _UNSET) -> Any:
        return self._raw(name, default)

    def boolean(self, name: str, default: Any = _UNSET) -> Any:
        value = self._raw(name, default)
        if not isinstance(value, str):
            return value
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a true/false value: use 1/0, true/false, yes/no or on/off."
        )

    def integer(self, name: str, default: Any = _UNSET, *, minimum: int | None = None) -> Any:
        value = self._raw(name, default)
        if not isinstance(value, str):
            return value
        try:
            number = int(value.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} is too small: the minimum is {minimum}.")
        return number

    def strings(self, name: str, default: Any = _UNSET) -> Any:
        value = self._raw(name, default)
        if not isinstance(value, str):
            return value
        items = [item.strip() for item in value.split(",") if item.strip()]
        if not items:
            raise ImproperlyConfigured(f"{name} is empty: give a comma-separated list.")
        return items

    def choice(self, name: str, choices: tuple[str, ...], default: Any = _UNSET) -> Any:
        value = self._raw(name, default)
        if value not in choices:
            raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
        return value

    def database(self, name: str, default: Any = _UNSET) -> dict[str, Any]:
        value = self._raw(name, default)
        scheme = urlparse(value).scheme
        if scheme not in {"postgres", "postgresql"}:
            raise ImproperlyConfigured(
                f"{name}={_redact(value)!r} is not a PostgreSQL URL: expected "
                "postgresql://user:password@host:port/name."
            )
        try:
            config = dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} could not be read: {exc}") from None
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"{name} has no database name after the host.")
        return dict(config)

    def redis_url(self, name: str, default: Any = _UNSET) -> Any:
        value = self._raw(name, default)
        if value == "":
            return ""
        parsed = urlparse(value)
        if parsed.scheme not in {"redis", "rediss"} or not parsed.hostname:
            raise ImproperlyConfigured(
                f"{name}={_redact(value)!r} is not a Redis URL: expected redis://host:port/db."
            )
        try:
            parsed.port  # noqa: B018 - a bad port raises ValueError here
        except ValueError:
            raise ImproperlyConfigured(f"{name} has a port that is not a number.") from None
        return value


def _redact(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(parsed.password, "****")
    return url


def redis_url_for_test_worker(url: str, worker: str) -> str:
    """``redis://host:port/D`` for pytest-xdist worker ``gwN``: database D + N (no worker, or
    no Redis: the URL unchanged)."""
    if not url or not worker.startswith("gw") or not worker[2:].isdigit():
        return url
    parsed = urlparse(url)
    base = int(parsed.path.lstrip("/") or 0)
    return parsed._replace(path=f"/{base + int(worker[2:])}").geturl()
