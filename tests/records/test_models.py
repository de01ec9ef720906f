"""The record's models on their own: how an entry reads."""

from __future__ import annotations

from decimal import Decimal

import pytest

from records.clinical import Observation


@pytest.mark.parametrize(
    ("kind", "value", "value2", "shown"),
    [
        ("blood_pressure", "155.0", "96.0", "155/96"),
        ("temperature", "36.8", None, "36.8"),
        ("pulse", "72.0", None, "72"),
        ("weight", "70.5", None, "70.5"),
    ],
)
def test_an_observation_reads_as_a_clinician_writes_it(kind, value, value2, shown) -> None:
    observation = Observation(kind=kind, value=Decimal(value),
                              value2=None if value2 is None else Decimal(value2))
    assert observation.reading == shown
