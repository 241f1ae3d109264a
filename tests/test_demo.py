"""The demo-data generator keeps the spec's shape, its foreign keys, its dates and its seed.

Sizes are small so the file runs in seconds; bounds come from the spec (84 branches, 12 staff per
branch, ~2% VIP, ~2% proxy transactions ...), never from a run of the generator.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, func, select, text

from data_access.core.db import (
    make_engine,
    read_frame,
)
from data_access.core.errors import (
    Refused,
)
from data_access.core.models import (
    Account,
    AgendaItem,
    Alert,
    Base,
    Branch,
    BranchTransfer,
    Consultation,
    Customer,
    Employee,
    LifeEvent,
    Role,
    Setting,
    Transaction,
    UsageEvent,
    User,
)
from data_access.core.schema import (
    migrate,
)
from data_access.core.security import (
    authenticate,
)
from data_access.segments.segments import (
    features_version,
)
from jobs import after_demo
from jobs.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoSummary, generate

CUSTOMERS = 600
SEED = 11
# A Monday. The four calendar days before it are Thu 29 Feb 2024, Fri 1 Mar (Independence
# Movement Day, a public holiday) and a weekend: one working day.
AS_OF = dt.date(2024, 3, 4)
USAGE_DAYS = 4
WORKING_DAYS_BEFORE_AS_OF = {dt.date(2024, 2, 29)}

CUSTOMER_SCHEMA = {"birth_date": pl.Date, "opened_on": pl.Date, "closed_on": pl.Date}
ACCOUNT_SCHEMA = {"opened_on": pl.Date, "maturity_date": pl.Date, "closed_on": pl.Date}


@dataclass(frozen=True, slots=True)
class DemoRun:
    engine: Engine
    summary: DemoSummary
    progress: list[tuple[str, float]]


@pytest.fixture(scope="module")
def demo(databases) -> DemoRun:
    """One generated database shared by this module's tests, which only read it and sign in."""
    engine = databases.new("demo")
    calls: list[tuple[str, float]] = []
    summary = generate(
        engine,
        customers=CUSTOMERS,
        seed=SEED,
        as_of=AS_OF,
        usage_days=USAGE_DAYS,
        progress=lambda label, fraction: calls.append((label, fraction)),
    )
    return DemoRun(engine, summary, calls)


def count(engine: Engine, table: type[Base]) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def customers_and_accounts(engine: Engine) -> tuple[pl.DataFrame, pl.DataFrame]:
    with engine.connect() as conn:
        customers = read_frame(
            conn, select(Customer.__table__).order_by(Customer.id), CUSTOMER_SCHEMA
        )
        accounts = read_frame(conn, select(Account.__table__).order_by(Account.id), ACCOUNT_SCHEMA)
    return customers, accounts


def test_summary_and_settings_describe_the_run(demo):
    assert demo.summary.customers == CUSTOMERS
    assert demo.summary.seed == SEED
    assert demo.summary.as_of == AS_OF
    assert demo.summary.database_bytes > 0
    assert demo.summary.rows["customers"] == count(demo.engine, Customer)
    assert demo.summary.rows["audit_log"] == 0
    with demo.engine.connect() as conn:
        settings = dict(conn.execute(select(Setting.key, Setting.value)).all())
    assert settings == {
        "demo_data": "true",
        "demo_seed": str(SEED),
        "demo_as_of": "2024-03-04",
        "demo_customers": str(CUSTOMERS),
    }


def test_the_load_is_settled_for_queries(demo):
    """SQLite: the one big transaction is moved out of the write-ahead log, which would keep
    the data's size on disk (16 GB at full scale) for later commits to copy back. PostgreSQL:
    the loaded tables have planner statistics, which autovacuum may never gather."""
    if demo.engine.dialect.name == "postgresql":
        with demo.engine.connect() as conn:
            analysed = conn.scalars(
                text("SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = 'public'")
            ).all()
        assert {"customers", "accounts", "transactions", "usage_events"} <= set(analysed)
        return
    database = Path(demo.engine.url.database)
    log = database.with_name(database.name + "-wal")
    assert database.stat().st_size > 1_000_000
    # Tests that sign in may have committed a few pages since.
    assert not log.exists() or log.stat().st_size < database.stat().st_size / 20


