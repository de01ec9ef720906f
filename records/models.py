"""The shared clinical record. The models live in their own modules; Django finds them here."""

from __future__ import annotations

from records.break_glass import BreakGlassGrant
from records.clinical import (
    Allergy,
    Consultation,
    Medication,
    Observation,
    Problem,
)

__all__ = [
    "Allergy",
    "BreakGlassGrant",
    "Consultation",
    "Medication",
    "Observation",
    "Problem",
]
