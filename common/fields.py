"""Model fields for UK identifiers that normalise what people type before validating it."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from localflavor.gb.forms import GBPostcodeField


# The normalisers are pure and run on every save (CharField.get_prep_value calls to_python),
# so bulk writes of many rows sharing postcodes or numbers hit the cache.
@lru_cache(maxsize=4096)
def normalise_postcode(value: str) -> str:
    """Return the postcode in its standard form (``OX2 9AS``) or raise ValidationError."""
    if not value:
        return value
    try:
        return str(GBPostcodeField().clean(value))
    except ValidationError:
        raise ValidationError(
            "Enter a real UK postcode, like OX2 9AS.", code="invalid_postcode"
        ) from None


OFCOM_DRAMA_MOBILE_PREFIX = "+447700900"
"""07700 900000-900999: reserved by Ofcom for drama, so never anybody's phone. The phonenumbers
library calls them invalid; we accept them so demo and test patients can be saved in forms."""


@lru_cache(maxsize=4096)
def normalise_uk_mobile(value: str) -> str:
    """Return a UK mobile number in E.164 form (``+447700900123``) or raise ValidationError."""
    if not value:
        return value
    message = "Enter a UK mobile number, like 07700 900123."
    try:
        parsed = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        raise ValidationError(message, code="invalid_mobile") from None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if e164.startswith(OFCOM_DRAMA_MOBILE_PREFIX) and len(e164) == 13:
        return e164
    if parsed.country_code != 44:
        raise ValidationError(message, code="invalid_mobile")
    if not phonenumbers.is_valid_number(parsed) or phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationError(message, code="invalid_mobile")
    return e164


@lru_cache(maxsize=1024)
def normalise_uk_phone(value: str) -> str:
    """Any valid UK phone number, stored in national format (``01865 123456``)."""
    if not value:
        return value
    message = "Enter a UK phone number, like 01865 123456."
    try:
        parsed = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        raise ValidationError(message, code="invalid_phone") from None
    if parsed.country_code != 44 or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(message, code="invalid_phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


class _NormalisingFormField(forms.CharField):
    normaliser: Any = None

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        return type(self).normaliser(text) if text else text


class _NormalisingModelField(models.CharField):
    """A CharField whose value is normalised on assignment via full_clean and in forms."""

    normaliser: Any = None
    form_max_length = 32

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if isinstance(value, str) and value:
            return type(self).normaliser(value)
        return value

    def formfield(self, **kwargs: Any) -> Any:
        form_class = type(
            f"{type(self).__name__}FormField",
            (_NormalisingFormField,),
            {"normaliser": staticmethod(type(self).normaliser)},
        )
        defaults: dict[str, Any] = {"form_class": form_class, "max_length": self.form_max_length}
        defaults.update(kwargs)
        return super().formfield(**defaults)


class PostcodeField(_NormalisingModelField):
    normaliser = staticmethod(normalise_postcode)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 8)
        super().__init__(*args, **kwargs)


class UKMobileField(_NormalisingModelField):
    normaliser = staticmethod(normalise_uk_mobile)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 16)
        super().__init__(*args, **kwargs)


class UKPhoneField(_NormalisingModelField):
    normaliser = staticmethod(normalise_uk_phone)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
