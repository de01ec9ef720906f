"""Celery tasks. They take ids, and are safe to run twice or concurrently (conditional claims)."""

from __future__ import annotations

from celery import shared_task

from notifications import dispatch


@shared_task(name="notifications.send_message", acks_late=True, ignore_result=True)
def send_message(message_id: int) -> str:
    """Send one outbox row. A duplicate or redelivered task finds nothing to claim."""
    return dispatch.deliver(message_id)


@shared_task(name="notifications.dispatch_due", ignore_result=True)
def dispatch_due() -> int:
    """Every minute (beat): enqueue due pending rows and rows whose worker died."""
    return dispatch.dispatch_due()
