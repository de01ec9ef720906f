#!/usr/bin/env python3
"""Find or start PostgreSQL and Redis for local runs, then run a command with them.

    python scripts/services.py run [--need postgres,redis] [--fallback] [--throwaway] -- CMD...
    python scripts/services.py check [--need ...] [--fallback] [--throwaway]

For each needed service: use the URL already in the environment; else the server on the
default local port; else start a throwaway server (stopped and deleted afterwards); else,
with --fallback, SQLite / the filesystem Celery broker; else exit 2. See docs/adr/0001.
"""

# The commands run here are built from fixed names and paths found on this machine.
# ruff: noqa: S603

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PG_PORT, REDIS_PORT = 5432, 6379
DB_NAME = "dovetail"
INSTALL_HINT = (
    "install them (apt-get install postgresql redis-server), or set DATABASE_URL/REDIS_URL"
)
PG_CLIENT_ENV = {**os.environ, "PGCONNECT_TIMEOUT": "5"}


class UnavailableError(Exception):
    """A service could not be found or started."""


class SignalledError(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def say(service: str, message: str) -> None:
    print(f"dovetail: {service}: {message}", file=sys.stderr, flush=True)


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
        return True
    return False


def redis_pong(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for(ready: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return True
        time.sleep(0.1)
    return False


def run_quiet(
    cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


@functools.cache
def find_pg_bindir() -> Path | None:
    """A directory holding initdb and pg_ctl: PATH, pg_config --bindir, newest Debian version."""
    candidates = [Path(p).resolve().parent for p in map(shutil.which, ("initdb", "pg_ctl")) if p]
    if pg_config := shutil.which("pg_config"):
        candidates.append(Path(run_quiet([pg_config, "--bindir"]).stdout.strip() or "/nonexistent"))

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in path.parent.name.split(".") if part.isdigit())

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    candidates.append(Path("/usr/local/pgsql/bin"))
    for directory in candidates:
        if all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def pg_client(name: str) -> str | None:
    if found := shutil.which(name):
        return found
    bindir = find_pg_bindir()
    return str(bindir / name) if bindir and (bindir / name).exists() else None


def ensure_database(port: int, create: bool) -> str | None:
    """Check we can log in as postgres without a password; create the database. None if OK."""
    psql, createdb = pg_client("psql"), pg_client("createdb")
    if psql is None or createdb is None:
        return None  # Cannot check; trust the server and let the application report problems.
    where = ["-w", "-h", HOST, "-p", str(port), "-U", "postgres"]
    query = "SELECT 1 FROM pg_database WHERE datname = 'dovetail'"
    probe = run_quiet([psql, *where, "-d", "postgres", "-Atqc", query], env=PG_CLIENT_ENV)
    if probe.returncode != 0:
        return last_line(probe.stderr)
    if probe.stdout.strip() != "1" and create:
        made = run_quiet([createdb, *where, DB_NAME], env=PG_CLIENT_ENV)
        if made.returncode != 0 and "already exists" not in made.stderr:
            return last_line(made.stderr)
    return None


def as_postgres_user(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres system user."""
    if os.geteuid() != 0:
        return cmd
    if runuser := shutil.which("runuser"):
        return [runuser, "-u", "postgres", "--", *cmd]
    return [shutil.which("su") or "/bin/su", "-s", "/bin/sh", "postgres", "-c", shlex.join(cmd)]


def start_postgres(bindir: Path, stack: contextlib.ExitStack) -> str:
    tmp = Path(tempfile.mkdtemp(prefix="dovetail-pg-"))
    stack.callback(say, "PostgreSQL", f"stopped the throwaway server and removed {tmp}")
    stack.callback(shutil.rmtree, tmp, ignore_errors=True)
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise UnavailableError("running as root and there is no 'postgres' user") from None
        os.chown(tmp, user.pw_uid, user.pw_gid)
    data, log, port = tmp / "data", tmp / "postgres.log", free_port()

    def pg(*args: str) -> subprocess.CompletedProcess[str]:
        return run_quiet(as_postgres_user([str(bindir / args[0]), *args[1:]]), cwd=tmp)

    flags = ["--username=postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"]
    init = pg("initdb", "-D", str(data), *flags)
    if init.returncode != 0:
        raise UnavailableError(f"initdb failed: {last_line(init.stderr + init.stdout)}")
    stack.callback(pg, "pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
    options = (
        f"-c listen_addresses={HOST} -p {port} -k {tmp} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    started = pg(
        "pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start"
    )
    if started.returncode != 0:
        detail = log.read_text(errors="replace") if log.exists() else started.stderr
        raise UnavailableError(f"pg_ctl start failed: {last_line(detail)}")
    if problem := ensure_database(port, create=True):
        raise UnavailableError(f"could not create database {DB_NAME}: {problem}")
    say("PostgreSQL", f"started a throwaway server on {HOST}:{port} (data in {tmp})")
    return f"postgresql://postgres@{HOST}:{port}/{DB_NAME}"


def start_redis(exe: str, stack: contextlib.ExitStack) -> str:
    tmp = Path(tempfile.mkdtemp(prefix="dovetail-redis-"))
    stack.callback(say, "Redis", f"stopped the throwaway server and removed {tmp}")
    stack.callback(shutil.rmtree, tmp, ignore_errors=True)
    log = stack.enter_context((tmp / "redis.log").open("wb"))
    port = free_port()
    cmd = [exe, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
    cmd += ["--dir", str(tmp)]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    stack.callback(stop_process, proc)
    wait_for(lambda: proc.poll() is not None or redis_pong(port), 15)
    if proc.poll() is not None or not redis_pong(port):
        log.flush()
        detail = last_line((tmp / "redis.log").read_text(errors="replace"))
        raise UnavailableError(f"redis-server did not start: {detail}")
    say("Redis", f"started a throwaway server on {HOST}:{port} (data in {tmp})")
    return f"redis://{HOST}:{port}/0"


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


Stack = contextlib.ExitStack | None


def resolve_postgres(opts: argparse.Namespace, stack: Stack) -> dict[str, str]:
    name = "PostgreSQL"
    if not opts.throwaway and os.environ.get("DATABASE_URL"):
        say(name, "using DATABASE_URL from the environment")
        return {}
    if not opts.throwaway and port_open(PG_PORT):
        problem = ensure_database(PG_PORT, create=stack is not None)
        if problem is None:
            say(name, f"using the server on {HOST}:{PG_PORT}")
            return {"DATABASE_URL": f"postgresql://postgres@{HOST}:{PG_PORT}/{DB_NAME}"}
        say(name, f"cannot use the server on {HOST}:{PG_PORT} ({problem})")
    reason = "no server on the default port and no initdb/pg_ctl to start one"
    if bindir := find_pg_bindir():
        if stack is None:
            say(name, f"would start a throwaway server with {bindir}")
            return {}
        try:
            return {"DATABASE_URL": start_postgres(bindir, stack)}
        except UnavailableError as exc:
            reason = str(exc)
    if opts.fallback and not opts.throwaway:
        path = REPO / "var" / "demo.sqlite3"
        if stack is not None:
            path.parent.mkdir(exist_ok=True)
        say(name, f"{reason}; falling back to SQLite at {path} (demo only)")
        return {"DATABASE_URL": f"sqlite:///{path}"}
    raise UnavailableError(f"{name}: {reason}")


def resolve_redis(opts: argparse.Namespace, stack: Stack) -> dict[str, str]:
    name = "Redis"
    if not opts.throwaway and os.environ.get("REDIS_URL"):
        say(name, "using REDIS_URL from the environment")
        return {}
    if not opts.throwaway and redis_pong(REDIS_PORT):
        say(name, f"using the server on {HOST}:{REDIS_PORT}")
        return {"REDIS_URL": f"redis://{HOST}:{REDIS_PORT}/0"}
    reason = "no server answering PING on the default port and no redis-server to start one"
    if exe := shutil.which("redis-server"):
        if stack is None:
            say(name, f"would start a throwaway server with {exe}")
            return {}
        try:
            return {"REDIS_URL": start_redis(exe, stack)}
        except UnavailableError as exc:
            reason = str(exc)
    if opts.fallback and not opts.throwaway:
        folder = REPO / "var" / "celery-broker"
        if stack is not None:
            folder.mkdir(parents=True, exist_ok=True)
        say(name, f"{reason}; falling back to a filesystem Celery broker in {folder} (demo only)")
        broker = {"CELERY_BROKER_URL": "filesystem://", "CELERY_BROKER_FOLDER": str(folder)}
        return {"REDIS_URL": "", **broker}
    raise UnavailableError(f"{name}: {reason}")


RESOLVERS = {"postgres": resolve_postgres, "redis": resolve_redis}


def parse_need(value: str) -> list[str]:
    needs = [item.strip() for item in value.split(",") if item.strip()]
    if unknown := set(needs) - set(RESOLVERS):
        raise argparse.ArgumentTypeError(f"unknown service(s): {', '.join(sorted(unknown))}")
    return needs


def run(opts: argparse.Namespace, cmd: list[str]) -> int:
    child: subprocess.Popen[bytes] | None = None
    stopping = False

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stopping:
            return  # Tearing down: finish cleaning up rather than leave servers behind.
        if child is None:
            raise SignalledError(signum)
        # A Ctrl-C at the terminal already reached the child (same foreground process group).
        if signum != signal.SIGINT or not in_terminal_foreground():
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    with contextlib.ExitStack() as stack:
        try:
            env = dict(os.environ)
            for need in opts.need:
                env.update(RESOLVERS[need](opts, stack))
            try:
                child = subprocess.Popen(cmd, env=env)
            except OSError as exc:
                print(f"dovetail: cannot run {cmd[0]}: {exc}", file=sys.stderr)
                code = 127
            else:
                code = child.wait()
        except UnavailableError as exc:
            print(f"dovetail: {exc}.\ndovetail: {INSTALL_HINT}.", file=sys.stderr)
            code = 2
        except SignalledError as exc:
            code = -exc.signum
        finally:
            stopping = True
    return 128 - code if code < 0 else code


def in_terminal_foreground() -> bool:
    try:
        fd = os.open("/dev/tty", os.O_RDONLY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)


def check(opts: argparse.Namespace) -> int:
    code = 0
    for need in opts.need:
        try:
            RESOLVERS[need](opts, None)
        except UnavailableError as exc:
            print(f"dovetail: {exc}.", file=sys.stderr)
            code = 2
    if code:
        print(f"dovetail: {INSTALL_HINT}.", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    cmd: list[str] = []
    if "--" in args:
        cmd, args = args[args.index("--") + 1 :], args[: args.index("--")]
    parser = argparse.ArgumentParser(
        prog="services.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", required=True)
    for action in ("run", "check"):
        sub = actions.add_parser(action)
        sub.add_argument("--need", type=parse_need, default=list(RESOLVERS), help="postgres,redis")
        sub.add_argument("--fallback", action="store_true", help="demo: SQLite, filesystem broker")
        sub.add_argument("--throwaway", action="store_true", help="always start own servers")
    opts = parser.parse_args(args)
    if opts.action == "check":
        return check(opts)
    if not cmd:
        parser.error("run needs a command after --")
    return run(opts, cmd)


if __name__ == "__main__":
    sys.exit(main())
