"""Codes are still accepted from the API, and checked against the store when it holds them."""

from __future__ import annotations

import datetime

from records.services.entries import entry_create
from terminology.models import Concept
from tests.expect import invalid


def _problem(gp, patient, **coding):
    return entry_create(actor=gp, patient=patient, entry_type="problem",
                        data={"title": "Raised blood pressure", **coding})


def test_a_held_code_with_one_of_its_terms_is_accepted(world, gp, snomed):
    entry = _problem(gp, world.patient, snomed_concept_id="38341003",
                     snomed_term="high blood pressure")
    assert entry.snomed_term == "high blood pressure"


def test_a_held_code_without_a_term_gets_its_preferred_term(world, gp, snomed):
    entry = _problem(gp, world.patient, snomed_concept_id="59621000")
    assert entry.snomed_term == "Essential hypertension"


def test_a_term_that_is_not_the_concepts_is_refused(world, gp, snomed):
    with invalid(snomed_term="'Asthma' is not a term of SNOMED CT concept 59621000 "
                             "(Essential hypertension)."):
        _problem(gp, world.patient, snomed_concept_id="59621000", snomed_term="Asthma")


def test_an_inactive_concept_is_refused(world, gp, snomed):
    Concept.objects.create(pk="10001005", active=False, effective_time=datetime.date(2020, 1, 1),
                           fsn="Old (disorder)", preferred_term="Old")
    with invalid(snomed_concept_id="SNOMED CT concept 10001005 is inactive"):
        _problem(gp, world.patient, snomed_concept_id="10001005", snomed_term="Old")


def test_a_code_the_store_lacks_is_checked_for_format_only(world, gp, snomed):
    entry = _problem(gp, world.patient, snomed_concept_id="10001005", snomed_term="Anything")
    assert entry.snomed_concept_id == "10001005"
    with invalid(snomed_concept_id="fails its check digit"):
        _problem(gp, world.patient, snomed_concept_id="10001004", snomed_term="Anything")
