from __future__ import annotations

import fcntl
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Factories hash a password for every user; PBKDF2 at full strength costs ~0.3 s each.
    Tests do not test the hasher, so use the fastest one everywhere."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Throttle counters and cached values never leak between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_dispatcher_run_pending() -> None:
    """Each test starts with no after-commit dispatcher run asked for (notifications.outbox):
    a run asked for by an earlier test must not stand in for this test's own."""
    from notifications.outbox import reset_kick

    reset_kick()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Let test databases be emptied between transactional tests, and give them the database
    roles every deployment has (``manage.py db_roles``).

    The record and audit tables refuse TRUNCATE (ADR 0031/0032); only on a test database does
    their trigger honour the session setting ``dovetail.allow_truncate``, which is turned on
    here, so Django's flush works there and nowhere else.
    """
    from django.core.management import call_command
    from django.db import connections

    with django_db_blocker.unblock():
        # Roles live in the whole PostgreSQL cluster, not in one database: two xdist workers
        # altering the same role at once get "tuple concurrently updated". One at a time.
        lock_path = Path(tempfile.gettempdir()) / "dovetail-test-db-roles.lock"
        with lock_path.open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            call_command("db_roles")
        for conn in connections.all():
            name = conn.ops.quote_name(conn.settings_dict["NAME"])
            with conn.cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {name} SET dovetail.allow_truncate = 'on'")
            conn.close()


@pytest.fixture
def snomed(db: None) -> None:
    """The shipped SNOMED CT subset, loaded as ``manage.py load_snomed`` loads it."""
    from terminology.services import SUBSET, terminology_load

    terminology_load(folder=SUBSET)
