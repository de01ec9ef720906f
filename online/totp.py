"""Optional second factor: time-based one-time codes (RFC 6238) from an authenticator app.

A code is accepted once: the last accepted time step is stored and a conditional UPDATE refuses
the same or an earlier step, so a code seen over someone's shoulder cannot be replayed.
"""

from __future__ import annotations

import re
from typing import Any

import pyotp
import segno
from django.db.models import Q
from django.utils import timezone

from common.errors import Conflict, ServiceError
from online.models import PatientAccount

ISSUER = "Dovetail"
VALID_WINDOW = 1  # accept the previous and next 30-second step too (clock drift)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret)


def provisioning_uri(account: PatientAccount) -> str:
    return _totp(account.totp_secret).provisioning_uri(
        name=account.user.get_username(), issuer_name=ISSUER
    )


def qr_code_svg_data_uri(account: PatientAccount) -> str:
    return str(segno.make(provisioning_uri(account), error="m").svg_data_uri(scale=5))


def totp_setup_start(*, account: PatientAccount) -> PatientAccount:
    """A fresh secret to scan; it only protects sign-in once confirmed with a code."""
    if account.totp_enabled:
        raise Conflict("Two-step sign-in is already on.")
    account.totp_secret = pyotp.random_base32()
    account.totp_last_step = None
    account.save(update_fields=["totp_secret", "totp_last_step"])
    return account


def _matching_step(secret: str, code: str, at: Any = None) -> int | None:
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"[0-9]{6}", code) or not secret:
        return None
    totp = _totp(secret)
    now = at or timezone.now()
    step = totp.timecode(now)
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step + offset), code):
            return step + offset
    return None


def totp_verify(*, account: PatientAccount, code: str) -> bool:
    """True once per code: claims the time step with a conditional UPDATE."""
    step = _matching_step(account.totp_secret, code)
    if step is None:
        return False
    claimed = PatientAccount.objects.filter(
        Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step),
        pk=account.pk, totp_secret=account.totp_secret,
    ).update(totp_last_step=step)
    if claimed == 1:
        account.totp_last_step = step
        return True
    return False


def totp_setup_confirm(*, account: PatientAccount, code: str) -> PatientAccount:
    if account.totp_enabled:
        raise Conflict("Two-step sign-in is already on.")
    if not account.totp_secret:
        raise ServiceError("Start setting up two-step sign-in first.")
    if not totp_verify(account=account, code=code):
        raise ServiceError("That code is not right. Enter the 6-digit code your app shows now.",
                           code="invalid_code")
    account.totp_confirmed_at = timezone.now()
    account.save(update_fields=["totp_confirmed_at"])
    return account


def totp_disable(*, account: PatientAccount, password: str) -> PatientAccount:
    if not account.user.check_password(password):
        raise ServiceError("Your password is not right.", code="invalid_password")
    account.totp_secret = ""
    account.totp_confirmed_at = None
    account.totp_last_step = None
    account.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    return account


def second_factor_required(user: Any) -> bool:
    """True when this login has two-step sign-in on. Anything that exchanges a password for a
    session or token (e.g. ``POST /api/v1/auth/token/``) must then also ask for a code."""
    return PatientAccount.objects.filter(
        user=user, totp_confirmed_at__isnull=False
    ).exclude(totp_secret="").exists()
