"""Segments on hand-made data (tests/handmade.py + tests/segments_data.py), both dialects.

Expected members are read off the table in tests/segments_data.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, func, select

from data_access.campaigns import campaigns
from data_access.core.db import (
    unit_of_work,
)
from data_access.core.errors import (
    NotFound,
    Refused,
)
from data_access.core.models import (
    AuditRecord,
    CampaignTarget,
    Customer,
    Setting,
)
from data_access.core.policy import (
    AccessDenied,
)
from data_access.customers import records as customers
from data_access.segments import segments
from jobs import segments as segments_job
from tests import handmade, segments_data
from tests.handmade import ADMIN, EXECUTIVE, KIM, MANAGER_101, TRAINER

AS_OF = segments_data.AS_OF


@pytest.fixture
def data(handmade: Connection) -> Connection:
    segments_data.load(handmade)
    return handmade


@pytest.fixture
def copy(data: Connection) -> segments.FeatureCopy:
    frame = segments.build_features(data, AS_OF)
    return segments.FeatureCopy(frame, AS_OF, dt.datetime(2026, 3, 10, 5), "test")


def ids(copy: segments.FeatureCopy, raw: dict[str, Any], user=EXECUTIVE) -> set[int]:
    spec = segments.validate_spec(raw)
    return set(segments.members(copy, user, spec)["customer_id"].to_list())


def all_of(*items: dict[str, Any]) -> dict[str, Any]:
    return {"op": "and", "items": list(items)}


def any_of(*items: dict[str, Any]) -> dict[str, Any]:
    return {"op": "or", "items": list(items)}


def test_the_copy_holds_each_open_customers_features(copy):
    rows = {row["customer_id"]: row for row in copy.frame.iter_rows(named=True)}
    assert set(rows) == segments_data.OPEN_CUSTOMERS
    assert {k: rows[13][k] for k in ("age", "aum_krw", "tenure_years")} == {
        "age": 60,
        "aum_krw": 500_000_000,
        "tenure_years": 26,
    }
    assert sorted(rows[13]["fund_types"]) == ["bond", "equity"]
    assert rows[14]["fund_types"] == [] and rows[14]["aum_krw"] == 0
    assert (rows[11]["age"], rows[12]["age"], rows[1]["age"]) == (29, 40, 66)
    assert (rows[3]["days_since_contact"], rows[12]["days_since_contact"]) == (128, 60)
    assert (rows[11]["days_since_transaction"], rows[13]["days_since_transaction"]) == (9, 365)
    assert rows[1]["days_since_transaction"] is None
    assert (rows[11]["next_life_event_days"], rows[13]["next_life_event_days"]) == (1, 30)
    assert rows[12]["branch_code"] == "102"


FIELD_CASES = [
    ({"field": "age", "min": 40, "max": 60}, {2, 3, 12, 13}),
    ({"field": "gender", "values": ["F"]}, {2, 11, 13}),
    ({"field": "occupation", "values": ["회사원"]}, {3, 12}),
    ({"field": "region", "values": ["부산", "대구"]}, {3, 12, 14}),
    ({"field": "branch", "values": ["102"]}, {3, 12, 14}),
    ({"field": "tier", "values": ["vip"]}, {1, 13}),
    ({"field": "aum_krw", "min": 10_000_000}, {3, 12, 13}),
    ({"field": "aum_krw", "max": 1_000_000}, {11, 14}),
    ({"field": "products", "values": ["equity"]}, {12, 13}),
    ({"field": "products", "values": ["bond"]}, {1, 2, 3, 11, 13}),
    ({"field": "tenure_years", "min": 10}, {1, 2, 3, 13}),
    ({"field": "tenure_years", "max": 6}, {11, 14}),
    # Never transacted or contacted counts as longest ago: in a lower bound, not an upper.
    ({"field": "days_since_transaction", "min": 300}, {1, 2, 3, 12, 13, 14}),
    ({"field": "days_since_transaction", "max": 30}, {11}),
    ({"field": "days_since_contact", "min": 60}, {1, 3, 11, 12, 13, 14}),
    ({"field": "days_since_contact", "max": 30}, {2}),
    ({"field": "preferred_channel", "values": ["phone"]}, {2, 12}),
    ({"field": "consent_dm", "value": True}, {1, 3, 11, 12}),
    ({"field": "consent_tm", "value": False}, {3, 12}),
    ({"field": "consent_email", "value": True}, {1, 12}),
    ({"field": "life_event_within_days", "max": 30}, {11, 13}),
    ({"field": "life_event_within_days", "max": 7}, {11}),
]


@pytest.mark.parametrize(("condition", "expected"), FIELD_CASES)
def test_each_field_filters_as_written(copy, condition, expected):
    assert ids(copy, all_of(condition)) == expected


def test_and_or_nest(copy):
    vip_or_busan_men = all_of(
        any_of({"field": "tier", "values": ["vip"]}, {"field": "region", "values": ["부산"]}),
        {"field": "gender", "values": ["M"]},
    )
    assert ids(copy, vip_or_busan_men) == {1, 3, 12}
    young_women_or_rich_102 = any_of(
        all_of({"field": "gender", "values": ["F"]}, {"field": "age", "max": 30}),
        all_of({"field": "branch", "values": ["102"]}, {"field": "aum_krw", "min": 50_000_000}),
    )
    assert ids(copy, young_women_or_rich_102) == {11, 12}


def test_empty_groups_constrain_nothing(copy):
    assert ids(copy, any_of()) == segments_data.OPEN_CUSTOMERS
    assert ids(copy, all_of(any_of(), {"field": "tier", "values": ["vip"]})) == {1, 13}
    assert ids(copy, any_of(all_of(), {"field": "gender", "values": ["F"]})) == {2, 11, 13}


def test_a_branch_manager_counts_own_branch_and_a_rep_nothing(copy):
    assert ids(copy, all_of(), MANAGER_101) == {1, 2, 11, 13}
    with pytest.raises(AccessDenied):
        ids(copy, all_of(), KIM)


CONTRADICTIONS = [
    (all_of({"field": "age", "min": 50}, {"field": "age", "max": 40}), ("range", "age", 50, 40)),
    (all_of({"field": "aum_krw", "min": 9, "max": 3}), ("range", "aum_krw", 9, 3)),
    (
        all_of({"field": "tier", "values": ["vip"]}, {"field": "tier", "values": ["general"]}),
        ("choices", "tier", None, None),
    ),
    (
        all_of({"field": "consent_dm", "value": True}, {"field": "consent_dm", "value": False}),
        ("flag", "consent_dm", None, None),
    ),
    (
        any_of(all_of({"field": "age", "min": 9, "max": 1}), {"field": "age", "min": 5, "max": 2}),
        ("range", "age", 9, 1),
    ),
]


@pytest.mark.parametrize(("raw", "reason"), CONTRADICTIONS)
def test_an_unsatisfiable_filter_counts_zero_with_its_reason(copy, raw, reason):
    found = segments.profile(copy, EXECUTIVE, segments.validate_spec(raw))
    assert found.matched == 0
    assert found.contradiction == segments.Contradiction(*reason)


def test_a_satisfiable_branch_of_an_or_is_no_contradiction(copy):
    raw = any_of({"field": "age", "min": 9, "max": 1}, {"field": "tier", "values": ["vip"]})
    found = segments.profile(copy, EXECUTIVE, segments.validate_spec(raw))
    assert (found.matched, found.contradiction) == (2, None)


def test_profile_against_everyone(copy):
    raw = all_of({"field": "gender", "values": ["F"]})
    found = segments.profile(copy, EXECUTIVE, segments.validate_spec(raw))
    assert (found.matched, found.in_scope) == (3, 7)
    tiers = {
        (row["group"], row["value"]): row["customers"] for row in found.tier.iter_rows(named=True)
    }
    assert tiers == {
        ("segment", "general"): 2,
        ("segment", "vip"): 1,
        ("all", "general"): 3,
        ("all", "priority"): 2,
        ("all", "vip"): 2,
    }
    pyramid = found.pyramid.filter(pl.col("group") == "segment")
    # women: 29 (band 20), 50 (band 50), 60 (band 60)
    assert sorted(zip(pyramid["value"], pyramid["gender"], strict=True)) == [
        (20, "F"),
        (50, "F"),
        (60, "F"),
    ]
    aum = dict(
        found.aum.filter(pl.col("group") == "segment").select("value", "customers").iter_rows()
    )
    assert aum == {1_000_000: 2, 500_000_000: 1}  # 1,000,000 and 2,000,000; 500,000,000
    products = dict(
        found.products.filter(pl.col("group") == "segment").select("value", "customers").iter_rows()
    )
    assert products == {"bond": 3, "equity": 1}


def test_the_whole_scope_profiles_as_the_baseline_it_is_compared_with(copy):
    # An empty filter matches everyone: its side must equal a filter that matches everyone.
    everyone = segments.profile(copy, EXECUTIVE, segments.validate_spec(all_of()))
    adults = segments.profile(
        copy, EXECUTIVE, segments.validate_spec(all_of({"field": "age", "min": 0, "max": 150}))
    )
    assert everyone.matched == adults.matched == everyone.in_scope == 7
    for mix in ("pyramid", "aum", "tier", "region", "products"):
        mine, theirs = getattr(everyone, mix), getattr(adults, mix)
        assert mine.sort(mine.columns).equals(theirs.sort(theirs.columns)), mix
        segment = mine.filter(pl.col("group") == "segment").drop("group")
        assert segment.equals(mine.filter(pl.col("group") == "all").drop("group")), mix


# --- spec validation ---------------------------------------------------------------------------

INVALID = [
    {"op": "and", "items": [{"field": "shoe_size", "min": 1}]},
    {"op": "and", "items": [{"field": "age"}]},
    {"op": "and", "items": [{"field": "age", "min": -1}]},
    {"op": "and", "items": [{"field": "tier", "values": []}]},
    {"op": "and", "items": [{"field": "gender", "values": ["X"]}]},
    {"op": "and", "items": [{"field": "tier", "values": [" "]}]},
    {"op": "xor", "items": []},
    {"op": "and", "items": [{"field": "age", "min": 1, "colour": "red"}]},
    {"op": "and", "items": [{"field": "consent_dm", "value": "maybe"}]},
    {"op": "and", "items": [{"field": ["age"], "min": 1}]},
    {"op": "and", "items": [{"field": {"name": "age"}, "min": 1}]},
    {"op": "and", "items": [{"op": "or", "items": [{"op": "and", "items": [{"op": "or", "items": [
        {"op": "and", "items": [{"op": "or", "items": []}]}]}]}]}]},
]  # fmt: skip


@pytest.mark.parametrize("raw", INVALID)
def test_malformed_specs_are_refused_with_where_and_why(raw):
    with pytest.raises(Refused) as refused:
        segments.validate_spec(raw)
    if refused.value.code == "seg_spec_too_deep":  # a spec too big is refused as a whole
        assert refused.value.values["limit"] == segments.MAX_DEPTH
    else:
        assert refused.value.code == "seg_spec_invalid"
        assert refused.value.problems and all(p.message for p in refused.value.problems)


def test_a_spec_round_trips_through_json():
    raw = all_of(
        any_of({"field": "tier", "values": ["vip", "priority"]}, {"field": "age", "min": 60}),
        {"field": "consent_tm", "value": True},
        {"field": "products", "values": ["채권형"]},
        any_of(),
    )
    spec = segments.validate_spec(raw)
    stored = segments.spec_json(spec)
    assert segments.validate_spec(stored) == spec
    assert segments.validate_spec(json.loads(stored)) == spec


# --- property test: random specs against the parser, the query builder and a plain evaluator

RANGE_FIELDS = list(segments.RangeField.__args__)
CHOICE_VALUES = {
    "gender": ["F", "M", "X"],
    "occupation": ["회사원", "학생", "주부", "?"],
    "region": ["서울", "부산", "대구", "제주"],
    "branch": ["101", "102", "999"],
    "tier": ["vip", "priority", "general", "gold"],
    "preferred_channel": ["branch", "phone", "online", "dm", "fax"],
    "products": ["bond", "equity", "gold"],
}
raw_condition = st.one_of(
    st.builds(
        lambda field, low, high: (
            {"field": field}
            | ({"min": low} if low is not None else {})
            | ({"max": high} if high is not None else {})
        ),
        st.sampled_from([*RANGE_FIELDS, "shoe_size"]),
        st.none() | st.integers(-5, 600_000_000),
        st.none() | st.integers(-5, 600_000_000),
    ),
    st.sampled_from(list(CHOICE_VALUES)).flatmap(
        lambda field: st.builds(
            lambda values: {"field": field, "values": values},
            st.lists(st.sampled_from(CHOICE_VALUES[field]), max_size=3),
        )
    ),
    st.builds(
        lambda field, value: {"field": field, "value": value},
        st.sampled_from(["consent_dm", "consent_tm", "consent_email"]),
        st.booleans() | st.just("yes"),
    ),
)
raw_spec = st.recursive(
    raw_condition,
    lambda inner: st.builds(
        lambda op, items: {"op": op, "items": items},
        st.sampled_from(["and", "or", "nand"]),
        st.lists(inner, max_size=4),
    ),
    max_leaves=12,
).map(lambda node: node if "op" in node else {"op": "and", "items": [node]})


def plain_match(node: Any, row: dict[str, Any]) -> bool:
    """The spec's meaning written out row by row, independent of the polars builder."""
    if isinstance(node, segments.Group):
        results = [plain_match(item, row) for item in node.items if not _empty(item)]
        if not results:
            return True
        return all(results) if node.op == "and" else any(results)
    column = segments.COLUMN_OF.get(node.field, node.field)
    value = row[column]
    if isinstance(node, segments.FlagCondition):
        return value == node.value
    if isinstance(node, segments.ChoiceCondition):
        if node.field == "products":
            return bool(set(value) & set(node.values))
        return value in node.values
    if value is None:
        if node.field not in segments.NEVER_FIELDS:
            return False
        value = segments.RANGE_LIMIT
    return (node.min is None or value >= node.min) and (node.max is None or value <= node.max)


