"""A new user's first run: the console on an empty database, and `python -m jobs demo-data`,
both leave the same demo in place (rows, usage counts, segment copy, worked agendas, KPIs)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from data_access import kpis
from data_access.core.models import (
    AgendaItem,
    Consultation,
    Customer,
    KpiSnapshot,
    UsageDaily,
)
from data_access.kpis.home import (
    demo_settings,
)
from data_access.segments import segments
from jobs import after_demo, demo
from tests.handmade import EXECUTIVE

CUSTOMERS = 300
USAGE_DAYS = 2
# A pinned Wednesday: the two usage days before it are working days whatever day the suite runs
# (two days before a Monday in Seoul are a weekend, with no usage to count).
BUSINESS_DATE = "2026-11-25"
HISTORY_TIMEOUT_S = 300
REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def empty(databases, tmp_path, monkeypatch) -> Engine:
    monkeypatch.setenv("CRM_ANALYTICS_DIR", str(tmp_path / "analytics"))
    monkeypatch.setenv("CRM_BUSINESS_DATE", BUSINESS_DATE)
    return databases.new("first_run")


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def assert_demo_in_place(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Customer)) == CUSTOMERS
        assert demo_settings(conn).get("demo_data") == "true"
        assert demo_settings(conn).get("demo_as_of") == BUSINESS_DATE
        assert conn.scalar(select(func.count()).select_from(UsageDaily)) > 0
        assert conn.scalar(select(func.count()).select_from(KpiSnapshot)) > 0
        worked = conn.scalar(
            select(func.count()).select_from(AgendaItem).where(AgendaItem.status != "open")
        )
        assert worked > 0
        still_customers = conn.scalar(
            select(func.count()).select_from(Customer).where(Customer.closed_on.is_(None))
        )
        last_contact = dict(
            conn.execute(
                select(Consultation.customer_id, func.max(Consultation.occurred_at)).group_by(
                    Consultation.customer_id
                )
            ).all()
        )
    copy = segments.load_features(engine, EXECUTIVE)  # a firm-wide reader: every customer
    assert copy.frame.height == still_customers
    # The copy is current and holds the worked agenda history's notes.
    assert copy.behind == 0
    shown = copy.frame.select("customer_id", "days_since_contact").drop_nulls()
    assert shown.height > 0
    for customer_id, days in shown.iter_rows():
        assert days == max((copy.as_of - last_contact[customer_id].date()).days, 0)


def test_the_console_fills_an_empty_database_on_its_first_run(empty, monkeypatch):
    monkeypatch.setenv("CRM_DATABASE_URL", url_of(empty))
    monkeypatch.setenv("CRM_DEMO_CUSTOMERS", str(CUSTOMERS))
    monkeypatch.setenv("CRM_DEMO_USAGE_DAYS", str(USAGE_DAYS))
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    at = AppTest.from_file("../app.py", default_timeout=300).run()
    assert not at.exception
    assert [field.label for field in at.text_input][:2] == ["아이디", "비밀번호"]
    # The sign-in form comes with the rows; the history follows in the background.
    assert wait_for_history(empty)
    assert_demo_in_place(empty)


def wait_for_history(engine: Engine) -> bool:
    """Whether the history the console fills in the background was complete within
    HISTORY_TIMEOUT_S."""
    deadline = time.monotonic() + HISTORY_TIMEOUT_S
    while after_demo.history_pending(engine):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    with engine.connect() as conn:
        return kpis.demo_history_next(conn) == kpis.DEMO_HISTORY_DONE


def test_a_console_stopped_during_the_history_resumes_it_where_it_stopped(empty, monkeypatch):
    as_of = dt.date.fromisoformat(BUSINESS_DATE)
    demo.generate(empty, customers=CUSTOMERS, usage_days=USAGE_DAYS, as_of=as_of)
    after_demo.mark_history_pending(empty)

    def stop_at_the_campaigns(step: str, _fraction: float) -> None:
        if step == "campaigns":
            raise KeyboardInterrupt  # the console stopped here

    with pytest.raises(KeyboardInterrupt):
        after_demo.build_history(empty, as_of, progress=stop_at_the_campaigns)
    with empty.connect() as conn:
        assert kpis.demo_history_next(conn) == "campaigns"
        worked_days = conn.scalar(select(func.count(func.distinct(AgendaItem.business_date))))
    monkeypatch.setenv("CRM_DATABASE_URL", url_of(empty))
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    at = AppTest.from_file("../app.py", default_timeout=300).run()
    assert not at.exception
    assert wait_for_history(empty)
    assert_demo_in_place(empty)
    with empty.connect() as conn:  # the steps before the stop were kept, not run again
        days = conn.scalar(select(func.count(func.distinct(AgendaItem.business_date))))
        assert days == worked_days == after_demo.DEMO_AGENDA_DAYS


def test_the_demo_data_command_builds_the_same_demo(empty):
    command = [
        "demo-data", "--customers", str(CUSTOMERS), "--usage-days", str(USAGE_DAYS), "--sole-user",
    ]  # fmt: skip
    finished = subprocess.run(
        [sys.executable, "-m", "jobs", "--json", *command],
        cwd=REPO_ROOT,
        env={**os.environ, "CRM_DATABASE_URL": url_of(empty)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    summary = json.loads(finished.stdout.strip().splitlines()[-1])
    assert summary["customers"] == CUSTOMERS
    assert summary["as_of"] == BUSINESS_DATE
    assert summary["agenda"]["worked"] > 0
    assert_demo_in_place(empty)
