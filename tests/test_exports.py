"""Every export through data_access.exports: the grant, the reason, masking by role and purpose,
formula neutralisation, the audit record; and the grants an admin gives and takes back."""

import io
import json

import polars as pl
import pytest
from sqlalchemy import select

from data_access import exports, grants
from data_access.masking import mask_address, mask_email, mask_identity_number, mask_phone
from data_access.models import AuditRecord, UsageEvent
from data_access.policy import AccessDenied, Action, holds_grant, permits_granted
from tests.handmade import ADMIN, EXECUTIVE, KIM, MANAGER_101, TRAINER

# Two customers of branch 101 as some page would list them, with hostile cells.
LISTING = pl.DataFrame(
    {
        "customer_no": ["100000001", "100000002"],
        "name": ['=HYPERLINK("http://evil","홍길동")', "이영희"],
        "phone": ["010-1111-2222", "010-3333-4444"],
        "email": ["hong@example.com", None],
        "address": ["서울특별시 강남구 1", "서울특별시 서초구 2"],
        "identity_no": ["900101-1234567", "851231-2345678"],
        "memo": ["+82 전화 요망", "@SUM(A1:A9)"],
        "aum_krw": [5_000_000, -2_000],
    }
)


def grant_export(conn, username: str) -> int:
    return grants.grant(conn, ADMIN, username, Action.EXPORT, reason="monthly branch report")


def read_csv(data: bytes) -> pl.DataFrame:
    assert data.startswith(exports.UTF8_BOM)
    return pl.read_csv(io.BytesIO(data[len(exports.UTF8_BOM) :]), infer_schema=False)


def test_masking_keeps_enough_to_confirm_and_no_more():
    assert mask_phone("010-1234-5678") == "010-****-5678"
    assert mask_phone("12") == "****"
    assert mask_email("hong@example.com") == "h***@example.com"
    assert mask_email(None) is None
    assert mask_address("서울특별시 강남구 테헤란로 1") == "서울특별시 ***"
    assert mask_identity_number("900101-1234567") == "900101-1******"
    assert mask_identity_number("garbage") == "******-*******"


def test_the_role_allows_but_only_a_grant_opens_exports(handmade):
    assert not permits_granted(handmade, MANAGER_101, Action.EXPORT, branch_id=1)
    with pytest.raises(AccessDenied, match="no grant"):
        exports.export_frame(handmade, MANAGER_101, LISTING, name="list", reason="r", branch_id=1)
    grant_export(handmade, "manager")
    assert permits_granted(handmade, MANAGER_101, Action.EXPORT, branch_id=1)
    assert not permits_granted(handmade, MANAGER_101, Action.EXPORT, branch_id=2)


def test_a_masked_csv_export_defuses_formulas_and_is_audited_with_its_reason(handmade):
    grant_export(handmade, "manager")
    exported = exports.export_frame(
        handmade,
        MANAGER_101,
        LISTING,
        name="branch-101-customers",
        reason="  연말 감사 대상 확인  ",
        branch_id=1,
    )
    assert (exported.file_name, exported.mime, exported.rows) == (
        "branch-101-customers.csv",
        "text/csv",
        2,
    )
    assert exported.masked_columns == ("phone", "email", "address", "identity_no")
    assert read_csv(exported.data).rows() == [
        (
            "100000001",
            "'=HYPERLINK(\"http://evil\",\"홍길동\")",
            "010-****-2222",
            "h***@example.com",
            "서울특별시 ***",
            "900101-1******",
            "'+82 전화 요망",
            "5000000",
        ),
        ("100000002", "이영희", "010-****-4444", None, "서울특별시 ***", "851231-2******",
         "'@SUM(A1:A9)", "-2000"),
    ]  # fmt: skip
    record = handmade.execute(
        select(AuditRecord.username, AuditRecord.action, AuditRecord.detail).where(
            AuditRecord.action == "export"
        )
    ).one()
    assert record.username == MANAGER_101.username
    assert json.loads(record.detail) == {
        "reason": "연말 감사 대상 확인",
        "format": "csv",
        "rows": 2,
        "columns": list(LISTING.columns),
        "masked": ["phone", "email", "address", "identity_no"],
        "branch_id": 1,
    }
    usage = handmade.execute(select(UsageEvent.action, UsageEvent.target)).all()
    assert [tuple(row) for row in usage] == [("export", "branch-101-customers")]


