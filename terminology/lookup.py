"""Look-ups of single concepts, for model validation (``records.validation``) as well as the
selectors. Kept apart from the selectors so that models may use them: policy reads models,
and a model importing a selector would make policy depend on selectors (import-linter)."""

from __future__ import annotations

from collections.abc import Iterable

from terminology.models import Concept, Description


def concepts_get(ids: Iterable[str]) -> dict[str, Concept]:
    """The concepts the store holds among ``ids`` (missing ones are simply absent)."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {c.pk: c for c in Concept.objects.filter(pk__in=wanted)}


def concept_terms(concept_id: str) -> set[str]:
    """Every active term of the concept, lower-cased (FSN and synonyms)."""
    return {
        t.lower() for t in Description.objects.filter(concept_id=concept_id)
        .values_list("term", flat=True)
    }
