"""Sign-in: one answer for every failure, throttles per address and per account, the
unknown-name mark, and the hash-chained audit trail.

Addresses: 10.0.0.x are staff desks, 198.51.100.x somewhere new, 203.0.113.x strangers.
"""

import datetime as dt
import itertools

import pytest
from sqlalchemy import select, update

from data_access.core import security
from data_access.core.db import (
    make_engine,
    unit_of_work,
)
from data_access.core.models import (
    AuditRecord,
    Role,
    SignInAddress,
    User,
)
from data_access.core.policy import (
    Action,
    Scope,
    scope_of,
)
from data_access.core.security import (
    ADDRESS_FREE_FAILURES,
    GENESIS_HASH,
    MAX_FAILED_SIGN_INS,
    SignInRefused,
    audit_row_hash,
    authenticate,
    now_seoul,
)
from tests import handmade as handmade_dataset
from tests.handmade import PASSWORD, PASSWORD_HASH


def audit_actions(conn) -> list[tuple[str, str]]:
    rows = conn.execute(select(AuditRecord.username, AuditRecord.action).order_by(AuditRecord.id))
    return [tuple(row) for row in rows]


def failed_rows(conn) -> list[tuple]:
    """(user id, username, action, client) of every audited sign-in that did not succeed."""
    rows = conn.execute(
        select(AuditRecord.user_id, AuditRecord.username, AuditRecord.action, AuditRecord.client)
        .where(AuditRecord.action != "sign_in")
        .order_by(AuditRecord.id)
    )
    return [tuple(row) for row in rows]


def refused(conn, username: str, password: str, client: str = "10.0.0.7") -> str:
    """The code of the refusal a sign-in gets (the page turns it into one sentence)."""
    with pytest.raises(SignInRefused) as refusal:
        authenticate(conn, username, password, client=client)
    return refusal.value.code


def lock(conn, username: str) -> None:
    """Strangers, each from an address of their own, guess until the account locks."""
    for stranger in range(MAX_FAILED_SIGN_INS):
        refused(conn, username, "guess", client=f"203.0.113.{stranger}")


def test_sign_in_returns_role_and_branch_and_is_audited(handmade):
    user = authenticate(handmade, "manager", PASSWORD, client="10.0.0.7")
    assert (user.role, user.branch_id, user.employee_name) == (Role.BRANCH_MANAGER, 1, "오지점")
    assert scope_of(user, Action.KPI_READ) is Scope.BRANCH, "the policy holds them to it"
    assert audit_actions(handmade) == [("manager", "sign_in")]
    last = handmade.execute(select(User.last_sign_in_at).where(User.username == "manager"))
    assert last.scalar_one() is not None


@pytest.mark.parametrize(
    ("username", "password", "before"),
    [
        ("manager", "wrong-password", None),
        ("nobody", PASSWORD, None),
        ("manager", "", None),
        ("park", PASSWORD, update(User).where(User.username == "park").values(is_active=False)),
        ("kim", PASSWORD, "lock"),
    ],
    ids=["wrong-password", "unknown-user", "empty-password", "disabled", "locked"],
)
def test_every_failure_gets_the_same_answer_and_a_record(handmade, username, password, before):
    if before == "lock":
        lock(handmade, username)
    elif before is not None:
        handmade.execute(before)
    already = len(failed_rows(handmade))
    assert refused(handmade, username, password, client="198.51.100.1") == "wrong_credentials"
    assert len(failed_rows(handmade)) == already + 1


@pytest.fixture
def verifies(monkeypatch) -> list[str]:
    """The stored hashes each sign-in verified a password against, in order."""
    seen: list[str] = []
    real = security.password_matches

    def recorded(stored_hash: str, password: str) -> bool:
        seen.append(stored_hash)
        return real(stored_hash, password)

    monkeypatch.setattr(security, "password_matches", recorded)
    return seen


def argon2_parameters(stored_hash: str) -> str:
    """`$argon2id$v=19$m=...,t=...,p=...`: what decides how long a verify takes."""
    return "$".join(stored_hash.split("$")[:4])


def test_every_path_costs_one_verify_against_a_real_argon2_hash(handmade, verifies):
    """An unknown name, a disabled account and a locked one take as long as a wrong password:
    each runs exactly one argon2 verify with the same parameters (benchmarks/security_tasks.py
    prints the timings; a unit test does not assert them)."""
    lock(handmade, "kim")
    handmade.execute(update(User).where(User.username == "park").values(is_active=False))
    verifies.clear()
    for username, password in (
        ("manager", "wrong"),
        ("nobody", PASSWORD),
        ("park", PASSWORD),
        ("kim", PASSWORD),
    ):
        refused(handmade, username, password, client="198.51.100.2")
    assert len(verifies) == 4
    assert {argon2_parameters(stored) for stored in verifies} == {argon2_parameters(PASSWORD_HASH)}
    dummy = verifies[1]
    assert dummy != PASSWORD_HASH and dummy.startswith("$argon2id$")
    assert not security.password_matches(dummy, PASSWORD)


