# ruff: noqa: E501  (a CSV line is clearer whole than split)
"""References between import files: a row may only name rows of other kinds, which must be
in the database already; a missing one says which file to import first (both databases)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, select

from data_access.core.models import (
    Account,
    Branch,
    Customer,
    Product,
)
from data_access.imports import imports
from tests import imports_data as files
from tests.handmade import ADMIN
from ui.messages import translate

# A new branch 103, a customer homed there, a new fund and the customer's account in it:
# four files that must be loaded in this order.
NEW_BRANCH = """code,name_ko,name_en,region,opened_on
103,판교지점,Pangyo,경기,2026-03-02
"""
NEW_PRODUCT = """code,name,fund_type,risk_grade,term_months,launched_on
F010,드림 인프라 펀드,대체투자,2,36,2026-03-02
"""
NEW_CUSTOMER = f"""{files.CUSTOMER_HEADER}
100000009,한판교,1990-09-09,M,개발자,경기,경기도 성남시 9,010-9999-0009,,general,103,E3,true,false,false,online,2026-03-02,
"""
NEW_ACCOUNT = """account_no,customer_no,product_code,branch_code,opened_on,maturity_date,closed_on,principal_krw,market_value_krw
A20,100000009,F010,103,2026-03-02,2029-03-02,,1000000,1000000
"""


def load(conn: Connection, tmp_path: Path, kind: str, text: str) -> imports.ImportResult:
    return imports.run_import(conn, ADMIN, kind, files.write(tmp_path, f"{kind}.csv", text))


def reasons(result: imports.ImportResult) -> list[tuple[int, str, str]]:
    return result.errors.select("line", "column", "reason").rows()


def test_no_kind_refers_to_rows_of_its_own_kind():
    """So a referenced row is never in the file being imported: it is in the database, or in
    the file of another kind, to import first. A self-reference (an employee's manager, a
    note correcting a note) would have to be resolved within the file too."""
    for spec in imports.KINDS.values():
        assert all(column.references != spec.kind for column in spec.columns), spec.kind


def test_every_missing_reference_names_the_file_to_import_first():
    referenced = {
        column.references
        for spec in imports.KINDS.values()
        for column in spec.columns
        if column.references is not None
    }
    assert referenced == {"branches", "employees", "customers", "products", "accounts"}
    for kind in referenced:
        key = f"import_reason_unknown_{kind}"
        korean, english = translate(key, "ko"), translate(key, "en")
        assert f"import the {kind} file first" in english
        assert f"{translate(f'import_kind_{kind}', 'ko')} 파일을 먼저 가져오세요" in korean


def test_files_in_the_wrong_order_say_which_to_import_first_then_load_in_order(handmade, tmp_path):
    accounts_before = handmade.execute(select(Account.__table__)).all()
    account = load(handmade, tmp_path, "accounts", NEW_ACCOUNT)
    assert not account.written and account.rejected == 1
    assert reasons(account) == [
        (2, "branch_code", "unknown_branches"),
        (2, "customer_no", "unknown_customers"),
        (2, "product_code", "unknown_products"),
    ]
    assert handmade.execute(select(Account.__table__)).all() == accounts_before

    customer = load(handmade, tmp_path, "customers", NEW_CUSTOMER)
    assert reasons(customer) == [(2, "home_branch_code", "unknown_branches")]
    assert handmade.scalar(select(Customer.id).where(Customer.customer_no == "100000009")) is None

    for kind, text in (("branches", NEW_BRANCH), ("products", NEW_PRODUCT)):
        assert load(handmade, tmp_path, kind, text).inserted == 1
    assert load(handmade, tmp_path, "customers", NEW_CUSTOMER).inserted == 1
    loaded = load(handmade, tmp_path, "accounts", NEW_ACCOUNT)
    assert (loaded.inserted, loaded.rejected) == (1, 0)
    stored = handmade.execute(
        select(Customer.customer_no, Product.code, Branch.code)
        .select_from(Account)
        .join(Customer, Customer.id == Account.customer_id)
        .join(Product, Product.id == Account.product_id)
        .join(Branch, Branch.id == Account.branch_id)
        .where(Account.account_no == "A20")
    ).one()
    assert tuple(stored) == ("100000009", "F010", "103")


def test_a_transaction_on_an_account_not_yet_imported_asks_for_the_accounts_file(
    handmade, tmp_path
):
    text = """transaction_id,account_no,occurred_at,kind,amount_krw,channel,branch_code,performed_by,employee_no
T-0100,A99,2026-03-02 10:00:00,deposit,100000,branch,101,owner,E99
"""
    result = load(handmade, tmp_path, "transactions", text)
    assert reasons(result) == [
        (2, "account_no", "unknown_accounts"),
        (2, "employee_no", "unknown_employees"),
    ]
    assert not result.written
