"""Celery tasks of patient online accounts."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from online.forms import PatientPasswordResetForm

PASSWORD_RESET_EMAIL = "patients/email/password_reset.txt"
PASSWORD_RESET_SUBJECT = "patients/email/password_reset_subject.txt"


@shared_task(name="online.send_password_reset")
def send_password_reset(*, email: str, domain: str, use_https: bool) -> None:
    """Look the address up and email a reset link if it is a patient's, at most
    PATIENT_PASSWORD_RESET_LIMIT times an hour per address.

    Run after the request has answered, so the answer takes the same time whether or not the
    address has an account (issue 14, finding 9): the page does the same work for every address.
    """
    key = f"patients:password-resets:{email.strip().lower()}"
    cache.add(key, 0, timeout=60 * 60)
    if cache.incr(key) > settings.PATIENT_PASSWORD_RESET_LIMIT:
        return
    form = PatientPasswordResetForm(data={"email": email})
    if not form.is_valid():
        return
    form.save(domain_override=domain, use_https=use_https,
              email_template_name=PASSWORD_RESET_EMAIL,
              subject_template_name=PASSWORD_RESET_SUBJECT)
