"""The same number agrees wherever it is shown (#19): each role's pages on one day, compared.

The database holds tests/handmade.py and tests/kpi_data.py, whose texts count every figure,
plus what tells the definitions apart:
- account A31 of customer 3 (home branch 102), booked at branch 101 for 4,000,000 won with
  no transaction: an account's AUM belongs to its booking branch, so on D = 2026-03-10 branch
  101 holds 17,000,000 + 4,000,000 = 21,000,000 and the firm 31,000,000;
- a KPI snapshot of TODAY (2026-03-11) itself, as an admin's "run now" in the morning would
  leave it: a day that has not ended, which no page may show as a result;
- the usage aggregates, which the usage page reads and the KPI counts from the same events.
The console opens on TODAY, so every figure below is for D, the business day before.
"""

import datetime as dt
from collections.abc import Iterator

import polars as pl
import pytest
import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from data_access import kpis
from data_access.core.db import (
    bulk_insert,
)
from data_access.core.models import (
    Account,
)
from data_access.usage import usage
from jobs import kpis as kpis_job
from tests import handmade, kpi_data
from tests.handmade import EXECUTIVE, KIM, MANAGER_101, PASSWORD
from tests.test_app import TIMEOUT_S, sign_in

D = kpi_data.DAY
TODAY = D + dt.timedelta(days=1)
D_WRITTEN = "2026년 3월 10일"
EXECUTIVE_PAGE = "pages/executive_page.py"
AGENDA_PAGE = "pages/branch_agenda_page.py"
USAGE_PAGE = "pages/usage_page.py"
TRAINING_PAGE = "pages/training_page.py"
CAMPAIGNS_PAGE = "pages/campaigns_page.py"
CAMPAIGN_STARTED_ON_D = 92  # the only campaign started on D (tests/kpi_data.py)

ACCOUNT_BOOKED_ELSEWHERE = pl.DataFrame(
    {
        "id": [31],
        "account_no": ["A31"],
        "customer_id": [3],
        "product_id": [1],
        "branch_id": [1],
        "opened_on": [dt.date(2026, 1, 5)],
        "maturity_date": [None],
        "closed_on": [None],
        "principal_krw": [4_000_000],
        "market_value_krw": [4_000_000],
    },
    schema_overrides={"maturity_date": pl.Date, "closed_on": pl.Date},
)


@pytest.fixture(scope="module")
def agreement_db(databases) -> Engine:
    engine = databases.new("agreement")
    with engine.begin() as conn:
        handmade.load(conn)
        kpi_data.load(conn)
        bulk_insert(conn, Account.__table__, ACCOUNT_BOOKED_ELSEWHERE)
        usage.aggregate_all(conn)
    kpis_job.run_range(engine, D - dt.timedelta(days=35), TODAY)
    return engine


