"""Customers' requests to see the records the firm keeps about them (개인정보 열람 요구).

The law gives the firm ten days; the firm's own deadline is a number of business days (a
setting, 6 by default) counted after the day the request came, skipping weekends, public
holidays and the firm's closing days. The answer is one export for that customer alone, made
through data_access.exports (grant, reason, audit): the customer's own details in full, other
people's masked, since a note or a transaction may name a relative, a proxy or the staff who
served them. Fraud cues (alerts) stay out of the answer: they protect the customer's money
from people who might use the export.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import polars as pl
from sqlalchemy import Connection, case, select

from data_access import exports
from data_access.core.business_days import (
    business_today,
    extra_holidays,
    is_business_day,
)
from data_access.core.db import (
    read_frame,
    reads_before_write,
    unit_of_work,
)
from data_access.core.errors import (
    NotFound,
    Refused,
)
from data_access.core.masking import (
    mask_email,
    mask_phone,
)
from data_access.core.models import (
    AccessRequest,
    Account,
    Branch,
    ConsentEvent,
    Consultation,
    Customer,
    Employee,
    Product,
    Transaction,
)
from data_access.core.policy import (
    Action,
    branch_condition,
    require,
)
from data_access.core.security import (
    SignedInUser,
    audit_as,
    now_seoul,
)
from data_access.retention.schedule import (
    setting_values,
)

CHANNELS = ("branch", "phone", "mail", "online")
OPEN, FULFILLED = "open", "fulfilled"
STATUSES = (OPEN, FULFILLED)
# The answer's columns and sections; a page passes their words as `labels`.
ANSWER_COLUMNS = ("section", "date", "item", "staff", "detail")
SECTIONS = ("profile", "account", "transaction", "consultation", "consent")
PROFILE_FIELDS = (
    "customer_no", "name", "birth_date", "phone", "email", "address", "occupation",
    "opened_on", "consent_dm", "consent_tm", "consent_email",
)  # fmt: skip
PAGE = "retention"
YES, NO = "yes", "no"
PHONE_IN_TEXT = re.compile(r"(?<!\d)0\d{1,2}[- ]?\d{3,4}[- ]?\d{4}(?!\d)")
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
DIGITS = re.compile(r"\D")


def add_business_days(start: dt.date, days: int, holidays: frozenset[dt.date]) -> dt.date:
    """The `days`-th business day after `start` (a request on a Saturday counts from Monday)."""
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_business_day(day, holidays):
            counted += 1
    return day


def _customer(conn: Connection, customer_no: str) -> tuple[int, int]:
    row = conn.execute(
        select(Customer.id, Customer.home_branch_id).where(
            Customer.customer_no == customer_no.strip()
        )
    ).one_or_none()
    if row is None:
        raise NotFound("customer_not_found", number=customer_no.strip()[:20])
    return row[0], row[1]


def log_access_request(
    conn: Connection,
    user: SignedInUser,
    customer_no: str,
    *,
    received_on: dt.date,
    channel: str,
) -> int:
    """Record a customer's request to see their records, with its deadline; audited. The
    customer's home branch must be in the user's scope."""
    require(user, Action.ACCESS_REQUEST_WRITE)
    if channel not in CHANNELS:
        raise Refused("access_request_channel")
    if received_on > business_today():
        raise Refused("access_request_future")
    with reads_before_write(conn):
        customer_id, branch_id = _customer(conn, customer_no)
        require(user, Action.ACCESS_REQUEST_WRITE, branch_id=branch_id)
        days = int(setting_values(conn)["access_request_business_days"])
        deadline = add_business_days(received_on, days, extra_holidays(conn))
    with unit_of_work(conn) as session:
        request = AccessRequest(
            customer_id=customer_id,
            branch_id=branch_id,
            received_on=received_on,
            channel=channel,
            deadline_on=deadline,
            status=OPEN,
            recorded_by=user.username,
            recorded_at=now_seoul(),
        )
        session.add(request)
        session.flush()
        audit_as(
            session,
            user,
            "access_request_log",
            target_kind="access_request",
            target_id=str(request.id),
            detail={
                "customer_no": customer_no.strip(),
                "received_on": received_on.isoformat(),
                "deadline_on": deadline.isoformat(),
                "channel": channel,
            },
        )
        return request.id


def access_requests(conn: Connection, user: SignedInUser, today: dt.date) -> pl.DataFrame:
    """The requests of the branches in scope, overdue open ones first, then open ones by
    deadline, then answered ones newest first: id, customer_no, customer_name, branch_code,
    branch_name_ko, branch_name_en, received_on, channel, deadline_on, status, overdue,
    recorded_by, fulfilled_by, fulfilled_on."""
    require(user, Action.ACCESS_REQUEST_READ)
    is_open = AccessRequest.status == OPEN
    overdue = is_open & (AccessRequest.deadline_on < today)
    stmt = (
        select(
            AccessRequest.id,
            Customer.customer_no,
            Customer.name.label("customer_name"),
            Branch.code.label("branch_code"),
            Branch.name_ko.label("branch_name_ko"),
            Branch.name_en.label("branch_name_en"),
            AccessRequest.received_on,
            AccessRequest.channel,
            AccessRequest.deadline_on,
            AccessRequest.status,
            case((overdue, True), else_=False).label("overdue"),
            AccessRequest.recorded_by,
            AccessRequest.fulfilled_by,
            AccessRequest.fulfilled_on,
        )
        .join(Customer, Customer.id == AccessRequest.customer_id)
        .join(Branch, Branch.id == AccessRequest.branch_id)
        .where(branch_condition(user, Action.ACCESS_REQUEST_READ, AccessRequest.branch_id))
        .order_by(
            case((overdue, 0), (is_open, 1), else_=2),
            case((is_open, AccessRequest.deadline_on), else_=None),
            AccessRequest.fulfilled_on.desc(),
            AccessRequest.id.desc(),
        )
    )
    return read_frame(
        conn,
        stmt,
        {
            "id": pl.Int64,
            "customer_no": pl.String,
            "customer_name": pl.String,
            "branch_code": pl.String,
            "branch_name_ko": pl.String,
            "branch_name_en": pl.String,
            "received_on": pl.Date,
            "channel": pl.String,
            "deadline_on": pl.Date,
            "status": pl.String,
            "overdue": pl.Boolean,
            "recorded_by": pl.String,
            "fulfilled_by": pl.String,
            "fulfilled_on": pl.Date,
        },
    )


def _masked_name(name: str | None) -> str:
    """A person other than the customer: the family name only (김**)."""
    return f"{name[:1]}**" if name else ""


def _third_parties_masked(text: str, own_phone: str, own_email: str | None) -> str:
    """Phone numbers and e-mail addresses in free text masked unless they are the customer's."""
    own_digits = DIGITS.sub("", own_phone)

    def phone(found: re.Match[str]) -> str:
        number = found.group()
        return number if DIGITS.sub("", number) == own_digits else mask_phone(number)

    def email(found: re.Match[str]) -> str:
        address = found.group()
        return (
            address
            if own_email and address.lower() == own_email.lower()
            else (mask_email(address) or "")
        )

    return EMAIL_IN_TEXT.sub(email, PHONE_IN_TEXT.sub(phone, text))


