"""PostgreSQL functions the models' constraints are written with (Django has no names for them).

They live here, not in a migration, because migrations refer to them by import path.
"""

from __future__ import annotations

from django.contrib.postgres.fields import DateTimeRangeField
from django.db import models


class TsTzRange(models.Func):
    """``tstzrange(start, end, bounds)``: the period an exclusion constraint compares."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class JSONBTypeOf(models.Func):
    """``jsonb_typeof(value)``: 'array', 'object', 'string'..."""

    function = "JSONB_TYPEOF"
    output_field = models.CharField()


class JSONBArrayLength(models.Func):
    function = "JSONB_ARRAY_LENGTH"
    output_field = models.IntegerField()


def json_list_of(field: str, allowed: list[str] | list[int], length: int | None = None) -> models.Q:
    """A non-empty JSON array (of exactly ``length`` items when given) whose items are all in
    ``allowed``."""
    size = models.F(field)
    shape = models.Q(models.lookups.Exact(JSONBTypeOf(size), "array"))
    if length is None:
        shape &= models.Q(models.lookups.GreaterThan(JSONBArrayLength(size), 0))
    else:
        shape &= models.Q(models.lookups.Exact(JSONBArrayLength(size), length))
    return shape & models.Q(**{f"{field}__contained_by": allowed})