def _empty(node: Any) -> bool:
    return isinstance(node, segments.Group) and all(_empty(item) for item in node.items)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=raw_spec)
def test_random_specs_parse_or_refuse_and_filter_like_the_plain_reading(copy, raw):
    try:
        spec = segments.validate_spec(raw)
    except Refused as refused:
        assert refused.problems
        return
    assert segments.validate_spec(segments.spec_json(spec)) == spec
    found = set(segments.members(copy, EXECUTIVE, spec)["customer_id"].to_list())
    expected = {
        row["customer_id"] for row in copy.frame.iter_rows(named=True) if plain_match(spec, row)
    }
    assert found == expected
    if segments.contradiction(spec) is not None:
        assert found == set()


# --- saved segments ----------------------------------------------------------------------------

VIP = segments.validate_spec(all_of({"field": "tier", "values": ["vip"]}))
WOMEN = segments.validate_spec(all_of({"field": "gender", "values": ["F"]}))


def test_saving_again_keeps_every_version_and_is_audited(data):
    first = segments.save_segment(data, MANAGER_101, "우수 고객", VIP)
    second = segments.save_segment(
        data, MANAGER_101, "우수 고객", WOMEN, segment_id=first.segment_id, shared=True
    )
    assert (first.version, second.version) == (1, 2)
    versions = segments.segment_versions(data, MANAGER_101, first.segment_id)
    assert versions["version"].to_list() == [2, 1]
    assert segments.saved_segment(data, MANAGER_101, first.segment_id, 1).spec == VIP
    assert segments.saved_segment(data, MANAGER_101, first.segment_id).spec == WOMEN
    audits = data.execute(
        select(func.count()).where(AuditRecord.action == "segment_save")
    ).scalar_one()
    assert audits == 2


