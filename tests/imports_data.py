# ruff: noqa: E501  (a CSV line is clearer whole than split)
"""Hand-made import files over tests/handmade.py (branches 101/102, staff E1-E6, customers
100000001-100000004, product F001, accounts A1-A5); expected counts are stated per file.

Line numbers count the header as line 1, so the first data row is line 2.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import polars as pl
import xlsxwriter

CUSTOMER_HEADER = (
    "customer_no,name,birth_date,gender,occupation,region,address,phone,email,tier,"
    "home_branch_code,manager_employee_no,consent_dm,consent_tm,consent_email,"
    "preferred_channel,opened_on,closed_on"
)
# 100000002 exactly as stored (unchanged); 100000003 moves from priority to vip (updated);
# 100000005 is new, with Kim (E3) as manager and commas in nothing (inserted).
CUSTOMERS = f"""{CUSTOMER_HEADER}
100000002,이영희,1975-12-31,F,교사,서울,서울특별시 서초구 2,010-3333-4444,,general,101,E3,false,true,false,phone,2010-03-03,
100000003,박민수,1980-01-01,M,회사원,부산,부산광역시 3,010-5555-6666,,vip,102,E4,true,false,false,online,2015-06-01,
100000005,강새봄,19880315,F,약사,서울,서울특별시 마포구 5,010-1234-9876,spring@example.com,general,101,E3,Y,N,yes,dm,2026.03.02,
"""

# One problem per line, so each reason is counted once: lines 2-13.
BAD_CUSTOMERS = f"""{CUSTOMER_HEADER}
,이름없음,1970-01-01,F,교사,서울,주소,010-0000-0001,,general,101,,true,true,true,dm,2020-01-01,
200000002,날짜오류,1970-02-30,F,교사,서울,주소,010-0000-0002,,general,101,,true,true,true,dm,2020-01-01,
200000003,성별오류,1970-01-01,X,교사,서울,주소,010-0000-0003,,general,101,,true,true,true,dm,2020-01-01,
200000004,등급오류,1970-01-01,F,교사,서울,주소,010-0000-0004,,gold,101,,true,true,true,dm,2020-01-01,
200000005,지점없음,1970-01-01,F,교사,서울,주소,010-0000-0005,,general,999,,true,true,true,dm,2020-01-01,
200000006,담당없음,1970-01-01,F,교사,서울,주소,010-0000-0006,,general,101,E99,true,true,true,dm,2020-01-01,
200000007,동의오류,1970-01-01,F,교사,서울,주소,010-0000-0007,,general,101,,maybe,true,true,dm,2020-01-01,
200000008,중복,1970-01-01,F,교사,서울,주소,010-0000-0008,,general,101,,true,true,true,dm,2020-01-01,
200000008,중복,1970-01-01,F,교사,서울,주소,010-0000-0008,,general,101,,true,true,true,dm,2020-01-01,
200000010,아주긴직업,1970-01-01,F,{"가" * 31},서울,주소,010-0000-0010,,general,101,,true,true,true,dm,2020-01-01,
200000011,채널오류,1970-01-01,F,교사,서울,주소,010-0000-0011,,general,101,,true,true,true,fax,2020-01-01,
200000012,정상고객,1970-01-01,F,교사,서울,주소,010-0000-0012,,general,101,,true,true,true,dm,2020-01-01,
"""
BAD_CUSTOMER_REASONS = [
    (2, "customer_no", "required"),
    (3, "birth_date", "not_a_date"),
    (4, "gender", "not_allowed"),
    (5, "tier", "not_allowed"),
    (6, "home_branch_code", "unknown_branches"),
    (7, "manager_employee_no", "unknown_employees"),
    (8, "consent_dm", "not_a_boolean"),
    (9, "customer_no", "duplicate_key"),
    (10, "customer_no", "duplicate_key"),
    (11, "occupation", "too_long"),
    (12, "preferred_channel", "not_allowed"),
]

# Formula-like cells in text columns are kept as typed; nothing evaluates them.
FORMULA_NAMES = ("=1+2", "+82-10", "-SUM(A1)", '@HYPERLINK("http://x")')
FORMULA_CUSTOMERS = (
    CUSTOMER_HEADER
    + "\n"
    + "".join(
        f'30000000{i},"{name.replace(chr(34), chr(34) * 2)}",1970-01-01,F,교사,서울,주소,'
        f"010-0000-000{i},,general,101,,true,true,true,dm,2020-01-01,\n"
        for i, name in enumerate(FORMULA_NAMES, start=1)
    )
)

# Korean headers, as a firm's own export would have them, mapped with a column mapping.
KOREAN_HEADER_BRANCHES = (
    "지점코드,지점명,영문명,지역,개점일\n103,대전지점,Daejeon,대전,1995-04-03\n"
)
KOREAN_BRANCH_MAPPING = {
    "지점코드": "code",
    "지점명": "name_ko",
    "영문명": "name_en",
    "지역": "region",
    "개점일": "opened_on",
}

# 101 as stored (unchanged), 103 new (inserted).
BRANCHES = """code,name_ko,name_en,region,opened_on,is_active
101,강남지점,Gangnam,서울,1988-05-02,true
103,대전지점,Daejeon,대전,1995-04-03,
"""

# E3 renamed (updated), E7 new at 102 (inserted), E1 as stored at head office (unchanged).
EMPLOYEES = """employee_no,name,role,branch_code,hire_date,is_active
E1,정경영,executive,,2000-01-03,true
E3,김영업2,sales_rep,101,2000-01-03,true
E7,최신입,dedicated_manager,102,2026-03-02,true
"""

# F001 as stored (unchanged), F009 new with a blank term (inserted).
PRODUCTS = """code,name,fund_type,risk_grade,term_months,launched_on
F001,드림 채권형 1호,bond,5,12,1997-07-01
F009,드림 글로벌 주식형,해외주식형,1,,2026-01-05
"""

# A3's market value moves (updated), A9 new for customer 1 (inserted); amounts with commas.
ACCOUNTS = """account_no,customer_no,product_code,branch_code,opened_on,maturity_date,closed_on,principal_krw,market_value_krw
A3,100000002,F001,101,2025-03-20,,,"2,000,000","2,100,000"
A9,100000001,F001,102,2026-03-02,2027-03-02,,"3,000,000","3,000,000"
"""

# Two new transactions on A1 (customer 1) and A4 (customer 3); the customer comes from the
# account.
TRANSACTIONS = """transaction_id,account_no,occurred_at,kind,amount_krw,channel,branch_code,performed_by,employee_no
T-0001,A1,2026-03-02 10:15:00,deposit,"500,000",branch,101,owner,E3
T-0002,A4,2026-03-03T09:00:00,redemption,1000000,online,,owner,
"""

CONSULTATIONS = """customer_no,employee_no,branch_code,channel,occurred_at,note,outcome,is_sensitive
100000001,E3,101,phone,2026-03-05 11:00,만기 안내 전화. 재투자 의향 있음.,interested,
100000003,E4,102,visit,2026-03-06 15:30,"=HYPERLINK(""x"") 메모",follow_up,false
"""
CONSULTATIONS_CHANGED = CONSULTATIONS.replace("재투자 의향 있음", "재투자 안 함")

LIFE_EVENTS = """customer_no,kind,event_date
100000001,birthday,1960-02-29
100000002,wedding_anniversary,2001-10-20
"""
LIFE_EVENTS_MOVED = LIFE_EVENTS.replace("2001-10-20", "2001-10-21")


# --- Hostile files, built small by the tests that use them --------------------------------

GOOD_CUSTOMER = (
    "100000006,정상고객,1970-01-01,F,교사,서울,주소,010-0000-0006,,general,101,,"
    "true,true,true,dm,2020-01-01,"
)


def customers_workbook(path: Path, write_more=lambda sheet: None) -> Path:
    """An .xlsx with the customers template header and one good row, then `write_more(sheet)`."""
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, CUSTOMER_HEADER.split(","))
    sheet.write_row(1, 0, GOOD_CUSTOMER.split(","))
    write_more(sheet)
    workbook.close()
    return path


def far_corner_workbook(path: Path) -> Path:
    """5 KB on disk; one cell at the sheet's last row and column (XFD1048576), so a reader that
    builds the grid asks for 1,048,576 x 16,384 cells (512 GB)."""
    return customers_workbook(path, lambda sheet: sheet.write(1_048_575, 16_383, "x"))


def uncalculated_formula_workbook(path: Path) -> Path:
    """Name and phone of row 3 are formulas xlsxwriter wrote without calculating them: it
    stores 0 as their result and asks Excel to recalculate on opening."""

    def formulas(sheet) -> None:
        sheet.write_row(2, 0, GOOD_CUSTOMER.replace("100000006", "100000007").split(","))
        sheet.write_formula(2, 1, '="홍"&"길동"')  # B3
        sheet.write_formula(2, 7, '="010-1234-"&"5678"')  # H3

    return customers_workbook(path, formulas)


def padded_workbook(path: Path, padding_bytes: int) -> Path:
    """A good workbook plus a member of `padding_bytes` zeros: it unpacks to far more than its
    size on disk (deflate packs zeros about a thousand to one), like a zip bomb."""
    customers_workbook(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/media/padding.bin", bytes(padding_bytes))
    return path


def nested_parquet(path: Path) -> Path:
    """A branches file whose name_ko is a struct (Korean and romanised), not one text."""
    pl.DataFrame(
        {
            "code": ["103"],
            "name_ko": [{"hangul": "대전지점", "roman": "Daejeon"}],
            "name_en": ["Daejeon"],
            "region": ["대전"],
            "opened_on": [dt.date(1995, 4, 3)],
        }
    ).write_parquet(path)
    return path


def repeated_parquet(path: Path, rows: int) -> Path:
    """`rows` copies of one branch: a few hundred bytes on disk whatever `rows` is, since the
    repeats are run-length encoded."""
    pl.DataFrame(
        {
            "code": ["103"] * rows,
            "name_ko": ["대전지점"] * rows,
            "name_en": ["Daejeon"] * rows,
            "region": ["대전"] * rows,
            "opened_on": ["1995-04-03"] * rows,
        }
    ).write_parquet(path)
    return path


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path
