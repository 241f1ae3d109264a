"""`python -m jobs`: migrate, demo-data, run JOB, scheduler, import KIND FILE, audit-verify,
dispose-records.

Every command exits non-zero with a one-line reason on failure, shows progress on stderr, and
with --json prints one JSON object summing up what it did as the last line of stdout. The
reason, and an import's row errors, are in Korean unless --lang en or CRM_LANGUAGE=en.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError, StatementError

from data_access.core.db import (
    check_reachable,
    make_engine,
)
from data_access.core.errors import (
    DomainError,
    NotFound,
    Refused,
)
from data_access.core.job_runs import (
    JobName,
)
from data_access.core.schema import (
    migrate,
)
from data_access.core.security import (
    now_seoul,
)
from jobs import after_demo, demo
from jobs import usage as usage_job
from jobs.registry import JOBS
from ui.messages import DEFAULT_LANGUAGE, LANGUAGES, refusal_sentence, translate

# The language of the error lines when --lang is not given; Korean, as in the console.
LANGUAGE_VARIABLE = "CRM_LANGUAGE"


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
    started = time.perf_counter()
    engine = make_engine()
    check_reachable(engine)
    migrate(engine)
    summary = demo.generate(
        engine,
        customers=args.customers,
        seed=args.seed,
        as_of=args.as_of,
        usage_days=args.usage_days,
        replace=args.replace,
        progress=progress_line,
        sole_user=args.sole_user,
    )
    history = after_demo.build_history(engine, summary.as_of)
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
        "usage_daily_rows": history["usage"],
        "agenda": history["agenda"],  # days, items, worked, seconds
        "campaigns": history["campaigns"],  # campaigns, contacted, recorded, seconds
        "conduct": history["conduct"],  # profiles, sales, happy calls, seconds (#22)
        "seconds": round(summary.seconds, 2),
        # With the usage counts, the segment copy and the KPI history built after the rows.
        "total_seconds": round(time.perf_counter() - started, 2),
        "database_bytes": summary.database_bytes,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def command_run(args: argparse.Namespace) -> dict[str, Any]:
    job = JOBS.get(args.job)
    if job is None:
        raise NotFound("cli_job_unknown", name=args.job, known=", ".join(sorted(JOBS)))
    engine = make_engine()
    check_reachable(engine)
    migrate(engine)
    day = args.date or now_seoul().date()
    started = time.perf_counter()
    if args.from_date or args.to_date:
        if job.run_range is None:
            raise Refused("cli_job_one_date", job=JobName(job.name))
        result = job.run_range(engine, args.from_date or args.to_date, args.to_date or day)
    else:
        result = job.run(engine, day)
    seconds = round(time.perf_counter() - started, 3)
    print(f"{job.name}: {result.get('status', 'done')} in {seconds:.1f} s", file=sys.stderr)
    return {"command": "run", "job": job.name, **result, "seconds": seconds}


def mapping_pair(value: str) -> tuple[str, str]:
    source, separator, target = value.partition("=")
    if not separator or not source.strip() or not target.strip():
        raise argparse.ArgumentTypeError(f"{value!r} is not a mapping like 고객번호=customer_no")
    return source.strip(), target.strip()


def command_import(args: argparse.Namespace) -> dict[str, Any]:
    """Check and load one file; bad rows are listed (and optionally saved) before failing."""
    from data_access import admin, imports
    from jobs.imports import refresh_after_import

    engine = make_engine()
    check_reachable(engine)
    migrate(engine)
    path = Path(args.file)
    if not path.is_file():
        raise NotFound("cli_no_file", path=str(path))
    with engine.connect() as conn:
        try:
            actor = admin.acting_admin(conn, args.as_user)
        except NotFound as unknown:
            raise NotFound("cli_no_admin", username=args.as_user) from unknown
    with engine.connect() as conn:
        result = imports.run_import(
            conn,
            actor,
            args.kind,
            path,
            mapping=dict(args.map or []),
            dry_run=args.dry_run,
            good_rows_only=args.good_rows_only,
            progress=progress_line,
            client="cli",
        )
    for error in result.errors.head(20).iter_rows(named=True):
        line = translate(
            "cli_import_row_error",
            args.lang,
            line=error["line"],
            column=error["column"],
            value=repr(error["value"]),
            reason=translate(f"import_reason_{error['reason']}", args.lang),
        )
        print(line, file=sys.stderr)
    if result.errors.height > 20:
        print(f"... and {result.errors.height - 20:,} more errors", file=sys.stderr)
    if args.errors_csv and not result.errors.is_empty():
        Path(args.errors_csv).write_bytes(imports.errors_csv(result.errors))
    print(
        f"{result.kind} {result.file_name} ({result.encoding}): {result.rows:,} rows, "
        f"{result.inserted:,} inserted, {result.updated:,} updated, {result.unchanged:,} "
        f"unchanged, {result.rejected:,} rejected in {result.seconds:.1f} s"
        + (" (dry run, nothing written)" if result.dry_run else ""),
        file=sys.stderr,
    )
    if not result.written and not result.dry_run:
        raise Refused("cli_import_not_written", counted=result.rejected, rejected=result.rejected)
    refresh = refresh_after_import(engine, result, now_seoul().date())
    if refresh.due:
        print(f"to re-run for the new data: {', '.join(refresh.due)}", file=sys.stderr)
    if refresh.failed:
        print(f"refresh failed (see the jobs page): {', '.join(refresh.failed)}", file=sys.stderr)
    return {
        "command": "import",
        "kind": result.kind,
        "file": result.file_name,
        "sha256": result.sha256,
        "encoding": result.encoding,
        "rows": result.rows,
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "written": result.written,
        "dry_run": result.dry_run,
        "seconds": round(result.seconds, 3),
        "refreshed_jobs": list(refresh.ran),
        "jobs_to_rerun": list(refresh.due),
        "jobs_failed": list(refresh.failed),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


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


def command_audit_verify(args: argparse.Namespace) -> dict[str, Any]:
    """Check the whole audit chain, and with --anchor that no verified head has gone since.

    A broken chain names its first bad row and fails; so does an anchored head the database no
    longer holds (the newest rows were cut off). An intact run notes its head in the file.
    """
    from data_access.admin import (
        append_anchor,
        check_anchors,
        read_anchors,
        verify_chain,
    )

    anchor_file = Path(args.anchor) if args.anchor else None
    anchors = read_anchors(anchor_file) if anchor_file else []
    engine = make_engine()
    check_reachable(engine)
    started = time.perf_counter()
    with engine.connect() as conn:
        report = verify_chain(
            conn, progress=lambda rows: print(f"{rows:,} rows intact", file=sys.stderr)
        )
        gone = check_anchors(conn, anchors) if report.intact else None
    seconds = round(time.perf_counter() - started, 3)
    summary = {
        "command": "audit-verify",
        "rows": report.rows,
        "intact": report.intact and gone is None,
        "first_bad_id": gone.anchor.id if gone else report.first_bad_id,
        "problem": gone.problem if gone else report.problem,
        "head_id": report.head_id,
        "head_hash": report.head_hash,
        "anchors_checked": len(anchors),
        "seconds": seconds,
    }
    failure = None
    if not report.intact:
        failure = Refused(
            "audit_chain_edited" if report.problem == "edited" else "audit_chain_broken_link",
            id=report.first_bad_id,
            rows=report.rows,
        )
    elif gone is not None:
        failure = Refused(
            "audit_anchor_truncated" if gone.problem == "truncated" else "audit_anchor_rewritten",
            id=gone.anchor.id,
            anchored_rows=gone.anchor.rows,
            anchored_at=gone.anchor.anchored_at,
            rows=report.rows,
            head_id=report.head_id,
        )
    if failure is not None:
        if args.json:
            print(json.dumps(summary))
        raise failure
    if anchor_file is not None:
        append_anchor(anchor_file, report)
    print(
        f"audit chain intact: {report.rows:,} rows in {seconds:.1f} s; "
        f"head row {report.head_id} hash {report.head_hash}",
        file=sys.stderr,
    )
    if anchors:
        print(f"all {len(anchors):,} anchored heads still stand", file=sys.stderr)
    return summary


def command_dispose_records(args: argparse.Namespace) -> dict[str, Any]:
    """Report what the retention schedule says is due, and unless --dry-run dispose of it as
    the named administrator: one transaction and one audit record per kind."""
    from data_access import admin, retention

    engine = make_engine()
    check_reachable(engine)
    migrate(engine)
    day = args.date or now_seoul().date()
    started = time.perf_counter()
    with engine.connect() as conn:
        try:
            actor = admin.acting_admin(conn, args.as_user)
        except NotFound as unknown:
            raise NotFound("cli_no_admin", username=args.as_user) from unknown
        report = retention.disposal_report(conn, actor, day).filter("applies")
        for row in report.iter_rows(named=True):
            print(
                f"{row['kind']}: {row['due']:,} due before {row['cutoff']}, {row['held']:,} held"
                + ("" if row["disposable"] else " (kept: never disposed of)"),
                file=sys.stderr,
            )
    disposed: list[retention.Disposal] = []
    if not args.dry_run:
        with engine.connect() as conn:  # the report's read transaction is over: a write one
            disposed = retention.dispose_due(conn, actor, day, kinds=args.kind or None)
    for disposal in disposed:
        print(f"{disposal.kind}: {disposal.rows:,} disposed of", file=sys.stderr)
    return {
        "command": "dispose-records",
        "date": day.isoformat(),
        "dry_run": args.dry_run,
        "due": {row["kind"]: row["due"] for row in report.iter_rows(named=True)},
        "disposed": {disposal.kind: disposal.rows for disposal in disposed},
        "seconds": round(time.perf_counter() - started, 3),
    }


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m jobs", description=__doc__)
    root.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    root.add_argument(
        "--lang",
        choices=sorted(LANGUAGES),
        default=os.environ.get(LANGUAGE_VARIABLE) or DEFAULT_LANGUAGE,
        help=f"language of the error lines (default: ${LANGUAGE_VARIABLE}, else Korean)",
    )
    commands = root.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="bring the database to the newest schema")

    demo_data = commands.add_parser("demo-data", help="fill the database with demo data")
    demo_data.add_argument("--customers", type=positive_int, default=20_000)
    demo_data.add_argument("--seed", type=int, default=7)
    demo_data.add_argument(
        "--as-of",
        type=iso_date,
        default=None,
        help="default: the business date (today in Seoul, or CRM_BUSINESS_DATE)",
    )
    demo_data.add_argument(
        "--usage-days",
        type=positive_int,
        default=usage_job.DEMO_USAGE_DAYS,
        help="days of console usage history",
    )
    demo_data.add_argument(
        "--replace", action="store_true", help="delete what the database holds first"
    )
    demo_data.add_argument(
        "--sole-user",
        action="store_true",
        help="nothing else has the database open (no console running): a faster SQLite load",
    )

    run = commands.add_parser("run", help="run one job by hand")
    run.add_argument("job")
    run.add_argument("--date", type=iso_date, default=None, help="business date, default today")
    run.add_argument("--from", dest="from_date", type=iso_date, help="first date of a backfill")
    run.add_argument("--to", dest="to_date", type=iso_date, help="last date of a backfill")

    commands.add_parser("scheduler", help="run the scheduler process (production)")

    load = commands.add_parser("import", help="check and load a CSV, Parquet or Excel file")
    load.add_argument("kind", help="branches, employees, customers, products, accounts, ...")
    load.add_argument("file")
    load.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    load.add_argument(
        "--good-rows-only", action="store_true", help="load the good rows even if some are bad"
    )
    load.add_argument(
        "--map",
        type=mapping_pair,
        action="append",
        metavar="SRC=DEST",
        help="read the file's column SRC as our column DEST (repeatable)",
    )
    load.add_argument("--as", dest="as_user", default="admin", help="admin user to act as")
    load.add_argument("--errors-csv", help="write the bad rows to this CSV file")

    verify = commands.add_parser(
        "audit-verify", help="check the audit trail's hash chain, end to end"
    )
    verify.add_argument(
        "--anchor",
        metavar="FILE",
        help="JSON-lines file of verified heads kept outside the database: check each still "
        "stands, then append this run's head",
    )
    dispose = commands.add_parser(
        "dispose-records", help="dispose of the records the retention schedule says are due"
    )
    dispose.add_argument("--date", type=iso_date, default=None, help="default today")
    dispose.add_argument(
        "--kind", action="append", help="only this kind of record (repeatable; default all)"
    )
    dispose.add_argument("--dry-run", action="store_true", help="report only, delete nothing")
    dispose.add_argument("--as", dest="as_user", default="admin", help="admin user to act as")
    for sub in commands.choices.values():
        # Accepted after the command too; SUPPRESS keeps them from undoing one given before.
        sub.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
        sub.add_argument("--lang", choices=sorted(LANGUAGES), default=argparse.SUPPRESS)
    return root


COMMANDS = {
    "migrate": command_migrate,
    "demo-data": command_demo_data,
    "run": command_run,
    "scheduler": command_scheduler,
    "import": command_import,
    "audit-verify": command_audit_verify,
    "dispose-records": command_dispose_records,
}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        summary = COMMANDS[args.command](args)
    except DomainError as refusal:
        reason = refusal_sentence(refusal, args.lang)
        print(translate("cli_error", args.lang, reason=reason), file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        cause = exc.orig if isinstance(exc, StatementError) and exc.orig else exc
        detail = str(cause).splitlines()[0]
        reason = translate("cli_database_refused", args.lang, reason=detail)
        print(translate("cli_error", args.lang, reason=reason), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
