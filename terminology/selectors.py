"""Reads of the concept store: term search as you type, concept look-up, the is-a ancestry.

Reference data, not patient data: nothing here is audited. The pages and the API ask
``policy.terminology`` who may search.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, F, Q, When
from django.db.models.functions import Length, Lower

from terminology.lookup import concept_terms, concepts_get
from terminology.models import Concept, Description, Relationship, RelType

__all__ = ["concept_terms", "concepts_get"]  # re-exported: look-ups live in terminology.lookup

SEARCH_LIMIT = 20
MIN_QUERY = 2

# Which semantic tags (from each concept's FSN) each coded field offers.
SCOPES: dict[str, tuple[str, ...]] = {
    "problem": ("disorder", "finding", "situation"),
    "procedure": ("procedure",),
    "observable": ("observable entity",),
    "allergy": ("substance", "finding", "situation", "medicinal product", "product"),
    "medication": ("medicinal product", "clinical drug", "product", "substance"),
    "substance": ("substance",),
}


@dataclass(frozen=True)
class Hit:
    concept_id: str
    term: str
    """The concept's preferred term (what the entry records)."""
    matched: str
    """The description that matched the search (a synonym, or the preferred term itself)."""
    fsn: str
    semantic_tag: str


def concept_search(*, query: str, scope: str = "", limit: int = SEARCH_LIMIT) -> list[Hit]:
    """Active concepts with a description in which every word of ``query`` starts a word.

    Ranked: a description that *starts* with the query first, then one where a later word
    does; within each, preferred terms before synonyms, then shorter terms. One hit per
    concept, carrying its preferred term. A query of digits is looked up as a concept id."""
    text = " ".join("".join(ch for ch in query if ch.isprintable()).split())[:100]
    if len(text) < MIN_QUERY:
        return []
    if scope and scope not in SCOPES:
        return []
    concepts = Concept.objects.filter(active=True)
    if scope:
        concepts = concepts.filter(semantic_tag__in=SCOPES[scope])
    if text.isdigit():
        return [_hit(c, c.preferred_term) for c in concepts.filter(pk=text)]
    words = text.lower().split(" ")
    condition = Q()
    for word in words:
        condition &= Q(term__iregex=r"(^|[^[:alnum:]])" + re.escape(word))
    rows = (
        Description.objects.filter(condition, kind=Description.Kind.SYNONYM, concept__in=concepts)
        .annotate(
            later_word=Case(When(term__istartswith=words[0], then=0), default=1),
            not_preferred=Case(When(term=F("concept__preferred_term"), then=0), default=1),
            length=Length("term"),
        )
        .order_by("later_word", "not_preferred", "length", Lower("term"), "pk")
        .select_related("concept")[: limit * 5]
    )
    hits: dict[str, Hit] = {}
    for description in rows:  # ranked in SQL; keep each concept's best description
        if description.concept_id not in hits and len(hits) < limit:
            hits[description.concept_id] = _hit(description.concept, description.term)
    return list(hits.values())


def _hit(concept: Concept, matched: str) -> Hit:
    return Hit(concept.pk, concept.preferred_term, matched, concept.fsn, concept.semantic_tag)


ANCESTORS_SQL = """
WITH RECURSIVE up(child, ancestor) AS (
    SELECT source_id, destination_id FROM terminology_relationship
     WHERE type_id = %(is_a)s AND source_id = ANY(%(ids)s)
    UNION
    SELECT up.child, r.destination_id FROM up
      JOIN terminology_relationship r ON r.source_id = up.ancestor AND r.type_id = %(is_a)s
)
SELECT child, ancestor FROM up
"""


def ancestors(ids: Iterable[str]) -> dict[str, set[str]]:
    """Each concept's is-a ancestors (transitively; the concept itself not included), in one
    recursive query. A concept the store lacks, or a root, has an empty set."""
    wanted = sorted({i for i in ids if i})
    result: dict[str, set[str]] = {i: set() for i in wanted}
    if not wanted:
        return result
    with connection.cursor() as cursor:
        cursor.execute(ANCESTORS_SQL, {"is_a": RelType.IS_A.value, "ids": wanted})
        for child, ancestor in cursor.fetchall():
            result[child].add(ancestor)
    return result


def related(ids: Iterable[str], types: Iterable[str]) -> dict[str, set[str]]:
    """The destinations of the given relationship types from each concept."""
    wanted = {i for i in ids if i}
    result: dict[str, set[str]] = {i: set() for i in wanted}
    rows = Relationship.objects.filter(source_id__in=wanted, type_id__in=list(types))
    for source, destination in rows.values_list("source_id", "destination_id"):
        result[source].add(destination)
    return result


def concept_for_text(text: str, *, tags: Iterable[str]) -> Concept | None:
    """The concept a free-text name most likely means: a term equal to the text, else the
    longest term the text starts with at a word boundary ("Amoxicillin 500mg capsules" ->
    Amoxicillin). None when nothing fits. Used only when an entry carries no code."""
    words = " ".join("".join(c for c in (text or "") if c.isprintable()).split()).lower()
    if len(words) < MIN_QUERY:
        return None
    first = re.escape(words.split(" ")[0])
    candidates = (
        Description.objects.filter(
            term__iregex=r"^" + first, concept__active=True, concept__semantic_tag__in=list(tags)
        )
        .select_related("concept")
        .order_by("pk")
    )
    best: tuple[int, int, Description] | None = None
    for description in candidates:
        term = description.term.lower()
        if words == term or (words.startswith(term) and not words[len(term)].isalnum()):
            key = (len(term), 1 if description.preferred else 0, description)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2].concept if best is not None else None


def concepts_with_term(*, term: str, scope: str = "") -> list[Concept]:
    """Active concepts that have exactly this term (any case), those for which it is the
    preferred term first. What a term picked from the search list is coded as."""
    text = " ".join((term or "").split())
    if not text:
        return []
    concepts = Concept.objects.filter(
        active=True, descriptions__term__iexact=text,
        descriptions__kind=Description.Kind.SYNONYM,
    ).distinct()
    if scope in SCOPES:
        concepts = concepts.filter(semantic_tag__in=SCOPES[scope])
    found = list(concepts.order_by("pk"))
    return sorted(found, key=lambda c: c.preferred_term.lower() != text.lower())
