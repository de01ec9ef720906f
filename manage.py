#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

_CANNOT_CONNECT = ("connection failed", "could not connect", "connection refused", "does not exist")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.db.utils import OperationalError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A bad setting is an operator's mistake: say which, without a traceback.
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(2)
    except OperationalError as exc:
        # An unreachable database is the commonest first-run problem; other database errors
        # keep their traceback, which is what a developer needs to debug them.
        if not any(phrase in str(exc).lower() for phrase in _CANNOT_CONNECT):
            raise
        from django.conf import settings

        db = settings.DATABASES["default"]
        where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db.get('NAME')}"
        first_line = str(exc).strip().splitlines()[0]
        sys.stderr.write(
            f"Database error: cannot use the database at {where} (from DATABASE_URL): "
            f"{first_line}\n"
        )
        sys.exit(3)


if __name__ == "__main__":
    main()
