"""Start the app under gunicorn on a free loopback port, wait until it answers, stop it after."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tools.bench.load import LOOPBACK

ROOT = Path(__file__).resolve().parents[2]  # the checkout: tools/bench/server.py


@dataclass(frozen=True)
class ServerOptions:
    # Measured on the shared 2-core machine against sync x4 (see docs/benchmark.md): keep-alive
    # and threads that overlap database waits; two processes so that both cores serve.
    worker_class: str = "gthread"
    workers: int = 2
    threads: int = 8
    timeout: int = 30

    def describe(self) -> dict[str, object]:
        return {
            "worker_class": self.worker_class,
            "workers": self.workers,
            "threads": self.threads,
            "timeout_s": self.timeout,
        }


@dataclass(frozen=True)
class Server:
    port: int
    pid: int
    log: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def gunicorn_command(options: ServerOptions, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "tools.bench.wsgi:application",
        "--bind",
        f"{LOOPBACK}:{port}",
        "--worker-class",
        options.worker_class,
        "--workers",
        str(options.workers),
        "--threads",
        str(options.threads),
        "--timeout",
        str(options.timeout),
        "--keep-alive",
        "75",  # the clients never idle; a closed keep-alive would read as an error
        "--backlog",
        "2048",
        "--preload",
        "--log-level",
        "warning",
    ]


def server_environment(database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tools.bench.settings",
        DOVETAIL_ENV="development",
        DEBUG="0",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        ALLOWED_HOSTS=f"{LOOPBACK},localhost",
        LOG_LEVEL=os.environ.get("BENCH_SERVER_LOG_LEVEL", "ERROR"),
    )
    return env


@contextmanager
def running_server(
    options: ServerOptions,
    *,
    database_url: str,
    redis_url: str,
    log_path: Path,
    ready_timeout: float = 60.0,
) -> Iterator[Server]:
    """Gunicorn for the duration of the ``with`` block; stopped on errors and Ctrl-C too."""
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            gunicorn_command(options, port),
            cwd=ROOT,
            env=server_environment(database_url, redis_url),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
        )
        try:
            _wait_ready(process, port, ready_timeout, log_path)
            yield Server(port=port, pid=process.pid, log=log_path)
        finally:
            _stop(process)


def _wait_ready(process: subprocess.Popen[bytes], port: int, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://{LOOPBACK}:{port}/bench/health/"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s:\n{_tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group we started, nothing else
        process.wait(timeout=5)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