def test_shared_segments_are_seen_by_others_private_ones_not(data):
    private = segments.save_segment(data, MANAGER_101, "내 목록", VIP)
    shared = segments.save_segment(data, MANAGER_101, "공유 목록", WOMEN, shared=True)
    seen = segments.list_segments(data, EXECUTIVE)
    assert seen["name"].to_list() == ["공유 목록"]
    assert segments.list_segments(data, MANAGER_101)["name"].to_list() == ["공유 목록", "내 목록"]
    with pytest.raises(NotFound, match="seg_rejected_unknown"):
        segments.saved_segment(data, EXECUTIVE, private.segment_id)
    with pytest.raises(Refused) as refused:
        segments.save_segment(data, EXECUTIVE, "남의 것", VIP, segment_id=shared.segment_id)
    assert refused.value.code == "seg_rejected_not_owner"


def test_names_are_required_and_unique(data):
    segments.save_segment(data, EXECUTIVE, "VIP", VIP)
    for name, reason in (("  ", "name_empty"), ("VIP", "name_taken"), ("x" * 81, "name_long")):
        with pytest.raises(Refused) as refused:
            segments.save_segment(data, EXECUTIVE, name, VIP)
        assert refused.value.code == f"seg_rejected_{reason}"


def test_reps_may_not_save_segments(data):
    with pytest.raises(AccessDenied):
        segments.save_segment(data, KIM, "x", VIP)


