"""The demo/test "provider": records each message in SentMessage, deduplicating by reference."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils import timezone

from common.fields import normalise_uk_mobile
from notifications.backends.base import Backend, OutgoingMessage, PermanentFailure
from notifications.models import MessageChannel, SentMessage


class LocalBackend(Backend):
    """Like a real provider: rejects recipients it cannot deliver to, and a repeated reference
    returns the first message instead of recording a second one."""

    name = "local"

    def send(self, message: OutgoingMessage) -> str:
        _validate_recipient(message.channel, message.recipient)
        # One statement, committed on its own like a provider's: a repeated reference inserts
        # nothing and returns the first message's id.
        reference, sent_at = uuid.UUID(message.reference), timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                _INSERT_SQL,
                [
                    reference,
                    message.channel,
                    message.recipient,
                    message.subject,
                    message.body,
                    sent_at,
                ],
            )
            row = cursor.fetchone()
        if row is None:
            row = (
                SentMessage.objects.values_list("pk", flat=True).get(reference=message.reference),
            )
        return f"local-{row[0]}"


_INSERT_SQL = f"""
    INSERT INTO "{SentMessage._meta.db_table}"
           ("reference", "channel", "recipient", "subject", "body", "sent_at")
    VALUES (%s, %s, %s, %s, %s, %s)
    ON CONFLICT ("reference") DO NOTHING
    RETURNING "id"
"""  # noqa: S608 - the table name comes from the model


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
