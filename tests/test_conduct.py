"""Sales conduct (issue #22) on the hand-made dataset, SQLite and PostgreSQL: every default,
a holiday inside a deadline, a sale to a customer aged 65 or over, an unsuitable sale, a sale
with no profile or an expired one, happy calls on the caller's agenda and their outcomes.

Hand-made facts used here: 홍길동 (100000001) was born on 1960-02-29, so he is 66 on
2026-03-10; 이영희 (100000002) is 50. Branch 101 has the manager (employee 2) and rep Kim
(3); branch 102 rep Park (4). Products: F001 bond fund, grade 5 (low risk); F002 equity fund,
grade 2 (high risk), added by a helper below.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TypeVar

import polars as pl
import pytest
from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from data_access import conduct
from data_access.agenda import agenda
from data_access.core.errors import AccessDenied, NotFound, Refused
from data_access.core.models import (
    AgendaItem,
    BusinessHoliday,
    Complaint,
    FundSale,
    HappyCall,
    Product,
)
from data_access.kpis import kpis
from tests import kpi_data
from tests.handmade import ADMIN, AS_OF, EXECUTIVE, KIM, MANAGER_101, PARK, TRAINER

T = TypeVar("T")
HONG, LEE = "100000001", "100000002"
TUESDAY = AS_OF  # 2026-03-10
SIGNED = conduct.ProfileDraft(3, dt.date(2026, 1, 5), "signature")


def add_equity_fund(conn: Connection) -> None:
    conn.execute(
        insert(Product).values(
            id=2, code="F002", name="드림 성장 주식형 2호", fund_type="equity",
            risk_grade=2, term_months=None, launched_on=dt.date(1996, 1, 2),
        )
    )  # fmt: skip


def only(conn: Connection, model: type[T]) -> T:
    with Session(bind=conn) as session:
        return session.scalars(select(model)).one()


@pytest.fixture
def sales(handmade: Connection) -> Connection:
    add_equity_fund(handmade)
    return handmade


def test_defaults_are_the_rules_numbers(conn: Connection) -> None:
    assert conduct.conduct_settings(conn) == {
        "profile_validity_days": 365,
        "elderly_age": 65,
        "cooling_off_business_days": 2,
        "happy_call_due_business_days": 7,
        "happy_call_risk_grade": 2,
        "happy_call_max_tries": 3,
        "happy_call_by_other_staff": 1,
    }


def test_a_sale_without_a_profile_is_refused_and_writes_nothing(sales: Connection) -> None:
    with pytest.raises(Refused) as refused:
        conduct.record_sale(
            sales, KIM, LEE, product_code="F001", amount_krw=1_000_000, sold_on=TUESDAY
        )
    assert refused.value.code == "sale_refused_no_profile"
    assert sales.execute(select(FundSale.id)).first() is None


def test_a_suitable_low_risk_sale_owes_no_call(sales: Connection) -> None:
    conduct.record_profile(sales, KIM, LEE, SIGNED)
    sold = conduct.record_sale(
        sales, KIM, LEE, product_code="F001", amount_krw=1_000_000, sold_on=TUESDAY
    )
    # Grade 5 product, grade 3 profile: suits; 50 years old; grade 5 is below the call grade.
    assert (sold.suitable, sold.aged, sold.cooling_off_ends_on, sold.happy_call_due_on) == (
        True,
        False,
        None,
        None,
    )
    assert sales.execute(select(HappyCall.id)).first() is None


def test_a_high_risk_sale_owes_a_call_in_seven_business_days_by_another_person(
    sales: Connection,
) -> None:
    conduct.record_profile(sales, KIM, LEE, conduct.ProfileDraft(1, dt.date(2026, 1, 5), "seal"))
    sold = conduct.record_sale(
        sales, KIM, LEE, product_code="F002", amount_krw=3_000_000, sold_on=TUESDAY
    )
    # 11, 12, 13, 16, 17, 18, 19 March: the seventh working day; the reminder the day before.
    assert sold.suitable and sold.happy_call_due_on == dt.date(2026, 3, 19)
    call = only(sales, HappyCall)
    assert (call.reminder_on, call.reasons, call.status, call.tries) == (
        dt.date(2026, 3, 18),
        "high_risk",
        "open",
        0,
    )
    assert call.responsible_id == 2  # the branch's other staff member, not Kim (3)


def test_the_seller_calls_when_the_setting_says_so(sales: Connection) -> None:
    conduct.save_conduct_setting(sales, ADMIN, "happy_call_by_other_staff", 0)
    conduct.record_profile(sales, KIM, LEE, conduct.ProfileDraft(1, dt.date(2026, 1, 5), "seal"))
    sold = conduct.record_sale(
        sales, KIM, LEE, product_code="F002", amount_krw=3_000_000, sold_on=TUESDAY
    )
    assert sold.responsible_id == 3


def test_an_unsuitable_sale_needs_its_recording_and_gets_cooling_off(sales: Connection) -> None:
    conduct.record_profile(sales, KIM, LEE, SIGNED)  # grade 3: bears no grade-2 product
    with pytest.raises(Refused) as refused:
        conduct.record_sale(
            sales, KIM, LEE, product_code="F002", amount_krw=3_000_000, sold_on=TUESDAY
        )
    assert refused.value.code == "sale_refused_recording_unsuitable"
    sold = conduct.record_sale(
        sales, KIM, LEE, product_code="F002", amount_krw=3_000_000, sold_on=TUESDAY,
        recording_ref="REC-2026-0310-01",
    )  # fmt: skip
    assert not sold.suitable and sold.cooling_off_ends_on == dt.date(2026, 3, 12)
    sale = only(sales, FundSale)
    assert (sale.customer_grade, sale.product_risk_grade, sale.recording_ref) == (
        3,
        2,
        "REC-2026-0310-01",
    )
    assert sales.execute(select(HappyCall.reasons)).scalar_one() == "high_risk,unsuitable"


def test_a_sale_to_a_customer_aged_65_needs_a_recording_and_a_call(sales: Connection) -> None:
    conduct.record_profile(sales, KIM, HONG, conduct.ProfileDraft(5, dt.date(2026, 2, 2), "seal"))
    with pytest.raises(Refused) as refused:
        conduct.record_sale(
            sales, KIM, HONG, product_code="F001", amount_krw=1_000_000, sold_on=TUESDAY
        )
    assert refused.value.code == "sale_refused_recording_aged"
    sold = conduct.record_sale(
        sales, KIM, HONG, product_code="F001", amount_krw=1_000_000, sold_on=TUESDAY,
        recording_ref="REC-77",
    )  # fmt: skip
    # A suitable low-risk fund, yet 66 years old: recorded, two working days to think, a call.
    assert (sold.suitable, sold.aged) == (True, True)
    assert sold.cooling_off_ends_on == dt.date(2026, 3, 12)
    assert sales.execute(select(FundSale.customer_age)).scalar_one() == 66
    assert sales.execute(select(HappyCall.reasons)).scalar_one() == "aged"


def test_holidays_inside_the_deadlines_are_skipped(sales: Connection) -> None:
    # Seollal 2026 closes 16-18 February; the firm also closes on 23 February.
    sales.execute(
        insert(BusinessHoliday).values(
            day=dt.date(2026, 2, 23), name="창립기념일", created_by="admin",
            created_at=dt.datetime(2026, 1, 2),
        )
    )  # fmt: skip
    conduct.record_profile(sales, KIM, HONG, conduct.ProfileDraft(1, dt.date(2026, 2, 2), "seal"))
    sold = conduct.record_sale(
        sales, KIM, HONG, product_code="F002", amount_krw=1_000_000,
        sold_on=dt.date(2026, 2, 13), recording_ref="REC-1",
    )  # fmt: skip
    # Cooling-off: 19, 20 Feb. The call: 19, 20, 24, 25, 26, 27 Feb (the 23rd closed), then
    # 3 Mar, since 2 Mar is 삼일절's substitute holiday; the reminder on the working day before.
    assert sold.cooling_off_ends_on == dt.date(2026, 2, 20)
    assert sold.happy_call_due_on == dt.date(2026, 3, 3)
    assert sales.execute(select(HappyCall.reminder_on)).scalar_one() == dt.date(2026, 2, 27)


def test_an_expired_profile_refuses_the_sale_until_a_fresh_one_is_given(
    sales: Connection,
) -> None:
    conduct.record_profile(sales, KIM, LEE, conduct.ProfileDraft(4, dt.date(2025, 3, 9), "seal"))
    with pytest.raises(Refused) as refused:
        conduct.record_sale(
            sales, KIM, LEE, product_code="F001", amount_krw=1_000_000, sold_on=TUESDAY
        )
    assert refused.value.code == "sale_refused_profile_expired"
    record = conduct.customer_conduct(sales, KIM, LEE, TUESDAY)
    assert record.profile is not None and record.profile.expired
    assert record.profile.valid_until == dt.date(2026, 3, 9)  # 365 days
    sold = conduct.record_sale(
        sales, KIM, LEE, product_code="F001", amount_krw=1_000_000, sold_on=TUESDAY,
        profile=conduct.ProfileDraft(4, TUESDAY, "recording", "REC-PROFILE-9"),
    )  # fmt: skip
    assert sold.suitable
    record = conduct.customer_conduct(sales, KIM, LEE, TUESDAY)
    assert record.profile is not None and not record.profile.expired
    assert record.sales["product_code"].to_list() == ["F001"]


@pytest.mark.parametrize(
    ("draft", "code"),
    [
        (conduct.ProfileDraft(7, dt.date(2026, 1, 5), "seal"), "profile_refused_grade"),
        (conduct.ProfileDraft(3, dt.date(2026, 1, 5), "email"), "profile_refused_confirmation"),
        (
            conduct.ProfileDraft(3, dt.date(2026, 1, 5), "recording"),
            "profile_refused_recording_reference",
        ),
    ],
)
def test_a_bad_profile_is_refused(
    sales: Connection, draft: conduct.ProfileDraft, code: str
) -> None:
    with pytest.raises(Refused) as refused:
        conduct.record_profile(sales, KIM, LEE, draft)
    assert refused.value.code == code


def test_bad_sale_input_is_a_refusal(sales: Connection) -> None:
    conduct.record_profile(sales, KIM, LEE, SIGNED)
    with pytest.raises(NotFound):
        conduct.record_sale(sales, KIM, LEE, product_code="NOPE", amount_krw=1, sold_on=TUESDAY)
    with pytest.raises(Refused) as refused:
        conduct.record_sale(sales, KIM, LEE, product_code="F001", amount_krw=0, sold_on=TUESDAY)
    assert refused.value.code == "sale_refused_amount"
    with pytest.raises(NotFound):
        conduct.record_sale(
            sales, KIM, "999999999", product_code="F001", amount_krw=1, sold_on=TUESDAY
        )


@pytest.mark.parametrize("user", [EXECUTIVE, TRAINER, ADMIN])
def test_only_customer_facing_staff_record_sales(sales: Connection, user) -> None:
    with pytest.raises(AccessDenied):
        conduct.record_profile(sales, user, LEE, SIGNED)
    with pytest.raises(AccessDenied):
        conduct.record_sale(sales, user, LEE, product_code="F001", amount_krw=1, sold_on=TUESDAY)


def test_settings_are_checked_and_kept_for_admins_only(handmade: Connection) -> None:
    conn = handmade
    with pytest.raises(AccessDenied):
        conduct.save_conduct_setting(conn, MANAGER_101, "happy_call_max_tries", 5)
    with pytest.raises(Refused) as refused:
        conduct.save_conduct_setting(conn, ADMIN, "happy_call_max_tries", 11)
    assert refused.value.code == "conduct_setting_out_of_range"
    with pytest.raises(Refused):
        conduct.save_conduct_setting(conn, ADMIN, "happy_call_max_tries", 2.5)
    conduct.save_conduct_setting(conn, ADMIN, "happy_call_due_business_days", 5)
    assert conduct.conduct_settings(conn)["happy_call_due_business_days"] == 5


def sell_with_call(conn: Connection) -> int:
    """Kim sells the equity fund to 이영희 (grade 1 profile); the manager must call by 19 March."""
    conduct.record_profile(conn, KIM, LEE, conduct.ProfileDraft(1, dt.date(2026, 1, 5), "seal"))
    conduct.record_sale(conn, KIM, LEE, product_code="F002", amount_krw=3_000_000, sold_on=TUESDAY)
    return conn.execute(select(HappyCall.id)).scalar_one()


def happy_rule(conn: Connection) -> agenda.StoredRule:
    return next(r for r in agenda.agenda_rules(conn) if r.kind == agenda.RuleKind.HAPPY_CALL)


def test_the_call_is_on_the_callers_agenda_with_its_facts(sales: Connection) -> None:
    call_id = sell_with_call(sales)
    rule = happy_rule(sales)
    assert rule.spec.params.days_after_sale == 1
    on_sale_day = agenda.compute_agenda(sales, [rule], TUESDAY).items
    assert on_sale_day.is_empty()
    items = agenda.compute_agenda(sales, [rule], dt.date(2026, 3, 11)).items
    assert items.select("customer_id", "employee_id", "branch_id", "due_date").rows() == [
        (2, 2, 1, dt.date(2026, 3, 19))
    ]
    facts = json.loads(items["facts"][0])
    assert facts["call_id"] == call_id and facts["product"] == "드림 성장 주식형 2호"
    assert (facts["days"], facts["tries"], facts["reasons"]) == (8, 0, "high_risk")


def test_outcomes_close_the_call_and_work_the_agenda_item(sales: Connection) -> None:
    call_id = sell_with_call(sales)
    day = dt.date(2026, 3, 11)
    rule = happy_rule(sales)
    agenda.replace_items(sales, agenda.compute_agenda(sales, [rule], day))
    with pytest.raises(AccessDenied):
        conduct.record_call(sales, KIM, call_id, conduct.UNDERSTOOD, business_date=day)
    with pytest.raises(AccessDenied):
        conduct.record_call(sales, PARK, call_id, conduct.UNDERSTOOD, business_date=day)
    script = conduct.call_script(sales, MANAGER_101, call_id)
    assert [key for key, _ in script.questions] == [
        "happy_q_product",
        "happy_q_risk_grade",
        "happy_q_principal_loss",
        "happy_q_fees",
    ]
    done = conduct.record_call(
        sales, MANAGER_101, call_id, conduct.UNDERSTOOD, note="설명 이해", business_date=day
    )
    assert (done.status, done.tries) == ("understood", 1)
    item_status = sales.execute(
        select(AgendaItem.status).where(AgendaItem.business_date == day)
    ).scalar_one()
    assert item_status == agenda.DONE
    with pytest.raises(Refused) as refused:
        conduct.record_call(sales, MANAGER_101, call_id, conduct.NO_ANSWER, business_date=day)
    assert refused.value.code == "happy_call_refused_closed"
    assert agenda.compute_agenda(sales, [rule], dt.date(2026, 3, 12)).items.is_empty()


def test_three_unanswered_tries_make_the_call_unreachable(sales: Connection) -> None:
    call_id = sell_with_call(sales)
    tries = [
        conduct.record_call(sales, MANAGER_101, call_id, conduct.NO_ANSWER).status for _ in range(3)
    ]
    assert tries == ["open", "open", "unreachable"]
    assert sales.execute(select(HappyCall.tries)).scalar_one() == 3


def test_a_complaint_flags_a_suspected_mis_sale(sales: Connection) -> None:
    call_id = sell_with_call(sales)
    with pytest.raises(Refused) as refused:
        conduct.record_call(sales, MANAGER_101, call_id, conduct.COMPLAINT)
    assert refused.value.code == "happy_call_refused_complaint_note"
    recorded = conduct.record_call(
        sales, MANAGER_101, call_id, conduct.COMPLAINT, note="원금 보장이라고 들었다고 함"
    )
    assert recorded.status == "complaint"
    call = only(sales, HappyCall)
    assert call.mis_selling_suspected and call.note == "원금 보장이라고 들었다고 함"
    case = only(sales, Complaint)
    assert recorded.complaint_case_id == call.complaint_case_id == case.id
    assert (case.category, case.source, case.channel, case.branch_id, case.product_id) == (
        "mis_selling",
        "happy_call",
        "phone",
        1,
        2,
    )
    assert case.summary == "원금 보장이라고 들었다고 함" and case.status == "open"


def test_overdue_calls_are_the_branch_managers_to_see(sales: Connection) -> None:
    sell_with_call(sales)
    assert conduct.overdue_calls(sales, MANAGER_101, dt.date(2026, 3, 19)).is_empty()
    late = conduct.overdue_calls(sales, MANAGER_101, dt.date(2026, 3, 20))
    assert late.select("customer_no", "due_on", "responsible_name").rows() == [
        (LEE, dt.date(2026, 3, 19), late["responsible_name"][0])
    ]
    assert conduct.overdue_calls(sales, EXECUTIVE, dt.date(2026, 3, 20)).height == 1
    with pytest.raises(AccessDenied):
        conduct.overdue_calls(sales, KIM, dt.date(2026, 3, 20))


def test_the_conduct_kpis_count_by_hand(handmade: Connection) -> None:
    """tests/kpi_data.py's sales and calls (its docstring counts them) on the hand-made base."""
    kpi_data._load_conduct(handmade)
    frame = kpis.compute_kpis(handmade, AS_OF, AS_OF).filter(
        pl.col("kpi").is_in(["happy_calls_on_time_pct", "unsuitable_sale_share_pct"])
    )
    found = {(row["scope_key"], row["kpi"]): row["value"] for row in frame.iter_rows(named=True)}
    assert found == pytest.approx(
        {
            ("", "happy_calls_on_time_pct"): 100 / 3,
            ("", "unsuitable_sale_share_pct"): 40.0,
            ("101", "happy_calls_on_time_pct"): 50.0,
            ("101", "unsuitable_sale_share_pct"): 50.0,
            ("102", "happy_calls_on_time_pct"): 0.0,
            ("102", "unsuitable_sale_share_pct"): 100 / 3,
            ("서울", "happy_calls_on_time_pct"): 50.0,
            ("서울", "unsuitable_sale_share_pct"): 50.0,
            ("부산", "happy_calls_on_time_pct"): 0.0,
            ("부산", "unsuitable_sale_share_pct"): 100 / 3,
        }
    )