def test_every_formula_prefix_is_neutralised():
    cells = ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "plain", "a=b", ""]
    safe = exports.neutralise_formulas(pl.DataFrame({"cell": cells}))
    assert safe["cell"].to_list() == [
        "'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "plain", "a=b", "",
    ]  # fmt: skip


def test_an_excel_export_is_masked_and_defused_too(handmade):
    grant_export(handmade, "exec")
    exported = exports.export_frame(
        handmade, EXECUTIVE, LISTING, name="firm", reason="board pack", file_format="xlsx"
    )
    assert exported.file_name == "firm.xlsx"
    sheet = pl.read_excel(io.BytesIO(exported.data), sheet_name="firm")
    assert sheet["name"][0] == '\'=HYPERLINK("http://evil","홍길동")'
    assert sheet["phone"].to_list() == ["010-****-2222", "010-****-4444"]
    assert sheet["aum_krw"].to_list() == [5_000_000, -2_000]


def test_unmasked_only_for_a_purpose_within_the_contact_scope(handmade):
    grant_export(handmade, "manager")
    full = exports.export_frame(
        handmade, MANAGER_101, LISTING, name="calls", reason="call list", branch_id=1,
        unmasked=True,
    )  # fmt: skip
    assert full.masked_columns == ()
    assert read_csv(full.data)["phone"].to_list() == ["010-1111-2222", "010-3333-4444"]
    with pytest.raises(AccessDenied):
        exports.export_frame(
            handmade, MANAGER_101, LISTING, name="calls", reason="r", branch_id=2, unmasked=True
        )
    with pytest.raises(AccessDenied, match="one branch at a time"):
        exports.export_frame(handmade, MANAGER_101, LISTING, name="all", reason="r")


@pytest.mark.parametrize("reason", ["", "   ", "x" * (exports.REASON_MAX_CHARS + 1)])
def test_no_export_without_a_reason(handmade, reason):
    grant_export(handmade, "exec")
    with pytest.raises(exports.ExportRefused, match="export_reason_needed"):
        exports.export_frame(handmade, EXECUTIVE, LISTING, name="x", reason=reason)
    assert (
        handmade.execute(select(AuditRecord.id).where(AuditRecord.action == "export")).all() == []
    )


def test_an_unknown_format_is_refused(handmade):
    with pytest.raises(exports.ExportRefused, match="export_format"):
        exports.export_frame(handmade, EXECUTIVE, LISTING, name="x", reason="r", file_format="pdf")


@pytest.mark.parametrize("user", [KIM, TRAINER, ADMIN])
def test_roles_without_exports_are_refused_even_if_asked(handmade, user):
    with pytest.raises(AccessDenied):
        exports.export_frame(handmade, user, LISTING, name="x", reason="r", branch_id=1)


def test_grants_are_audited_revocable_and_only_for_roles_that_may_export(handmade):
    grant_id = grant_export(handmade, "manager")
    with pytest.raises(grants.GrantRefused, match="grant_exists"):
        grant_export(handmade, "manager")
    for username in ("kim", "trainer", "admin"):
        with pytest.raises(grants.GrantRefused, match="grant_role_cannot"):
            grant_export(handmade, username)
    with pytest.raises(grants.GrantRefused, match="grant_reason_needed"):
        grants.grant(handmade, ADMIN, "exec", Action.EXPORT, reason=" ")
    with pytest.raises(grants.GrantRefused, match="grant_not_explicit"):
        grants.grant(handmade, ADMIN, "exec", Action.CUSTOMER_READ, reason="why")
    with pytest.raises(AccessDenied):
        grants.grant(handmade, EXECUTIVE, "exec", Action.EXPORT, reason="self-service")
    grants.revoke(handmade, ADMIN, grant_id)
    assert not holds_grant(handmade, MANAGER_101, Action.EXPORT)
    with pytest.raises(grants.GrantRefused, match="grant_not_current"):
        grants.revoke(handmade, ADMIN, grant_id)
    listed = grants.list_grants(handmade, ADMIN)
    assert listed.select("username", "action", "granted_by", "revoked_by").rows() == [
        ("manager", "export", ADMIN.username, ADMIN.username)
    ]
    trail = handmade.execute(
        select(AuditRecord.action, AuditRecord.target_id).order_by(AuditRecord.id)
    ).all()
    assert [tuple(row) for row in trail] == [("grant_given", "2"), ("grant_revoked", "2")]
