"""The models are the one description of the schema: every constraint and index they declare
exists in the database, under its name. State-only migrations (appointments 0007, community
0004) declared constraints that older migrations made in SQL; this catches a declaration
that no migration ever made real."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db


def test_every_constraint_and_index_the_models_declare_is_in_the_database() -> None:
    missing = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if not model._meta.managed or model._meta.proxy:
                continue
            table = model._meta.db_table
            present = connection.introspection.get_constraints(cursor, table)
            for item in [*model._meta.constraints, *model._meta.indexes]:
                if item.name not in present:
                    missing.append(f"{table}.{item.name}")
    assert missing == []


def test_the_overlap_rules_are_declared_on_the_models() -> None:
    from appointments.models import Appointment, Session

    names = {c.name for m in (Appointment, Session) for c in m._meta.constraints}
    assert {"appointment_patient_no_overlap", "session_clinician_no_overlap"} <= names
