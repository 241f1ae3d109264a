"""Sign-in, lockout and the hash-chained audit trail."""

import datetime as dt
import itertools

import pytest
from sqlalchemy import select, update

from data_access.db import unit_of_work
from data_access.models import AuditRecord, Role, User
from data_access.security import (
    GENESIS_HASH,
    MAX_FAILED_SIGN_INS,
    SignInRefused,
    audit_row_hash,
    authenticate,
    now_seoul,
)
from tests.handmade import PASSWORD


def audit_actions(conn) -> list[tuple[str, str]]:
    rows = conn.execute(select(AuditRecord.username, AuditRecord.action).order_by(AuditRecord.id))
    return [tuple(row) for row in rows]


def test_sign_in_returns_role_and_branch_and_is_audited(handmade):
    user = authenticate(handmade, "manager", PASSWORD, client="10.0.0.7")
    assert (user.role, user.branch_id, user.employee_name) == (Role.BRANCH_MANAGER, 1, "오지점")
    assert not user.firm_wide
    assert audit_actions(handmade) == [("manager", "sign_in")]
    last = handmade.execute(select(User.last_sign_in_at).where(User.username == "manager"))
    assert last.scalar_one() is not None


@pytest.mark.parametrize(
    ("username", "password"),
    [("manager", "wrong-password"), ("nobody", PASSWORD), ("manager", "")],
    ids=["wrong-password", "unknown-user", "empty-password"],
)
def test_wrong_credentials_give_one_message_and_leave_a_record(handmade, username, password):
    with pytest.raises(SignInRefused, match="wrong_credentials"):
        authenticate(handmade, username, password)
    assert audit_actions(handmade) == [(username, "sign_in_failed")]


def test_repeated_failures_lock_the_account_even_with_the_right_password(handmade):
    for _ in range(MAX_FAILED_SIGN_INS):
        with pytest.raises(SignInRefused):
            authenticate(handmade, "kim", "not-it")
    with pytest.raises(SignInRefused, match="locked"):
        authenticate(handmade, "kim", PASSWORD)
    locked_until = handmade.execute(select(User.locked_until).where(User.username == "kim"))
    assert locked_until.scalar_one() > now_seoul()


def test_lock_expires(handmade):
    handmade.execute(
        update(User)
        .where(User.username == "kim")
        .values(locked_until=now_seoul() - dt.timedelta(seconds=1))
    )
    assert authenticate(handmade, "kim", PASSWORD).username == "kim"


def test_disabled_user_cannot_sign_in(handmade):
    handmade.execute(update(User).where(User.username == "park").values(is_active=False))
    with pytest.raises(SignInRefused, match="wrong_credentials"):
        authenticate(handmade, "park", PASSWORD)


def test_audit_rows_are_chained_by_hash(handmade):
    authenticate(handmade, "exec", PASSWORD)
    with pytest.raises(SignInRefused):
        authenticate(handmade, "exec", "nope")
    authenticate(handmade, "trainer", PASSWORD)
    with unit_of_work(handmade) as session:
        records = session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
        assert [r.action for r in records] == ["sign_in", "sign_in_failed", "sign_in"]
        assert records[0].prev_hash == GENESIS_HASH
        for earlier, later in itertools.pairwise(records):
            assert later.prev_hash == earlier.row_hash
        assert all(audit_row_hash(r) == r.row_hash for r in records)
        # Editing a stored row no longer matches its hash.
        records[1].action = "sign_in"
        assert audit_row_hash(records[1]) != records[1].row_hash
