"""A firm's deployment, for real (issue #21): two `streamlit run` console replicas and one
`python -m jobs scheduler` on one throw-away PostgreSQL database, both consoles reading the
analytical copy from one shared folder (CRM_ANALYTICS_DIR), as README "Deploying for a firm"
describes.

Proved here: the scheduler builds the day's agenda once however often its job fires (one
succeeded run in the ledger, the items not doubled); a note written through one replica shows
on the other at once (both driven by Chromium: what is proved is that neither server process
keeps customer data of its own, which a reader in this test process could not show); the
segment copy is built once, by the scheduler, and both replicas read that one build.

Needs PostgreSQL: skipped without CRM_TEST_POSTGRES_URL (CI sets it, and tests/conftest.py
fails the run when the server it names does not answer).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, func, select

from data_access.core import job_runs
from data_access.core.models import (
    AgendaItem,
    Consultation,
    Customer,
    JobRun,
    User,
)
from data_access.core.security import (
    SignedInUser,
    authenticate,
)
from data_access.segments import segments
from jobs import demo, scheduler
from tests.conftest import POSTGRES_URL, ThrowAwayDatabases
from tests.e2e.conftest import (
    ARTIFACTS,
    BUSINESS_DATE,
    REPO_ROOT,
    SCREENSHOTS,
    SERVER_STOP_TIMEOUT_S,
    streamlit_server,
    wait_until_idle,
)
from ui.messages import translate

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL: set CRM_TEST_POSTGRES_URL"
)

CUSTOMERS = 1_000
JOB_WAIT_S = 60
POLL_S = 0.5
AGENDA, FEATURES = "agenda", segments.FEATURES_JOB


def korean(key: str) -> str:
    return translate(key, "ko")


@pytest.fixture(scope="module")
def firm_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A throw-away PostgreSQL database holding a small demo as of BUSINESS_DATE's morning:
    no agenda and no segment copy yet, as before the first scheduled runs of a new firm."""
    databases = ThrowAwayDatabases("postgresql", str(tmp_path_factory.mktemp("replicas")))
    try:
        engine = databases.new("replicas")
        demo.generate(engine, customers=CUSTOMERS, usage_days=2, as_of=BUSINESS_DATE)
        # The schedules are in the shared job store before any process starts, as an admin's
        # first look at the jobs page leaves them.
        scheduler.scheduled_jobs(engine, admin_of(engine))
        yield engine
    finally:
        databases.drop_all()


def database_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def admin_of(engine: Engine) -> SignedInUser:
    with engine.connect() as conn:
        admin = authenticate(conn, "admin", demo.DEMO_PASSWORD)
        conn.commit()
    return admin


def fire_now(engine: Engine, *jobs: str) -> None:
    """Make the jobs due now in the shared job store, as their 05:00 and 06:00 would (the
    consoles' jobs page moves schedules the same way, from another process)."""
    with scheduler.control(engine) as control:
        for job in jobs:
            control.modify_job(
                job, jobstore="default", next_run_time=dt.datetime.now(scheduler.SEOUL)
            )


def has_fired(engine: Engine, job: str) -> bool:
    """Whether the scheduler has taken the job's due run (its next run is in the future)."""
    with scheduler.control(engine) as control:
        next_run = control.get_job(job, jobstore="default").next_run_time
    return next_run is not None and next_run > dt.datetime.now(scheduler.SEOUL)


def runs_of(engine: Engine, job: str) -> list[tuple[str, int | None]]:
    with engine.connect() as conn:
        return conn.execute(
            select(JobRun.status, JobRun.rows).where(
                JobRun.job == job, JobRun.business_date == BUSINESS_DATE
            )
        ).all()


@dataclass(frozen=True, slots=True)
class SchedulerProcess:
    process: subprocess.Popen[bytes]
    log: Path

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + JOB_WAIT_S
        while not condition():
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])
                pytest.fail(f"{what}; scheduler log:\n{tail}", pytrace=False)
            time.sleep(POLL_S)


@pytest.fixture(scope="module")
def analytics_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shared-analytics")


