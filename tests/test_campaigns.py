"""Campaigns on hand-made data (tests/handmade.py + tests/segments_data.py), both dialects.

Consent among the seven open customers: DM 1, 3, 11, 12; TM 1, 2, 11, 13, 14. Kim (employee 3)
manages 1, 2, 11 and 13; customer 14 (branch 102) has no manager, so Park (4) takes him.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, func, insert, select, update

from data_access.campaigns import campaigns
from data_access.core.db import (
    bulk_insert,
)
from data_access.core.errors import (
    DomainError,
    Refused,
)
from data_access.core.models import (
    AuditRecord,
    CampaignTarget,
    Consultation,
    Customer,
    DoNotCallNumber,
    Setting,
    Transaction,
)
from data_access.core.policy import (
    AccessDenied,
)
from data_access.customers import consent
from data_access.imports import imports
from data_access.segments import segments
from tests import handmade, segments_data
from tests.handmade import ADMIN, EXECUTIVE, KIM, MANAGER_101, PARK

AS_OF = segments_data.AS_OF
EVERYONE = segments.validate_spec({"op": "and", "items": []})


@pytest.fixture
def data(handmade: Connection) -> Connection:
    segments_data.load(handmade)
    return handmade


@pytest.fixture
def copy(data: Connection) -> segments.FeatureCopy:
    frame = segments.build_features(data, AS_OF)
    return segments.FeatureCopy(frame, AS_OF, dt.datetime(2026, 3, 10, 5), "test")


@pytest.fixture
def everyone(data: Connection) -> int:
    return segments.save_segment(data, EXECUTIVE, "전체", EVERYONE, shared=True).segment_id


def plan(segment_id: int, **changes) -> campaigns.CampaignPlan:
    values = {
        "name": "봄 DM",
        "segment_id": segment_id,
        "channel": "dm",
        "control_pct": 25,
        "seed": 7,
        "cost_per_piece_krw": 1_500,
        "sample_size": 4,
    } | changes
    return campaigns.CampaignPlan(**values)


def targets(conn: Connection, campaign_id: int) -> dict[int, tuple[str, int | None]]:
    rows = conn.execute(
        select(CampaignTarget.customer_id, CampaignTarget.arm, CampaignTarget.employee_id).where(
            CampaignTarget.campaign_id == campaign_id
        )
    ).all()
    return {row.customer_id: (row.arm, row.employee_id) for row in rows}


# --- allocation and the draw, on frames ------------------------------------------------------


def test_largest_remainder_allocation_by_hand():
    assert campaigns.allocate([50, 30, 20], 10) == [5, 3, 2]
    # 4 x (7, 5, 3) / 15 = 1.87, 1.33, 0.80: floors 1, 1, 0; the two seats left go to the
    # largest remainders, .87 and .80.
    assert campaigns.allocate([7, 5, 3], 4) == [2, 1, 1]
    # 2 x (5, 3, 2) / 10 = 1.0, 0.6, 0.4: the one seat left goes to .6.
    assert campaigns.allocate([5, 3, 2], 2) == [1, 1, 0]
    assert campaigns.allocate([0, 0], 0) == [0, 0]


def population(sizes: dict[str, int]) -> pl.DataFrame:
    strata = [name for name, size in sizes.items() for _ in range(size)]
    return pl.DataFrame({"customer_id": range(1, len(strata) + 1), "branch_code": strata})


def test_stratified_draw_hits_every_size_exactly():
    eligible = population({"101": 50, "102": 30, "103": 20})
    drawn = campaigns.draw(eligible, size=10, control=2, stratify_by="branch_code", seed=1)
    counts = {
        (row["stratum"], row["arm"]): row["len"]
        for row in drawn.group_by("stratum", "arm").len().iter_rows(named=True)
    }
    assert counts == {
        ("101", "contact"): 4,
        ("101", "control"): 1,
        ("102", "contact"): 2,
        ("102", "control"): 1,
        ("103", "contact"): 2,
    }
    members = eligible.join(drawn, on="customer_id")
    assert (members["branch_code"] == members["stratum"]).all()


def test_the_same_seed_draws_the_same_customers_and_another_seed_others():
    eligible = population({"101": 500, "102": 300})
    first = campaigns.draw(eligible, size=100, control=10, stratify_by="branch_code", seed=42)
    again = campaigns.draw(eligible, size=100, control=10, stratify_by="branch_code", seed=42)
    other = campaigns.draw(eligible, size=100, control=10, stratify_by="branch_code", seed=43)
    assert first.equals(again)
    assert not first.equals(other)


@settings(max_examples=100, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 40), min_size=1, max_size=5),
    share=st.floats(0, 1),
    control_share=st.floats(0, 1),
    seed=st.integers(0, 2**32),
)
def test_any_draw_is_exact_and_never_overlaps(sizes, share, control_share, seed):
    eligible = population({f"s{index}": size for index, size in enumerate(sizes)})
    size = math.floor(eligible.height * share)
    control = math.floor(size * control_share)
    drawn = campaigns.draw(
        eligible, size=size, control=control, stratify_by="branch_code", seed=seed
    )
    assert drawn.height == size
    assert drawn["customer_id"].n_unique() == size  # one arm per customer: no overlap
    assert (drawn["arm"] == "control").sum() == control
    expected = campaigns.allocate(sizes, size)
    per_stratum = dict(drawn.group_by("stratum").len().iter_rows())
    assert [per_stratum.get(f"s{index}", 0) for index in range(len(sizes))] == expected


# --- campaigns on the database ---------------------------------------------------------------


def test_a_dm_campaign_draws_only_customers_who_consent(data, copy, everyone):
    made = campaigns.create_campaign(data, EXECUTIVE, copy, plan(everyone), started_on=AS_OF)
    assert (made.eligible, made.contacted, made.control) == (4, 3, 1)
    drawn = targets(data, made.campaign_id)
    assert set(drawn) == {1, 3, 11, 12}
    assert {arm for arm, _ in drawn.values()} == {"contact", "control"}
    assert all(employee is None for _, employee in drawn.values())


def test_a_campaign_stratified_by_branch_takes_each_branchs_share(data, copy, everyone):
    made = campaigns.create_campaign(
        data,
        EXECUTIVE,
        copy,
        plan(everyone, sample_size=2, control_pct=0, stratify_by="branch"),
        started_on=AS_OF,
    )
    # DM consent: 1 and 11 in branch 101, 3 and 12 in branch 102: one of each.
    assert made.strata.rows() == [("101", 2, 1, 0), ("102", 2, 1, 0)]
    drawn = set(targets(data, made.campaign_id))
    assert len(drawn & {1, 11}) == 1 and len(drawn & {3, 12}) == 1


def test_a_sample_larger_than_the_segment_is_refused_with_the_numbers(data, copy, everyone):
    with pytest.raises(DomainError) as refused:
        campaigns.create_campaign(
            data, EXECUTIVE, copy, plan(everyone, sample_size=5), started_on=AS_OF
        )
    assert refused.value.code == "camp_rejected_too_large"
    assert refused.value.values == {"requested": 5, "eligible": 4}


def test_a_rate_is_rounded_to_whole_customers(data, copy, everyone):
    made = campaigns.create_campaign(
        data,
        EXECUTIVE,
        copy,
        plan(everyone, sample_size=None, sample_rate_pct=60, control_pct=0),
        started_on=AS_OF,
    )
    assert (made.contacted, made.control) == (2, 0)  # 60 % of 4 = 2.4


def test_tm_targets_go_to_the_manager_or_a_rep_of_the_branch(data, copy, everyone):
    made = campaigns.create_campaign(
        data,
        EXECUTIVE,
        copy,
        plan(everyone, channel="tm", sample_size=5, control_pct=0),
        started_on=AS_OF,
    )
    assert targets(data, made.campaign_id) == {
        1: ("contact", 3),
        2: ("contact", 3),
        11: ("contact", 3),
        13: ("contact", 3),
        14: ("contact", 4),
    }
    assert campaigns.my_calls(data, PARK)["customer_no"].to_list() == ["100000014"]
    assert campaigns.my_calls(data, KIM).height == 4


def test_a_reps_calls_show_whole_phones_only_of_customers_in_the_reps_book(data, copy, everyone):
    campaigns.create_campaign(
        data,
        EXECUTIVE,
        copy,
        plan(everyone, channel="tm", sample_size=5, control_pct=0),
        started_on=AS_OF,
    )
    # Customer 14 has no manager: Park calls him for the campaign, but he is not in Park's
    # book, so Park reads the masked number like anyone outside it (customer_360 alike).
    assert campaigns.my_calls(data, PARK).select("customer_no", "phone").rows() == [
        ("100000014", "010-****-0014")
    ]
    assert campaigns.my_calls(data, KIM).select("customer_no", "phone").rows() == [
        ("100000001", "010-1111-2222"),
        ("100000002", "010-3333-4444"),
        ("100000011", "010-1100-0011"),
        ("100000013", "010-1300-0013"),
    ]
    # Once customer 1 moves to Park's book, Kim still has the call but no longer the number.
    data.execute(update(Customer).where(Customer.id == 1).values(manager_id=4))
    assert campaigns.my_calls(data, KIM)["phone"].to_list()[0] == "010-****-2222"


def test_a_branch_manager_draws_from_own_branch_only(data, copy, everyone):
    made = campaigns.create_campaign(
        data, MANAGER_101, copy, plan(everyone, sample_size=2, control_pct=0), started_on=AS_OF
    )
    assert set(targets(data, made.campaign_id)) == {1, 11}
    listed = campaigns.list_campaigns(data, MANAGER_101)
    assert listed.select("campaign_id", "eligible").rows() == [(made.campaign_id, 2)], (
        "drawn for the branch, its eligible count is the branch's own: DM consent 1 and 11"
    )
    with pytest.raises(AccessDenied):
        campaigns.create_campaign(data, KIM, copy, plan(everyone), started_on=AS_OF)


def test_a_customer_who_withdrew_consent_after_the_copy_stops_the_draw(data, copy, everyone):
    data.execute(update(Customer).where(Customer.id == 11).values(consent_dm=False))
    with pytest.raises(DomainError) as refused:
        campaigns.create_campaign(data, EXECUTIVE, copy, plan(everyone), started_on=AS_OF)
    assert (refused.value.code, refused.value.values) == ("camp_rejected_stale_copy", {"lost": 1})


def list_do_not_call(conn: Connection, phones: dict[str, str]) -> None:
    """Put digits-only phones on the do-not-call list, each with its source."""
    bulk_insert(
        conn,
        DoNotCallNumber.__table__,
        pl.DataFrame(
            {
                "phone": list(phones),
                "source": list(phones.values()),
                "registered_on": [AS_OF] * len(phones),
            }
        ),
    )


def test_a_withdrawn_consent_leaves_the_next_draw_and_the_report_counts_it(data, everyone):
    consent.record_consent(
        data, KIM, "100000011", purpose="marketing", channel="dm", given=False, source="phone"
    )
    fresh = segments.FeatureCopy(
        segments.build_features(data, AS_OF), AS_OF, dt.datetime(2026, 3, 10, 6), "test"
    )
    made = campaigns.create_campaign(
        data, EXECUTIVE, fresh, plan(everyone, sample_size=3), started_on=AS_OF
    )
    assert set(targets(data, made.campaign_id)) == {1, 3, 12}
    # Open customers 1, 2, 3, 11, 12, 13, 14; DM consent now 1, 3 and 12: four without.
    assert made.excluded == {"no_consent": 4, "do_not_call": 0, "opted_out": 0}


def test_do_not_call_numbers_leave_a_tm_draw_before_sampling(data, copy, everyone):
    # TM consent: 1, 2, 11, 13, 14. Customer 11's phone is on the finance list, customer
    # 2's an in-house opt-out; 3 and 12 have no TM consent.
    list_do_not_call(data, {"01011000011": "finance_dnc", "01033334444": "in_house"})
    tm = plan(everyone, channel="tm", sample_size=3, control_pct=0)
    preview = campaigns.preview_draw(data, EXECUTIVE, copy, tm)
    assert preview.excluded == {"no_consent": 2, "do_not_call": 1, "opted_out": 1}
    made = campaigns.create_campaign(data, EXECUTIVE, copy, tm, started_on=AS_OF)
    assert set(targets(data, made.campaign_id)) == {1, 13, 14}, "the size met from the rest"
    with pytest.raises(DomainError) as refused:
        campaigns.preview_draw(data, EXECUTIVE, copy, plan(everyone, channel="tm", sample_size=4))
    assert refused.value.values == {"requested": 4, "eligible": 3}


def test_a_number_imported_after_a_draw_leaves_the_next_draw(data, copy, everyone, tmp_path):
    # The first draw reads the list into memory; the import must make the next one read again.
    tm = plan(everyone, channel="tm", sample_size=3, control_pct=0)
    assert campaigns.preview_draw(data, EXECUTIVE, copy, tm).excluded["do_not_call"] == 0
    listed = tmp_path / "dnc.csv"
    listed.write_text("phone,registered_on\n010-1100-0011,2026-03-01\n")  # customer 11
    assert imports.run_import(data, ADMIN, "do_not_call_numbers", listed).inserted == 1
    preview = campaigns.preview_draw(data, EXECUTIVE, copy, tm)
    assert preview.excluded == {"no_consent": 2, "do_not_call": 1, "opted_out": 0}
    assert 11 not in preview.eligible["customer_id"].to_list()


def test_a_campaign_is_stored_though_someone_wrote_while_it_was_drawn(databases, monkeypatch):
    # SQLite: a read transaction that then writes fails once anyone else wrote in between,
    # as the console's sign-ins and usage counts do all day.
    engine = databases.new("campaign_race")
    with engine.begin() as conn:
        handmade.load(conn)
        segments_data.load(conn)
    with engine.connect() as conn:
        copy = segments.FeatureCopy(
            segments.build_features(conn, AS_OF), AS_OF, dt.datetime(2026, 3, 10, 5), "test"
        )
        everyone = segments.save_segment(conn, EXECUTIVE, "전체", EVERYONE, shared=True)
    drawn = campaigns.preview_draw

    def drawn_then_someone_writes(*args, **kwargs):
        preview = drawn(*args, **kwargs)
        with engine.begin() as someone:
            someone.execute(insert(Setting).values(key="someone_else", value="wrote"))
        return preview

    monkeypatch.setattr(campaigns, "preview_draw", drawn_then_someone_writes)
    with engine.connect() as conn:
        made = campaigns.create_campaign(
            conn, EXECUTIVE, copy, plan(everyone.segment_id), started_on=AS_OF
        )
    assert made.contacted > 0


def test_a_dm_draw_ignores_the_do_not_call_list(data, copy, everyone):
    list_do_not_call(data, {"01011112222": "finance_dnc"})
    preview = campaigns.preview_draw(data, EXECUTIVE, copy, plan(everyone))
    assert preview.eligible.height == 4
    assert preview.excluded == {"no_consent": 3, "do_not_call": 0, "opted_out": 0}


def test_invalid_plans_are_refused(data, copy, everyone):
    for changes, reason in (
        ({"name": " "}, "name"),
        ({"channel": "sms"}, "channel"),
        ({"stratify_by": "age"}, "strata"),
        ({"control_pct": 95}, "control"),
        ({"sample_size": None}, "size_or_rate"),
        ({"sample_size": 0}, "size"),
        ({"cost_per_piece_krw": -1}, "cost"),
    ):
        with pytest.raises(DomainError) as refused:
            campaigns.create_campaign(
                data, EXECUTIVE, copy, plan(everyone, **changes), started_on=AS_OF
            )
        assert refused.value.code == f"camp_rejected_{reason}"


# --- outcomes ----------------------------------------------------------------------------------


@pytest.fixture
def tm_campaign(data, copy, everyone) -> int:
    return campaigns.create_campaign(
        data, EXECUTIVE, copy, plan(everyone, channel="tm", sample_size=5, control_pct=0),
        started_on=AS_OF,
    ).campaign_id  # fmt: skip


def test_a_rep_records_an_outcome_which_files_a_tm_consultation(data, tm_campaign):
    assert campaigns.record_outcomes(data, KIM, tm_campaign, [("100000001", "bought")]) == 1
    outcome = data.execute(
        select(CampaignTarget.outcome, CampaignTarget.consultation_id).where(
            CampaignTarget.campaign_id == tm_campaign, CampaignTarget.customer_id == 1
        )
    ).one()
    assert outcome.outcome == "bought"
    note = data.execute(
        select(Consultation.channel, Consultation.outcome, Consultation.employee_id).where(
            Consultation.id == outcome.consultation_id
        )
    ).one()
    assert tuple(note) == ("tm", "purchased", 3)
    assert campaigns.my_calls(data, KIM).height == 3


def test_an_opt_out_after_the_draw_removes_the_call_and_refuses_its_outcome(data, tm_campaign):
    consent.record_consent(
        data, KIM, "100000001", purpose="marketing", channel="tm", given=False, source="phone"
    )
    list_do_not_call(data, {"01033334444": "in_house"})  # customer 2, after the draw
    assert campaigns.my_calls(data, KIM)["customer_no"].to_list() == ["100000011", "100000013"]
    for number in ("100000001", "100000002"):
        with pytest.raises(DomainError) as refused:
            campaigns.record_outcomes(data, KIM, tm_campaign, [(number, "bought")])
        assert (refused.value.code, refused.value.values) == (
            "camp_rejected_suppressed",
            {"number": number},
        )
    assert campaigns.record_outcomes(data, KIM, tm_campaign, [("100000013", "declined")]) == 1


def test_a_rep_reads_only_the_own_targets_of_a_campaign(data, tm_campaign):
    # Kim calls 1, 2, 11 and 13 (his book); 14 is Park's call in branch 102.
    shown = campaigns.campaign_targets(data, KIM, tm_campaign)
    assert shown["customer_no"].to_list() == ["100000001", "100000002", "100000011", "100000013"]
    assert campaigns.campaign_targets(data, PARK, tm_campaign)["customer_no"].to_list() == [
        "100000014"
    ]
    listed = campaigns.list_campaigns(data, PARK)
    assert listed.select("eligible", "contacted").rows() == [(None, 1)], (
        "the firm-wide eligible count is no rep's to read"
    )
    assert campaigns.campaign_report(data, PARK, tm_campaign, as_of=AS_OF).response_contacted.n == 1
    assert campaigns.customer_campaigns(data, PARK, "100000001").is_empty()
    assert campaigns.customer_campaigns(data, KIM, "100000001").height == 1


def test_a_rep_may_not_record_another_reps_target(data, tm_campaign):
    with pytest.raises(DomainError) as refused:
        campaigns.record_outcomes(data, PARK, tm_campaign, [("100000001", "declined")])
    assert refused.value.code in ("camp_rejected_not_yours", "camp_rejected_unknown")


def history(*rows: tuple[int, str, dt.datetime]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["customer_id", "outcome", "outcome_at"], orient="row"
    ).with_columns(pl.col("outcome_at").cast(pl.Datetime("us")))


MORNING = dt.datetime.combine(AS_OF, dt.time(10, 15))


def test_a_history_of_calls_is_filed_by_the_reps_who_made_them_at_their_moments(data, tm_campaign):
    afternoon = MORNING.replace(hour=15, minute=40)
    recorded = campaigns.record_history(
        data,
        EXECUTIVE,
        tm_campaign,
        history((1, "bought", MORNING), (14, "unreachable", afternoon)),
    )
    assert recorded == 2
    rows = data.execute(
        select(
            CampaignTarget.customer_id,
            CampaignTarget.outcome,
            CampaignTarget.outcome_at,
            CampaignTarget.recorded_by,
            Consultation.employee_id,
            Consultation.branch_id,
            Consultation.channel,
            Consultation.outcome,
            Consultation.occurred_at,
        )
        .join(Consultation, Consultation.id == CampaignTarget.consultation_id)
        .where(CampaignTarget.campaign_id == tm_campaign)
        .order_by(CampaignTarget.customer_id)
    ).all()
    assert [tuple(row) for row in rows] == [
        (1, "bought", MORNING, "kim", 3, 1, "tm", "purchased", MORNING),
        (14, "unreachable", afternoon, "park", 4, 2, "tm", "no_answer", afternoon),
    ]
    assert campaigns.my_calls(data, KIM).height == 3
    assert campaigns.open_targets(data, KIM, tm_campaign)["customer_id"].to_list() == [2, 11, 13]


@pytest.mark.parametrize(
    ("who", "rows", "reason"),
    [
        (EXECUTIVE, [(3, "bought")], "camp_rejected_not_target"),  # never drawn
        (EXECUTIVE, [(1, "bought"), (1, "declined")], "camp_rejected_not_target"),  # twice
        (EXECUTIVE, [(1, "maybe")], "camp_rejected_outcome"),
        (PARK, [(14, "bought"), (1, "bought")], "camp_rejected_not_target"),  # Kim's: unseen
        (EXECUTIVE, [(2, "bought"), (11, "bought")], "camp_rejected_suppressed"),
    ],
)
def test_a_history_keeps_the_rules_of_recording_and_writes_nothing_refused(
    data, tm_campaign, who, rows, reason
):
    list_do_not_call(data, {"01033334444": "in_house"})  # customer 2, after the draw
    with pytest.raises(DomainError) as refused:
        campaigns.record_history(
            data, who, tm_campaign, history(*((c, o, MORNING) for c, o in rows))
        )
    assert refused.value.code == reason
    recorded = data.scalar(
        select(func.count()).where(
            CampaignTarget.campaign_id == tm_campaign, CampaignTarget.outcome.is_not(None)
        )
    )
    assert recorded == 0


def test_a_history_dated_outside_the_campaign_or_the_call_hours_is_a_bug(data, tm_campaign):
    late = MORNING.replace(hour=21, minute=5)
    before = MORNING - dt.timedelta(days=1)
    for moment in (late, before):
        with pytest.raises(ValueError):
            campaigns.record_history(data, EXECUTIVE, tm_campaign, history((1, "bought", moment)))
    last_hour = late.replace(hour=20)
    assert campaigns.record_history(data, KIM, tm_campaign, history((1, "bought", last_hour))) == 1


@pytest.mark.parametrize(
    "rows",
    [
        [(1, "bought", None)],
        [(1, "bought", MORNING), (14, "unreachable", None)],
    ],
)
def test_a_history_with_an_undated_outcome_is_a_bug_and_writes_nothing(data, tm_campaign, rows):
    with pytest.raises(ValueError, match="without the moment"):
        campaigns.record_history(data, EXECUTIVE, tm_campaign, history(*rows))
    recorded = data.scalar(
        select(func.count()).where(
            CampaignTarget.campaign_id == tm_campaign, CampaignTarget.outcome.is_not(None)
        )
    )
    assert recorded == 0


# --- a firm-wide campaign seen by a branch manager ------------------------------------------------


def test_a_branch_manager_sees_only_the_own_branch_slice_of_a_firm_campaign(data, tm_campaign):
    listed = campaigns.list_campaigns(data, MANAGER_101)
    assert listed.select("campaign_id", "eligible", "contacted", "control").rows() == [
        (tm_campaign, None, 4, 0)
    ], "the firm-wide eligible count would mislead next to the slice and tell other branches'"
    assert campaigns.list_campaigns(data, EXECUTIVE)["eligible"].to_list() == [5]
    shown = campaigns.campaign_targets(data, MANAGER_101, tm_campaign)
    assert shown["customer_no"].to_list() == ["100000001", "100000002", "100000011", "100000013"]
    assert set(shown["branch_code"]) == {"101"}
    assert campaigns.campaign_targets(data, EXECUTIVE, tm_campaign).height == 5
    report = campaigns.campaign_report(data, MANAGER_101, tm_campaign, as_of=AS_OF)
    assert report.response_contacted.n == 4
    assert report.by_branch["branch_code"].to_list() == ["101"]
    assert report.cost_krw == 4 * 1_500
    assert campaigns.customer_campaigns(data, MANAGER_101, "100000014").is_empty()
    assert campaigns.customer_campaigns(data, EXECUTIVE, "100000014").height == 1
    segments_data.grant_export(data, MANAGER_101)
    exported = campaigns.export_list(
        data, MANAGER_101, tm_campaign, file_format="csv", reason="지점 TM"
    )
    listing = pl.read_csv(io.BytesIO(exported.data), infer_schema=False)
    assert listing["customer_no"].to_list() == ["100000001", "100000002", "100000011", "100000013"]
    assert exported.masked_columns == (), "the manager answers for every customer listed"


def test_a_branch_manager_records_outcomes_of_the_own_branch_only(data, tm_campaign):
    assert campaigns.record_outcomes(data, MANAGER_101, tm_campaign, [("100000013", "bought")])
    with pytest.raises(DomainError) as refused:
        campaigns.record_outcomes(
            data, MANAGER_101, tm_campaign, [("100000002", "declined"), ("100000014", "bought")]
        )
    assert refused.value.code == "camp_rejected_not_yours"
    checked = campaigns.check_import(
        data,
        MANAGER_101,
        tm_campaign,
        b"customer_no,outcome\n100000001,responded\n100000014,bought\n",
    )
    assert [(p.line, p.reason) for p in checked.problems] == [(3, "unknown_customer")]
    recorded = dict(
        data.execute(
            select(CampaignTarget.customer_id, CampaignTarget.outcome).where(
                CampaignTarget.campaign_id == tm_campaign, CampaignTarget.outcome.is_not(None)
            )
        ).all()
    )
    assert recorded == {13: "bought"}, "the refused batch wrote nothing, 14 least of all"


def test_a_campaign_that_never_reaches_the_branch_stays_hidden(data, copy):
    branch_102 = segments.validate_spec({"items": [{"field": "branch", "values": ["102"]}]})
    segment_id = segments.save_segment(data, EXECUTIVE, "부산", branch_102, shared=True).segment_id
    made = campaigns.create_campaign(
        data, EXECUTIVE, copy, plan(segment_id, channel="tm", sample_size=1, control_pct=0),
        started_on=AS_OF,
    )  # fmt: skip
    assert campaigns.list_campaigns(data, MANAGER_101).is_empty()
    for read in (
        lambda: campaigns.campaign_targets(data, MANAGER_101, made.campaign_id),
        lambda: campaigns.campaign_report(data, MANAGER_101, made.campaign_id, as_of=AS_OF),
        lambda: campaigns.record_outcomes(
            data, MANAGER_101, made.campaign_id, [("100000014", "bought")]
        ),
    ):
        with pytest.raises(DomainError) as refused:
            read()
        assert refused.value.code == "camp_rejected_unknown"


CSV_WITH_PROBLEMS = (
    "customer_no,outcome\n"
    "100000001,responded\n"
    "100000099,bought\n"  # line 3: not a target
    "100000002,maybe\n"  # line 4: not an outcome
    "100000011,거절\n"  # Korean word for declined
    "100000001,bought\n"  # line 6: twice
)


def test_an_import_with_bad_rows_lists_them_and_imports_nothing(data, tm_campaign):
    checked = campaigns.check_import(data, EXECUTIVE, tm_campaign, CSV_WITH_PROBLEMS.encode())
    assert [(p.line, p.reason, p.value) for p in checked.problems] == [
        (3, "unknown_customer", "100000099"),
        (4, "bad_outcome", "maybe"),
        (6, "duplicate", "100000001"),
    ]
    with pytest.raises(Refused) as refused:
        campaigns.import_outcomes(data, EXECUTIVE, tm_campaign, CSV_WITH_PROBLEMS.encode())
    assert (refused.value.code, refused.value.values) == ("camp_import_problems", {"count": 3})
    recorded = data.execute(
        select(func.count()).where(
            CampaignTarget.campaign_id == tm_campaign, CampaignTarget.outcome.is_not(None)
        )
    ).scalar_one()
    assert recorded == 0


def test_an_import_of_good_rows_only_when_asked(data, tm_campaign):
    count = campaigns.import_outcomes(
        data, EXECUTIVE, tm_campaign, CSV_WITH_PROBLEMS.encode("utf-8-sig"), good_rows_only=True
    )
    assert count == 2
    outcomes = dict(
        data.execute(
            select(CampaignTarget.customer_id, CampaignTarget.outcome).where(
                CampaignTarget.campaign_id == tm_campaign, CampaignTarget.outcome.is_not(None)
            )
        ).all()
    )
    assert outcomes == {1: "responded", 11: "declined"}


def test_an_import_without_the_columns_says_which_are_missing(data, tm_campaign):
    checked = campaigns.check_import(data, EXECUTIVE, tm_campaign, b"number,result\n1,2\n")
    assert [(p.line, p.reason, p.value) for p in checked.problems] == [
        (1, "columns", "customer_no, outcome")
    ]


# --- export ------------------------------------------------------------------------------------


def test_exports_mask_by_role_neutralise_formulas_and_are_audited(data, copy, everyone):
    segments_data.grant_export(data, MANAGER_101, EXECUTIVE)
    made = campaigns.create_campaign(
        data, MANAGER_101, copy, plan(everyone, sample_size=2, control_pct=0), started_on=AS_OF
    )
    data.execute(update(Customer).where(Customer.id == 1).values(name="=HYPERLINK(1)"))
    whole = campaigns.export_list(
        data, MANAGER_101, made.campaign_id, file_format="csv", reason="우편 발송"
    )
    listing = pl.read_csv(io.BytesIO(whole.data), infer_schema=False)
    rows = {row["customer_no"]: row for row in listing.iter_rows(named=True)}
    assert rows["100000011"]["phone"] == "010-1100-0011"  # the manager's own branch
    assert rows["100000001"]["name"] == "'=HYPERLINK(1)"
    assert whole.masked_columns == ()
    # After the draw, customer 11 moves to branch 102 (Park's book): the manager of 101 no
    # longer answers for every customer listed, so contact fields are masked; the executive
    # still answers for all.
    data.execute(update(Customer).where(Customer.id == 11).values(home_branch_id=2, manager_id=4))
    by_manager = campaigns.export_list(
        data, MANAGER_101, made.campaign_id, file_format="csv", reason="우편 발송"
    )
    rows = {
        row["customer_no"]: row
        for row in pl.read_csv(io.BytesIO(by_manager.data), infer_schema=False).iter_rows(
            named=True
        )
    }
    assert rows["100000011"]["phone"] == "010-****-0011"
    assert rows["100000001"]["address"] == "서울특별시 강남구 ***"
    assert set(by_manager.masked_columns) == {"phone", "address"}
    by_executive = campaigns.export_list(
        data, EXECUTIVE, made.campaign_id, file_format="xlsx", reason="본사 검토"
    )
    sheet = pl.read_excel(io.BytesIO(by_executive.data), infer_schema_length=0)
    cells = {row["customer_no"]: row for row in sheet.iter_rows(named=True)}
    assert cells["100000011"]["phone"] == "010-1100-0011"
    assert cells["100000001"]["name"] == "'=HYPERLINK(1)"
    reasons = [
        json.loads(detail)["reason"]
        for detail in data.execute(
            select(AuditRecord.detail).where(AuditRecord.action == "export")
        ).scalars()
    ]
    assert reasons == ["우편 발송", "우편 발송", "본사 검토"]


def test_an_export_needs_a_reason_and_the_right(data, copy, everyone):
    made = campaigns.create_campaign(data, EXECUTIVE, copy, plan(everyone), started_on=AS_OF)
    with pytest.raises(AccessDenied):  # the role allows it, but no admin granted it
        campaigns.export_list(data, EXECUTIVE, made.campaign_id, file_format="csv", reason="x")
    segments_data.grant_export(data, EXECUTIVE, KIM)
    with pytest.raises(Refused) as refused:
        campaigns.export_list(data, EXECUTIVE, made.campaign_id, file_format="csv", reason=" ")
    assert refused.value.code == "export_reason_needed"
    with pytest.raises(AccessDenied):  # a grant does not widen what the role allows
        campaigns.export_list(data, KIM, made.campaign_id, file_format="csv", reason="x")


# --- the report --------------------------------------------------------------------------------


def test_wilson_and_newcombe_by_hand():
    # 20 of 100: p = .2, z = 1.96; centre (.2 + 1.96²/200) / (1 + 1.96²/100) = .2147,
    # half 1.96 x sqrt(.0016 + .000096) / 1.0384 = .0777: [.1334, .2888].
    contacted = campaigns.wilson(20, 100)
    assert (round(contacted.low, 4), round(contacted.high, 4)) == (0.1334, 0.2888)
    # 5 of 50: [.0435, .2136].
    control = campaigns.wilson(5, 50)
    assert (round(control.low, 4), round(control.high, 4)) == (0.0435, 0.2136)
    # Newcombe: .1 - sqrt(.0666² + .1136²) = -.0317; .1 + sqrt(.0888² + .0565²) = .2053.
    lift = campaigns.uplift(contacted, control)
    assert (round(lift.difference, 4), round(lift.low, 4), round(lift.high, 4)) == (
        0.1,
        -0.0317,
        0.2053,
    )
    assert campaigns.wilson(0, 0).rate == 0


def test_the_report_compares_arms_from_what_customers_did_after_the_start(data, copy, everyone):
    made = campaigns.create_campaign(
        data, EXECUTIVE, copy, plan(everyone, sample_size=4, control_pct=50), started_on=AS_OF
    )
    drawn = targets(data, made.campaign_id)
    contacted = sorted(c for c, (arm, _) in drawn.items() if arm == "contact")
    control = sorted(c for c, (arm, _) in drawn.items() if arm == "control")
    accounts = {1: 1, 3: 4, 11: 21, 12: 22}
    # The first contacted customer deposits 300,000 and the second redeems 100,000; the
    # first control customer deposits 50,000. One of 2 responded in each arm.
    moves = [
        (contacted[0], "deposit", 300_000),
        (contacted[1], "redemption", 100_000),
        (control[0], "deposit", 50_000),
    ]
    bulk_insert(
        data,
        Transaction.__table__,
        pl.DataFrame(
            {
                "id": [901, 902, 903],
                "account_id": [accounts[c] for c, _, _ in moves],
                "customer_id": [c for c, _, _ in moves],
                "occurred_at": [dt.datetime(2026, 3, 12, 10)] * 3,
                "kind": [kind for _, kind, _ in moves],
                "amount_krw": [amount for _, _, amount in moves],
                "channel": ["online"] * 3,
                "branch_id": [None] * 3,
                "performed_by": ["owner"] * 3,
                "employee_id": [None] * 3,
            },
            schema_overrides={"branch_id": pl.Int64, "employee_id": pl.Int64},
        ),
    )
    campaigns.record_outcomes(
        data, EXECUTIVE, made.campaign_id, [(f"1000000{contacted[0]:02d}", "responded")]
    )
    report = campaigns.campaign_report(
        data, EXECUTIVE, made.campaign_id, as_of=AS_OF + dt.timedelta(days=5)
    )
    assert (report.response_contacted.hits, report.response_contacted.n) == (1, 2)
    assert (report.response_control.hits, report.response_control.n) == (1, 2)
    assert report.response_uplift.difference == 0
    assert report.cost_krw == 2 * 1_500
    assert report.cost_per_response_krw == 3_000
    assert report.cost_per_recorded_response_krw == 3_000
    # per head: contacted (300,000 - 100,000) / 2 = 100,000; control 50,000 / 2 = 25,000
    assert report.net_flow_per_head_contacted_krw == 100_000
    assert report.net_flow_per_head_control_krw == 25_000
    assert report.attributable_net_flow_per_head_krw == 75_000
    assert report.attributable_net_flow_krw == 150_000
    assert report.recorded == {"responded": 1, "bought": 0, "declined": 0, "unreachable": 0}
    assert report.by_branch["contacted"].sum() == 2 and report.by_branch["control"].sum() == 2


cell = st.one_of(
    st.sampled_from(["100000001", "100000002", "100000011", "100000099", "", " 100000013 "]),
    st.text(max_size=12),
)
outcome_cell = st.one_of(
    st.sampled_from([*campaigns.OUTCOMES, "응답", "거절", "BOUGHT"]), st.text(max_size=8)
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(cell, outcome_cell), max_size=8), junk=st.binary(max_size=40))
def test_any_import_file_is_judged_line_by_line_without_crashing(data, tm_campaign, rows, junk):
    campaigns.check_import(data, EXECUTIVE, tm_campaign, junk)  # never raises
    body = io.StringIO()
    writer = csv.writer(body, lineterminator="\n")
    writer.writerow(["customer_no", "outcome"])
    writer.writerows(rows)
    checked = campaigns.check_import(data, EXECUTIVE, tm_campaign, body.getvalue().encode())
    lines = [line for line, _, _ in checked.good] + [problem.line for problem in checked.problems]
    if any(problem.reason == "columns" for problem in checked.problems):
        return  # a cell with a line break or quote the CSV reader reads otherwise
    assert sorted(lines) == list(range(2, len(rows) + 2))
    assert all(outcome in campaigns.OUTCOMES for _, _, outcome in checked.good)
