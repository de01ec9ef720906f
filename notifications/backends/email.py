"""Email through Django's EMAIL_BACKEND. SMS is refused: this backend has no SMS channel."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email

from notifications.backends.base import (
    Backend,
    OutgoingMessage,
    PermanentFailure,
    RetryableFailure,
)
from notifications.models import MessageChannel


class EmailBackend(Backend):
    """SMTP cannot dedupe, so the Message-ID is derived from the reference: a resend after a
    worker crash carries the same Message-ID, which mail clients and many MTAs collapse."""

    name = "email"

    def send(self, message: OutgoingMessage) -> str:
        if message.channel != MessageChannel.EMAIL:
            raise PermanentFailure("The email backend cannot send SMS.", code="channel_unsupported")
        try:
            validate_email(message.recipient)
        except ValidationError:
            raise PermanentFailure("Invalid email address.", code="invalid_email") from None
        message_id = f"<{message.reference}@dovetail.notifications>"
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.NOTIFICATIONS_FROM_EMAIL,
            to=[message.recipient],
            headers={"Message-ID": message_id},
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"Recipient refused: {exc}", code="recipient_refused") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise RetryableFailure(f"Mail server error: {exc}", code="smtp_error") from exc
        return message_id
