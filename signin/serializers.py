from __future__ import annotations

from rest_framework import serializers


class TokenIn(serializers.Serializer):
    username = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})
    otp = serializers.CharField(
        required=False, allow_blank=True, max_length=12,
        help_text="The one-time code, for patients with two-step sign-in on.",
    )


class TokenOut(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField(help_text="After this the token is refused: sign in "
                                                     "again for a new one.")


class SessionOut(serializers.Serializer):
    id = serializers.IntegerField()
    signed_in_at = serializers.DateTimeField()
    ip = serializers.CharField()
    user_agent = serializers.CharField()
    current = serializers.BooleanField(help_text="The session this request came with.")


class TokenInfoOut(serializers.Serializer):
    created = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class SessionsOut(serializers.Serializer):
    sessions = SessionOut(many=True)
    token = TokenInfoOut(allow_null=True)
