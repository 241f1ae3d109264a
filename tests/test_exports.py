"""Every export through data_access.exports: the grant, the reason, masking by role and purpose,
formula neutralisation, the audit record; and the grants an admin gives and takes back."""

import io
import json
import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from data_access.core.errors import (
    Refused,
)
from data_access.core.masking import (
    mask_address,
    mask_email,
    mask_identity_number,
    mask_phone,
)
from data_access.core.models import (
    AuditRecord,
    UsageEvent,
)
from data_access.core.policy import (
    AccessDenied,
    Action,
    holds_grant,
    permits_granted,
)
from data_access.exports import exports, grants
from jobs import demo
from tests.handmade import ADMIN, EXECUTIVE, KIM, MANAGER_101, TRAINER

# Two customers of branch 101 as some page would list them, with hostile cells.
LISTING = pl.DataFrame(
    {
        "customer_no": ["100000001", "100000002"],
        "name": ['=HYPERLINK("http://evil","홍길동")', "이영희"],
        "phone": ["010-1111-2222", "010-3333-4444"],
        "email": ["hong@example.com", None],
        # The first as imported without spaces: it must not leave whole in a masked file.
        "address": [
            "서울특별시강남구테헤란로123길45-6한빛아파트101동1001호",
            "서울특별시 서초구 2",
        ],
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
    assert mask_identity_number("900101-1234567") == "900101-1******"
    assert mask_identity_number("garbage") == "******-*******"


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("서울특별시 강남구 테헤란로 1", "서울특별시 강남구 ***"),
        ("서울특별시강남구테헤란로123길45-6한빛아파트101동1001호", "서울특별시 강남구 ***"),
        ("서울  중구\t세종대로 110", "서울 중구 ***"),
        ("서울시 종로구 종로 1", "서울시 종로구 ***"),
        ("부산광역시\u3000해운대구\u3000우동 1408", "부산광역시 해운대구 ***"),
        ("경기도 성남시 분당구 판교역로 235, 101동 1001호", "경기도 성남시 분당구 ***"),
        ("경기도성남시분당구판교역로235", "경기도 성남시 분당구 ***"),
        ("경상남도 창원시 마산합포구 3·15대로 1", "경상남도 창원시 마산합포구 ***"),
        # Guri has no district of its own: 구리시 is the district, 구 starts no second one.
        ("경기 구리시 구리로 1", "경기 구리시 ***"),
        ("경기도 가평군 가평읍 석봉로 1", "경기도 가평군 ***"),
        ("세종특별자치시 조치원읍 군청로 93", "세종특별자치시 ***"),
        ("제주특별자치도 서귀포시 중문관광로 72", "제주특별자치도 서귀포시 ***"),
        ("강원도 춘천시 중앙로 1", "강원도 춘천시 ***"),
        ("전북특별자치도 전주시 완산구 효자로 225", "전북특별자치도 전주시 완산구 ***"),
        ("부산광역시 3", "부산광역시 ***"),
        ("서울 4", "서울 ***"),
        ("테헤란로 123", "***"),
        ("123 Teheran-ro, Gangnam-gu, Seoul", "***"),
        ("  ", "***"),
    ],
    ids=[
        "spaced",
        "no-spaces",
        "short-province-tab",
        "seoul-si",
        "ideographic-space",
        "city-with-districts",
        "city-with-districts-no-spaces",
        "four-syllable-district",
        "city-without-districts",
        "county",
        "sejong-has-no-district",
        "jeju",
        "old-province-name",
        "jeonbuk",
        "province-and-number",
        "short-province-and-number",
        "no-province",
        "english",
        "blank",
    ],
)
def test_an_address_keeps_its_province_and_district_whatever_the_spacing(address, masked):
    assert mask_address(address) == masked


def test_every_demo_address_keeps_province_and_district():
    for site in demo.BRANCH_SITES:
        province = demo.PROVINCES[site.region]
        address = f"{province} {site.district} {demo.ROADS[0]} 12, 101동 1001호"
        district = "" if site.district.endswith("읍") else f"{site.district} "
        assert mask_address(address) == f"{province} {district}***", address


# Every province but Sejong, which has no districts (see the examples above).
PROVINCES = [
    "서울특별시", "서울", "부산광역시", "인천시", "경기도", "경기", "강원특별자치도",
    "충청북도", "전북특별자치도", "전라남도", "경남", "제주특별자치도", "제주",
]  # fmt: skip
DISTRICTS = [
    "강남구", "중구", "미추홀구", "성남시 분당구", "수원시 팔달구", "구리시", "서귀포시", "가평군",
    "의정부시",
]  # fmt: skip
SPACING = st.sampled_from(["", " ", "   ", "\t", "\u3000", " \u3000\t"])
HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
STREETS = st.builds(
    "".join,
    st.tuples(
        st.text(HANGUL, min_size=2, max_size=5),
        st.sampled_from(["로", "길", "대로", "로12번길"]),
    ),
)
NUMBERS = st.builds(
    "{}{}".format,
    st.integers(1, 9999),
    st.one_of(st.just(""), st.integers(1, 99).map("-{}".format)),
)
BUILDINGS = st.builds(
    "{}{}동{}호".format,
    st.text(HANGUL, min_size=1, max_size=6).map(lambda name: f"{name}아파트"),
    st.integers(1, 999),
    st.integers(101, 3505),
)


