"""Run as a script by test_faults: a real Celery worker process that dies (``os._exit``) right
after the provider accepted its first message, before it can record the send or ack the task.
"""

from __future__ import annotations

import os
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from config.celery import app  # noqa: E402
from notifications.backends.local import LocalBackend  # noqa: E402

_send = LocalBackend.send


def send_then_die(self: LocalBackend, message: Any) -> str:
    _send(self, message)
    os._exit(9)


LocalBackend.send = send_then_die  # type: ignore[method-assign]

if __name__ == "__main__":
    import notifications.tasks  # noqa: F401

    app.worker_main(
        [
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ]
    )
