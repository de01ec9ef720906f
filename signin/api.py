"""The API's way in and out: a token for a password (and the one-time code), sign-out, and the
patient's own list of sessions. Thin: ``signin.services`` decides, exactly as for the pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments.serializers import ErrorOut
from online.api.common import IsPatientUser, acting_patient
from signin import selectors, services
from signin import serializers as s
from signin.throttling import ClientAddressScopedThrottle

TOO_MANY = OpenApiResponse(ErrorOut, description="Too many attempts, or the login is locked.")


class TokenCreate(APIView):
    """Exchange a username and password (and the code, with two-step sign-in) for a token."""

    authentication_classes: Sequence[Any] = []
    permission_classes: Sequence[Any] = []
    throttle_classes = [ClientAddressScopedThrottle]
    throttle_scope = "auth"

    @extend_schema(
        summary="Get an API token",
        request=s.TokenIn,
        responses={200: s.TokenOut, 400: OpenApiResponse(ErrorOut, description="Wrong details."),
                   429: TOO_MANY},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = s.TokenIn(data=request.data)
        data.is_valid(raise_exception=True)
        token = services.sign_in_for_token(
            request=request, username=data.validated_data["username"],
            password=data.validated_data["password"], otp=data.validated_data.get("otp") or "",
        )
        return Response({"token": token.key, "expires_at": services.token_expires_at(token)})


class SignOut(APIView):
    """End the token this request came with (and so every app using it)."""

    @extend_schema(summary="Sign out: revoke your API token", request=None,
                   responses={204: None, 401: OpenApiResponse(ErrorOut)})
    def post(self, request: Request) -> Response:
        services.token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _own_login_only(request: Request) -> None:
    """Sessions and tokens belong to the login; ``?patient=`` of anyone else is still a 404,
    the same rule as every ``/me/`` endpoint."""
    if request.query_params.get("patient") is not None:
        acting_patient(request)


class MeSessions(APIView):
    permission_classes = [IsPatientUser]

    @extend_schema(summary="Where you are signed in: browser sessions and the app token",
                   responses=s.SessionsOut)
    def get(self, request: Request) -> Response:
        _own_login_only(request)
        current = getattr(getattr(request, "session", None), "session_key", None)
        token = selectors.token_of(request.user)
        return Response({
            "sessions": [
                {"id": row.pk, "signed_in_at": row.signed_in_at, "ip": row.ip,
                 "user_agent": row.user_agent, "current": row.session_key == current}
                for row in selectors.sessions_of(request.user)
            ],
            "token": token and {"created": token.created,
                                "expires_at": services.token_expires_at(token)},
        })


class MeSessionEnd(APIView):
    permission_classes = [IsPatientUser]

    @extend_schema(summary="Sign out one of your browser sessions",
                   responses={204: None, 404: OpenApiResponse(ErrorOut)})
    def delete(self, request: Request, pk: int) -> Response:
        _own_login_only(request)
        services.session_revoke(user=request.user, session_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeToken(APIView):
    permission_classes = [IsPatientUser]

    @extend_schema(summary="Revoke your app token", responses={204: None})
    def delete(self, request: Request) -> Response:
        _own_login_only(request)
        services.token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
