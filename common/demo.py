"""The demo practice is built by ordered steps, one per app, each ``seed(ctx) -> None``.

An app adds its demo data by writing ``<app>/demo.py`` with a ``seed`` function and appending
its dotted path to ``DEMO_STEPS``. Each step must be idempotent (find rows by a natural key and
leave existing ones alone) and deterministic (draw randomness only from ``ctx.random(...)`` or
``ctx.faker(...)``), so that running ``seed_demo`` twice changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from faker import Faker

    from practices.models import Practice, Site
    from staff.models import StaffMember

DEMO_STEPS: list[str] = [
    "terminology.demo.seed",
    "practices.demo.seed",
    "staff.demo.seed",
    "patients.demo.seed",
    "appointments.demo.seed",
    "records.demo_record.seed",
    "online.demo.seed",
    "community.demo.seed",
    "online.demo.seed_record",
]


class DemoStepMissing(Exception):
    """A step in DEMO_STEPS cannot be imported: a broken demo is reported, never skipped."""


@dataclass
class DemoContext:
    password: str
    seed: int = 2026
    options: dict[str, Any] = field(default_factory=dict)
    practice: Practice | None = None
    sites: dict[str, Site] = field(default_factory=dict)
    """Sites by a short key: ``"botley"``, ``"kennington"``."""
    staff: dict[str, StaffMember] = field(default_factory=dict)
    """Staff by username."""
    logins: dict[str, str] = field(default_factory=dict)
    """Demo login username -> what it is (shown in the summary)."""
    summary: list[str] = field(default_factory=list)
    """One line per step saying what it made."""

    def random(self, purpose: str) -> random.Random:
        """A generator seeded by the demo seed and ``purpose``: stable across runs and steps."""
        return random.Random(f"{self.seed}:{purpose}")

    def faker(self, purpose: str) -> Faker:
        # Faker is a dev/demo dependency only: imported when the demo is seeded.
        from faker import Faker

        fake = Faker("en_GB")
        fake.seed_instance(f"{self.seed}:{purpose}")
        return fake

    def require_practice(self) -> Practice:
        if self.practice is None:
            raise RuntimeError("The practices.demo step must run before this one.")
        return self.practice


def load_step(path: str) -> Callable[[DemoContext], None]:
    try:
        step = import_string(path)
    except ImportError as exc:
        raise DemoStepMissing(f"Demo step {path!r} cannot be imported: {exc}") from exc
    if not callable(step):
        raise DemoStepMissing(f"Demo step {path!r} is not a function.")
    return step


def run_demo_steps(ctx: DemoContext, steps: list[str] | None = None) -> None:
    """Import every step first (so a missing one fails before anything is written), then run."""
    loaded = [load_step(path) for path in (DEMO_STEPS if steps is None else steps)]
    for step in loaded:
        step(ctx)
