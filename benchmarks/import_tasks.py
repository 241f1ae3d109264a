"""Import tasks (issue #11): the benchmark database's customers, exported to an import CSV,
loaded into a fresh database (`import_customers`) and loaded again unchanged
(`reimport_customers`); then their accounts (some 5 million at full scale) loaded into the
database holding those customers (`import_accounts`). Each is measured against a plain pandas
import (read_csv, read_sql, to_sql).

The fresh databases are of the benchmark database's own kind: SQLite files beside each other,
or databases on the same PostgreSQL server (its bulk path is COPY). Each gets the branches,
staff and products first (customers and accounts refer to them), copied from a template so
each run starts from the same state. Each run prints its rows/s.
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import pandas as pd
import polars as pl
from sqlalchemy import Date, Engine, Integer, insert, select, text
from sqlalchemy.orm import aliased

from benchmarks.harness import Task
from data_access.admin.users import (
    acting_admin,
)
from data_access.core.db import (
    make_engine,
    read_arrow_frame,
)
from data_access.core.models import (
    Account,
    Branch,
    Customer,
    Employee,
    Product,
    User,
)
from data_access.core.schema import (
    migrate,
)
from data_access.core.security import (
    SignedInUser,
)
from data_access.imports import imports

IMPORT_RUNS = 3


def _export(engine: Engine, folder: Path) -> dict[str, Path]:
    """The benchmark database's branches, staff, products, customers and accounts as import
    files."""
    manager = aliased(Employee)
    branch = aliased(Branch)
    customers = select(
        *(
            column
            for column in Customer.__table__.columns
            if column.name not in ("id", "home_branch_id", "manager_id", "phone_last4")
        ),
        branch.code.label("home_branch_code"),
        manager.employee_no.label("manager_employee_no"),
    ).select_from(
        Customer.__table__.join(branch, branch.id == Customer.home_branch_id).outerjoin(
            manager, manager.id == Customer.manager_id
        )
    )
    staff = select(
        Employee.employee_no,
        Employee.name,
        Employee.role,
        Branch.code.label("branch_code"),
        Employee.hire_date,
        Employee.is_active,
    ).outerjoin(Branch, Branch.id == Employee.branch_id)
    accounts = (
        select(
            Account.account_no,
            Customer.customer_no,
            Product.code.label("product_code"),
            Branch.code.label("branch_code"),
            Account.opened_on,
            Account.maturity_date,
            Account.closed_on,
            Account.principal_krw,
            Account.market_value_krw,
        )
        .join(Customer, Customer.id == Account.customer_id)
        .join(Product, Product.id == Account.product_id)
        .join(Branch, Branch.id == Account.branch_id)
    )
    reads = {
        "branches": select(*(c for c in Branch.__table__.columns if c.name != "id")),
        "employees": staff,
        "products": select(*(c for c in Product.__table__.columns if c.name != "id")),
        "customers": customers,
        "accounts": accounts,
    }
    files = {}
    for kind, stmt in reads.items():
        frame = read_arrow_frame(engine, stmt)
        frame = frame.with_columns(pl.col(pl.Boolean).cast(pl.String))
        files[kind] = folder / f"{kind}.csv"
        frame.write_csv(files[kind])
    return files


class _Scratch:
    """Throw-away databases of the benchmark database's kind, each known by a short name.

    SQLite: files in a temporary folder, copied as files. PostgreSQL: databases on the same
    server, copied with CREATE DATABASE ... TEMPLATE, a file-level copy like SQLite's. All are
    removed when the process ends (gigabytes at full scale).
    """

    def __init__(self, engine: Engine) -> None:
        self.server = engine.url
        self.postgres = engine.dialect.name == "postgresql"
        self.folder = Path(tempfile.mkdtemp(prefix="dreams-import-bench-"))
        self.made: set[str] = set()
        atexit.register(self.remove_all)

    def _database(self, name: str) -> str:
        return f"{self.server.database}_import_{name}"

    def url(self, name: str) -> str:
        if self.postgres:
            database = self.server.set(database=self._database(name))
            return database.render_as_string(hide_password=False)
        return f"sqlite:///{self.folder / name}.db"

    def _on_server(self, statement: str) -> None:
        admin = make_engine(self.server.set(database="postgres").render_as_string(False))
        with admin.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(statement))
        admin.dispose()

    def create(self, name: str) -> str:
        """An empty, migrated database."""
        self.drop(name)
        if self.postgres:
            self._on_server(f'CREATE DATABASE "{self._database(name)}"')
        self.made.add(name)
        engine = make_engine(self.url(name))
        migrate(engine)
        engine.dispose()
        return self.url(name)

    def copy(self, source: str, target: str) -> str:
        """`target` as a copy of `source`; every engine on `source` must be disposed."""
        self.drop(target)
        if self.postgres:
            self._on_server(
                f'CREATE DATABASE "{self._database(target)}" TEMPLATE "{self._database(source)}"'
            )
        else:
            shutil.copyfile(self.folder / f"{source}.db", self.folder / f"{target}.db")
        self.made.add(target)
        return self.url(target)

    def drop(self, name: str) -> None:
        if self.postgres:
            self._on_server(f'DROP DATABASE IF EXISTS "{self._database(name)}" WITH (FORCE)')
        else:
            for suffix in (".db", ".db-wal", ".db-shm"):
                (self.folder / f"{name}{suffix}").unlink(missing_ok=True)
        self.made.discard(name)

    def remove_all(self) -> None:
        for name in list(self.made):
            self.drop(name)
        shutil.rmtree(self.folder, ignore_errors=True)


def _template(scratch: _Scratch, files: dict[str, Path], admin: SignedInUser) -> str:
    """A fresh database holding the branches, staff, products and the admin user."""
    engine = make_engine(scratch.create("template"))
    with engine.begin() as conn:
        conn.execute(
            insert(User).values(
                id=admin.user_id,
                username=admin.username,
                password_hash="x",
                role=admin.role.value,
                is_active=True,
                must_change_password=False,
                failed_sign_ins=0,
                created_at=dt.datetime(2026, 1, 1),
            )
        )
    for kind in ("branches", "employees", "products"):
        with engine.connect() as conn:
            imports.run_import(conn, admin, kind, files[kind])
    engine.dispose()
    return "template"


def _import(
    url: str, admin: SignedInUser, kind: str, csv: Path, label: str
) -> tuple[int, int, int]:
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.connect() as conn:
        result = imports.run_import(conn, admin, kind, csv)
    seconds = time.perf_counter() - started
    engine.dispose()
    print(
        f"{label}: {result.rows:,} rows in {seconds:.2f} s = {result.rows / seconds:,.0f} rows/s",
        file=sys.stderr,
    )
    return result.inserted, result.updated, result.unchanged


def _typed_like(frame: pd.DataFrame, model: type) -> pd.DataFrame:
    """The CSV's text as the table's types, as a typical app parses it before `to_sql`
    (PostgreSQL takes no text for a date or a number column)."""
    frame = frame.replace({"": None})
    for column in model.__table__.columns:
        if column.name not in frame:
            continue
        if isinstance(column.type, Date):
            frame[column.name] = pd.to_datetime(frame[column.name]).dt.date
        elif isinstance(column.type, Integer):
            frame[column.name] = pd.to_numeric(frame[column.name]).astype("Int64")
    return frame


def _pandas_import(url: str, csv: Path) -> tuple[int, int, int]:
    """A typical app: read the CSV and the keys with pandas, append the new rows with to_sql."""
    engine = make_engine(url)
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    branches = pd.read_sql("SELECT id AS home_branch_id, code FROM branches", engine)
    staff = pd.read_sql("SELECT id AS manager_id, employee_no FROM employees", engine)
    known = pd.read_sql("SELECT * FROM customers", engine, dtype=str)
    frame = frame.merge(branches, left_on="home_branch_code", right_on="code", how="left")
    frame = frame.merge(staff, left_on="manager_employee_no", right_on="employee_no", how="left")
    frame["phone_last4"] = frame["phone"].str[-4:]
    frame = frame.drop(columns=["home_branch_code", "manager_employee_no", "code", "employee_no"])
    frame = frame.replace({"": None})
    for flag in ("consent_dm", "consent_tm", "consent_email"):
        frame[flag] = frame[flag] == "true"
    new = _typed_like(frame[~frame["customer_no"].isin(known["customer_no"])], Customer)
    merged = frame.merge(known, on="customer_no", suffixes=("", "_stored"))
    compared = [c for c in ("name", "phone", "tier", "address") if c in merged]
    changed = (merged[compared].values != merged[[f"{c}_stored" for c in compared]].values).any(
        axis=1
    )
    new.to_sql("customers", engine, if_exists="append", index=False, chunksize=50_000)
    engine.dispose()
    return len(new), int(changed.sum()), len(merged) - int(changed.sum())


def _pandas_import_accounts(url: str, csv: Path) -> tuple[int, int, int]:
    """The same typical app for accounts: the customer, fund and branch ids by merges."""
    engine = make_engine(url)
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    keys = {
        "customer_no": "SELECT id AS customer_id, customer_no FROM customers",
        "product_code": "SELECT id AS product_id, code AS product_code FROM products",
        "branch_code": "SELECT id AS branch_id, code AS branch_code FROM branches",
    }
    for column, query in keys.items():
        frame = frame.merge(pd.read_sql(query, engine), on=column).drop(columns=column)
    known = pd.read_sql("SELECT account_no FROM accounts", engine)
    new = _typed_like(frame[~frame["account_no"].isin(known["account_no"])], Account)
    new.to_sql("accounts", engine, if_exists="append", index=False, chunksize=50_000)
    engine.dispose()
    return len(new), 0, len(frame) - len(new)


class _Workspace:
    """The exported files and the template database, made on first use: building the task
    list (for any benchmark run) must not export millions of customers."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @cached_property
    def admin(self) -> SignedInUser:
        with self.engine.connect() as conn:
            return acting_admin(conn, "admin")

    @cached_property
    def scratch(self) -> _Scratch:
        return _Scratch(self.engine)

    @cached_property
    def files(self) -> dict[str, Path]:
        return _export(self.engine, self.scratch.folder)

    @cached_property
    def template(self) -> str:
        return _template(self.scratch, self.files, self.admin)

    def fresh(self, name: str) -> str:
        return self.scratch.copy(self.template, name)

    def loaded(self, import_customers: Callable[[int], object]) -> str:
        if "loaded" not in self.scratch.made:
            import_customers(0)
        return "loaded"


