"""Choose the backend named by NOTIFICATIONS_BACKEND; check its settings at start-up."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notifications.backends.base import Backend

BACKENDS = ("local", "notify", "email")


def check_configuration() -> None:
    name = getattr(settings, "NOTIFICATIONS_BACKEND", "local")
    if name not in BACKENDS:
        raise ImproperlyConfigured(
            f"NOTIFICATIONS_BACKEND={name!r} is not one of: {', '.join(BACKENDS)}."
        )
    if name == "notify":
        for variable in ("NOTIFY_API_KEY", "NOTIFY_SMS_TEMPLATE_ID", "NOTIFY_EMAIL_TEMPLATE_ID"):
            if not getattr(settings, variable, ""):
                raise ImproperlyConfigured(
                    f"{variable} is not set: it is required when NOTIFICATIONS_BACKEND=notify."
                )


@cache
def _backend(name: str) -> Backend:
    if name == "notify":
        from notifications.backends.notify import NotifyBackend

        return NotifyBackend()
    if name == "email":
        from notifications.backends.email import EmailBackend

        return EmailBackend()
    from notifications.backends.local import LocalBackend

    return LocalBackend()


def reset_backends() -> None:
    """Forget the backends built so far (after NOTIFICATIONS_BACKEND changes, e.g. in tests)."""
    _backend.cache_clear()


def get_backend() -> Backend:
    check_configuration()
    return _backend(settings.NOTIFICATIONS_BACKEND)
