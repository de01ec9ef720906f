"""Reads for the sign-in and security pages: where a user is signed in."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.authtoken.models import Token

from signin.models import SignedInSession


def sessions_of(user: Any) -> QuerySet[SignedInSession]:
    """The user's browser sessions that are still live, newest first."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return SignedInSession.objects.filter(user_id=user.pk, session_key__in=live)


def token_of(user: Any) -> Token | None:
    return Token.objects.filter(user_id=user.pk).first()