# --- the stored copy and its job ---------------------------------------------------------------


def test_the_job_writes_a_copy_that_only_its_own_database_reads(databases, tmp_path, monkeypatch):
    monkeypatch.setenv(segments.ANALYTICS_DIR_ENV, str(tmp_path))
    engine = databases.new("segments_copy")
    with engine.begin() as conn:
        handmade.load(conn)
        segments_data.load(conn)
    with pytest.raises(segments.CopyMissing):
        segments.load_features(engine, EXECUTIVE)
    result = segments_job.run(engine, AS_OF)
    assert (result["status"], result["customers"]) == ("succeeded", 7)
    stored = segments.load_features(engine, EXECUTIVE)
    assert stored.as_of == AS_OF and stored.frame.height == 7
    # Another database's copy in this folder (a restored file, a swapped URL) is not read.
    with engine.begin() as conn:
        conn.execute(
            Setting.__table__.update()
            .where(Setting.key == segments.DATABASE_ID_KEY)
            .values(value="another-database")
        )
    with pytest.raises(segments.CopyMissing):
        segments.load_features(engine, EXECUTIVE)


# --- staleness: writes count themselves, the copy knows what it lacks -------------------------


@pytest.fixture
def stored(databases, tmp_path, monkeypatch) -> Engine:
    """A database with a stored copy built now (the analytics folder is the test's own)."""
    monkeypatch.setenv(segments.ANALYTICS_DIR_ENV, str(tmp_path))
    engine = databases.new("segments_stale")
    with engine.begin() as conn:
        handmade.load(conn)
        segments_data.load(conn)
    segments_job.run(engine, AS_OF)
    return engine


