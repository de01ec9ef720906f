"""Which database the bench writes to, and the guard that keeps it away from real data."""

from __future__ import annotations

import os
from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import sql

BENCH_DATABASE = "dovetail_bench"
FALLBACK_URL = "postgresql://postgres@127.0.0.1:5432/dovetail"


class UnsafeDatabase(Exception):
    """The target database is not recognisably a benchmark database."""


def database_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=f"/{name}"))


def default_database_url(environ: dict[str, str] | None = None) -> str:
    """DATABASE_URL from the environment, pointed at ``dovetail_bench`` unless it already
    names a bench database: ``make bench`` can pass the project's usual URL safely."""
    env = os.environ if environ is None else environ
    url = env.get("DATABASE_URL") or FALLBACK_URL
    if "bench" in database_name(url):
        return url
    return with_database(url, BENCH_DATABASE)


def check_safe(url: str, *, force: bool) -> None:
    name = database_name(url)
    if not name:
        raise UnsafeDatabase(f"The database URL {redact(url)} names no database.")
    if "bench" not in name and not force:
        raise UnsafeDatabase(
            f"Refusing to build the benchmark data set in {name!r}: it wipes the tables. "
            "Use a database whose name contains 'bench', or pass --force if you mean it."
        )


def ensure_database(url: str) -> bool:
    """Create the database if it does not exist. True when it was created."""
    name = database_name(url)
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def redact(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(parsed.password, "****")
    return url