def test_the_agenda_learns_which_customers_need_a_fresh_profile(sales: Connection) -> None:
    conduct.record_profile(sales, KIM, HONG, conduct.ProfileDraft(5, dt.date(2025, 3, 9), "seal"))
    conduct.record_profile(sales, KIM, LEE, conduct.ProfileDraft(3, dt.date(2025, 3, 10), "seal"))
    # 365 days: 홍길동's ended on 2026-03-09, 이영희's runs through 2026-03-10.
    assert conduct.expired_profiles(sales, KIM, [HONG, LEE, "100000003"], TUESDAY) == {HONG}
    assert conduct.expired_profiles(sales, KIM, [], TUESDAY) == frozenset()


def test_changed_settings_change_the_rules(sales: Connection) -> None:
    for name, value in (
        ("happy_call_due_business_days", 5),
        ("cooling_off_business_days", 3),
        ("elderly_age", 70),
        ("happy_call_risk_grade", 5),
    ):
        conduct.save_conduct_setting(sales, ADMIN, name, value)
    conduct.record_profile(sales, KIM, HONG, conduct.ProfileDraft(5, dt.date(2026, 2, 2), "seal"))
    # 66 is no longer "aged" at 70: no recording asked; grade 5 is now a call grade.
    sold = conduct.record_sale(
        sales, KIM, HONG, product_code="F001", amount_krw=1_000_000, sold_on=TUESDAY
    )
    assert (sold.aged, sold.cooling_off_ends_on) == (False, None)
    assert sold.happy_call_due_on == dt.date(2026, 3, 17)  # 11, 12, 13, 16, 17 March
    conduct.record_profile(sales, KIM, LEE, SIGNED)
    unsuitable = conduct.record_sale(
        sales, KIM, LEE, product_code="F002", amount_krw=1, sold_on=TUESDAY, recording_ref="R"
    )
    assert unsuitable.cooling_off_ends_on == dt.date(2026, 3, 13)  # three business days