def test_strangers_lock_an_account_only_for_addresses_it_never_signed_in_from(handmade):
    assert authenticate(handmade, "admin", PASSWORD, client="10.0.0.1").username == "admin"
    lock(handmade, "admin")
    # The right password from somewhere new is refused while the lock holds ...
    assert refused(handmade, "admin", PASSWORD, client="198.51.100.7") == "wrong_credentials"
    # ... but not at the admin's own desk, and signing in there lifts the lock.
    assert authenticate(handmade, "admin", PASSWORD, client="10.0.0.1").username == "admin"
    assert authenticate(handmade, "admin", PASSWORD, client="198.51.100.7").username == "admin"
    actions = [action for _, _, action, _ in failed_rows(handmade)]
    assert actions == ["sign_in_failed"] * MAX_FAILED_SIGN_INS + ["sign_in_throttled"]


def test_the_lock_lapses_after_its_period(handmade):
    lock(handmade, "kim")
    handmade.execute(
        update(User)
        .where(User.username == "kim")
        .values(locked_until=now_seoul() - dt.timedelta(seconds=1))
    )
    assert authenticate(handmade, "kim", PASSWORD, client="198.51.100.7").username == "kim"


def test_one_address_spraying_many_names_is_made_to_wait(handmade):
    names = ["exec", "manager", "kim", "park", "trainer", "admin", "ghost", "root", "hr", "it"]
    assert len(names) == ADDRESS_FREE_FAILURES
    for name in names:
        assert refused(handmade, name, "Winter2026!", client="203.0.113.66") == "wrong_credentials"
    # The next try from there is not judged, even with the right password of someone who
    # never signed in from it; the same person elsewhere is not held up.
    assert refused(handmade, "trainer", PASSWORD, client="203.0.113.66") == "wrong_credentials"
    assert authenticate(handmade, "trainer", PASSWORD, client="10.0.0.8").username == "trainer"
    throttled = [row for row in failed_rows(handmade) if row[2] == "sign_in_throttled"]
    assert [(user_id, client) for user_id, _, _, client in throttled] == [(5, "203.0.113.66")]
    failures, wait_until = handmade.execute(
        select(SignInAddress.failures, SignInAddress.wait_until).where(
            SignInAddress.client == "203.0.113.66"
        )
    ).one()
    assert failures == ADDRESS_FREE_FAILURES and wait_until > now_seoul()
    # Once its wait is over, the address is judged again.
    handmade.execute(update(SignInAddress).values(wait_until=now_seoul() - dt.timedelta(seconds=1)))
    assert authenticate(handmade, "trainer", PASSWORD, client="203.0.113.66").username == "trainer"


def test_the_wait_grows_with_each_further_failure_up_to_its_ceiling():
    waits = [security.address_wait(ADDRESS_FREE_FAILURES + extra) for extra in range(8)]
    seconds = [wait.total_seconds() for wait in waits]
    assert seconds == [30, 60, 120, 240, 480, 900, 900, 900]


def test_a_name_nobody_has_is_audited_as_a_keyed_mark_not_as_typed(handmade):
    typed = "Kim-Secret-Password-7"  # a password typed into the username field
    for _ in range(2):
        refused(handmade, typed, "x")
    refused(handmade, "someone-else", "x")
    rows = failed_rows(handmade)
    marks = [username for _, username, _, _ in rows]
    assert all(user_id is None for user_id, _, _, _ in rows)
    assert marks[0] == marks[1] != marks[2]  # repeated tries of one name still correlate
    assert all(mark.startswith("unknown:") and len(mark) <= 40 for mark in marks)
    stored = " ".join(str(value) for row in handmade.execute(select(AuditRecord)) for value in row)
    assert typed not in stored and typed.lower() not in stored


def test_the_throttle_is_shared_by_every_console_replica(databases):
    """Two engines on one database stand for two console replicas behind a load balancer."""
    engine = databases.new("replicas")
    with engine.begin() as conn:
        handmade_dataset.load(conn)
    replicas = [make_engine(engine.url.render_as_string(hide_password=False)) for _ in range(2)]
    try:
        for attempt in range(ADDRESS_FREE_FAILURES):
            with replicas[attempt % 2].connect() as conn:
                refused(conn, f"name{attempt}", "guess", client="203.0.113.9")
        for replica in replicas:
            with replica.connect() as conn:
                refused(conn, "kim", PASSWORD, client="203.0.113.9")
        with replicas[0].connect() as conn:
            assert authenticate(conn, "kim", PASSWORD, client="10.0.0.3").username == "kim"
    finally:
        for replica in replicas:
            replica.dispose()


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