def test_progress_rises_to_one_and_names_tables(demo):
    fractions = [fraction for _, fraction in demo.progress]
    assert fractions == sorted(fractions)
    assert fractions[0] >= 0 and fractions[-1] == 1.0
    labels = {label for label, _ in demo.progress}
    assert {"customers", "accounts", "transactions", "usage_events"} <= labels


def test_row_counts_follow_the_spec(demo):
    rows = demo.summary.rows
    # 600 customers is far below one branch's ~31,000: the floor of four branches of 12, plus
    # head office (3 executives, 4 trainers, 2 admins, 2 compliance officers).
    assert rows["branches"] == 4
    assert rows["employees"] == 4 * 12 + 3 + 4 + 2 + 2 == 59
    assert rows["users"] == rows["employees"]
    assert rows["customers"] == CUSTOMERS
    assert 30 <= rows["products"] <= 50
    assert 1.6 <= rows["accounts"] / CUSTOMERS <= 2.2
    assert 3.0 <= rows["transactions"] / rows["accounts"] <= 5.0
    assert 1.0 <= rows["consultations"] / CUSTOMERS <= 2.0
    assert 0.01 <= rows["branch_transfers"] / CUSTOMERS <= 0.08
    assert rows["alerts"] > 0
    assert 8 <= rows["training_courses"] <= 12
    assert rows["enrolments"] > rows["employees"]


def test_every_branch_has_one_manager_four_dedicated_managers_and_seven_reps(demo):
    with demo.engine.connect() as conn:
        staff = conn.execute(
            select(Employee.branch_id, Employee.role, func.count()).group_by(
                Employee.branch_id, Employee.role
            )
        ).all()
        codes = conn.scalars(select(Branch.code).order_by(Branch.code)).all()
        regions = Counter(conn.scalars(select(Branch.region)).all())
    per_branch = {(branch, role): n for branch, role, n in staff if branch is not None}
    for branch_id in range(1, 5):
        assert per_branch[(branch_id, Role.BRANCH_MANAGER)] == 1
        assert per_branch[(branch_id, Role.DEDICATED_MANAGER)] == 4
        assert per_branch[(branch_id, Role.SALES_REP)] == 7
    head_office = {role: n for branch, role, n in staff if branch is None}
    assert head_office == {Role.EXECUTIVE: 3, Role.TRAINER: 4, Role.ADMIN: 2, Role.COMPLIANCE: 2}
    assert codes == ["101", "102", "103", "104"]
    # Gangnam first, the others spread evenly over the 84 sites: Bundang, Daegu, Jeju.
    assert regions == {"서울": 1, "경기": 1, "대구": 1, "제주": 1}


def test_customers_are_looked_after_in_their_home_branch(demo):
    manager = select(
        Customer.tier, Customer.home_branch_id, Employee.branch_id, Employee.role,
        Employee.is_active,
    ).join(Employee, Employee.id == Customer.manager_id)  # fmt: skip
    with demo.engine.connect() as conn:
        rows = conn.execute(manager).all()
    assert len(rows) == CUSTOMERS
    for tier, home_branch, manager_branch, role, active in rows:
        assert manager_branch == home_branch
        assert active
        # The best customers fill the dedicated books (at most half a branch this small);
        # VIPs always find room there.
        assert role in (Role.SALES_REP, Role.DEDICATED_MANAGER)
        if tier == "vip":
            assert role == Role.DEDICATED_MANAGER


def test_foreign_keys_hold(demo):
    with demo.engine.connect() as conn:
        orphan_accounts = conn.execute(
            select(func.count())
            .select_from(Account)
            .outerjoin(Customer, Customer.id == Account.customer_id)
            .where(Customer.id.is_(None))
        ).scalar_one()
        mismatched_customers = conn.execute(
            select(func.count())
            .select_from(Transaction)
            .join(Account, Account.id == Transaction.account_id)
            .where(Account.customer_id != Transaction.customer_id)
        ).scalar_one()
        note_branches = conn.execute(
            select(func.count())
            .select_from(Consultation)
            .join(Employee, Employee.id == Consultation.employee_id)
            .where(Employee.branch_id != Consultation.branch_id)
        ).scalar_one()
        corrected = conn.execute(
            select(func.count())
            .select_from(Consultation)
            .where(Consultation.corrects_id.is_not(None))
        ).scalar_one()
    assert orphan_accounts == 0
    assert mismatched_customers == 0
    assert note_branches == 0
    assert corrected < count(demo.engine, Consultation) * 0.05


