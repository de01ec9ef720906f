"""Reading an RF2 snapshot (SNOMED CT Release Format 2) into plain rows, with every problem
reported as ``file line N: what is wrong``. No database here: ``terminology.services`` loads
what this returns, all or nothing.

The files read (tab-separated UTF-8, one header line; the names as in every release, e.g.
``Snapshot/Terminology/sct2_Concept_Snapshot_INT_20250101.txt``):

- ``sct2_Concept_Snapshot*``: id, effectiveTime, active, moduleId, definitionStatusId
- ``sct2_Description_Snapshot*``: id, effectiveTime, active, moduleId, conceptId,
  languageCode, typeId, term, caseSignificanceId
- ``sct2_Relationship_Snapshot*``: id, effectiveTime, active, moduleId, sourceId,
  destinationId, relationshipGroup, typeId, characteristicTypeId, modifierId
- ``der2_cRefset_LanguageSnapshot*`` (optional): id, effectiveTime, active, moduleId,
  refsetId, referencedComponentId, acceptabilityId — marks the preferred synonym.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from stdnum import verhoeff

from terminology.models import RelType

FSN_TYPE = "900000000000003001"
SYNONYM_TYPE = "900000000000013009"
PREFERRED = "900000000000548007"
ACCEPTABLE = "900000000000549004"
GB_ENGLISH = "900000000000508004"
MAX_ERRORS = 50

CONCEPT_COLUMNS = ["id", "effectiveTime", "active", "moduleId", "definitionStatusId"]
DESCRIPTION_COLUMNS = [
    "id", "effectiveTime", "active", "moduleId", "conceptId", "languageCode", "typeId", "term",
    "caseSignificanceId",
]
RELATIONSHIP_COLUMNS = [
    "id", "effectiveTime", "active", "moduleId", "sourceId", "destinationId",
    "relationshipGroup", "typeId", "characteristicTypeId", "modifierId",
]
LANGUAGE_COLUMNS = [
    "id", "effectiveTime", "active", "moduleId", "refsetId", "referencedComponentId",
    "acceptabilityId",
]
PATTERNS = {
    "concept": "sct2_Concept_Snapshot*.txt",
    "description": "sct2_Description_Snapshot*.txt",
    "relationship": "sct2_Relationship_Snapshot*.txt",
    "language": "der2_cRefset_LanguageSnapshot*.txt",
}
PARTITIONS = {"concept": {"00", "10"}, "description": {"01", "11"}, "relationship": {"02", "12"}}
KEPT_TYPES = frozenset(RelType.values)
SEMANTIC_TAG = re.compile(r"\(([^()]+)\)\s*$")


class RF2Error(Exception):
    """The release cannot be loaded; ``problems`` lists each one with its file and line."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:MAX_ERRORS]
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n... and {more} more" if more > 0 else "")
        super().__init__(f"The RF2 release was not loaded (nothing changed):\n{text}")
        self.problems = problems


@dataclass
class Release:
    concepts: dict[str, tuple[datetime.date, bool]] = field(default_factory=dict)
    # description id -> (concept id, kind, term)
    descriptions: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    relationships: set[tuple[str, str, str]] = field(default_factory=set)
    preferred: set[str] = field(default_factory=set)
    """Description ids preferred in the chosen language reference set."""
    problems: list[str] = field(default_factory=list)

    def semantic_tag(self, fsn: str) -> str:
        match = SEMANTIC_TAG.search(fsn)
        return match.group(1).strip() if match else ""


def sctid_problem(value: str, kind: str) -> str | None:
    """Why ``value`` is not a valid SCTID of this kind (concept, description, relationship)."""
    if not re.fullmatch(r"[1-9][0-9]{5,17}", value):
        return f"{value!r} is not an SCTID (6 to 18 digits, no leading zero)"
    if value[-3:-1] not in PARTITIONS[kind]:
        return f"{value} is not a {kind} id (partition {value[-3:-1]})"
    if not verhoeff.is_valid(value):
        return f"{value} fails its Verhoeff check digit"
    return None


def find_file(folder: Path, kind: str) -> Path | None:
    matches = sorted(p for p in folder.rglob(PATTERNS[kind]) if p.is_file())
    full = [p for p in matches if "Full" not in p.parts and "Delta" not in p.parts]
    chosen = full or matches
    return chosen[0] if chosen else None


