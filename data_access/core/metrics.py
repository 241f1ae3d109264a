"""Every number shown on more than one screen, defined once: its day, window and branch.

The day. A figure "on D" is for D = `completed_day(today)`, the business day before today:
the latest day that has ended. The KPI snapshot of D, the usage page and the agenda
completion all stop there, so no screen shows a day that is still under way as a result.

The window. A rate over time covers the WINDOW_DAYS calendar days ending on D
(`window(D)`: D-29..D), the same for every screen that shows it.

The branch. An account's AUM and its flows belong to the ACCOUNT's branch (`AUM_BRANCH`, the
branch that booked it), not the customer's home branch: a branch answers for the money it
booked, a customer who moves keeps their accounts where they were opened, and the firm is the
sum of its branches either way. A manager's book is the accounts of the customers in it,
wherever booked. Customers belong to their home branch; staff, their usage and their training
to the branch they work at today; an agenda item to its rep's branch; a DM/TM piece to the
target customer's branch.

  AUM                 market value of the accounts open at the end of D, by booking branch
  net flows           subscriptions and deposits minus redemptions and withdrawals
  agenda completion   items of the agenda days in the window marked done or unreachable, over
                      all of them (snoozed and open are not done)
  actions per day     console actions of active branch staff in the window, over the
                      person-days with any action; the norm is ACTIONS_NORM_PER_DAY
  customers per DM    active customers in dedicated managers' books over dedicated managers
  training completion enrolments of active branch staff completed by D, over those due by D
                      (completed, or their session ended before D); a firm or region is the
                      same formula over the union, never an average of branches
  certificates        expiring when they end within EXPIRING_DAYS, expired after the end day
  DM/TM pieces        contact-arm targets of campaigns (the hold-out gets none), on the
                      campaign's start day: the rows the campaigns page counts as contacted
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, case, select

from data_access.core.business_days import (
    extra_holidays,
    is_business_day,
)
from data_access.core.models import (
    INFLOW_KINDS,
    OUTFLOW_KINDS,
    Account,
    CampaignTarget,
    Customer,
    Transaction,
)
from data_access.core.policy import (
    Action,
    Scope,
    branch_condition,
    customer_condition,
    scope_of,
)
from data_access.core.security import (
    SignedInUser,
)

WINDOW_DAYS = 30
# The article's norms: about 250 console actions a day (once every two minutes of a working
# day) and about 440 customers per dedicated manager after the redesign.
ACTIONS_NORM_PER_DAY = 250
CUSTOMERS_PER_MANAGER_NORM = 440
EXPIRING_DAYS = 90
AGENDA_DONE_STATUSES = ("done", "unreachable")
DM_TM_RESPONSES = ("responded", "bought")  # campaign outcomes that count as a response
CONTACT_ARM = "contact"

AUM_BRANCH = Account.branch_id
EXPIRED, EXPIRING, VALID = "expired", "expiring", "valid"


def completed_day(conn: Connection, today: dt.date) -> dt.date:
    """The business day before `today` (firm holidays included): the day figures are for."""
    holidays = extra_holidays(conn)
    day = today - dt.timedelta(days=1)
    while not is_business_day(day, holidays):
        day -= dt.timedelta(days=1)
    return day


def window(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the window ending on `day`, both included."""
    return day - dt.timedelta(days=WINDOW_DAYS - 1), day


def ratio(numerator: pl.Expr, denominator: pl.Expr, scale: float = 1.0) -> pl.Expr:
    """numerator * scale / denominator; null, not zero, when there is nothing to divide by."""
    return pl.when(denominator > 0).then(numerator * scale / denominator).otherwise(None)


# --- Money ------------------------------------------------------------------------------------


def aum_accounts(user: SignedInUser, action: Action) -> ColumnElement[bool]:
    """The accounts whose AUM `user` answers for with `action`: the firm's, those booked at
    their branch, or those of the customers in their book."""
    if scope_of(user, action) is Scope.BOOK:
        book = select(Customer.id).where(customer_condition(user, action))
        return Account.customer_id.in_(book)
    return branch_condition(user, action, AUM_BRANCH)


def net_flow_krw() -> Any:
    """A transaction's amount signed as a flow: + into the customer's funds, - out of them."""
    amount = Transaction.amount_krw
    return case(
        (Transaction.kind.in_(INFLOW_KINDS), amount),
        (Transaction.kind.in_(OUTFLOW_KINDS), -amount),
        else_=0,
    )


# --- Work -------------------------------------------------------------------------------------


def agenda_completion_pct(done: pl.Expr, items: pl.Expr) -> pl.Expr:
    """Items done or unreachable (`done`) as a share of `items`, in percent."""
    return ratio(done, items, 100)


def actions_per_person_day(actions: pl.Expr, person_days: pl.Expr) -> pl.Expr:
    return ratio(actions, person_days)


def share_of_norm_pct(actions_per_day: pl.Expr) -> pl.Expr:
    """Actions per person-day as a percentage of the norm (100: on the norm)."""
    return actions_per_day * 100 / ACTIONS_NORM_PER_DAY


def customers_per_manager(book_customers: pl.Expr, managers: pl.Expr) -> pl.Expr:
    return ratio(book_customers, managers)


# --- Training ---------------------------------------------------------------------------------


def training_due_on() -> pl.Expr:
    """The day an enrolment starts to count as due: its completion, or else the day after
    its session ended (from then on it is overdue until completed)."""
    after_session = pl.col("ends_on") + pl.duration(days=1)
    return pl.min_horizontal(pl.col("completed_on"), after_session)


def training_completion_pct(completed: pl.Expr, due: pl.Expr) -> pl.Expr:
    return ratio(completed, due, 100)


def certificate_state(expires_on: pl.Expr, as_of: dt.date) -> pl.Expr:
    """expired after its end day, expiring when it ends within EXPIRING_DAYS, else valid."""
    days_left = (expires_on - pl.lit(as_of)).dt.total_days()
    return (
        pl.when(days_left < 0)
        .then(pl.lit(EXPIRED))
        .when(days_left <= EXPIRING_DAYS)
        .then(pl.lit(EXPIRING))
        .otherwise(pl.lit(VALID))
    )


# --- DM/TM ------------------------------------------------------------------------------------


def dm_tm_piece() -> ColumnElement[bool]:
    """A campaign target that was mailed or called: the contact arm, not the hold-out."""
    return CampaignTarget.arm == CONTACT_ARM
