"""Loading the concept store from an RF2 snapshot: everything or nothing, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from terminology.models import Concept, Description, Relationship
from terminology.rf2 import GB_ENGLISH, Release, read_release

BATCH = 5000
SUBSET = Path(__file__).resolve().parent / "data" / "snomed_subset"
"""The small hand-made subset shipped for the demo and the tests (see its README)."""


@dataclass(frozen=True)
class LoadCounts:
    concepts: int
    descriptions: int
    relationships: int


def _concepts(release: Release) -> list[Concept]:
    fsn: dict[str, str] = {}
    preferred: dict[str, str] = {}
    first_synonym: dict[str, str] = {}
    for desc_id, (concept_id, kind, term) in sorted(release.descriptions.items()):
        if kind == "fsn":
            fsn.setdefault(concept_id, term)
        elif desc_id in release.preferred:
            preferred.setdefault(concept_id, term)
        else:
            first_synonym.setdefault(concept_id, term)
    concepts = []
    for concept_id, (effective, active) in release.concepts.items():
        name = fsn.get(concept_id, "")
        tag = release.semantic_tag(name)
        without_tag = name.removesuffix(f"({tag})").strip() if tag else name
        concepts.append(
            Concept(
                id=concept_id,
                active=active,
                effective_time=effective,
                fsn=name,
                preferred_term=preferred.get(concept_id)
                or first_synonym.get(concept_id)
                or without_tag,
                semantic_tag=tag,
            )
        )
    return concepts


def terminology_load(*, folder: Path, language_refset: str = GB_ENGLISH) -> LoadCounts:
    """Replace the store with the snapshot under ``folder``. Raises ``RF2Error`` (every problem,
    with file and line) before touching the database, so a bad release changes nothing."""
    release = read_release(folder, language_refset=language_refset)
    concepts = _concepts(release)
    descriptions = [
        Description(id=desc_id, concept_id=concept_id, kind=kind, term=term,
                    preferred=kind == "synonym" and desc_id in release.preferred)
        for desc_id, (concept_id, kind, term) in release.descriptions.items()
    ]
    relationships = [
        Relationship(source_id=s, type_id=t, destination_id=d)
        for s, t, d in sorted(release.relationships)
    ]
    with transaction.atomic():
        Relationship.objects.all().delete()
        Description.objects.all().delete()
        Concept.objects.all().delete()
        Concept.objects.bulk_create(concepts, batch_size=BATCH)
        Description.objects.bulk_create(descriptions, batch_size=BATCH)
        Relationship.objects.bulk_create(relationships, batch_size=BATCH)
    return LoadCounts(len(concepts), len(descriptions), len(relationships))
