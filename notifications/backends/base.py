"""What every backend does: send one message with an idempotency reference, or say why not."""

from __future__ import annotations

import abc
from dataclasses import dataclass


@dataclass(frozen=True)
class OutgoingMessage:
    reference: str
    """The outbox row's uuid. The same on every attempt, so a provider can dedupe."""
    channel: str
    recipient: str
    subject: str
    body: str
    attempt: int


class SendError(Exception):
    """A send did not happen. ``code`` is short and goes into the outbox row's last_error."""

    def __init__(self, message: str, *, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


class PermanentFailure(SendError):
    """Sending again will not help (e.g. an invalid phone number): mark the message failed."""


class RetryableFailure(SendError):
    """Maybe next time (timeout, provider 5xx, rate limit): retry with backoff."""


class Backend(abc.ABC):
    name: str = "base"

    @abc.abstractmethod
    def send(self, message: OutgoingMessage) -> str:
        """Send ``message`` and return the provider's id for it.

        Must be idempotent per ``message.reference``: a second call with the same reference
        after a first that succeeded (worker died before recording it) must not deliver twice.
        """
