"""How the audit page words what the trail stores: actions, details and addresses."""

import pytest

from ui.audit_words import action_text, client_text, detail_text


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("::ffff:127.0.0.1", "127.0.0.1"), ("10.1.2.3", "10.1.2.3"), ("::1", "::1"), ("", "")],
    ids=["ipv4-mapped", "ipv4", "ipv6", "empty"],
)
def test_an_ipv4_mapped_address_reads_as_plain_ipv4(stored, shown):
    assert client_text(stored) == shown


def test_every_action_the_code_writes_has_words_in_both_languages():
    assert action_text("sign_in", "ko") == "로그인"
    assert action_text("customer_search", "en") == "Customer search"
    assert action_text("import_loaded", "ko") == "파일 올리기 완료"


@pytest.mark.parametrize(
    ("detail", "language", "shown"),
    [
        ('{"kind": "name", "results": 3}', "ko", "검색 종류: 이름 · 결과 수: 3"),
        ('{"kind": "name", "results": 3}', "en", "search kind: name · results: 3"),
        ('{"via": "sso"}', "en", "signed in with: company account (SSO)"),
        ('{"sensitive": true, "alert_id": 7}', "ko", "민감한 내용: 예 · 경보 번호: 7"),
        (
            '{"before": {"tier": "vip", "days": 3}, "after": {"tier": "vip", "days": 5}}',
            "en",
            "changed: days 3 → 5",
        ),
        ('{"business_date": "2026-03-02"}', "ko", "영업일: 2026년 3월 2일"),
        ("", "ko", ""),
    ],
    ids=[
        "search-ko",
        "search-en",
        "sso",
        "flag-and-number",
        "before-after",
        "business-day",
        "none",
    ],
)
def test_a_detail_reads_as_phrases_never_as_json(detail, language, shown):
    assert detail_text(detail, language) == shown
