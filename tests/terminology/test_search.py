from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from staff.roles import Role
from terminology.selectors import concept_search
from tests.factories import StaffMemberFactory, UserFactory


def _ids(query, **kw):
    return [hit.concept_id for hit in concept_search(query=query, **kw)]


def test_typing_hypert_offers_the_hypertensions_term_start_first(snomed):
    hits = concept_search(query="hypert")
    assert [h.concept_id for h in hits[:2]] == ["38341003", "59621000"]
    assert hits[1].term == "Essential hypertension"


def test_a_word_must_start_with_what_was_typed(snomed):
    assert _ids("tension") == []
    assert "59621000" in _ids("ess hyp")
    assert _ids("hyp ess") == ["59621000"]


def test_a_synonym_match_shows_the_preferred_term(snomed):
    [hit] = concept_search(query="high blood")
    assert (hit.term, hit.matched) == ("Hypertensive disorder, systemic arterial",
                                       "High blood pressure")


def test_preferred_terms_rank_before_synonyms_of_equal_standing(snomed):
    # "Asthma" (preferred) before "Amoxicillin allergy"/... are all prefix matches for "a";
    # with two letters: "as" -> Asthma first, then later-word matches like "Aspirin".
    hits = concept_search(query="as")
    assert hits[0].term == "Asthma"
    assert [h.term for h in hits].index("Asthma") < [h.term for h in hits].index(
        "Allergy to aspirin"
    )


def test_the_scope_keeps_to_the_field(snomed):
    assert _ids("pen", scope="substance") == ["373270004"]
    assert "91936005" in _ids("pen", scope="allergy")
    assert "91936005" not in _ids("pen", scope="medication")
    assert _ids("amox", scope="medication") == ["372687004", "27658006"]


def test_digits_look_up_a_concept_and_short_queries_find_nothing(snomed):
    assert _ids("59621000") == ["59621000"]
    assert _ids("h") == []
    assert _ids("zz", scope="no-such-scope") == []


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_answers_as_you_type(snomed):
    staff = StaffMemberFactory.create(role=Role.NURSE)
    response = _client(staff.user).get("/api/v1/terminology/concepts/",
                                       {"q": "hypert", "scope": "problem"})
    assert response.status_code == 200
    body = response.json()
    assert body[1] == {
        "concept_id": "59621000", "term": "Essential hypertension",
        "matched": "Essential hypertension", "fsn": "Essential hypertension (disorder)",
        "semantic_tag": "disorder",
    }


@pytest.mark.parametrize("params, message", [
    ({}, "q: This field is required."),
    ({"q": "h"}, "q: Type at least 2 characters to search."),
    ({"q": "hyp", "scope": "teeth"}, "scope"),
    ({"q": "hyp", "limit": "0"}, "limit"),
])
def test_bad_searches_are_400_with_a_message(snomed, params, message):
    staff = StaffMemberFactory.create(role=Role.GP)
    response = _client(staff.user).get("/api/v1/terminology/concepts/", params)
    assert response.status_code == 400
    assert message in response.json()["message"]


def test_someone_who_is_not_staff_is_refused(snomed):
    response = _client(UserFactory.create()).get("/api/v1/terminology/concepts/", {"q": "hyp"})
    assert response.status_code == 403
    assert response.json()["message"] == "Only practice staff can search the clinical terminology."
    assert APIClient().get("/api/v1/terminology/concepts/", {"q": "hyp"}).status_code in (401, 403)


@pytest.mark.parametrize("query", ["a\x00b", "(((", "[[:alpha:]", "\\\\", "hyp*", "ö'; --"])
def test_odd_input_finds_nothing_and_never_fails(snomed, query):
    assert concept_search(query=query) == []
