"""Import tasks (issue #11): the benchmark database's customers, exported to an import CSV,
loaded into a fresh SQLite database (`import_customers`) and loaded again unchanged
(`reimport_customers`); then their accounts (some 5 million at full scale) loaded into the
database holding those customers (`import_accounts`). Each is measured against a plain pandas
import (read_csv, read_sql, to_sql).

The fresh database gets the branches, staff and products first (customers and accounts refer
to them), copied from a template file so each run starts from the same state. Each run prints
its rows/s.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
import time
from functools import cached_property
from pathlib import Path

import pandas as pd
import polars as pl
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import aliased

from benchmarks.harness import Task
from data_access import imports
from data_access.db import make_engine, read_arrow_frame
from data_access.models import Account, Branch, Customer, Employee, Product
from data_access.schema import migrate
from data_access.security import SignedInUser
from data_access.users import acting_admin

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


def _template(files: dict[str, Path], admin: SignedInUser, folder: Path) -> Path:
    """A fresh SQLite database holding the branches, staff, products and the admin user."""
    path = folder / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, password_hash, role, is_active, "
                "must_change_password, failed_sign_ins, created_at) VALUES "
                "(:id, :name, 'x', 'admin', 1, 0, 0, '2026-01-01 00:00:00.000000')"
            ),
            {"id": admin.user_id, "name": admin.username},
        )
    for kind in ("branches", "employees", "products"):
        with engine.connect() as conn:
            imports.run_import(conn, admin, kind, files[kind])
    engine.dispose()
    return path


def _import(
    path: Path, admin: SignedInUser, kind: str, csv: Path, label: str
) -> tuple[int, int, int]:
    engine = make_engine(f"sqlite:///{path}")
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


def _pandas_import(path: Path, csv: Path) -> tuple[int, int, int]:
    """A typical app: read the CSV and the keys with pandas, append the new rows with to_sql."""
    engine = make_engine(f"sqlite:///{path}")
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
    new = frame[~frame["customer_no"].isin(known["customer_no"])]
    merged = frame.merge(known, on="customer_no", suffixes=("", "_stored"))
    compared = [c for c in ("name", "phone", "tier", "address") if c in merged]
    changed = (merged[compared].values != merged[[f"{c}_stored" for c in compared]].values).any(
        axis=1
    )
    new.to_sql("customers", engine, if_exists="append", index=False, chunksize=50_000)
    engine.dispose()
    return len(new), int(changed.sum()), len(merged) - int(changed.sum())


def _pandas_import_accounts(path: Path, csv: Path) -> tuple[int, int, int]:
    """The same typical app for accounts: the customer, fund and branch ids by merges."""
    engine = make_engine(f"sqlite:///{path}")
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    keys = {
        "customer_no": "SELECT id AS customer_id, customer_no FROM customers",
        "product_code": "SELECT id AS product_id, code AS product_code FROM products",
        "branch_code": "SELECT id AS branch_id, code AS branch_code FROM branches",
    }
    for column, query in keys.items():
        frame = frame.merge(pd.read_sql(query, engine), on=column).drop(columns=column)
    known = pd.read_sql("SELECT account_no FROM accounts", engine)
    new = frame[~frame["account_no"].isin(known["account_no"])].replace({"": None})
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
    def folder(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="dreams-import-bench-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)  # gigabytes at full scale
        return folder

    @cached_property
    def files(self) -> dict[str, Path]:
        return _export(self.engine, self.folder)

    @cached_property
    def template(self) -> Path:
        return _template(self.files, self.admin, self.folder)

    @property
    def loaded(self) -> Path:
        return self.folder / "loaded.db"

    def fresh(self, name: str) -> Path:
        target = self.folder / f"{name}.db"
        shutil.copyfile(self.template, target)
        return target


def tasks(engine: Engine) -> list[Task]:
    space = _Workspace(engine)

    def import_ours(_index: int) -> tuple[int, int, int]:
        target = space.fresh("ours")
        csv = space.files["customers"]
        answer = _import(target, space.admin, "customers", csv, "import_customers")
        if not space.loaded.exists():
            shutil.copyfile(target, space.loaded)
        target.unlink()
        return answer

    def loaded() -> Path:
        """The database holding the imported customers, imported first if need be."""
        if not space.loaded.exists():
            import_ours(0)
        return space.loaded

    def import_pandas(_index: int) -> tuple[int, int, int]:
        target = space.fresh("pandas")
        answer = _pandas_import(target, space.files["customers"])
        target.unlink()
        return answer

    def reimport_ours(_index: int) -> tuple[int, int, int]:
        csv = space.files["customers"]
        return _import(loaded(), space.admin, "customers", csv, "reimport_customers")

    def reimport_pandas(_index: int) -> tuple[int, int, int]:
        copy = space.folder / "pandas-again.db"
        shutil.copyfile(loaded(), copy)
        answer = _pandas_import(copy, space.files["customers"])
        copy.unlink()
        return answer

    def import_accounts_ours(_index: int) -> tuple[int, int, int]:
        target = space.folder / "accounts.db"
        shutil.copyfile(loaded(), target)
        csv = space.files["accounts"]
        answer = _import(target, space.admin, "accounts", csv, "import_accounts")
        target.unlink()
        return answer

    def import_accounts_pandas(_index: int) -> tuple[int, int, int]:
        target = space.folder / "pandas-accounts.db"
        shutil.copyfile(loaded(), target)
        answer = _pandas_import_accounts(target, space.files["accounts"])
        target.unlink()
        return answer

    return [
        Task("import_customers", import_ours, import_pandas, _same, runs=IMPORT_RUNS),
        Task("reimport_customers", reimport_ours, reimport_pandas, _same, runs=IMPORT_RUNS),
        Task(
            "import_accounts",
            import_accounts_ours,
            import_accounts_pandas,
            _same,
            runs=IMPORT_RUNS,
        ),
    ]


def _same(ours: tuple[int, int, int], theirs: tuple[int, int, int]) -> bool:
    return ours == theirs
