"""The demo/test "provider": records each message in SentMessage, deduplicating by reference."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from common.fields import normalise_uk_mobile
from notifications.backends.base import Backend, OutgoingMessage, PermanentFailure
from notifications.models import MessageChannel, SentMessage


class LocalBackend(Backend):
    """Like a real provider: rejects recipients it cannot deliver to, and a repeated reference
    returns the first message instead of recording a second one."""

    name = "local"

    def send(self, message: OutgoingMessage) -> str:
        _validate_recipient(message.channel, message.recipient)
        # Its own transaction: the "provider" commits independently of the worker.
        with transaction.atomic():
            sent, _ = SentMessage.objects.get_or_create(
                reference=message.reference,
                defaults={
                    "channel": message.channel,
                    "recipient": message.recipient,
                    "subject": message.subject,
                    "body": message.body,
                },
            )
        return f"local-{sent.pk}"


def _validate_recipient(channel: str, recipient: str) -> None:
    try:
        if channel == MessageChannel.SMS:
            if normalise_uk_mobile(recipient) != recipient:
                raise ValidationError("not E.164")
        else:
            validate_email(recipient)
    except ValidationError:
        raise PermanentFailure(
            f"Invalid {channel} recipient.", code=f"invalid_{channel}_recipient"
        ) from None
