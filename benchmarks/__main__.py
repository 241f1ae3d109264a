"""`python -m benchmarks [--scale small|full] [--database-url URL] [--json FILE]`.

Builds (or reuses, when its fingerprint matches) a demo database at the chosen scale, then times
each capability against its rivals (a naive pandas app and a strong one, see harness.Task) and
every page of every role (page_tasks), and prints two tables.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete

from benchmarks import page_tasks, tasks
from benchmarks.harness import TaskResult, format_table, measure, memory_bandwidth_bytes_per_s
from data_access.core.db import (
    PROJECT_ROOT,
    check_reachable,
    make_engine,
    unit_of_work,
)
from data_access.core.models import (
    Setting,
)
from data_access.core.schema import (
    holds_customers,
    migrate,
)
from data_access.kpis.home import (
    demo_settings,
)
from jobs import demo


@dataclass(frozen=True, slots=True)
class Scale:
    customers: int
    usage_days: int
    runs: int
    # A full-scale naive pandas rival takes up to minutes a call: its timed runs are capped
    # (None: as many as the others).
    naive_runs: int | None
    page_runs: int


SCALES = {
    "small": Scale(customers=20_000, usage_days=28, runs=20, naive_runs=None, page_runs=3),
    "full": Scale(customers=2_600_000, usage_days=365, runs=30, naive_runs=2, page_runs=5),
}
SEED = 7
SOURCE_SUFFIXES = (".py", ".csv", ".toml")
AS_OF = tasks.AS_OF


def fingerprint(scale: Scale) -> str:
    """Changes whenever the generated rows would differ: size, seed, date or generator.

    The schema is not part of it: `prepare_database` migrates a reused database forward, so a
    new table does not cost a full-scale rebuild (some twenty minutes).
    """
    parts = [str(scale.customers), str(scale.usage_days), str(SEED), AS_OF.isoformat()]
    package = Path(demo.__file__).parent  # the generator and its reference data
    parts += [
        path.read_text() for path in sorted(package.rglob("*")) if path.suffix in SOURCE_SUFFIXES
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def prepare_database(engine: Engine, scale: Scale) -> float:
    """Seconds spent generating; the stored figure when the database is reused."""
    migrate(engine)
    wanted = fingerprint(scale)
    with engine.connect() as conn:
        stored = demo_settings(conn)
    if stored.get("benchmark_fingerprint") == wanted and holds_customers(engine):
        print(f"reusing database with fingerprint {wanted}", file=sys.stderr)
        return float(stored.get("benchmark_generation_s", "nan"))

    def progress(label: str, fraction: float) -> None:
        print(f"[{fraction:6.1%}] {label}", file=sys.stderr, flush=True)

    summary = demo.generate(
        engine,
        customers=scale.customers,
        seed=SEED,
        as_of=AS_OF,
        usage_days=scale.usage_days,
        replace=True,
        progress=progress,
        sole_user=True,  # the harness's own database: SQLite may skip its write-ahead log
    )
    with engine.connect() as conn, unit_of_work(conn) as session:
        keys = ("benchmark_fingerprint", "benchmark_generation_s")
        session.execute(delete(Setting).where(Setting.key.in_(keys)))
        session.add(Setting(key="benchmark_fingerprint", value=wanted))
        session.add(Setting(key="benchmark_generation_s", value=f"{summary.seconds:.1f}"))
    return summary.seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--database-url", help="default: data/bench-<scale>.db (SQLite)")
    parser.add_argument("--json", type=Path, help="write the results as one JSON object here")
    parser.add_argument("--only", nargs="*", help="measure only these tasks ('pages': the pages)")
    args = parser.parse_args(argv)

    scale = SCALES[args.scale]
    url = args.database_url or f"sqlite:///{PROJECT_ROOT / 'data' / f'bench-{args.scale}.db'}"
    engine = make_engine(url)
    check_reachable(engine)
    generation_s = prepare_database(engine, scale)
    os.environ["CRM_DATABASE_URL"] = url  # the AppTest page runs open the same database
    # Their in-process scheduler would catch up on the day's jobs mid-run and compete with the
    # measured tasks for the database (seen: "database is locked" in a catch-up).
    os.environ["CRM_IN_PROCESS_SCHEDULER"] = "0"
    # The pages show the demo's own day (its agenda, its last usage and KPI days).
    os.environ["CRM_BUSINESS_DATE"] = AS_OF.isoformat()

    bandwidth = memory_bandwidth_bytes_per_s()
    print(f"memory read bandwidth: {bandwidth / 1e9:.1f} GB/s", file=sys.stderr)
    results: list[TaskResult] = []
    pages: list[page_tasks.PageResult] = []

    def write_report() -> None:
        """After every task, so a run stopped part-way (a time budget) keeps what it measured."""
        if not args.json:
            return
        report = {
            "scale": args.scale,
            "database": engine.dialect.name,
            "customers": scale.customers,
            "generation_s": generation_s,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "tasks": [r.as_json() for r in results],
            "pages": [p.as_json() for p in pages],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))

    for task in tasks.build(engine):
        if args.only and task.name not in args.only:
            continue
        started = time.perf_counter()
        result = measure(task, runs=scale.runs, naive_runs=scale.naive_runs, bandwidth=bandwidth)
        results.append(result)
        write_report()
        print(
            f"  {task.name}: {time.perf_counter() - started:.1f} s "
            f"(ours {result.median_ms:,.1f} ms, strong {result.strong_median_ms} ms, "
            f"naive {result.naive_median_ms} ms)",
            file=sys.stderr,
        )
    if not args.only or "pages" in args.only:  # last: their interactions write (audit, usage)
        pages = page_tasks.measure_pages(
            engine,
            runs=scale.page_runs,
            progress=lambda name: print(f"  page {name}", file=sys.stderr, flush=True),
        )
        write_report()

    print(format_table(results))
    if pages:
        print(f"\n{page_tasks.format_pages(pages)}")
    wrong = [f"{r.task} ({', '.join(r.differs)})" for r in results if r.differs]
    if wrong:
        print(f"error: a rival answered differently in {', '.join(wrong)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
