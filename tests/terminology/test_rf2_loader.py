from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from terminology.models import Concept, Description, Relationship, RelType
from terminology.rf2 import RF2Error
from terminology.selectors import ancestors
from terminology.services import SUBSET, terminology_load


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "release"
    shutil.copytree(SUBSET, folder)
    return folder


def _edit(folder: Path, pattern: str, line: int, column: int, value: str) -> None:
    path = next(folder.glob(pattern))
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    fields = lines[line - 1].split("\t")
    fields[column] = value
    lines[line - 1] = "\t".join(fields)
    path.write_text("\r\n".join(lines), encoding="utf-8", newline="")


def test_the_shipped_subset_loads_concepts_terms_and_hierarchy(db):
    counts = terminology_load(folder=SUBSET)
    assert counts.concepts == Concept.objects.count() > 70
    essential = Concept.objects.get(pk="59621000")
    assert essential.fsn == "Essential hypertension (disorder)"
    assert essential.semantic_tag == "disorder"
    assert essential.preferred_term == "Essential hypertension"
    synonym = Description.objects.get(concept=essential, term="Primary hypertension")
    assert synonym.preferred is False
    assert Relationship.objects.filter(
        source_id="59621000", type_id=RelType.IS_A, destination_id="38341003"
    ).exists()


def test_ancestors_follow_is_a_to_the_root(db):
    terminology_load(folder=SUBSET)
    up = ancestors(["372687004", "59621000"])
    # amoxicillin is a penicillin, which is a drug, which is a substance, ... the root
    assert {"373270004", "410942007", "105590001", "138875005"} <= up["372687004"]
    assert {"38341003", "64572001", "404684003"} <= up["59621000"]
    assert "373270004" not in up["59621000"]


def test_loading_twice_replaces_the_store(db):
    terminology_load(folder=SUBSET)
    first = Concept.objects.count()
    terminology_load(folder=SUBSET)
    assert Concept.objects.count() == first


def test_a_malformed_release_names_file_and_line_and_loads_nothing(db, tmp_path):
    terminology_load(folder=SUBSET)
    before = set(Concept.objects.values_list("pk", "preferred_term"))
    folder = _copy(tmp_path)
    _edit(folder, "sct2_Concept_*", 3, 1, "2025-06-01")
    _edit(folder, "sct2_Description_*", 5, 0, "9100004012")  # check digit off by one
    _edit(folder, "sct2_Description_*", 7, 4, "123456001")  # a concept the file lacks
    with pytest.raises(RF2Error) as caught:
        terminology_load(folder=folder)
    problems = "\n".join(caught.value.problems)
    assert "sct2_Concept_Snapshot_DOVETAIL_20250601.txt line 3: effectiveTime '2025-06-01'" in (
        problems
    )
    assert "sct2_Description_Snapshot-en_DOVETAIL_20250601.txt line 5: id 9100004012 fails its " \
        "Verhoeff check digit" in problems
    assert "line 7: conceptId 123456001 is not in the concept file" in problems
    assert set(Concept.objects.values_list("pk", "preferred_term")) == before


def test_a_wrong_header_or_missing_file_is_refused(db, tmp_path):
    folder = _copy(tmp_path)
    _edit(folder, "sct2_Concept_*", 1, 4, "definitionStatus")
    next(folder.glob("sct2_Relationship_*")).unlink()
    with pytest.raises(RF2Error) as caught:
        terminology_load(folder=folder)
    assert any("no sct2_Relationship_Snapshot*.txt file found" in p for p in caught.value.problems)
    assert Concept.objects.count() == 0


def test_a_short_row_is_refused_with_its_line(db, tmp_path):
    folder = _copy(tmp_path)
    path = next(folder.glob("sct2_Relationship_*"))
    text = path.read_bytes().decode("utf-8").split("\r\n")
    text[2] = "\t".join(text[2].split("\t")[:6])
    path.write_text("\r\n".join(text), encoding="utf-8", newline="")
    with pytest.raises(RF2Error) as caught:
        terminology_load(folder=folder)
    assert caught.value.problems == [
        "sct2_Relationship_Snapshot_DOVETAIL_20250601.txt line 3: 6 tab-separated fields, "
        "expected 10"
    ]
    assert Concept.objects.count() == 0


def test_the_command_loads_the_subset_and_reports_problems(db, tmp_path, capsys):
    call_command("load_snomed")
    assert "Loaded 76 concepts" in capsys.readouterr().out
    folder = _copy(tmp_path)
    _edit(folder, "sct2_Concept_*", 2, 2, "yes")
    with pytest.raises(CommandError, match=r"line 2: active 'yes' is not 0 or 1"):
        call_command("load_snomed", str(folder))
