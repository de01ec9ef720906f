"""The SNOMED CT concept store: concepts, their descriptions and the relationships we use.

Loaded whole from an RF2 snapshot by ``manage.py load_snomed`` (``terminology.services``);
nothing else writes here. Identifiers are kept as text, as the record entries keep them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class RelType(models.TextChoices):
    """The relationship types the store keeps (every other type in a release is skipped)."""

    IS_A = "116680003", "Is a"
    HAS_ACTIVE_INGREDIENT = "127489000", "Has active ingredient"
    HAS_PRECISE_ACTIVE_INGREDIENT = "762949000", "Has precise active ingredient"
    CAUSATIVE_AGENT = "246075003", "Causative agent"


class Concept(models.Model):
    id = models.CharField("SCTID", max_length=18, primary_key=True)
    active = models.BooleanField(default=True)
    effective_time = models.DateField()
    fsn = models.CharField("fully specified name", max_length=255, blank=True)
    preferred_term = models.CharField(max_length=255, blank=True)
    semantic_tag = models.CharField(
        max_length=60, blank=True, db_index=True, help_text="From the FSN, e.g. 'disorder'."
    )

    def __str__(self) -> str:
        return f"{self.id} |{self.preferred_term or self.fsn}|"


class Description(models.Model):
    class Kind(models.TextChoices):
        FSN = "fsn", "Fully specified name"
        SYNONYM = "synonym", "Synonym"

    id = models.CharField(max_length=18, primary_key=True)
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="descriptions")
    term = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    preferred = models.BooleanField(
        default=False, help_text="Preferred in the language reference set loaded."
    )

    class Meta:
        indexes = [
            models.Index(Lower("term"), name="description_lower_term"),
        ]

    def __str__(self) -> str:
        return self.term


class Relationship(models.Model):
    """An active relationship ``source --type--> destination`` (is-a: source is a destination)."""

    source = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="+")
    type_id = models.CharField(max_length=18, choices=RelType.choices)
    destination = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "type_id", "destination"], name="relationship_once"
            ),
            models.CheckConstraint(condition=~Q(source=models.F("destination")),
                                   name="relationship_not_to_itself"),
        ]
        indexes = [
            models.Index(fields=["destination", "type_id"], name="relationship_dest"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.get_type_id_display()} {self.destination_id}"
