"""Where a user is signed in: one row per browser session, so a patient can see and end them.

API tokens are DRF's ``Token`` (one per login, given an expiry by ``signin.tokens``); sessions
are Django's database sessions, which cannot be listed by user, so sign-in writes this row
beside the session and sign-out deletes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SignedInSession(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(default=timezone.now)
    ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-signed_in_at"]
        indexes = [models.Index(fields=["user", "-signed_in_at"], name="signin_session_user")]

    def __str__(self) -> str:
        return f"{self.user} at {self.signed_in_at:%Y-%m-%d %H:%M}"
