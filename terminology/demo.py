"""Demo step: load the shipped SNOMED CT subset when the store is empty (a store that holds a
release someone loaded is never replaced by the demo)."""

from __future__ import annotations

from typing import Protocol

from terminology.models import Concept
from terminology.services import SUBSET, terminology_load


class DemoContextLike(Protocol):
    summary: list[str]


def seed(ctx: DemoContextLike) -> None:
    if Concept.objects.exists():
        ctx.summary.append(f"SNOMED CT: kept the {Concept.objects.count()} concepts loaded")
        return
    counts = terminology_load(folder=SUBSET)
    ctx.summary.append(f"SNOMED CT: loaded the shipped subset ({counts.concepts} concepts)")