@pytest.fixture
def console(agreement_db, monkeypatch) -> Iterator[AppTest]:
    monkeypatch.setenv("CRM_DATABASE_URL", agreement_db.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CRM_BUSINESS_DATE", TODAY.isoformat())
    monkeypatch.setenv("CRM_IN_PROCESS_SCHEDULER", "0")
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    at.run()
    assert not at.exception
    yield at
    st.cache_data.clear()


def shown(at: AppTest) -> dict[str, list[str]]:
    """Every metric on the page: label -> the values shown under it (a label may repeat)."""
    figures: dict[str, list[str]] = {}
    for metric in at.metric:
        figures.setdefault(metric.label, []).append(metric.value)
    return figures


def one(figures: dict[str, list[str]], label: str) -> str:
    """The value shown under `label`, which must be shown, and alike wherever it is."""
    values = figures.get(label, [])
    assert values, f"{label} is not shown"
    assert len(set(values)) == 1, f"{label} reads {values} on one page"
    return values[0]


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception
    assert not at.error
    return at


def executive_day_tiles(at: AppTest) -> dict[str, list[str]]:
    """The executive page's tiles for D alone (the period "day")."""
    open_page(at, EXECUTIVE_PAGE)
    captions = " ".join(caption.value for caption in at.caption)
    assert f"마지막 스냅샷 {D_WRITTEN}" in captions
    at.segmented_control(key="kpi_period").set_value("day").run()
    assert not at.exception
    return shown(at)


def campaign_contacted(at: AppTest, campaign_id: int) -> str:
    open_page(at, CAMPAIGNS_PAGE)
    at.selectbox(key="camp_pick").set_value(campaign_id).run()
    assert not at.exception
    return one(shown(at), "발송·통화 대상")


def home_kpi_table(at: AppTest) -> dict[str, str]:
    """A branch manager's home KPI table: KPI label -> the branch's value."""
    table = next(
        element.value for element in at.dataframe if "전사 중앙값" in element.value.columns
    )
    return dict(zip(table["지표"], table["값"], strict=True))


def test_executive_pages_agree_on_d(console):
    at = console
    sign_in(at, "exec", PASSWORD)
    assert not at.exception
    home = shown(at)
    assert D_WRITTEN in " ".join(caption.value for caption in at.caption)
    # By hand (tests/kpi_data.py and A31): AUM and net flows of D, not of the morning of TODAY.
    assert one(home, "수탁고(AUM)") == "₩31,000,000"
    assert one(home, "순유입") == "₩2,500,000"
    # Customers open now are the active customers of D: nobody joined or left since.
    assert one(home, "고객 수") == one(home, "활동 고객")
    # The training section and the KPI tile: one completion, 4 of 5 due enrolments.
    assert one(home, "교육 이수율") == "80.0%"

    tiles = executive_day_tiles(at)
    for label, values in home.items():
        if label in tiles:
            assert one(tiles, label) == values[0], label

    open_page(at, AGENDA_PAGE)
    assert one(shown(at), "아젠다 완료율(30일)") == one(tiles, "아젠다 완료율(30일)") == "40.0%"

    open_page(at, USAGE_PAGE)
    assert one(shown(at), "1인 1일 사용") == one(tiles, "직원 1인 1일 사용") == "2.50"

    # Campaign 92 mailed customers 1 (101) and 3 (102) on D.
    assert campaign_contacted(at, CAMPAIGN_STARTED_ON_D) == one(tiles, "DM·TM 발송") == "2"


def test_branch_manager_pages_agree_on_d(console):
    at = console
    sign_in(at, "manager", PASSWORD)
    assert not at.exception
    home = shown(at)
    table = home_kpi_table(at)
    # Any other AUM on the home page reads as the KPI table's.
    assert set(home.get("수탁고(AUM)", [])) <= {table["수탁고(AUM)"]}
    assert one(home, "교육 이수율") == table["교육 이수율"] == "75.0%"
    assert D_WRITTEN in " ".join(caption.value for caption in at.caption)
    # A31 is booked at 101 though its customer's home is 102.
    assert table["수탁고(AUM)"] == "₩21,000,000"

    tiles = executive_day_tiles(at)
    for label, value in table.items():
        assert one(tiles, label) == value, label

    open_page(at, AGENDA_PAGE)
    assert one(shown(at), "아젠다 완료율(30일)") == table["아젠다 완료율(30일)"] == "50.0%"

    open_page(at, USAGE_PAGE)
    assert one(shown(at), "1인 1일 사용") == table["직원 1인 1일 사용"] == "2.00"

    assert campaign_contacted(at, CAMPAIGN_STARTED_ON_D) == table["DM·TM 발송"] == "1"


def test_trainer_home_and_training_page_agree_with_the_kpi(console):
    at = console
    sign_in(at, "trainer", PASSWORD)
    assert not at.exception
    home = shown(at)
    open_page(at, TRAINING_PAGE)
    page = shown(at)
    for label in ("교육 이수율", "수료", "만료된 인증", "90일 내 만료"):
        assert one(page, label) == one(home, label), label
    # Kim's certificate ends 2026-04-01, 21 days on; Park's ended 2026-01-07.
    assert (one(home, "90일 내 만료"), one(home, "만료된 인증")) == ("1", "1")
    assert one(home, "교육 이수율") == "80.0%"  # the firm's KPI tile above, the same 4 of 5


def test_no_page_shows_the_snapshot_of_today(console):
    at = console
    sign_in(at, "admin", PASSWORD)
    tiles = executive_day_tiles(at)
    # TODAY's morning snapshot holds the deposit of 03-11 (1,000,000); D holds 2,500,000.
    assert one(tiles, "순유입") == "₩2,500,000"


def test_a_branch_or_the_firm_reads_its_stock_from_the_snapshot_a_book_counts_it(agreement_db):
    """The home page never counts millions of customers and accounts live: a branch's and the
    firm's customers and AUM are D's snapshot figures, the ones the KPI pages show."""
    with agreement_db.connect() as conn:
        firm = kpis.scope_summary(conn, EXECUTIVE, as_of=TODAY)
        branch = kpis.scope_summary(conn, MANAGER_101, as_of=TODAY)
        book = kpis.scope_summary(conn, KIM, as_of=TODAY)
        values = kpis.history(conn, EXECUTIVE, D, D).filter(pl.col("kpi") == "active_customers")
    assert (firm.stock_day, firm.aum_krw, firm.open_accounts) == (D, 31_000_000, None)
    assert firm.customers == values["value"].item()
    assert (branch.stock_day, branch.aum_krw) == (D, 21_000_000)
    assert book.stock_day is None and book.open_accounts is not None  # Kim's book, counted now
