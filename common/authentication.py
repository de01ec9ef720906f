"""API token authentication that also loads who the user is at work, in the same query.

DRF's ``TokenAuthentication`` reads the token and its user (one query); the first thing every
staff API view then does is work out the actor (``policy.actor.actor_for_request``): the
user's active staff membership with its practice (a second query) and whether they work at
the site named in ``X-Dovetail-Site`` (a third); a patient's, their online account. On the
8am rush those queries were a large share of a request's cost, so this class reads them all
in one: the token joined to its user, the user's staff membership and its practice, their
patient account, and an ``EXISTS`` for the working site. The actor code uses what was
loaded (``policy.actor.preloaded_staff``, ``policy.online.own_patient_id``) and applies the
same rules as before: an inactive staff membership counts as none, a site the user does not
work at is ignored, and a token older than ``API_TOKEN_LIFETIME_MINUTES`` is refused.
Nothing is cached between requests, so a deleted token, a deactivated
user or a changed rota takes effect on the very next request. The query is compiled once
(``common.prepared``): compiling it cost more CPU on every request than running it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token
from rest_framework.request import Request

from common.prepared import PreparedQuery
from policy.actor import WORKING_SITE_HEADER, remember_site_check, working_site_id
from staff.models import StaffMember


def _tokens(*, key: str, site_id: int | None) -> QuerySet[Token]:
    tokens = Token.objects.select_related(
        "user", "user__staff__practice", "user__patient_account"
    )
    if site_id is not None:
        tokens = tokens.annotate(
            works_at_site=Exists(
                StaffMember.sites.through.objects.filter(
                    staffmember_id=OuterRef("user__staff__id"), site_id=site_id
                )
            )
        )
    return tokens.filter(key=key)


TOKENS = PreparedQuery(_tokens)


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, as DRF's, with the actor's rows in the same query."""

    def authenticate(self, request: Request) -> tuple[Any, Token] | None:
        self._site_id = working_site_id(request.META.get(WORKING_SITE_HEADER))
        return super().authenticate(request)

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        site_id = getattr(self, "_site_id", None)
        token = TOKENS.first(key=key, site_id=site_id)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        lifetime = datetime.timedelta(minutes=settings.API_TOKEN_LIFETIME_MINUTES)
        if token.created <= timezone.now() - lifetime:
            # Expired (signin.services issues a new one at the next sign-in).
            raise exceptions.AuthenticationFailed(
                _("This token has expired. Sign in again to get a new one.")
            )
        if site_id is not None:
            remember_site_check(token.user, site_id, bool(token.works_at_site))  # type: ignore[attr-defined]
        return token.user, token
