"""The bench never writes to a database that is not recognisably a benchmark database."""

from __future__ import annotations

import pytest

from tools.bench.dbtarget import UnsafeDatabase, check_safe, default_database_url


def test_default_url_points_the_project_url_at_the_bench_database():
    env = {"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/dovetail"}
    assert default_database_url(env) == "postgresql://postgres@127.0.0.1:5432/dovetail_bench"


def test_default_url_keeps_a_bench_database_it_is_given():
    env = {"DATABASE_URL": "postgresql://u:p@db:5432/my_bench"}
    assert default_database_url(env) == "postgresql://u:p@db:5432/my_bench"


def test_default_url_without_environment_is_local_bench():
    assert default_database_url({}).endswith("/dovetail_bench")


def test_a_database_without_bench_in_its_name_is_refused():
    with pytest.raises(UnsafeDatabase, match="--force"):
        check_safe("postgresql://postgres@127.0.0.1/dovetail", force=False)


def test_force_allows_any_database():
    check_safe("postgresql://postgres@127.0.0.1/dovetail", force=True)
