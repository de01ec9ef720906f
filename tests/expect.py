"""Exact expectations for errors: a test names the constraint or the field it expects, so a
different failure (another constraint, a typo in the test) cannot pass for the right one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


@contextmanager
def violates(constraint: str) -> Iterator[None]:
    """The block must fail on exactly this PostgreSQL constraint (by name)."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        yield
    diag = getattr(caught.value.__cause__, "diag", None)
    assert getattr(diag, "constraint_name", None) == constraint, caught.value


@contextmanager
def invalid(**fields: str) -> Iterator[None]:
    """The block must raise ValidationError on these fields, each message containing its text."""
    with pytest.raises(ValidationError) as caught:
        yield
    errors = caught.value.message_dict
    for field, text in fields.items():
        assert any(text in message for message in errors.get(field, [])), errors