def test_transfers_end_at_the_current_home_branch(demo):
    with demo.engine.connect() as conn:
        transfers = conn.execute(
            select(
                BranchTransfer.customer_id,
                BranchTransfer.from_branch_id,
                BranchTransfer.to_branch_id,
                BranchTransfer.transferred_on,
            ).order_by(BranchTransfer.customer_id, BranchTransfer.transferred_on)
        ).all()
        home = dict(conn.execute(select(Customer.id, Customer.home_branch_id)).all())
    by_customer: dict[int, list] = {}
    for transfer in transfers:
        by_customer.setdefault(transfer.customer_id, []).append(transfer)
    assert by_customer
    for customer_id, moves in by_customer.items():
        assert 1 <= len(moves) <= 2
        assert moves[-1].to_branch_id == home[customer_id]
        assert all(move.from_branch_id != move.to_branch_id for move in moves)
        assert all(a.to_branch_id == b.from_branch_id for a, b in pairwise(moves))


def test_nothing_happens_on_or_after_as_of(demo):
    start_of_as_of = dt.datetime.combine(AS_OF, dt.time())
    three_years_back = dt.datetime(2021, 3, 4)
    with demo.engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(Transaction.occurred_at), func.max(Transaction.occurred_at))
        ).one()
        last_note = conn.scalar(select(func.max(Consultation.occurred_at)))
        last_opening = conn.scalar(select(func.max(Customer.opened_on)))
        last_account = conn.scalar(select(func.max(Account.opened_on)))
    assert three_years_back <= first and last < start_of_as_of
    assert last_note < start_of_as_of
    assert last_opening < AS_OF and last_account < AS_OF


def test_transactions_are_booked_in_business_hours_on_weekdays(demo):
    with demo.engine.connect() as conn:
        booked = read_frame(
            conn,
            select(Transaction.occurred_at, Transaction.channel, Transaction.branch_id),
            {"occurred_at": pl.Datetime("us")},
        )
    hours = booked["occurred_at"].dt.hour()
    assert hours.min() >= 9 and hours.max() < 16
    assert booked["occurred_at"].dt.weekday().max() <= 5  # Monday 1 .. Friday 5
    online = booked.filter(pl.col("channel") == "online")
    assert online["branch_id"].null_count() == online.height
    at_branch = booked.filter(pl.col("channel") == "branch")
    assert at_branch["branch_id"].null_count() == 0


def test_usage_events_fall_on_working_days_within_usage_days(demo):
    day = func.date(UsageEvent.occurred_at)
    with demo.engine.connect() as conn:
        days = {str(d)[:10] for d in conn.scalars(select(day).distinct())}
        per_employee_day = conn.execute(
            select(UsageEvent.employee_id, func.count()).group_by(UsageEvent.employee_id, day)
        ).all()
        head_office_events = conn.execute(
            select(func.count())
            .select_from(UsageEvent)
            .join(Employee, Employee.id == UsageEvent.employee_id)
            .where(Employee.branch_id.is_(None))
        ).scalar_one()
    assert days == {d.isoformat() for d in WORKING_DAYS_BEFORE_AS_OF}
    counts = [n for _, n in per_employee_day]
    # The article's norm is ~250 actions a day; a few staff barely use the system.
    assert 200 <= statistics.mean(counts) <= 300
    assert min(counts) < 60 and max(counts) > 180
    assert head_office_events == 0


