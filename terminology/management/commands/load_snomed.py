"""``manage.py load_snomed [FOLDER]``: load an RF2 snapshot (default: the shipped subset)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from terminology.rf2 import GB_ENGLISH, RF2Error
from terminology.services import SUBSET, terminology_load


class Command(BaseCommand):
    help = (
        "Replace the SNOMED CT concept store with an RF2 snapshot (a folder holding "
        "sct2_Concept_Snapshot, sct2_Description_Snapshot, sct2_Relationship_Snapshot and "
        "optionally der2_cRefset_LanguageSnapshot files). Without a folder, loads the small "
        "subset shipped for the demo. All or nothing: a bad file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", nargs="?", default=str(SUBSET))
        parser.add_argument(
            "--language-refset", default=GB_ENGLISH,
            help="The language reference set whose preferred terms are shown "
            f"(default {GB_ENGLISH}, GB English; the UK edition's clinical one is "
            "999001261000000100).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        try:
            counts = terminology_load(folder=folder, language_refset=options["language_refset"])
        except RF2Error as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Loaded {counts.concepts} concepts, {counts.descriptions} descriptions and "
            f"{counts.relationships} relationships from {folder}."
        )
