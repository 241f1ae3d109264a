"""The demo firm: a generator of plausible Korean fund-company data and its reference data.

It is not data access: it writes a whole database from numpy draws and the files in
`firm_data/`, for the console's first run, `python -m jobs demo-data`, the tests and the
benchmarks.
"""

from jobs.demo.generator import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    FIRST_CUSTOMER_NO,
    USAGE_ACTIONS,
    WORK_HOUR_WEIGHTS,
    DemoAccount,
    DemoSummary,
    generate,
)
from jobs.demo.reference import BRANCH_SITES, PROVINCES, ROADS

__all__ = [
    "BRANCH_SITES",
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "FIRST_CUSTOMER_NO",
    "PROVINCES",
    "ROADS",
    "USAGE_ACTIONS",
    "WORK_HOUR_WEIGHTS",
    "DemoAccount",
    "DemoSummary",
    "generate",
]
