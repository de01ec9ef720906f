from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from common.fields import normalise_postcode, normalise_uk_mobile, normalise_uk_phone


@pytest.mark.parametrize(
    ("typed", "stored"), [("OX2 9JS", "OX2 9JS"), ("ox29js", "OX2 9JS"), (" ox1 5py ", "OX1 5PY")]
)
def test_postcode_is_stored_upper_case_with_one_space(typed: str, stored: str) -> None:
    assert normalise_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["OX2", "NOT A CODE", "OX2 9JSS", "12345"])
def test_malformed_postcode_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_postcode(typed)
    assert caught.value.messages == ["Enter a real UK postcode, like OX2 9AS."]


@pytest.mark.parametrize(
    "typed", ["07911 123456", "+44 7911 123456", "0044 7911 123456", "07911-123-456"]
)
def test_mobile_is_stored_in_international_form(typed: str) -> None:
    assert normalise_uk_mobile(typed) == "+447911123456"


@pytest.mark.parametrize("typed", ["07700 900000", "07700 900999", "+447700900123"])
def test_ofcom_drama_mobile_numbers_are_accepted_for_demo_data(typed: str) -> None:
    assert normalise_uk_mobile(typed).startswith("+447700900")


@pytest.mark.parametrize(
    "typed", ["01865 248719", "07700 901000", "07911 12345", "hello", "+33 6 12 34 56 78"]
)
def test_landline_short_foreign_or_junk_is_not_a_uk_mobile(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_uk_mobile(typed)
    assert caught.value.messages == ["Enter a UK mobile number, like 07700 900123."]


def test_landline_is_stored_in_national_format() -> None:
    assert normalise_uk_phone("+441865960201") == "01865 960201"


@pytest.mark.parametrize("typed", ["01865 12", "+33 1 42 68 53 00"])
def test_short_or_foreign_landline_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_uk_phone(typed)
    assert caught.value.messages == ["Enter a UK phone number, like 01865 123456."]