def test_paper_holdouts_type_notes_at_closing_time(demo):
    hour = func.extract("hour", UsageEvent.occurred_at)
    with demo.engine.connect() as conn:
        late_notes = conn.execute(
            select(UsageEvent.employee_id, func.count())
            .where(UsageEvent.action == "note", hour == 17)
            .group_by(UsageEvent.employee_id)
        ).all()
        notes = dict(
            conn.execute(
                select(UsageEvent.employee_id, func.count())
                .where(UsageEvent.action == "note")
                .group_by(UsageEvent.employee_id)
            ).all()
        )
    burst_writers = [employee for employee, n in late_notes if n == notes[employee]]
    assert burst_writers, "someone should enter all notes between 17:00 and 18:00"


def test_tiers_and_assets_are_plausible(demo):
    customers, accounts = customers_and_accounts(demo.engine)
    shares = customers["tier"].value_counts(normalize=True)
    share = dict(zip(shares["tier"], shares["proportion"], strict=True))
    assert 0.01 <= share["vip"] <= 0.04
    assert 0.09 <= share["priority"] <= 0.18
    aum = (
        accounts.group_by("customer_id")
        .agg(pl.col("market_value_krw").sum().alias("aum_krw"))
        .join(customers.select(pl.col("id").alias("customer_id"), "tier"), on="customer_id")
        .group_by("tier")
        .agg(pl.col("aum_krw").median())
    )
    median = dict(zip(aum["tier"], aum["aum_krw"], strict=True))
    assert median["vip"] > median["priority"] > median["general"]
    assert (accounts.filter(pl.col("closed_on").is_not_null())["market_value_krw"] == 0).all()


def test_proxy_transactions_are_rare(demo):
    with demo.engine.connect() as conn:
        by_whom = dict(
            conn.execute(
                select(Transaction.performed_by, func.count()).group_by(Transaction.performed_by)
            ).all()
        )
    proxy_share = by_whom["proxy"] / (by_whom["proxy"] + by_whom["owner"])
    assert 0.005 <= proxy_share <= 0.05


def test_life_events_include_birthdays_leap_days_and_first_account_anniversaries(demo):
    customers, accounts = customers_and_accounts(demo.engine)
    with demo.engine.connect() as conn:
        events = read_frame(
            conn,
            select(LifeEvent.customer_id, LifeEvent.kind, LifeEvent.event_date),
            {"event_date": pl.Date},
        )
    birthdays = events.filter(pl.col("kind") == "birthday").sort("customer_id")
    assert birthdays["event_date"].to_list() == customers["birth_date"].to_list()
    assert (customers["birth_date"].dt.strftime("%m-%d") == "02-29").any()
    assert customers["birth_date"].dt.year().is_between(1935, 2004).all()
    first_accounts = accounts.group_by("customer_id").agg(pl.col("opened_on").min())
    anniversaries = events.filter(pl.col("kind") == "account_anniversary").select(
        "customer_id", pl.col("event_date").alias("opened_on")
    )
    assert_frame_equal(anniversaries, first_accounts, check_row_order=False)
    weddings = events.filter(pl.col("kind") == "wedding_anniversary").height
    assert 0.2 <= weddings / CUSTOMERS <= 0.5


def test_some_customers_carry_open_alerts(demo):
    with demo.engine.connect() as conn:
        open_alerts = conn.scalar(
            select(func.count(func.distinct(Alert.customer_id))).where(Alert.resolved_at.is_(None))
        )
    assert 0 < open_alerts <= CUSTOMERS * 0.02


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda account: account.username)
def test_demo_accounts_sign_in_with_their_role(demo, account):
    assert account.description_en and account.description_ko
    with demo.engine.connect() as conn:
        user = authenticate(conn, account.username, DEMO_PASSWORD)
    assert user.role is account.role
    if account.role in (Role.BRANCH_MANAGER, Role.DEDICATED_MANAGER, Role.SALES_REP):
        with demo.engine.connect() as conn:
            code = conn.scalar(select(Branch.code).where(Branch.id == user.branch_id))
        assert code == "101"
    else:
        assert user.branch_id is None


def test_other_users_sign_in_with_their_employee_number(demo):
    with demo.engine.connect() as conn:
        username = conn.scalar(
            select(User.username).where(User.username.like("e%"), User.is_active).limit(1)
        )
    with demo.engine.connect() as conn:
        assert authenticate(conn, username, DEMO_PASSWORD).username == username