def tasks(engine: Engine) -> list[Task]:
    space = _Workspace(engine)
    scratch = space.scratch

    def import_ours(_index: int) -> tuple[int, int, int]:
        target = space.fresh("ours")
        answer = _import(
            target, space.admin, "customers", space.files["customers"], "import_customers"
        )
        if "loaded" not in scratch.made:
            scratch.copy("ours", "loaded")
        scratch.drop("ours")
        return answer

    def customers_loaded() -> str:
        """The database holding the imported customers, imported first if need be."""
        return space.loaded(import_ours)

    def import_pandas(_index: int) -> tuple[int, int, int]:
        answer = _pandas_import(space.fresh("pandas"), space.files["customers"])
        scratch.drop("pandas")
        return answer

    def reimport_ours(_index: int) -> tuple[int, int, int]:
        target = scratch.url(customers_loaded())
        csv = space.files["customers"]
        return _import(target, space.admin, "customers", csv, "reimport_customers")

    def reimport_pandas(_index: int) -> tuple[int, int, int]:
        copy = scratch.copy(customers_loaded(), "pandas_again")
        answer = _pandas_import(copy, space.files["customers"])
        scratch.drop("pandas_again")
        return answer

    def import_accounts_ours(_index: int) -> tuple[int, int, int]:
        target = scratch.copy(customers_loaded(), "accounts")
        csv = space.files["accounts"]
        answer = _import(target, space.admin, "accounts", csv, "import_accounts")
        scratch.drop("accounts")
        return answer

    def import_accounts_pandas(_index: int) -> tuple[int, int, int]:
        target = scratch.copy(customers_loaded(), "pandas_accounts")
        answer = _pandas_import_accounts(target, space.files["accounts"])
        scratch.drop("pandas_accounts")
        return answer

    def exported() -> str:
        """The import files and the template database (minutes at full scale), untimed."""
        return space.template

    def task(name: str, ours: Callable, baseline: Callable, setup: Callable) -> Task:
        return Task(name, ours, baseline, _same, runs=IMPORT_RUNS, warm_up=False, setup=setup)

    return [
        task("import_customers", import_ours, import_pandas, exported),
        task("reimport_customers", reimport_ours, reimport_pandas, customers_loaded),
        task("import_accounts", import_accounts_ours, import_accounts_pandas, customers_loaded),
    ]


def _same(ours: tuple[int, int, int], theirs: tuple[int, int, int]) -> bool:
    return ours == theirs
