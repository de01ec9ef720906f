"""One sign-in service for every way in: the staff page, the patient pages and the API token.

Each step is here once, so a page and the API cannot disagree about it:

- ``password_check``: Django's ``authenticate`` through django-axes, which counts failures per
  username and *real* client address (``common.client_ip``, never a client-set header) and
  locks the pair out after ``AXES_FAILURE_LIMIT``; a locked pair is refused even with the right
  password.
- ``second_factor_check``: the one-time code, counted per login; after
  ``PATIENT_TOTP_MAX_FAILURES`` wrong codes the login is locked for ``AXES_COOLOFF_MINUTES``,
  whichever way the codes were sent.
- ``token_issue`` / ``token_revoke`` and ``session_revoke``: API tokens (which expire after
  ``API_TOKEN_LIFETIME_MINUTES``) and signed-in browser sessions.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from common.client_ip import client_ip
from common.errors import NotFound, ServiceError
from online import totp
from online.models import PatientAccount
from signin.models import SignedInSession


class SignInRefused(ServiceError):
    code = "invalid_login"


class SignInLocked(ServiceError):
    status = 429
    code = "locked_out"


LOCKED_MESSAGE = (
    "Too many failed attempts to sign in. For your security this account is locked for a "
    "while: try again later, or reset your password."
)


def _django_request(request: Any) -> HttpRequest:
    """The Django request under a DRF ``Request`` (axes reads and marks the Django one)."""
    return getattr(request, "_request", request)


# ---- the password -------------------------------------------------------------------------


def password_check(*, request: Any, username: str, password: str, message: str) -> Any:
    """The active user with this username and password, or SignInRefused/SignInLocked."""
    django_request = _django_request(request)
    user = authenticate(django_request, username=username, password=password)
    if getattr(django_request, "axes_locked_out", False):
        raise SignInLocked(LOCKED_MESSAGE)
    if user is None or not user.is_active:
        raise SignInRefused(message)
    return user


# ---- the second factor --------------------------------------------------------------------


def _failures_key(user_id: int) -> str:
    return f"signin:totp-failures:{user_id}"


def second_factor_required(user: Any) -> bool:
    return totp.second_factor_required(user)


def second_factor_locked(user_id: int) -> bool:
    return int(cache.get(_failures_key(user_id)) or 0) >= settings.PATIENT_TOTP_MAX_FAILURES


def second_factor_check(*, user: Any, code: str) -> None:
    """Accept the one-time code once, or count the failure. Locked logins are refused first."""
    if second_factor_locked(user.pk):
        raise SignInLocked(LOCKED_MESSAGE)
    account = PatientAccount.objects.filter(user_id=user.pk).first()
    if account is not None and totp.totp_verify(account=account, code=code):
        cache.delete(_failures_key(user.pk))
        return
    key = _failures_key(user.pk)
    cache.add(key, 0, timeout=int(settings.AXES_COOLOFF_TIME * 3600))
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=int(settings.AXES_COOLOFF_TIME * 3600))
    raise SignInRefused(
        "That code is not right or has already been used. Enter the current 6-digit code "
        "from your authenticator app.",
        code="otp_invalid",
    )


# ---- API tokens ---------------------------------------------------------------------------


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.API_TOKEN_LIFETIME_MINUTES)


def token_expired(token: Token, *, now: datetime.datetime | None = None) -> bool:
    return token.created <= (now or timezone.now()) - token_lifetime()


def token_expires_at(token: Token) -> datetime.datetime:
    return token.created + token_lifetime()


def sign_in_for_token(*, request: Any, username: str, password: str, otp: str) -> Token:
    """Password, then the second factor if the login has one, then a token: the API's sign-in.

    The same counters and locks as the pages: a wrong code here counts towards the lock the
    patient sign-in page checks, and the other way round.
    """
    try:
        user = password_check(
            request=request, username=username, password=password,
            message="That username and password do not match an active account.",
        )
    except SignInLocked:
        # Answered here, in JSON: django-axes' middleware would swap in the HTML page.
        _django_request(request).axes_locked_out = False  # type: ignore[attr-defined]
        raise
    if second_factor_required(user):
        code = (otp or "").strip().replace(" ", "")
        if not code:
            raise ServiceError(
                "Two-step sign-in is on for this account: send the 6-digit code from your "
                "authenticator app as \"otp\".",
                code="otp_required",
            )
        second_factor_check(user=user, code=code)
    return token_issue(user=user)


def token_issue(*, user: Any) -> Token:
    """The user's live token, or a new one if they have none or it has expired."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and token_expired(token):
            token.delete()
            token = None
        if token is None:
            token = Token.objects.create(user=user)
    return token


def token_revoke(*, user: Any) -> int:
    """End the user's API token (sign-out, a password change, or the patient's own choice)."""
    deleted, _ = Token.objects.filter(user_id=user.pk).delete()
    return deleted


# ---- browser sessions ---------------------------------------------------------------------


def session_record(*, user: Any, request: HttpRequest) -> None:
    """Note the new session beside Django's, so its owner can list and end it."""
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    SignedInSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user, "signed_in_at": timezone.now(), "ip": client_ip(request) or "",
            "user_agent": str(request.META.get("HTTP_USER_AGENT", ""))[:200],
        },
    )


def session_forget(*, session_key: str | None) -> None:
    if session_key:
        SignedInSession.objects.filter(session_key=session_key).delete()


def session_revoke(*, user: Any, session_id: int) -> None:
    """End one of the user's own sessions (another user's id is a 404, as if it did not exist)."""
    row = SignedInSession.objects.filter(pk=session_id, user_id=user.pk).first()
    if row is None:
        raise NotFound("You have no such session.")
    SessionStore(session_key=row.session_key).delete()
    row.delete()


def sessions_revoke_all(*, user: Any) -> None:
    """End every browser session and the API token of the user (a password change or reset)."""
    keys = list(SignedInSession.objects.filter(user_id=user.pk).values_list("session_key",
                                                                            flat=True))
    for key in keys:
        SessionStore(session_key=key).delete()
    SignedInSession.objects.filter(user_id=user.pk).delete()
    token_revoke(user=user)