@pytest.fixture(scope="module")
def scheduler_process(firm_database: Engine, analytics_dir: Path) -> Iterator[SchedulerProcess]:
    """`python -m jobs scheduler`, the only process that runs jobs, pinned like the consoles."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / "replicas-scheduler.log"
    env = {
        **os.environ,
        "CRM_DATABASE_URL": database_url(firm_database),
        "CRM_BUSINESS_DATE": BUSINESS_DATE.isoformat(),
        "CRM_ANALYTICS_DIR": str(analytics_dir),
        "PYTHONUNBUFFERED": "1",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "jobs", "scheduler"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        started = SchedulerProcess(process, log_path)
        # Jobs fired before the scheduler has stored its schedules would be reset by them.
        started.wait_for(
            lambda: "scheduler started for" in log_path.read_text(errors="replace"),
            "the scheduler did not start",
        )
        yield started
    finally:
        process.terminate()  # SIGTERM: the scheduler shuts down as a service manager asks
        try:
            process.wait(timeout=SERVER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def replicas(firm_database: Engine, analytics_dir: Path) -> Iterator[tuple[str, str]]:
    """Two console replicas over the same database and copy folder, with no scheduler of
    their own (CRM_IN_PROCESS_SCHEDULER=0), as behind a load balancer."""
    settings = {"CRM_IN_PROCESS_SCHEDULER": "0", "CRM_ANALYTICS_DIR": str(analytics_dir)}
    url = database_url(firm_database)
    with (
        streamlit_server(url, ARTIFACTS / "replica-a.log", **settings) as first,
        streamlit_server(url, ARTIFACTS / "replica-b.log", **settings) as second,
    ):
        yield first, second


def open_as(browser: Browser, base_url: str, username: str, path: str = "") -> Page:
    """A tab of its own (own cookies, own Streamlit session) signed in on one replica."""
    page = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul").new_page()
    # A server process's very first session runs in Streamlit's legacy page mode (see
    # ui/navigation.py): open the root first so the deep link below is known.
    page.goto(base_url)
    wait_until_idle(page)
    page.goto(f"{base_url}/{path}")
    page.get_by_label("아이디", exact=True).fill(username)
    page.get_by_label("비밀번호", exact=True).fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="로그인", exact=True).click()
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name="로그아웃")).to_be_visible()
    wait_until_idle(page)
    return page


def reps_own_customer(engine: Engine) -> str:
    with engine.connect() as conn:
        rep = select(User.employee_id).where(User.username == "rep").scalar_subquery()
        return conn.execute(
            select(Customer.customer_no)
            .where(Customer.manager_id == rep)
            .order_by(Customer.id)
            .limit(1)
        ).scalar_one()


def test_two_replicas_one_scheduler_one_database(
    browser: Browser,
    firm_database: Engine,
    analytics_dir: Path,
    scheduler_process: SchedulerProcess,
    replicas: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    replica_a, replica_b = replicas
    monkeypatch.setenv(segments.ANALYTICS_DIR_ENV, str(analytics_dir))  # read it as they do

    # The morning: the scheduler's agenda and copy jobs come due, and it builds both once.
    fire_now(firm_database, AGENDA, FEATURES)
    scheduler_process.wait_for(
        lambda: (
            [status for status, _ in runs_of(firm_database, AGENDA)] == [job_runs.SUCCEEDED]
            and [status for status, _ in runs_of(firm_database, FEATURES)] == [job_runs.SUCCEEDED]
        ),
        "the scheduler did not build the agenda and the segment copy",
    )
    [(_, agenda_rows)] = runs_of(firm_database, AGENDA)
    copy_folder = segments.analytics_folder(firm_database)
    assert copy_folder.parent == analytics_dir
    meta_path = copy_folder / segments.FEATURES_META
    built = json.loads(meta_path.read_text())
    stamp = meta_path.stat().st_mtime_ns

    # The job fires again (a retry, a second scheduler started by mistake): nothing is redone.
    fire_now(firm_database, AGENDA, FEATURES)
    scheduler_process.wait_for(
        lambda: has_fired(firm_database, AGENDA) and has_fired(firm_database, FEATURES),
        "the scheduler did not take the second firing",
    )
    time.sleep(2)  # a run the second firing started would have written its ledger row by now
    assert runs_of(firm_database, AGENDA) == [(job_runs.SUCCEEDED, agenda_rows)]
    assert [status for status, _ in runs_of(firm_database, FEATURES)] == [job_runs.SUCCEEDED]
    with firm_database.connect() as conn:
        items = conn.execute(
            select(func.count(), func.count(func.distinct(AgendaItem.customer_id)))
            .select_from(AgendaItem)
            .where(AgendaItem.business_date == BUSINESS_DATE)
        ).one()
    assert agenda_rows and items[0] == agenda_rows

    # A rep has the customer open on replica B; the same rep writes a note on replica A.
    customer = reps_own_customer(firm_database)
    reader = open_as(browser, replica_b, "rep", f"customer?customer={customer}")
    writer = open_as(browser, replica_a, "rep", f"customer?customer={customer}")
    note = f"replica note {uuid.uuid4().hex[:8]}"
    writer.get_by_role("tab", name=korean("tab_consultations"), exact=True).click()
    writer.get_by_label(korean("note_text")).fill(note)
    writer.get_by_role("button", name=korean("note_save")).click()
    expect(writer.get_by_text(korean("note_saved"))).to_be_visible()
    with firm_database.connect() as conn:
        note_id = conn.execute(
            select(Consultation.id).where(Consultation.note == note)
        ).scalar_one()

    # Replica B's next run (the rep looks the customer up again, in the same tab) lists the
    # new note: its number is among those a correction may point at.
    search = reader.get_by_label(korean("customer_search"))
    search.fill(customer)
    search.press("Enter")
    wait_until_idle(reader)
    expect(reader.get_by_test_id("stCaptionContainer").filter(has_text=customer)).not_to_have_count(
        0
    )
    reader.get_by_role("tab", name=korean("tab_consultations"), exact=True).click()
    wait_until_idle(reader)
    corrects = reader.get_by_test_id("stSelectbox").filter(has_text=korean("note_correct_target"))
    corrects.get_by_role("combobox").click()
    reader.keyboard.press("ArrowDown")  # a box with a placeholder only takes focus on a click
    expect(reader.get_by_role("option", name=f"#{note_id}", exact=True)).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    reader.screenshot(path=SCREENSHOTS / "replicas_note_from_a_listed_on_b.png")

    # Both replicas show the scheduler's one build of the copy; the note made it one change
    # behind, and neither console rebuilt it (the scheduler's next run will).
    built_at = dt.datetime.fromisoformat(built["built_at"]).strftime("%Y-%m-%d %H:%M")
    for base_url in (replica_a, replica_b):
        executive = open_as(browser, base_url, "exec", "segments")
        expect(executive.get_by_text(built_at, exact=False).first).to_be_visible()
        executive.context.close()
    assert meta_path.stat().st_mtime_ns == stamp
    assert json.loads(meta_path.read_text()) == built
    assert segments.features_behind(firm_database) == 1
    assert sorted(path.name for path in analytics_dir.iterdir()) == [copy_folder.name]
    assert [status for status, _ in runs_of(firm_database, FEATURES)] == [job_runs.SUCCEEDED]
    for page in (reader, writer):
        expect(page.get_by_test_id("stException")).to_have_count(0)
        page.context.close()