def test_the_copy_a_page_loads_holds_only_the_customers_the_user_may_count(stored):
    # The seven open customers of tests/segments_data.py; 1, 2, 11 and 13 are at home in 101.
    firm = segments.load_features(stored, EXECUTIVE)
    assert sorted(firm.frame["customer_id"]) == [1, 2, 3, 11, 12, 13, 14]
    branch = segments.load_features(stored, MANAGER_101)
    assert sorted(branch.frame["customer_id"]) == [1, 2, 11, 13]
    assert (branch.as_of, branch.built_at) == (firm.as_of, firm.built_at)
    assert segments.load_features(stored, EXECUTIVE).frame is firm.frame, "read once, kept"
    for user in (KIM, TRAINER, ADMIN):  # no segment reading in their role
        with pytest.raises(AccessDenied):
            segments.load_features(stored, user)


def test_only_firm_wide_readers_and_job_runners_rebuild_the_copy_by_hand(stored):
    built = segments.load_features(stored, EXECUTIVE).built_at
    for user in (MANAGER_101, KIM, TRAINER):
        with pytest.raises(AccessDenied):
            segments_job.run_for(user, stored, AS_OF)
    assert segments.load_features(stored, EXECUTIVE).built_at == built, (
        "a refused rebuild builds nothing"
    )
    for user in (EXECUTIVE, ADMIN):
        assert segments_job.run_for(user, stored, AS_OF)["status"] == "succeeded"
        assert segments.load_features(stored, EXECUTIVE).built_at > built
        built = segments.load_features(stored, EXECUTIVE).built_at


def test_each_committed_feature_change_counts_and_a_rolled_back_one_does_not(data):
    assert segments.features_version(data) == 0
    segments.mark_features_stale(data)
    segments.mark_features_stale(data)
    assert segments.features_version(data) == 2
    with pytest.raises(RuntimeError), unit_of_work(data) as session:
        segments.mark_features_stale(session.connection())
        raise RuntimeError("the write fails")
    assert segments.features_version(data) == 2


