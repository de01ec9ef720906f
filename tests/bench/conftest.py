from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.db import connection

from tools.bench.dataset import Scale, ensure_dataset
from tools.bench.dbtarget import with_database

TZ = settings.TIME_ZONE
TINY = Scale(
    practices=3,
    sites=4,
    clinicians=9,
    patients=300,
    weeks=1,
    receptionists=2,
    hub_staff=2,
    prebooked=0.3,
    online_patients=20,
    seed=1,
)


@pytest.fixture
def test_db_url(transactional_db) -> str:
    """The URL of pytest's test database, for code that opens its own connections."""
    params = connection.settings_dict
    base = f"postgresql://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    return with_database(base, params["NAME"])


@pytest.fixture
def rush_day() -> datetime.date:
    return datetime.date.today() + datetime.timedelta(days=1)


@pytest.fixture
def tiny_dataset(test_db_url, rush_day):
    return ensure_dataset(
        test_db_url, TINY, today=datetime.date.today(), rush_day=rush_day, tz=TZ, log=lambda _: None
    )
