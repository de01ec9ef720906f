from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from patients.nhs_number import format_nhs_number, make_nhs_number, normalise_nhs_number


@pytest.mark.parametrize(
    "typed", ["9434765919", "943 476 5919", "943-476-5919", " 943 476 5919 ", "943 - 476 - 5919"]
)
def test_valid_number_is_accepted_in_any_common_form(typed: str) -> None:
    assert normalise_nhs_number(typed) == "9434765919"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("9434765918", "wrong_check_digit"),
        ("943476591", "wrong_length"),
        ("94347659199", "wrong_length"),
        ("94347A5919", "not_digits"),
        ("", "required"),
        ("".join(chr(0xFF10 + int(d)) for d in "1234567890"), "not_digits"),  # full-width digits
    ],
)
def test_invalid_number_is_refused_with_a_reason(typed: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalise_nhs_number(typed)
    assert caught.value.code == code


def test_number_whose_check_digit_would_be_ten_is_refused() -> None:
    # 999 000 001: weights 10..2 give sum 9*10+9*9+9*8+1*2 = 245; 245 % 11 = 3; 11-3 = 8.
    # Search for a nine-digit stem whose check digit is 10 rather than hard-coding one.
    stem = next(
        s
        for s in (f"999{n:06d}" for n in range(1000))
        if (11 - sum(int(d) * (10 - i) for i, d in enumerate(s)) % 11) == 10
    )
    with pytest.raises(ValidationError) as caught:
        normalise_nhs_number(stem + "0")
    assert caught.value.code == "check_digit_ten"


def test_display_form_groups_three_three_four() -> None:
    assert format_nhs_number("9991234564") == "999 123 4564"


@given(st.integers(min_value=0, max_value=999_999))
def test_generated_test_numbers_are_valid_and_in_the_999_range(serial: int) -> None:
    number = make_nhs_number(serial)
    if number is None:
        return
    assert number.startswith("999")
    assert normalise_nhs_number(number) == number


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_exactly_one_check_digit_is_accepted_per_stem(digits: str) -> None:
    stem = digits[:9]
    accepted = []
    for check in "0123456789":
        try:
            normalise_nhs_number(stem + check)
            accepted.append(check)
        except ValidationError:
            pass
    assert len(accepted) <= 1


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_the_check_digit_is_the_nhs_modulus_11_of_the_first_nine(stem: str) -> None:
    """The NHS Data Dictionary's algorithm, written out: weights 10 down to 2, 11 minus the
    remainder, 11 becoming 0 (10 means no number has this stem)."""
    from patients.nhs_number import check_digit

    expected = 11 - sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True)) % 11
    assert check_digit(stem) == (0 if expected == 11 else expected)