def test_refuses_a_database_that_holds_data_and_leaves_it_alone(demo):
    before = customers_and_accounts(demo.engine)
    with pytest.raises(Refused, match="demo_database_not_empty"):
        generate(demo.engine, customers=10, seed=SEED + 1, as_of=AS_OF, usage_days=0)
    after = customers_and_accounts(demo.engine)
    assert_frame_equal(after[0], before[0])
    assert_frame_equal(after[1], before[1])


def test_same_seed_gives_the_same_rows_and_another_seed_other_rows(databases):
    runs = []
    for seed in (SEED, SEED, SEED + 1):
        engine = databases.new("seed")
        generate(engine, customers=300, seed=seed, as_of=AS_OF, usage_days=0)
        runs.append(customers_and_accounts(engine))
    (customers, accounts), (same_customers, same_accounts), (other_customers, _) = runs
    assert_frame_equal(customers, same_customers)
    assert_frame_equal(accounts, same_accounts)
    assert not customers.equals(other_customers)


def sqlite_file(folder: Path) -> Engine:
    engine = make_engine(f"sqlite:///{folder / 'crm.db'}")
    migrate(engine)
    return engine


def stored_journal_mode(engine: Engine) -> str:
    """The mode kept in the file, which a program that sets none finds."""
    with sqlite3.connect(engine.url.database) as other:
        return other.execute("PRAGMA journal_mode").fetchone()[0]


class JournalWatch:
    """A progress callback that notes, while transactions load, whether SQLite writes a rollback
    journal and how big its write-ahead log is."""

    def __init__(self, engine: Engine) -> None:
        self.database = Path(engine.url.database)
        self.seen: list[tuple[bool, int]] = []

    def __call__(self, label: str, _fraction: float) -> None:
        if label == "transactions":
            journal = self.database.with_name(self.database.name + "-journal")
            log = self.database.with_name(self.database.name + "-wal")
            self.seen.append((journal.exists(), log.stat().st_size if log.exists() else 0))


@pytest.mark.parametrize("sole_user", [False, True])
def test_replace_swaps_the_data_in_one_transaction(databases, sole_user):
    """Also through SQLite's rollback journal (`sole_user`), which leaves the file in WAL."""
    engine = databases.new("replace")
    generate(engine, customers=200, seed=1, as_of=AS_OF, usage_days=0)
    original = customers_and_accounts(engine)

    def fail_midway(label: str, _fraction: float) -> None:
        if label == "transactions":
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        generate(
            engine, customers=300, seed=2, as_of=AS_OF, usage_days=0, replace=True,
            progress=fail_midway, sole_user=sole_user,
        )  # fmt: skip
    assert_frame_equal(customers_and_accounts(engine)[0], original[0])
    assert_frame_equal(customers_and_accounts(engine)[1], original[1])
    if engine.dialect.name == "sqlite":
        assert stored_journal_mode(engine) == "wal"

    summary = generate(engine, customers=300, seed=2, as_of=AS_OF, usage_days=0, replace=True)
    assert count(engine, Customer) == summary.rows["customers"] == 300
    with engine.connect() as conn:
        assert conn.scalar(select(Setting.value).where(Setting.key == "demo_seed")) == "2"


def test_a_sole_user_loads_sqlite_through_a_rollback_journal_then_returns_to_wal(tmp_path):
    engine = sqlite_file(tmp_path)
    watch = JournalWatch(engine)
    generate(
        engine, customers=300, seed=SEED, as_of=AS_OF, usage_days=0, sole_user=True,
        progress=watch,
    )  # fmt: skip
    assert watch.seen
    assert all(journal and log == 0 for journal, log in watch.seen)
    assert count(engine, Customer) == 300
    assert stored_journal_mode(engine) == "wal"