def _answer(conn: Connection, customer_id: int, words: Mapping[str, str]) -> pl.DataFrame:
    """Everything the console keeps about one customer that is theirs to see, one row per
    fact (section, date, item, staff, detail), other people masked; every code (a section, a
    field, a kind, a channel, yes or no) in `words` where they name it."""

    def word(vocabulary: str, code: str) -> str:
        return words.get(f"{vocabulary}.{code}", code)

    def shown(value: object) -> str:
        if isinstance(value, bool):
            return word("answer", YES if value else NO)
        return "" if value is None else str(value)

    customer = conn.execute(
        select(*(Customer.__table__.c[field] for field in PROFILE_FIELDS)).where(
            Customer.id == customer_id
        )
    ).one()
    rows: list[tuple[str, str, str, str, str]] = [
        (word("section", "profile"), "", word("field", field), "", shown(value))
        for field, value in customer._mapping.items()
    ]
    accounts = conn.execute(
        select(
            Account.account_no, Product.name, Account.opened_on, Account.closed_on,
            Account.principal_krw, Account.market_value_krw,
        )
        .join(Product, Product.id == Account.product_id)
        .where(Account.customer_id == customer_id)
        .order_by(Account.opened_on)
    ).all()  # fmt: skip
    for number, product, opened, closed, principal, value in accounts:
        detail = f"{product}; {principal} / {value}" + (f"; {closed}" if closed else "")
        rows.append((word("section", "account"), str(opened), number, "", detail))
    transactions = conn.execute(
        select(Transaction.occurred_at, Transaction.kind, Transaction.amount_krw,
               Transaction.channel, Account.account_no)
        .join(Account, Account.id == Transaction.account_id)
        .where(Transaction.customer_id == customer_id)
        .order_by(Transaction.occurred_at)
    ).all()  # fmt: skip
    for at, kind, amount, channel, account_no in transactions:
        detail = f"{account_no}; {amount}; {word('txn_channel', channel)}"
        rows.append((word("section", "transaction"), str(at), word("txn_kind", kind), "", detail))
    notes = conn.execute(
        select(Consultation.occurred_at, Consultation.channel, Consultation.note, Employee.name)
        .join(Employee, Employee.id == Consultation.employee_id)
        .where(Consultation.customer_id == customer_id)
        .order_by(Consultation.occurred_at)
    ).all()
    for at, channel, note, staff in notes:
        text = _third_parties_masked(note, customer.phone, customer.email)
        section, how = word("section", "consultation"), word("consult_channel", channel)
        rows.append((section, str(at), how, _masked_name(staff), text))
    consents = conn.execute(
        select(ConsentEvent.occurred_at, ConsentEvent.purpose, ConsentEvent.channel,
               ConsentEvent.given)
        .where(ConsentEvent.customer_id == customer_id)
        .order_by(ConsentEvent.id)
    ).all()  # fmt: skip
    for at, purpose, channel, given in consents:
        item = f"{word('consent_purpose', purpose)} / {word('consent_channel', channel)}"
        rows.append((word("section", "consent"), str(at), item, "", shown(given)))
    return pl.DataFrame(rows, schema=dict.fromkeys(ANSWER_COLUMNS, pl.String), orient="row")