def test_a_note_makes_the_copy_stale_until_it_is_rebuilt(stored):
    assert segments.load_features(stored, EXECUTIVE).behind == 0
    assert segments_job.run_if_stale(stored, AS_OF) is None, "a current copy is not rebuilt"
    with stored.connect() as conn:
        customers.add_note(
            conn, KIM, "100000001", channel="phone", outcome="interested", text="안부"
        )
        conn.commit()
    before = segments.load_features(stored, EXECUTIVE)
    assert (before.behind, segments.features_behind(stored)) == (1, 1)
    contact = before.frame.filter(pl.col("customer_id") == 1)["days_since_contact"]
    assert contact.to_list() == [None], "the copy itself is untouched until rebuilt"
    assert segments_job.run_if_stale(stored, AS_OF)["status"] == "succeeded"
    after = segments.load_features(stored, EXECUTIVE)
    assert after.behind == 0 and after.version == before.version + 1
    assert after.frame.filter(pl.col("customer_id") == 1)["days_since_contact"].to_list() == [0]


def tm_campaign_of_five(conn, copy):
    """A TM campaign drawing five customers of everyone, with no control group."""
    everyone = segments.save_segment(conn, EXECUTIVE, "전체", segments.EVERYONE).segment_id
    return campaigns.create_campaign(
        conn,
        EXECUTIVE,
        copy,
        campaigns.CampaignPlan(
            name="TM", segment_id=everyone, channel="tm", control_pct=0, seed=1,
            cost_per_piece_krw=0, sample_size=5,
        ),
        started_on=AS_OF,
    )  # fmt: skip


def test_a_campaign_outcome_makes_the_copy_stale(stored):
    copy = segments.load_features(stored, EXECUTIVE)
    with stored.connect() as conn:
        made = tm_campaign_of_five(conn, copy)
        assert segments.features_version(conn) == copy.version, "a draw changes no feature"
        campaigns.record_outcomes(conn, KIM, made.campaign_id, [("100000002", "responded")])
        conn.commit()
    assert segments.load_features(stored, EXECUTIVE).behind == 1


def test_many_campaign_outcomes_count_as_one_change_per_recording(stored):
    """An outcome list or import is one change, however many rows, and marks the copy last."""
    copy = segments.load_features(stored, EXECUTIVE)
    with stored.connect() as conn:
        made = tm_campaign_of_five(conn, copy)
        contacted = conn.execute(
            select(Customer.customer_no)
            .join(CampaignTarget, CampaignTarget.customer_id == Customer.id)
            .where(CampaignTarget.campaign_id == made.campaign_id)
            .order_by(Customer.customer_no)
        ).scalars().all()  # fmt: skip
        assert len(contacted) >= 4
        listed, imported = contacted[:2], contacted[2:]
        campaigns.record_outcomes(
            conn, EXECUTIVE, made.campaign_id, [(number, "responded") for number in listed]
        )
        conn.commit()
        assert segments.features_version(conn) == copy.version + 1
        csv = "customer_no,outcome\n" + "".join(f"{number},declined\n" for number in imported)
        assert campaigns.import_outcomes(conn, EXECUTIVE, made.campaign_id, csv.encode()) == len(
            imported
        )
        conn.commit()
        assert segments.features_version(conn) == copy.version + 2


def test_a_stale_copy_is_rebuilt_in_the_background_only_when_due(stored, monkeypatch):
    with stored.begin() as conn:
        segments.mark_features_stale(conn)
    fresh = segments.load_features(stored, EXECUTIVE)
    assert fresh.behind == 1
    assert not segments_job.refresh_in_background(stored, AS_OF, fresh), "built minutes ago"
    old = dataclasses.replace(fresh, built_at=fresh.built_at - dt.timedelta(minutes=11))
    assert segments_job.refresh_in_background(stored, AS_OF, old)
    for thread in threading.enumerate():
        if thread.name == f"{segments_job.JOB}-refresh":
            thread.join(timeout=60)
    assert segments.load_features(stored, EXECUTIVE).behind == 0
    with stored.begin() as conn:
        segments.mark_features_stale(conn)
    again = dataclasses.replace(segments.load_features(stored, EXECUTIVE), built_at=old.built_at)
    assert not segments_job.refresh_in_background(stored, AS_OF, again), "tried minutes ago"
