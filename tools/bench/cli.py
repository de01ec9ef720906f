"""``python -m tools.bench [command] [options]``: the benchmark's command line.

Commands (``rush`` when none is given):

- ``rush``: build or reuse the data set, serve the app under gunicorn, measure the ceiling
  and the 8am rush, check the database, print and write the JSON result.
- ``build``: only build (or reuse) the data set.

Another benchmark (the reminders' throughput, say) is one more entry in ``COMMANDS``: a
function adding its options to a subparser and a function running it, returning the exit
code. The data set, the server and the load runner are shared building blocks.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from tools.bench import dbtarget, guard
from tools.bench.dataset import Scale
from tools.bench.server import ServerOptions

DEFAULT_COMMAND = "rush"


def _common(parser: argparse.ArgumentParser) -> None:
    where = parser.add_argument_group("database")
    where.add_argument(
        "--database-url",
        default=dbtarget.default_database_url(),
        help="PostgreSQL URL (default: $DATABASE_URL pointed at the dovetail_bench database; "
        "created if missing)",
    )
    where.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="Redis for the app's cache (default: $REDIS_URL)",
    )
    where.add_argument(
        "--force",
        action="store_true",
        help="allow a database whose name does not contain 'bench' (its tables are wiped)",
    )
    where.add_argument(
        "--rebuild", action="store_true", help="build the data set even if it could be reused"
    )
    scale = parser.add_argument_group("scale of the data set")
    defaults = Scale()
    helps = {
        "receptionists": "receptionists per practice",
        "hub_staff": "federation hub staff",
        "prebooked": "share of future slots already booked (0-1)",
        "online_patients": "patients per practice with an online account and API token",
        "seed": "random seed",
    }
    for item in fields(Scale):
        scale.add_argument(
            f"--{item.name.replace('_', '-')}",
            type=type(getattr(defaults, item.name)),
            default=getattr(defaults, item.name),
            help=f"{helps.get(item.name, item.name)} (default {getattr(defaults, item.name)})",
        )


def _rush_arguments(parser: argparse.ArgumentParser) -> None:
    load = parser.add_argument_group("the rush")
    load.add_argument("--clients", type=int, default=64, help="concurrent clients (default 64)")
    load.add_argument(
        "--duration", type=float, default=30.0, help="measured seconds per phase (default 30)"
    )
    load.add_argument(
        "--warmup",
        type=float,
        default=5.0,
        help="seconds at the start of each phase that are run but not measured (default 5)",
    )
    load.add_argument(
        "--out",
        type=Path,
        default=Path("tools/bench/results/rush.json"),
        help="the JSON result (default tools/bench/results/rush.json; gunicorn's log beside it)",
    )
    load.add_argument(
        "--rush-day",
        type=datetime.date.fromisoformat,
        default=None,
        help="the day whose morning is rushed, YYYY-MM-DD (default tomorrow)",
    )
    load.add_argument(
        "--pick-from",
        type=int,
        default=5,
        help="a receptionist books one of the first N free slots (default 5)",
    )
    load.add_argument(
        "--patient-pick-from",
        type=int,
        default=20,
        help="a patient picks one of the morning's first N online slots (default 20)",
    )
    load.add_argument(
        "--rush-practices",
        type=int,
        default=8,
        help="reception desks start at this many practices, so they contend (default 8)",
    )
    load.add_argument(
        "--hub-share",
        type=float,
        default=0.125,
        help="share of clients at the federation hub (default 0.125)",
    )
    load.add_argument(
        "--patient-share",
        type=float,
        default=0.5,
        help="share of the burst's clients who are patients online (default 0.5)",
    )
    load.add_argument(
        "--no-ceiling", action="store_true", help="skip the bare-UPDATE ceiling measurement"
    )
    load.add_argument(
        "--no-api-ceiling",
        action="store_true",
        help="skip the API ceiling (the bare UPDATE behind DRF and a token)",
    )
    load.add_argument(
        "--no-booking",
        action="store_true",
        help="skip the booking endpoint alone (desks booking their own sites, no searches)",
    )
    load.add_argument(
        "--no-same-work",
        action="store_true",
        help="skip the same-work ceiling (the booking's writes with plain psycopg)",
    )
    load.add_argument(
        "--no-burst", action="store_true", help="skip the flat-out burst (no ratio then)"
    )
    paced = parser.add_argument_group("the rush at a human pace (after the burst)")
    paced.add_argument(
        "--paced-patients",
        type=int,
        default=300,
        help="patients online at once, spread over every practice, with every reception "
        "desk and the hub (default 300: about ten times a federation's expected 8am peak, "
        "ADR 0041)",
    )
    paced.add_argument(
        "--patient-think-s",
        type=float,
        default=4.0,
        help="mean pause of a patient reading the list before booking, and between "
        "patients (default 4)",
    )
    paced.add_argument(
        "--desk-think-s",
        type=float,
        default=15.0,
        help="mean time a receptionist spends with each caller (default 15)",
    )
    paced.add_argument("--no-paced", action="store_true", help="skip the paced rush")
    server = parser.add_argument_group("gunicorn")
    defaults = ServerOptions()
    server.add_argument(
        "--worker-class", choices=("sync", "gthread"), default=defaults.worker_class
    )
    server.add_argument(
        "--workers", type=int, default=defaults.workers, help=f"default {defaults.workers}"
    )
    server.add_argument(
        "--threads", type=int, default=defaults.threads, help=f"default {defaults.threads}"
    )


def _check_arguments(args: argparse.Namespace) -> list[str]:
    problems = []
    if not 1 <= getattr(args, "clients", 1) <= 1024:
        problems.append("--clients must be between 1 and 1024.")
    if not 1 <= getattr(args, "duration", 1) <= 3600:
        problems.append("--duration must be between 1 and 3600 seconds.")
    if not 0 <= getattr(args, "warmup", 0) <= 600:
        problems.append("--warmup must be between 0 and 600 seconds.")
    if not 0 <= getattr(args, "hub_share", 0) <= 1:
        problems.append("--hub-share must be between 0 and 1.")
    if not 0 <= getattr(args, "patient_share", 0) <= 1 - getattr(args, "hub_share", 0):
        problems.append("--patient-share must be between 0 and 1 minus --hub-share.")
    if not 0 <= getattr(args, "paced_patients", 0) <= 5000:
        problems.append("--paced-patients must be between 0 and 5000.")
    for name in ("patient_think_s", "desk_think_s"):
        if not 0 < getattr(args, name, 1) <= 600:
            problems.append(f"--{name.replace('_', '-')} must be above 0 and at most 600.")
    return problems


def _scale(args: argparse.Namespace) -> Scale:
    return Scale(**{item.name: getattr(args, item.name) for item in fields(Scale)})


def _prepare(args: argparse.Namespace) -> str:
    """Point Django at the bench database, create and migrate it; returns the time zone.
    Refuses (``guard.Refused``) a production configuration or a database holding data the
    bench did not create, before writing anything."""
    url = args.database_url
    guard.refuse_production()
    dbtarget.check_safe(url, force=args.force)
    if dbtarget.ensure_database(url):
        print(f"created database {dbtarget.database_name(url)}")
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        guard.refuse_foreign_data(cur)
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "tools.bench.settings"
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    guard.refuse_production(production=bool(getattr(settings, "PRODUCTION", False)))
    call_command("migrate", verbosity=0, interactive=False)
    return str(settings.TIME_ZONE)


def run_build(args: argparse.Namespace) -> int:
    from tools.bench.dataset import ensure_dataset
    from tools.bench.rushday import default_rush_day

    tz = _prepare(args)
    now = datetime.datetime.now(datetime.UTC)
    ensure_dataset(
        args.database_url,
        _scale(args),
        today=now.astimezone(ZoneInfo(tz)).date(),
        rush_day=default_rush_day(now, tz),
        tz=tz,
        rebuild=args.rebuild,
    )
    return 0


def run_rush_command(args: argparse.Namespace) -> int:
    from tools.bench.run import RushOptions, render, run_rush

    tz = _prepare(args)
    options = RushOptions(
        clients=args.clients,
        duration=args.duration,
        warmup=args.warmup,
        out=args.out,
        server=ServerOptions(
            worker_class=args.worker_class, workers=args.workers, threads=args.threads
        ),
        rush_day=args.rush_day,
        pick_from=args.pick_from,
        patient_pick_from=args.patient_pick_from,
        rush_practices=args.rush_practices,
        hub_share=args.hub_share,
        patient_share=args.patient_share,
        ceiling=not args.no_ceiling,
        api_ceiling=not args.no_api_ceiling,
        booking=not args.no_booking,
        same_work=not args.no_same_work,
        burst=not args.no_burst,
        paced=not args.no_paced,
        paced_patients=args.paced_patients,
        patient_think_s=args.patient_think_s,
        desk_think_s=args.desk_think_s,
        seed=args.seed,
    )
    code, result = run_rush(
        args.database_url, args.redis_url, _scale(args), options, tz=tz, rebuild=args.rebuild
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(render(result))
    print(f"written to {args.out}")
    return code


def _reminders_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--count", type=int, default=10_000, help="Due reminders to send.")
    parser.add_argument("--dispatchers", type=int, default=4, help="In-process dispatchers.")
    parser.add_argument(
        "--celery",
        type=int,
        default=0,
        metavar="N",
        help="instead: publish the reminders to the broker and run a worker with N processes",
    )
    parser.add_argument("--keep", action="store_true", help="keep the rows afterwards")


def run_reminders(args: argparse.Namespace) -> int:
    """Reminder dispatch throughput with the local backend; fails unless each is sent once."""
    _prepare(args)
    from tools.bench import reminders

    try:
        result = reminders.run(
            count=args.count, threads=args.dispatchers, celery=args.celery, keep=args.keep,
            log=lambda line: print(line, file=sys.stderr),
        )
    except reminders.NotSentOnce as exc:
        print(exc, file=sys.stderr)
        print("Not every reminder was sent exactly once: see above.", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


Command = tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
COMMANDS: dict[str, tuple[str, Command]] = {
    "rush": ("the 8am rush against the ceiling (default)", (_rush_arguments, run_rush_command)),
    "build": ("only build or reuse the data set", (lambda parser: None, run_build)),
    "reminders": (
        "reminder dispatch throughput, local backend",
        (_reminders_arguments, run_reminders),
    ),
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m tools.bench",
        description="Dovetail's benchmark: the 8am rush against a bare ceiling.",
        epilog="python -m tools.bench COMMAND --help lists each command's options.",
    )
    commands = top.add_subparsers(dest="command", metavar="command")
    for name, (summary, (add_arguments, _run)) in COMMANDS.items():
        sub = commands.add_parser(name, help=summary, description=summary)
        _common(sub)
        add_arguments(sub)
    return top


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    # Ctrl-C and kill both unwind through the ``finally`` blocks that stop gunicorn (a shell
    # may start background jobs with SIGINT ignored; the bench wants it back).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    words = list(sys.argv[1:] if argv is None else argv)
    if not words or (words[0] not in COMMANDS and words[0] not in ("-h", "--help")):
        words.insert(0, DEFAULT_COMMAND)
    args = parser().parse_args(words)
    problems = [*_check_arguments(args), *_scale(args).problems()]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command][1][1](args)
    except (dbtarget.UnsafeDatabase, guard.Refused) as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the server was stopped", file=sys.stderr)
        return 130
