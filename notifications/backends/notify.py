"""GOV.UK Notify, through the official notifications-python-client.

Dovetail keeps the wording (practices edit it), so Notify needs one SMS template and one email
template whose content is only placeholders: SMS ``((body))``; email subject ``((subject))`` and
body ``((body))``. Their ids come from NOTIFY_SMS_TEMPLATE_ID / NOTIFY_EMAIL_TEMPLATE_ID.

Notify stores our ``reference`` with each notification but does not dedupe by it, so a retry
after the first attempt (a worker that died, a timeout whose request may have arrived) first asks
Notify for notifications with that reference and, if one exists, records it instead of sending.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from notifications.backends.base import (
    Backend,
    OutgoingMessage,
    PermanentFailure,
    RetryableFailure,
)
from notifications.models import MessageChannel


def classify(error: APIError) -> PermanentFailure | RetryableFailure:
    """4xx validation errors (bad number, bad address) are permanent; 5xx, timeouts (the client
    reports a request that got no response as 503), rate limits and auth errors are retried."""
    status = error.status_code
    text = f"Notify {status}: {error.message}"[:480]
    if status in (400, 404):
        return PermanentFailure(text, code=f"notify_{status}")
    return RetryableFailure(text, code=f"notify_{status}")


class NotifyBackend(Backend):
    name = "notify"

    def __init__(self, client: Any | None = None) -> None:
        self.client = client or NotificationsAPIClient(
            settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.NOTIFY_TIMEOUT_SECONDS,
        )

    def send(self, message: OutgoingMessage) -> str:
        try:
            if message.attempt > 1:
                existing = self._already_sent(message)
                if existing:
                    return existing
            if message.channel == MessageChannel.SMS:
                response = self.client.send_sms_notification(
                    phone_number=message.recipient,
                    template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                    personalisation={"body": message.body},
                    reference=message.reference,
                )
            else:
                response = self.client.send_email_notification(
                    email_address=message.recipient,
                    template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
                    personalisation={"subject": message.subject, "body": message.body},
                    reference=message.reference,
                )
        except APIError as exc:
            raise classify(exc) from exc
        return str(response["id"])

    def _already_sent(self, message: OutgoingMessage) -> str | None:
        found = self.client.get_all_notifications(
            reference=message.reference, template_type=message.channel
        )
        notifications = found.get("notifications", []) if isinstance(found, dict) else []
        return str(notifications[0]["id"]) if notifications else None