def _rows(path: Path, columns: list[str], release: Release) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, fields) for each data row; report header and shape problems."""
    name = path.name
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        release.problems.append(f"{name}: cannot be read ({exc.strerror})")
        return
    with handle:
        try:
            for number, raw in enumerate(handle, start=1):
                line = raw.rstrip("\r\n")
                fields = line.split("\t")
                if number == 1:
                    if fields != columns:
                        release.problems.append(
                            f"{name} line 1: the header should be {' '.join(columns)}; "
                            f"it is {' '.join(fields)[:200]}"
                        )
                        return
                    continue
                if not line:
                    continue
                if len(fields) != len(columns):
                    release.problems.append(
                        f"{name} line {number}: {len(fields)} tab-separated fields, "
                        f"expected {len(columns)}"
                    )
                    continue
                yield number, fields
        except UnicodeDecodeError as exc:
            release.problems.append(f"{name}: not UTF-8 text ({exc.reason})")


def _common(name: str, number: int, fields: list[str], kind: str | None,
            release: Release) -> datetime.date | None:
    """Check id, effectiveTime and active; return the effective date, or None if bad."""
    problems = []
    if kind is not None and (problem := sctid_problem(fields[0], kind)):
        problems.append(f"id {problem}")
    try:
        effective = datetime.datetime.strptime(fields[1], "%Y%m%d").date()
    except ValueError:
        effective = None
        problems.append(f"effectiveTime {fields[1]!r} is not a date YYYYMMDD")
    if fields[2] not in ("0", "1"):
        problems.append(f"active {fields[2]!r} is not 0 or 1")
    for problem in problems:
        release.problems.append(f"{name} line {number}: {problem}")
    return None if problems else effective


def read_release(folder: Path, *, language_refset: str = GB_ENGLISH) -> Release:
    """Read the snapshot under ``folder``; raise RF2Error listing every problem found."""
    release = Release()
    paths = {kind: find_file(folder, kind) for kind in PATTERNS}
    for kind in ("concept", "description", "relationship"):
        if paths[kind] is None:
            release.problems.append(f"{folder}: no {PATTERNS[kind]} file found")
    if release.problems:
        raise RF2Error(release.problems)
    _read_concepts(paths["concept"], release)  # type: ignore[arg-type]
    _read_descriptions(paths["description"], release)  # type: ignore[arg-type]
    _read_relationships(paths["relationship"], release)  # type: ignore[arg-type]
    if paths["language"] is not None:
        _read_language(paths["language"], release, language_refset)
    if release.problems:
        raise RF2Error(release.problems)
    return release


def _read_concepts(path: Path, release: Release) -> None:
    for number, fields in _rows(path, CONCEPT_COLUMNS, release):
        effective = _common(path.name, number, fields, "concept", release)
        if effective is None:
            continue
        if fields[0] in release.concepts:
            release.problems.append(f"{path.name} line {number}: concept {fields[0]} twice")
            continue
        release.concepts[fields[0]] = (effective, fields[2] == "1")


def _read_descriptions(path: Path, release: Release) -> None:
    seen: set[str] = set()
    for number, fields in _rows(path, DESCRIPTION_COLUMNS, release):
        where = f"{path.name} line {number}"
        if _common(path.name, number, fields, "description", release) is None:
            continue
        desc_id, concept_id, type_id, term = fields[0], fields[4], fields[6], fields[7]
        if desc_id in seen:
            release.problems.append(f"{where}: description {desc_id} twice")
            continue
        seen.add(desc_id)
        if type_id not in (FSN_TYPE, SYNONYM_TYPE):
            release.problems.append(
                f"{where}: typeId {type_id} is neither FSN ({FSN_TYPE}) nor synonym "
                f"({SYNONYM_TYPE})"
            )
            continue
        if concept_id not in release.concepts:
            release.problems.append(f"{where}: conceptId {concept_id} is not in the concept file")
            continue
        if not term.strip() or len(term) > 255:
            release.problems.append(f"{where}: the term is empty or longer than 255 characters")
            continue
        if fields[2] == "1":
            kind = "fsn" if type_id == FSN_TYPE else "synonym"
            release.descriptions[desc_id] = (concept_id, kind, term.strip())


def _read_relationships(path: Path, release: Release) -> None:
    for number, fields in _rows(path, RELATIONSHIP_COLUMNS, release):
        where = f"{path.name} line {number}"
        if _common(path.name, number, fields, "relationship", release) is None:
            continue
        source, destination, type_id = fields[4], fields[5], fields[7]
        if fields[2] != "1" or type_id not in KEPT_TYPES:
            continue
        missing = [c for c in (source, destination) if c not in release.concepts]
        if missing:
            release.problems.append(
                f"{where}: {' and '.join(missing)} not in the concept file"
            )
            continue
        if source == destination:
            release.problems.append(f"{where}: {source} is related to itself")
            continue
        release.relationships.add((source, type_id, destination))


def _read_language(path: Path, release: Release, refset: str) -> None:
    for number, fields in _rows(path, LANGUAGE_COLUMNS, release):
        if _common(path.name, number, fields, None, release) is None:
            continue
        if fields[2] != "1" or fields[4] != refset:
            continue
        if fields[6] not in (PREFERRED, ACCEPTABLE):
            release.problems.append(
                f"{path.name} line {number}: acceptabilityId {fields[6]} is neither preferred "
                "nor acceptable"
            )
        elif fields[6] == PREFERRED:
            release.preferred.add(fields[5])