def fulfil_access_request(
    conn: Connection,
    user: SignedInUser,
    request_id: int,
    *,
    labels: Mapping[str, str] | None = None,
    file_format: str = "csv",
) -> exports.ExportFile:
    """The answer to request `request_id`: one export of that customer's records (the
    customer's own details unmasked, third parties masked, formula-safe), audited by the
    export path with the request as its reason; the request is then marked answered.
    `labels` words the codes in the reader's language, each under its vocabulary
    (`column.<name>`, `section.<code>`, `field.<name>`, `answer.yes`/`answer.no`,
    `txn_kind.`, `txn_channel.`, `consult_channel.`, `consent_purpose.`, `consent_channel.`),
    since one code ("phone") means different things in different places.
    Like every export, the caller commits: the export's checks open the transaction it writes
    in."""
    require(user, Action.ACCESS_REQUEST_WRITE)
    with reads_before_write(conn):
        request = conn.execute(
            select(AccessRequest.customer_id, AccessRequest.branch_id).where(
                AccessRequest.id == request_id
            )
        ).one_or_none()
        if request is None:
            raise NotFound("access_request_missing")
        require(user, Action.ACCESS_REQUEST_WRITE, branch_id=request.branch_id)
        words = dict(labels or {})
        answer = _answer(conn, request.customer_id, words).rename(
            {column: words.get(f"column.{column}", column) for column in ANSWER_COLUMNS}
        )
    file = exports.export_frame(
        conn,
        user,
        answer,
        name=f"access_request_{request_id}",
        reason=f"access request {request_id}",
        file_format=file_format,
        branch_id=request.branch_id,
        unmasked=True,
        page=PAGE,
    )
    with unit_of_work(conn) as session:
        stored = session.get(AccessRequest, request_id, with_for_update=True)
        assert stored is not None
        if stored.status == OPEN:
            stored.status, stored.fulfilled_by = FULFILLED, user.username
            stored.fulfilled_on = business_today()
        audit_as(
            session,
            user,
            "access_request_fulfil",
            target_kind="access_request",
            target_id=str(request_id),
            detail={"rows": file.rows},
        )
    return file
