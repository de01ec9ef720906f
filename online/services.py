"""Writes for patient online accounts: registration codes, registering, proxy access, contact
preferences. Keyword-only arguments; every refusal is a ServiceError (or a ValidationError
naming the field) raised before anything is written."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache as memoise
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, When
from django.utils import timezone

from common.errors import Conflict, NotFound, PermissionRefused, ServiceError
from common.fields import normalise_uk_mobile
from online import passphrases
from online.models import (
    ContactPreferenceChange,
    PatientAccount,
    ProxyAccess,
    RegistrationCode,
)
from patients.models import Patient
from policy.actor import actor_for_user
from policy.online import check_manage_online_access, may_update_contact_preferences

GENERIC_REGISTRATION_ERROR = (
    "We could not match those details to a registration letter. Check the account ID, "
    "passphrase, date of birth and surname and try again. If it still does not work, ask your "
    "practice for a new letter."
)


@memoise
def _dummy_hash() -> str:
    """Checked when the account id does not exist, so a miss costs as long as a wrong phrase."""
    return make_password("dovetail-no-such-code")


class Throttled(ServiceError):
    status = 429
    code = "throttled"


class RegistrationRefused(ServiceError):
    """Wrong or unusable registration details. The message never says which detail."""

    code = "registration_refused"

    def __init__(self) -> None:
        super().__init__(GENERIC_REGISTRATION_ERROR)


@dataclass(frozen=True)
class IssuedCode:
    code: RegistrationCode
    passphrase: str  # shown once on the printed letter, never stored


def normalise_email(value: str, *, field: str = "email") -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({field: "Enter an email address like name@example.com."}) from None
    return email


# ---- registration codes -------------------------------------------------------------------


def registration_code_issue(*, patient: Patient, issued_by: Any) -> IssuedCode:
    """Issue a new letter for the patient; any earlier unused letter stops working."""
    check_manage_online_access(actor_for_user(issued_by), patient)
    if PatientAccount.objects.filter(patient=patient).exists():
        raise Conflict(f"{patient.full_name} already has an online account.")
    if patient.is_deceased:
        raise Conflict("The patient is recorded as deceased: no online account can be set up.")
    passphrase = passphrases.new_passphrase()
    now = timezone.now()
    expires = now + datetime.timedelta(days=settings.PATIENT_REGISTRATION_CODE_DAYS)
    for _ in range(5):
        try:
            with transaction.atomic():
                RegistrationCode.objects.filter(
                    patient=patient, used_at__isnull=True, revoked_at__isnull=True
                ).update(revoked_at=now)
                code = RegistrationCode.objects.create(
                    patient=patient,
                    account_id=passphrases.new_account_id(),
                    passphrase_hash=make_password(passphrase),
                    issued_by=issued_by,
                    issued_at=now,
                    expires_at=expires,
                )
            return IssuedCode(code=code, passphrase=passphrase)
        except IntegrityError:
            continue  # an account id collision (1 in 32^10) or a concurrent issue: try again
    raise Conflict("Could not issue a registration code just now. Try again.")


def _ip_key(ip: str) -> str:
    return f"patients:register-failures:ip:{ip}"


def _record_failure(*, code: RegistrationCode | None, ip: str) -> None:
    if code is not None:
        limit = settings.PATIENT_REGISTRATION_MAX_FAILURES
        # One conditional UPDATE: count the failure and lock on reaching the limit.
        RegistrationCode.objects.filter(pk=code.pk).update(
            failed_attempts=F("failed_attempts") + 1,
            locked_at=Case(
                When(Q(locked_at__isnull=True, failed_attempts__gte=limit - 1),
                     then=timezone.now()),
                default=F("locked_at"),
            ),
        )
    key = _ip_key(ip)
    cache.add(key, 0, timeout=settings.PATIENT_REGISTRATION_IP_WINDOW_MINUTES * 60)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=settings.PATIENT_REGISTRATION_IP_WINDOW_MINUTES * 60)


def registration_throttled(ip: str) -> bool:
    return int(cache.get(_ip_key(ip)) or 0) >= settings.PATIENT_REGISTRATION_IP_LIMIT


def patient_register(
    *,
    account_id: str,
    passphrase: str,
    date_of_birth: datetime.date,
    family_name: str,
    email: str,
    password: str,
    ip: str,
) -> Any:
    """Create a patient's online account from their letter. Returns the new user.

    Wrong details of any kind raise the same RegistrationRefused; each failure counts against
    the code (locked after PATIENT_REGISTRATION_MAX_FAILURES) and against the caller's address.
    """
    if registration_throttled(ip):
        raise Throttled("Too many registration attempts from this network. Try again later.")
    email = normalise_email(email)
    now = timezone.now()
    code = (
        RegistrationCode.objects.select_related("patient")
        .filter(account_id=passphrases.normalise_account_id(account_id))
        .first()
    )
    phrase = passphrases.normalise_passphrase(passphrase)
    phrase_ok = check_password(phrase, code.passphrase_hash if code else _dummy_hash())
    usable = (
        code is not None
        and code.used_at is None
        and code.revoked_at is None
        and code.locked_at is None
        and code.expires_at > now
    )
    if not (
        usable
        and phrase_ok
        and code is not None
        and code.patient.date_of_birth == date_of_birth
        and passphrases.normalise_surname(code.patient.family_name)
        == passphrases.normalise_surname(family_name)
    ):
        _record_failure(code=code, ip=ip)
        raise RegistrationRefused()
    assert code is not None
    patient = code.patient

    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=email).exists():
        raise ValidationError(
            {"email": "An account already uses this email address. Sign in, or reset your "
                      "password if you have forgotten it."}
        )
    candidate = user_model(username=email, email=email, first_name=patient.given_name,
                     last_name=patient.family_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None

    try:
        with transaction.atomic():
            # Single use, decided by the database: only one request can flip used_at.
            claimed = RegistrationCode.objects.filter(
                pk=code.pk, used_at__isnull=True, revoked_at__isnull=True,
                locked_at__isnull=True, expires_at__gt=now,
            ).update(used_at=now)
            if claimed != 1:
                raise RegistrationRefused()
            candidate.set_password(password)
            candidate.save()
            PatientAccount.objects.create(user=candidate, patient=patient, registration_code=code)
    except IntegrityError:
        raise Conflict(
            "An online account already exists for these details. Sign in, or reset your password."
        ) from None
    cache.delete(_ip_key(ip))
    return candidate


# ---- proxy access -------------------------------------------------------------------------


def proxy_access_grant(
    *,
    patient: Patient,
    grantee_email: str,
    granted_by: Any,
    reason: str,
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
) -> ProxyAccess:
    """Let the holder of an online account act for the patient (e.g. a parent or carer)."""
    check_manage_online_access(actor_for_user(granted_by), patient)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for proxy access."})
    email = normalise_email(grantee_email, field="grantee_email")
    grantee = PatientAccount.objects.select_related("user").filter(
        user__username=email, user__is_active=True
    ).first()
    if grantee is None:
        raise ValidationError(
            {"grantee_email": "No patient online account uses that email. The carer needs their "
                              "own online account first."}
        )
    if grantee.patient_id == patient.pk:
        raise ValidationError({"grantee_email": "That is the patient's own account."})
    starts_at = starts_at or timezone.now()
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end must be after the start."})
    try:
        with transaction.atomic():
            return ProxyAccess.objects.create(
                grantee=grantee.user, patient=patient, granted_by=granted_by, reason=reason,
                starts_at=starts_at, ends_at=ends_at,
            )
    except IntegrityError:
        raise Conflict("That person already has proxy access for this patient.") from None


def proxy_access_revoke(*, grant: ProxyAccess, revoked_by: Any, reason: str) -> ProxyAccess:
    check_manage_online_access(actor_for_user(revoked_by), grant.patient)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for ending proxy access."})
    now = timezone.now()
    updated = ProxyAccess.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=revoked_by, revoke_reason=reason
    )
    if updated != 1:
        raise Conflict("This proxy access has already been ended.")
    grant.refresh_from_db()
    return grant


# ---- contact preferences ------------------------------------------------------------------

CONTACT_FIELDS = ("mobile", "email", "sms_consent", "email_consent")


def contact_preferences_update(*, patient: Patient, changed_by: Any, **changes: Any) -> Patient:
    """Change any of mobile, email, sms_consent, email_consent. Consent needs the detail."""
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown contact fields: {', '.join(sorted(unknown))}.")
    if not may_update_contact_preferences(actor_for_user(changed_by), patient):
        raise PermissionRefused("You cannot change this patient's contact details.")
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if "mobile" in changes:
        try:
            clean["mobile"] = normalise_uk_mobile((changes["mobile"] or "").strip())
        except ValidationError as exc:
            errors["mobile"] = exc.messages[0]
    if "email" in changes:
        raw = (changes["email"] or "").strip()
        try:
            clean["email"] = normalise_email(raw) if raw else ""
        except ValidationError as exc:
            errors["email"] = exc.message_dict["email"][0]
    for flag in ("sms_consent", "email_consent"):
        if flag in changes:
            clean[flag] = bool(changes[flag])
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        current = Patient.objects.select_for_update().get(pk=patient.pk)
        after = {f: clean.get(f, getattr(current, f)) for f in CONTACT_FIELDS}
        if after["sms_consent"] and not after["mobile"]:
            errors["sms_consent"] = "Add a mobile number to get text messages."
        if after["email_consent"] and not after["email"]:
            errors["email_consent"] = "Add an email address to get emails."
        if errors:
            raise ValidationError(errors)
        diff = {
            f: [getattr(current, f), after[f]]
            for f in CONTACT_FIELDS
            if getattr(current, f) != after[f]
        }
        if diff:
            for field, (_, new) in diff.items():
                setattr(current, field, new)
            current.save(update_fields=list(diff))
            ContactPreferenceChange.objects.create(
                patient=current, changed_by=changed_by, changes=diff
            )
    return current


def account_for_user(user: Any) -> PatientAccount:
    account = PatientAccount.objects.filter(user=user).select_related("patient").first()
    if account is None:
        raise NotFound("This login has no patient online account.")
    return account
