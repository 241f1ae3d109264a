"""Home-page summaries per role on the hand-made dataset (tests/handmade.py)."""

import pytest

from data_access.kpis.home import (
    scope_summary,
    training_summary,
)
from tests.handmade import AS_OF, EXECUTIVE, KIM, MANAGER_101, PARK, TRAINER


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        # Firm: customers 1-3 open (4 closed); open accounts 1, 3, 4 = 17,000,000 won;
        # alert 1 open; consultation 1 within 30 days; account 1 matures 2026-03-20;
        # branch staff: the manager, Kim and Park.
        (EXECUTIVE, (3, 3, 17_000_000, 1, 1, 1, 2, 3)),
        # Branch 101: customers 1, 2 (4 closed); accounts 1, 3; staff: manager and Kim.
        (MANAGER_101, (2, 2, 7_000_000, 1, 1, 1, 1, 2)),
        # Kim's book: customers 1, 2.
        (KIM, (2, 2, 7_000_000, 1, 1, 1, 1, 2)),
        # Park's book: customer 3, account 4 matures in June; alert 2 is resolved.
        (PARK, (1, 1, 10_000_000, 0, 0, 0, 1, 1)),
    ],
    ids=["executive", "branch-manager", "rep-kim", "rep-park"],
)
def test_scope_summary(handmade, user, expected):
    got = scope_summary(handmade, user, as_of=AS_OF)
    assert (
        got.customers,
        got.open_accounts,
        got.aum_krw,
        got.open_alerts,
        got.consultations_recent,
        got.maturing_soon,
        got.branches,
        got.staff,
    ) == expected


def test_training_summary_firm_and_branch(handmade):
    # Kim valid until 2026-04-01 (within 90 days), Park expired 2026-01-07, manager not done
    # though the session ended: 2 of 3 due enrolments completed.
    firm = training_summary(handmade, TRAINER, as_of=AS_OF)
    totals = firm.totals
    assert (
        firm.active_courses,
        totals.enrolled,
        totals.completed,
        totals.valid_certificates,
        totals.expired_certificates,
        totals.expiring_certificates,
    ) == (1, 3, 2, 1, 1, 1)
    assert totals.completion_pct == pytest.approx(2 * 100 / 3)
    branch = training_summary(handmade, MANAGER_101, as_of=AS_OF).totals
    assert (branch.enrolled, branch.completed, branch.expired_certificates) == (2, 1, 0)
    assert branch.completion_pct == pytest.approx(1 * 100 / 2)
