"""Entry types by name."""

from __future__ import annotations

from common.errors import NotFound
from records.clinical import ENTRY_MODELS, ClinicalEntry


def entry_model(entry_type: str) -> type[ClinicalEntry]:
    try:
        return ENTRY_MODELS[entry_type]
    except KeyError:
        raise NotFound(
            f"Unknown entry type {entry_type!r}: use one of {', '.join(ENTRY_MODELS)}."
        ) from None
