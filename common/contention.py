"""What a database error means for the person who asked, and the one retry a lock victim gets.

Two kinds of database failure are not the request's fault and must never be a 500:

- **Contention.** PostgreSQL ends one of two transactions that wait on each other (deadlock,
  SQLSTATE 40P01) or that cannot both be serialised (40001). Every locking service takes its
  rows in one order (ADR 0020) so this should not happen, but a service wrapped in
  ``retry_on_contention`` runs once more from the start if it does; a second failure is a
  ``Conflict`` (409) with a plain message.
- **The database is unavailable**: the connection was lost (a restart, a failover) or could not
  be made. The request is answered 503 with ``Retry-After`` (``common.handlers``); Django
  discards the broken connection at the end of the request and ``CONN_HEALTH_CHECKS`` checks a
  kept one before reuse, so the next request reconnects without a restart.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import DatabaseError, InterfaceError, OperationalError, connection

from common.errors import Conflict

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

CONTENTION_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
CONTENTION_MESSAGE = (
    "Someone else was changing the same appointments at that moment. "
    "Nothing was changed: please try again."
)
UNAVAILABLE_MESSAGE = (
    "Dovetail cannot reach its database just now. Nothing was changed: "
    "please try again in a few seconds."
)
RETRY_AFTER_SECONDS = 5


def _sqlstate(exc: BaseException) -> str | None:
    for candidate in (exc, exc.__cause__):
        state = getattr(candidate, "sqlstate", None) or getattr(
            getattr(candidate, "diag", None), "sqlstate", None
        )
        if state:
            return str(state)
    return None


def is_contention(exc: BaseException) -> bool:
    """A deadlock or serialisation victim: the same request may succeed if run again."""
    return isinstance(exc, DatabaseError) and _sqlstate(exc) in CONTENTION_SQLSTATES


def is_unavailable(exc: BaseException) -> bool:
    """The connection to the database was lost or could not be made (or the server is
    shutting down, SQLSTATE class 08 and 57P0x)."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError) or is_contention(exc):
        return False
    state = _sqlstate(exc)
    return state is None or state.startswith("08") or state in {"57P01", "57P02", "57P03"}


def retry_on_contention(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` again, once, if PostgreSQL picked it as a deadlock or serialisation victim;
    answer ``Conflict`` if it is picked again.

    ``func`` must do all its writes in its own transaction. Inside an outer transaction (a
    caller's ``atomic`` block) the whole transaction is already lost, so there is no retry,
    only the ``Conflict``.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        attempts = 1 if connection.in_atomic_block else 2
        for attempt in range(1, attempts + 1):
            try:
                return func(*args, **kwargs)
            except DatabaseError as exc:
                if not is_contention(exc):
                    raise
                logger.warning(
                    "%s lost a lock race (%s), attempt %s of %s",
                    func.__qualname__, _sqlstate(exc), attempt, attempts,
                )
        raise Conflict(CONTENTION_MESSAGE)

    return wrapper
