"""`python -m jobs`: migrate, demo-data, run JOB, scheduler.

Every command exits non-zero with a one-line reason on failure, shows progress on stderr, and
with --json prints one JSON object summing up what it did as the last line of stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import resource
import sys
import time
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from data_access import demo
from data_access.db import DatabaseUnavailable, check_reachable, make_engine
from data_access.schema import migrate
from data_access.security import now_seoul
from jobs.agenda import JobFailed
from jobs.registry import JOBS, UnknownJob


class CommandFailed(Exception):
    """A reason a person can act on; printed as the command's one-line error."""


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-03-31") from exc


def positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{value} must be a positive whole number")
    return number


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def progress_line(label: str, fraction: float) -> None:
    print(f"[{fraction:6.1%}] {label}", file=sys.stderr, flush=True)


def command_migrate(args: argparse.Namespace) -> dict[str, Any]:
    engine = make_engine()
    check_reachable(engine)
    revision = migrate(engine)
    print(f"database is at revision {revision}", file=sys.stderr)
    return {"command": "migrate", "revision": revision}


def command_demo_data(args: argparse.Namespace) -> dict[str, Any]:
    engine = make_engine()
    check_reachable(engine)
    migrate(engine)
    try:
        summary = demo.generate(
            engine,
            customers=args.customers,
            seed=args.seed,
            as_of=args.as_of,
            usage_days=args.usage_days,
            replace=args.replace,
            progress=progress_line,
        )
    except demo.DatabaseNotEmpty as exc:
        raise CommandFailed(str(exc)) from exc
    print(
        f"demo data for {summary.customers:,} customers as of {summary.as_of} "
        f"in {summary.seconds:.1f} s, database {summary.database_bytes / 2**20:,.0f} MiB",
        file=sys.stderr,
    )
    return {
        "command": "demo-data",
        "customers": summary.customers,
        "seed": summary.seed,
        "as_of": summary.as_of.isoformat(),
        "rows": summary.rows,
        "seconds": round(summary.seconds, 2),
        "database_bytes": summary.database_bytes,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def command_run(args: argparse.Namespace) -> dict[str, Any]:
    job = JOBS.get(args.job)
    if job is None:
        raise CommandFailed(str(UnknownJob(args.job)))
    engine = make_engine()
    check_reachable(engine)
    migrate(engine)
    started = time.perf_counter()
    try:
        result = job.run(engine, args.date or now_seoul().date())
    except JobFailed as exc:
        raise CommandFailed(str(exc)) from exc
    seconds = round(time.perf_counter() - started, 3)
    print(f"{job.name}: {result.get('status', 'done')} in {seconds:.1f} s", file=sys.stderr)
    return {"command": "run", "job": job.name, **result, "seconds": seconds}


def command_scheduler(args: argparse.Namespace) -> dict[str, Any]:
    """Run the production scheduler until interrupted (Ctrl-C or SIGTERM)."""
    from jobs import scheduler

    engine = make_engine()
    check_reachable(engine)
    migrate(engine)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for schedule in scheduler.SCHEDULES:
        print(
            f"{schedule.job}: working days at {schedule.hour:02d}:{schedule.minute:02d} Asia/Seoul",
            file=sys.stderr,
        )
    scheduler.run_blocking(engine)
    return {"command": "scheduler", "stopped_at": now_seoul().isoformat(timespec="seconds")}


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m jobs", description=__doc__)
    root.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    commands = root.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="bring the database to the newest schema")

    demo_data = commands.add_parser("demo-data", help="fill the database with demo data")
    demo_data.add_argument("--customers", type=positive_int, default=20_000)
    demo_data.add_argument("--seed", type=int, default=7)
    demo_data.add_argument("--as-of", type=iso_date, default=None, help="default: today (Seoul)")
    demo_data.add_argument(
        "--usage-days", type=positive_int, default=28, help="days of console usage history"
    )
    demo_data.add_argument(
        "--replace", action="store_true", help="delete what the database holds first"
    )

    run = commands.add_parser("run", help="run one job by hand")
    run.add_argument("job")
    run.add_argument("--date", type=iso_date, default=None, help="business date, default today")

    commands.add_parser("scheduler", help="run the scheduler process (production)")
    for sub in commands.choices.values():
        # Accepted after the command too; SUPPRESS keeps it from undoing a --json given before.
        sub.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    return root


COMMANDS = {
    "migrate": command_migrate,
    "demo-data": command_demo_data,
    "run": command_run,
    "scheduler": command_scheduler,
}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        summary = COMMANDS[args.command](args)
    except (CommandFailed, DatabaseUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        reason = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
        print(f"error: the database refused the work: {reason}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
