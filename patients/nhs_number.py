"""NHS numbers: 10 digits with a modulus 11 check digit, shown as ``999 123 4564``."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from stdnum.gb import nhs

_SEPARATORS = re.compile(r"[\s-]+")


def normalise_nhs_number(value: str) -> str:
    """Accept ``9991234564``, ``999 123 4564`` or ``999-123-4564``; return the 10 digits.

    Raises ValidationError with a message that says what is wrong with the number.
    """
    digits = _SEPARATORS.sub("", value or "")
    if not digits:
        raise ValidationError("Enter the NHS number.", code="required")
    if not digits.isascii() or not digits.isdigit():
        raise ValidationError(
            "An NHS number has only digits, like 999 123 4564.", code="not_digits"
        )
    if len(digits) != 10:
        raise ValidationError(
            f"An NHS number has 10 digits; this has {len(digits)}.", code="wrong_length"
        )
    expected = check_digit(digits[:9])
    if expected == 10:
        raise ValidationError(
            "This is not a valid NHS number: no NHS number starts with these nine digits.",
            code="check_digit_ten",
        )
    if expected != int(digits[9]):
        raise ValidationError(
            "This NHS number is not valid: check you have typed it correctly.",
            code="wrong_check_digit",
        )
    return digits


def check_digit(nine_digits: str) -> int:
    """The modulus 11 check digit of the first nine digits; 10 means no NHS number has them.

    stdnum weighs the ten digits 10 to 1 and wants the sum to be 0 modulo 11, so the check
    digit (weight 1) is what brings the nine digits' sum to a multiple of 11."""
    return -nhs.checksum(f"{nine_digits}0") % 11


def format_nhs_number(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits


def make_nhs_number(serial: int, prefix: str = "999") -> str | None:
    """The NHS number ``prefix + serial`` with its check digit, or None if none exists."""
    body = f"{prefix}{serial:0{9 - len(prefix)}d}"
    check = check_digit(body)
    if check == 10:
        return None
    return f"{body}{check}"


class NHSNumberFormField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs["max_length"] = 14
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        return normalise_nhs_number(text) if text else text


class NHSNumberField(models.CharField):
    """Stored as 10 digits; forms accept spaces and hyphens."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["max_length"] = 10
        kwargs.setdefault("verbose_name", "NHS number")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return normalise_nhs_number(value) if isinstance(value, str) and value else value

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": NHSNumberFormField, **kwargs})