def test_a_sole_user_load_keeps_the_wal_while_another_connection_has_the_file(tmp_path):
    engine = sqlite_file(tmp_path)
    watch = JournalWatch(engine)
    with sqlite3.connect(engine.url.database) as other:
        assert other.execute("SELECT count(*) FROM customers").fetchone() == (0,)
        generate(
            engine, customers=300, seed=SEED, as_of=AS_OF, usage_days=0, sole_user=True,
            progress=watch,
        )  # fmt: skip
        assert watch.seen
        assert not any(journal for journal, _ in watch.seen)
        assert other.execute("SELECT count(*) FROM customers").fetchone() == (300,)
    assert stored_journal_mode(engine) == "wal"


def test_demo_agenda_history_is_worked_by_each_items_rep_and_completion_varies(databases):
    """jobs.after_demo.agenda_history: the business days before as_of built and partly worked,
    deterministically, in working hours, so completion shows and differs by branch."""
    engine = databases.new("demo_agenda")
    generate(engine, customers=5 * CUSTOMERS, seed=SEED, as_of=AS_OF, usage_days=0)
    outcome = after_demo.agenda_history(engine, AS_OF)
    assert outcome["days"] == after_demo.DEMO_AGENDA_DAYS
    assert 0 < outcome["worked"] < outcome["items"]
    with engine.connect() as conn:
        items = read_frame(
            conn,
            select(AgendaItem.__table__),
            {"business_date": pl.Date, "snoozed_until": pl.Date, "worked_at": pl.Datetime("us")},
        )
        notes = read_frame(
            conn,
            select(
                Consultation.id,
                Consultation.employee_id,
                Consultation.branch_id,
                Consultation.occurred_at,
                Customer.home_branch_id,
            ).join(Customer, Customer.id == Consultation.customer_id),
            {"occurred_at": pl.Datetime("us")},
        )
        # Each day's notes count as one change of the analytical copy, not one per note.
        assert features_version(conn) == outcome["days"]
    days = sorted(items["business_date"].unique())
    assert len(days) == after_demo.DEMO_AGENDA_DAYS and days[-1] == dt.date(2024, 2, 29)
    assert all(day.weekday() < 5 and day != dt.date(2024, 3, 1) for day in days)
    worked = items.filter(pl.col("status") != "open")
    assert worked.height == outcome["worked"]
    assert (worked["worked_at"].dt.date() == worked["business_date"]).all()
    assert worked["worked_at"].dt.hour().is_between(8, 17).all()
    snoozed = worked.filter(pl.col("status") == "snoozed")
    assert (snoozed["snoozed_until"] > snoozed["business_date"]).all()
    # A note is written by the item's own rep at the time the item was worked.
    noted = worked.filter(pl.col("consultation_id").is_not_null()).join(
        notes, left_on="consultation_id", right_on="id"
    )
    assert noted.height > 0 and (noted["status"] == "done").all()
    assert (noted["employee_id"] == noted["employee_id_right"]).all()
    assert (noted["worked_at"] == noted["occurred_at"]).all()
    # Filed as add_note files it: under the rep's branch, else the customer's home branch.
    filed_under = noted["branch_id"].fill_null(noted["home_branch_id"])
    assert (noted["branch_id_right"] == filed_under).all()
    by_branch = (
        items.group_by("branch_id")
        .agg(pl.len().alias("items"), pl.col("status").is_in(["done", "unreachable"]).mean())
        .filter(pl.col("items") >= 30)
    )
    assert by_branch.height == 4  # the floor of four branches, each with a full agenda
    assert by_branch["status"].max() - by_branch["status"].min() >= 0.2
    assert 0.4 <= worked.filter(pl.col("status") != "snoozed").height / items.height <= 0.85
    # The day's items as they stood open draw again exactly the work stored: seeded by day.
    last = items.filter(pl.col("business_date") == days[-1]).sort("rule_id", "customer_id")
    with engine.connect() as conn:
        channels = after_demo.contact_rule_channels(conn)
    drawn = after_demo.demo_work(
        last.select("rule_id", "customer_id", "employee_id", "branch_id", "priority"),
        days[-1],
        channels,
    )
    stored = last.filter(pl.col("status") != "open").select("rule_id", "customer_id", "status",
                                                            "worked_at")  # fmt: skip
    assert drawn.select(stored.columns).equals(stored)
