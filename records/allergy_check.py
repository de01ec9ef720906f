"""Does a medication conflict with the patient's recorded allergies? (issue 16, ADR 0034)

A drug conflicts with an allergy when one of the drug's substances *is* the allergen or *is a*
kind of it in the SNOMED CT substance hierarchy (amoxicillin is a penicillin, so a penicillin
allergy stops amoxicillin). Coded entries are followed through the concept store:

- a medication coded with a product gives its active ingredients (its own and its
  ancestors'); coded with a substance, that substance;
- an allergy coded with a finding gives its causative agent; with a substance, itself;
- an uncoded name is matched to the store's terms ("Amoxicillin 500mg capsules" starts with
  the term Amoxicillin), and if the allergy still means nothing to the store, its name as a
  whole word in the drug's name is a conflict too: the check errs towards warning.

Reads only; the service decides what to do with the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from terminology.models import RelType
from terminology.selectors import SCOPES, ancestors, concept_for_text, concepts_get, related

if TYPE_CHECKING:
    from records.clinical import Allergy

INGREDIENT_TYPES = (RelType.HAS_ACTIVE_INGREDIENT.value,
                    RelType.HAS_PRECISE_ACTIVE_INGREDIENT.value)


@dataclass(frozen=True)
class AllergyConflict:
    allergy_id: int
    allergy: str
    severity: str
    reaction: str
    substance: str
    """The drug's substance that matched (its preferred term, or the drug's name)."""
    allergen: str
    """The allergen it matched (the same, or the class it belongs to)."""

    @property
    def how(self) -> str:
        if self.substance.lower() == self.allergen.lower():
            return f"it contains {self.substance}"
        return f"it contains {self.substance}, which is in the class {self.allergen}"

    def message(self, drug: str) -> str:
        about = ", ".join(p for p in (self.severity.lower(), self.reaction) if p)
        return f"{drug}: recorded allergy to {self.allergy}" + (
            f" ({about})" if about else ""
        ) + f"; {self.how}."

    def as_dict(self) -> dict[str, object]:
        return {
            "allergy_id": self.allergy_id,
            "allergy": self.allergy,
            "severity": self.severity,
            "reaction": self.reaction,
            "substance": self.substance,
            "allergen": self.allergen,
        }


PRODUCT_TAGS = frozenset({"product", "medicinal product", "clinical drug"})


def _substances_of(concept_id: str) -> set[str]:
    """The substances a concept stands for: a substance itself; a product its active
    ingredients (its own or its ancestors', e.g. a capsule's parent product); an allergy
    finding its causative agent."""
    concept = concepts_get([concept_id]).get(concept_id)
    if concept is None:
        return set()
    if concept.semantic_tag == "substance":
        return {concept_id}
    if concept.semantic_tag in PRODUCT_TAGS:
        sources = {concept_id} | ancestors([concept_id])[concept_id]
        found = related(sources, INGREDIENT_TYPES)
        return {s for ingredients in found.values() for s in ingredients}
    return related([concept_id], [RelType.CAUSATIVE_AGENT.value])[concept_id]


def _resolve(code: str, text: str, scope: str) -> set[str]:
    if code and concepts_get([code]):
        return _substances_of(code)
    concept = concept_for_text(text, tags=SCOPES[scope])
    return _substances_of(concept.pk) if concept is not None else set()


def _word_in(word: str, text: str) -> bool:
    word = " ".join(word.split())
    return bool(word) and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I) is not None


def conflicts_for(*, name: str, code: str, allergies: list[Allergy]) -> list[AllergyConflict]:
    """Every recorded allergy that the drug (name and optional SNOMED CT code) conflicts with."""
    real = [a for a in allergies if a.status == "allergy"]
    if not real:
        return []
    drug_substances = _resolve(code, name, "medication")
    lineage = ancestors(drug_substances)
    names = {c.pk: c.preferred_term for c in concepts_get(
        drug_substances | {a for ups in lineage.values() for a in ups}
    ).values()}
    out: list[AllergyConflict] = []
    for allergy in real:
        allergens = _resolve(allergy.snomed_concept_id, allergy.substance, "allergy")
        match: tuple[str, str] | None = None
        for substance in sorted(drug_substances):
            hit = sorted(allergens & ({substance} | lineage.get(substance, set())))
            if hit:
                match = (names.get(substance, substance), names.get(hit[0], hit[0]))
                break
        if match is None and not allergens and _word_in(allergy.substance, name):
            match = (allergy.substance, allergy.substance)
        if match is not None:
            out.append(AllergyConflict(
                allergy_id=allergy.pk, allergy=allergy.substance,
                severity=allergy.get_severity_display() if allergy.severity else "",
                reaction=allergy.reaction, substance=match[0], allergen=match[1],
            ))
    return out
