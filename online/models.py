"""Patient online accounts: the login that belongs to a patient, the registration codes the
practice prints for them, and proxy access for parents and carers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from patients.models import Patient

ACCOUNT_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a letter
ACCOUNT_ID_LENGTH = 10


class PatientAccount(models.Model):
    """A patient's own online account. One login per patient and one patient per login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient_account"
    )
    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="account")
    created_at = models.DateTimeField(auto_now_add=True)
    record_access_from = models.DateTimeField(
        default=timezone.now,
        help_text="Prospective record access: entries recorded from this moment are shown online.",
    )
    registration_code = models.OneToOneField(
        "RegistrationCode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # TOTP second factor: the secret is set when set-up starts and takes effect once confirmed.
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    totp_last_step = models.BigIntegerField(
        null=True, blank=True, help_text="The last time step accepted; a code is never reused."
    )

    class Meta:
        db_table = "patients_patientaccount"  # created as the patients app (ADR 0014)
        constraints = [
            models.CheckConstraint(
                condition=Q(totp_confirmed_at__isnull=True) | ~Q(totp_secret=""),
                name="patient_account_totp_needs_secret",
            ),
        ]

    def __str__(self) -> str:
        return f"Online account of {self.patient}"

    @property
    def totp_enabled(self) -> bool:
        return bool(self.totp_secret) and self.totp_confirmed_at is not None


class RegistrationCode(models.Model):
    """A printed letter's account id and passphrase. Only a hash of the passphrase is kept."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="registration_codes"
    )
    account_id = models.CharField(max_length=ACCOUNT_ID_LENGTH, unique=True)
    passphrase_hash = models.CharField(max_length=256)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "patients_registrationcode"  # created as the patients app (ADR 0014)
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("issued_at")), name="registration_code_expires_later"
            ),
            models.CheckConstraint(
                condition=Q(account_id__regex=f"^[{ACCOUNT_ID_ALPHABET}]{{{ACCOUNT_ID_LENGTH}}}$"),
                name="registration_code_account_id_format",
            ),
            # A patient holds at most one usable letter: issuing a new one revokes the old.
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True, locked_at__isnull=True),
                name="registration_code_one_live_per_patient",
            ),
        ]

    def __str__(self) -> str:
        return f"Registration code {self.account_id_display} for {self.patient}"

    @property
    def account_id_display(self) -> str:
        half = ACCOUNT_ID_LENGTH // 2
        return f"{self.account_id[:half]}-{self.account_id[half:]}"


class ProxyAccess(models.Model):
    """Practice-granted access for one user (a parent or carer) to act for a patient."""

    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proxy_grants"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="proxy_grants")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "patients_proxyaccess"  # created as the patients app (ADR 0014)
        ordering = ["-starts_at"]
        verbose_name = "proxy access"
        verbose_name_plural = "proxy access grants"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="proxy_access_ends_after_start",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="proxy_access_reason_given"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True)
                | Q(revoked_by__isnull=False) & ~Q(revoke_reason=""),
                name="proxy_access_revocation_recorded",
            ),
            models.UniqueConstraint(
                fields=["grantee", "patient"],
                condition=Q(revoked_at__isnull=True),
                name="proxy_access_one_unrevoked_grant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grantee} acts for {self.patient}"


class ContactPreferenceChange(models.Model):
    """Who changed a patient's contact details or consent, and what they changed."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="contact_changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    changes = models.JSONField(help_text='{"field": [old, new], ...}')

    class Meta:
        db_table = "patients_contactpreferencechange"  # created as the patients app (ADR 0014)
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.patient} contact change at {self.changed_at:%Y-%m-%d %H:%M}"