@settings(max_examples=300, deadline=None)
@given(
    province=st.sampled_from(PROVINCES),
    district=st.sampled_from(DISTRICTS),
    street=STREETS,
    number=NUMBERS,
    building=BUILDINGS,
    gaps=st.lists(SPACING, min_size=7, max_size=7),
)
def test_a_masked_address_never_shows_street_number_or_building(
    province, district, street, number, building, gaps
):
    parts = [province, *district.split(" "), street, number, building]
    gap = iter(gaps)
    address = next(gap) + "".join(part + next(gap) for part in parts)
    masked = mask_address(address)
    assert masked == f"{province} {district} ***"
    assert street not in masked and number not in masked and building not in masked


@settings(max_examples=500, deadline=None)
@given(
    address=st.text(
        st.sampled_from([*"서울특별시경기도강남구성남분당시군로길아파트동호 \t\u3000-,"])
        | st.characters(),
        max_size=40,
    )
)
def test_a_masked_address_is_at_most_a_province_and_a_district(address):
    masked = mask_address(address)
    assert not re.search(r"\d{3}", masked)
    assert re.fullmatch(r"(\S+ ){0,3}\*\*\*", masked), masked
    kept = masked.removesuffix("***").split()
    assert "".join(address.split()).startswith("".join(kept))


def test_the_role_allows_but_only_a_grant_opens_exports(handmade):
    assert not permits_granted(handmade, MANAGER_101, Action.EXPORT, branch_id=1)
    with pytest.raises(AccessDenied, match="access_denied_no_grant"):
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
            "서울특별시 강남구 ***",
            "900101-1******",
            "'+82 전화 요망",
            "5000000",
        ),
        ("100000002", "이영희", "010-****-4444", None, "서울특별시 서초구 ***", "851231-2******",
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
    with pytest.raises(AccessDenied, match="export_one_branch"):
        exports.export_frame(handmade, MANAGER_101, LISTING, name="all", reason="r")


@pytest.mark.parametrize("reason", ["", "   ", "x" * (exports.REASON_MAX_CHARS + 1)])
def test_no_export_without_a_reason(handmade, reason):
    grant_export(handmade, "exec")
    with pytest.raises(Refused, match="export_reason_needed"):
        exports.export_frame(handmade, EXECUTIVE, LISTING, name="x", reason=reason)
    assert (
        handmade.execute(select(AuditRecord.id).where(AuditRecord.action == "export")).all() == []
    )


def test_an_unknown_format_is_refused(handmade):
    with pytest.raises(Refused, match="export_format"):
        exports.export_frame(handmade, EXECUTIVE, LISTING, name="x", reason="r", file_format="pdf")


@pytest.mark.parametrize("user", [KIM, TRAINER, ADMIN])
def test_roles_without_exports_are_refused_even_if_asked(handmade, user):
    with pytest.raises(AccessDenied):
        exports.export_frame(handmade, user, LISTING, name="x", reason="r", branch_id=1)


def test_grants_are_audited_revocable_and_only_for_roles_that_may_export(handmade):
    grant_id = grant_export(handmade, "manager")
    with pytest.raises(Refused, match="grant_exists"):
        grant_export(handmade, "manager")
    for username in ("kim", "trainer", "admin"):
        with pytest.raises(Refused, match="grant_role_cannot"):
            grant_export(handmade, username)
    with pytest.raises(Refused, match="grant_reason_needed"):
        grants.grant(handmade, ADMIN, "exec", Action.EXPORT, reason=" ")
    with pytest.raises(Refused, match="grant_not_explicit"):
        grants.grant(handmade, ADMIN, "exec", Action.CUSTOMER_READ, reason="why")
    with pytest.raises(AccessDenied):
        grants.grant(handmade, EXECUTIVE, "exec", Action.EXPORT, reason="self-service")
    grants.revoke(handmade, ADMIN, grant_id)
    assert not holds_grant(handmade, MANAGER_101, Action.EXPORT)
    with pytest.raises(Refused, match="grant_not_current"):
        grants.revoke(handmade, ADMIN, grant_id)
    listed = grants.list_grants(handmade, ADMIN)
    assert listed.select("username", "action", "granted_by", "revoked_by").rows() == [
        ("manager", "export", ADMIN.username, ADMIN.username)
    ]
    trail = handmade.execute(
        select(AuditRecord.action, AuditRecord.target_id).order_by(AuditRecord.id)
    ).all()
    assert [tuple(row) for row in trail] == [("grant_given", "2"), ("grant_revoked", "2")]
