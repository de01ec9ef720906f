from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from practices.models import Practice
from practices.validators import normalise_ods_code
from tests.expect import violates
from tests.factories import PracticeFactory


def test_good_ods_code_is_accepted() -> None:
    assert normalise_ods_code("K84016") == "K84016"


def test_lowercase_and_padded_ods_code_is_normalised() -> None:
    assert normalise_ods_code("  k84016 ") == "K84016"


@pytest.mark.parametrize("typed", ["", "84016", "K8401", "K840167", "KK8401", "K84O16", "K 84016"])
def test_malformed_ods_code_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_ods_code(typed)
    assert "like K84016" in caught.value.messages[0]


@pytest.mark.django_db
def test_full_clean_stores_the_normalised_code() -> None:
    practice = Practice(name="Botley Medical Centre", ods_code="k84016")
    practice.full_clean()
    assert practice.ods_code == "K84016"


@pytest.mark.django_db
def test_database_refuses_a_malformed_code_written_around_validation() -> None:
    practice = PracticeFactory.create()
    with pytest.raises(IntegrityError, match="practice_ods_code_format"), transaction.atomic():
        Practice.objects.filter(pk=practice.pk).update(ods_code="k84016")


@pytest.mark.django_db
def test_database_refuses_a_second_practice_with_the_same_code() -> None:
    PracticeFactory.create(ods_code="K84016")
    with violates("practices_practice_ods_code_key"):
        Practice.objects.bulk_create([Practice(name="Copy", ods_code="K84016")])
