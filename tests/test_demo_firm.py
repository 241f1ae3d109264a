"""The demo firm keeps the article's ratios, so every demo account opens on a real day's work.

The figures come from the seed (DOMAIN.md), not from a run: about 440 customers per dedicated
manager, 12 staff per branch, about 250 console actions per person per working day, and a
morning agenda of a dozen or two items; and every first screen full: DM and TM campaigns with
outcomes behind the DM/TM KPIs, calls left for the rep, certificates a trainer can act on. The
demo is the console's default size (20,000 customers: four branches, the floor) so the books
are full; the full-scale figures belong to the benchmarks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import pytest
from sqlalchemy import Engine, text

from data_access import admin, campaigns, complaints, kpis, training
from data_access.core import metrics
from data_access.core.business_days import (
    extra_holidays,
    is_business_day,
)
from data_access.core.db import (
    read_frame,
)
from jobs import after_demo, demo, demo_campaigns
from jobs import agenda as agenda_job
from jobs.demo.generator import branch_count

CUSTOMERS = 20_000
SEED = 3
AS_OF = dt.date(2024, 6, 17)  # a Monday
USAGE_DAYS = 7


@dataclass(frozen=True, slots=True)
class Firm:
    engine: Engine
    history_days: list[dt.date]


@pytest.fixture(scope="module")
def firm(databases, tmp_path_factory) -> Firm:
    engine = databases.new("firm")
    demo.generate(engine, customers=CUSTOMERS, seed=SEED, as_of=AS_OF, usage_days=USAGE_DAYS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRM_ANALYTICS_DIR", str(tmp_path_factory.mktemp("firm_analytics")))
        history = after_demo.build_history(engine, AS_OF)["agenda"]  # as the first run does
    agenda_job.run(engine, AS_OF)  # the business day's agenda, as the scheduler builds it
    with engine.connect() as conn:
        days = conn.execute(
            text("SELECT DISTINCT business_date FROM agenda_items WHERE business_date < :d"),
            {"d": AS_OF},
        ).scalars()
        history_days = sorted(dt.date.fromisoformat(str(day)[:10]) for day in days)
    assert len(history_days) == history["days"] == after_demo.DEMO_AGENDA_DAYS
    return Firm(engine, history_days)


def frame(engine: Engine, sql: str) -> pl.DataFrame:
    with engine.connect() as conn:
        return read_frame(conn, text(sql))


def test_branches_follow_the_customers_with_a_floor():
    # 2.6 million customers / 84 branches = ~30,952 a branch (the article).
    assert branch_count(2_600_000) == 84
    assert branch_count(20_000) == 4  # 0.6 of a branch: the floor keeps four to compare
    assert branch_count(310_000) == 10
    assert branch_count(10_000_000) == 84  # no more branches than sites


def test_every_branch_has_twelve_staff(firm):
    staff = frame(
        firm.engine,
        "SELECT branch_id, COUNT(*) AS staff FROM employees WHERE branch_id IS NOT NULL "
        "GROUP BY branch_id ORDER BY branch_id",
    )
    assert staff["staff"].to_list() == [12, 12, 12, 12]


def test_a_dedicated_manager_looks_after_about_440_customers(firm):
    books = frame(
        firm.engine,
        "SELECT e.id, COUNT(c.id) AS customers FROM employees e "
        "LEFT JOIN customers c ON c.manager_id = e.id AND c.closed_on IS NULL "
        "WHERE e.role = 'dedicated_manager' AND e.is_active GROUP BY e.id",
    )
    # Every branch of 20,000 / 4 customers has room for four full books of 440.
    assert books["customers"].mean() == pytest.approx(440, rel=0.05)
    assert books["customers"].max() <= 440


def test_staff_use_the_console_about_250_times_a_working_day(firm):
    with firm.engine.connect() as conn:
        events = read_frame(
            conn,
            text("SELECT employee_id, occurred_at FROM usage_events"),
            {"employee_id": pl.Int64, "occurred_at": pl.Datetime("us")},
        )
    per_day = events.group_by("employee_id", pl.col("occurred_at").dt.date()).agg(
        pl.len().alias("actions")
    )
    # Most staff ~275 a day; a few low adopters and paper holdouts pull it to ~250.
    assert 225 <= per_day["actions"].mean() <= 275


def agenda_counts(firm: Firm) -> pl.DataFrame:
    """Items per customer-facing person (active, with a book) and business day, 0 for none."""
    people = frame(
        firm.engine,
        "SELECT e.id AS employee_id, u.username FROM employees e "
        "JOIN users u ON u.employee_id = e.id "
        "WHERE e.role IN ('sales_rep', 'dedicated_manager') AND e.is_active "
        "AND EXISTS (SELECT 1 FROM customers c WHERE c.manager_id = e.id)",
    )
    items = frame(
        firm.engine,
        "SELECT a.employee_id, a.business_date AS day, COUNT(*) AS items, "
        "COUNT(DISTINCT a.rule_id) AS rules FROM agenda_items a "
        "GROUP BY a.employee_id, a.business_date",
    ).with_columns(pl.col("day").cast(pl.String).str.slice(0, 10).str.to_date())
    days = pl.DataFrame({"day": [*firm.history_days, AS_OF]})
    return (
        people.join(days, how="cross")
        .join(items, on=["employee_id", "day"], how="left")
        .with_columns(pl.col("items", "rules").fill_null(0))
    )


def test_reps_have_a_dozen_or_two_items_every_day_of_the_history(firm):
    per_day = agenda_counts(firm).group_by("day").agg(pl.col("items").mean()).sort("day")
    assert per_day.height == after_demo.DEMO_AGENDA_DAYS + 1
    # The default rules are sized for a book of ~440: a dozen or two a day, not a decline.
    assert per_day["items"].min() >= 10, per_day
    assert per_day["items"].max() <= 30, per_day


@pytest.mark.parametrize("username", ["rep", "dedicated"])
def test_the_demo_accounts_open_on_a_full_agenda_every_day(firm, username):
    mine = agenda_counts(firm).filter(pl.col("username") == username).sort("day")
    assert mine.height == after_demo.DEMO_AGENDA_DAYS + 1
    assert mine["items"].min() >= 10, mine
    assert mine["items"].max() <= 30, mine
    # Reasons from several rules: always the mailing rule, most mornings an event or more.
    # A day with no birthday or anniversary in a book of 440 happens (about 1 in 20 at ~3
    # events a day), so "most" is the honest bound for the history; the first screen is full.
    assert mine.filter(pl.col("day") == AS_OF)["rules"].item() >= 2, mine
    assert (mine["rules"] >= 2).mean() >= 0.8, mine


def test_the_manager_has_a_branch_of_twelve(firm):
    staff = frame(
        firm.engine,
        "SELECT COUNT(*) AS staff FROM employees WHERE branch_id = "
        "(SELECT e.branch_id FROM users u JOIN employees e ON e.id = u.employee_id "
        "WHERE u.username = 'manager')",
    )
    assert staff["staff"].item() == 12


def signed_in(firm: Firm, username: str):
    with firm.engine.connect() as conn:
        return admin.acting_admin(conn, username)


def test_the_kpis_count_the_pieces_the_campaigns_page_lists(firm):
    """DM/TM pieces on each start day and the 30-day response rate, read from the KPI
    snapshots, against the campaigns page's own functions."""
    executive = signed_in(firm, "exec")
    with firm.engine.connect() as conn:
        listed = campaigns.list_campaigns(conn, executive)
        responses = {
            campaign_id: sum(
                campaigns.campaign_report(conn, executive, campaign_id, as_of=AS_OF).recorded[
                    outcome
                ]
                for outcome in metrics.DM_TM_RESPONSES
            )
            for campaign_id in listed["campaign_id"]
        }
        first, last = listed["started_on"].min(), AS_OF - dt.timedelta(days=1)
        history = kpis.history(conn, executive, first, last).pivot(
            "kpi", index="business_date", values="value"
        )
    assert len(demo_campaigns.DEMO_CAMPAIGNS) == listed.height >= 3
    assert set(listed["channel"]) == set(campaigns.CHANNELS)
    listed = listed.with_columns(
        responses=pl.col("campaign_id").replace_strict(responses, return_dtype=pl.Int64)
    )
    started = listed.group_by("started_on").agg(pl.col("contacted").sum())
    assert started.height == listed.height  # a trend: every campaign on a day of its own
    pieces = history.select("business_date", "dm_tm_pieces")
    on_start = pieces.join(started, left_on="business_date", right_on="started_on")
    assert on_start.height == started.height, "a campaign started on a day with no snapshot"
    assert on_start["dm_tm_pieces"].to_list() == on_start["contacted"].cast(pl.Float64).to_list()
    others = pieces.filter(~pl.col("business_date").is_in(started["started_on"].implode()))
    assert (others["dm_tm_pieces"] == 0).all()
    day = history["business_date"].max()
    window_first, window_last = metrics.window(day)
    recent = listed.filter(pl.col("started_on").is_between(window_first, window_last))
    assert recent.height >= 1, "the executive's 30-day response rate has campaigns behind it"
    shown = history.filter(pl.col("business_date") == day)["dm_tm_response_pct"].item()
    assert shown == pytest.approx(100 * recent["responses"].sum() / recent["contacted"].sum())


def test_the_rep_opens_on_calls_of_a_running_tm_campaign(firm):
    rep = signed_in(firm, "rep")
    with firm.engine.connect() as conn:
        calls = campaigns.my_calls(conn, rep)
        mine = campaigns.list_campaigns(conn, rep)
    assert 5 <= calls.height <= 60, calls
    running = mine.filter(pl.col("campaign_id").is_in(calls["campaign_id"].implode()))
    assert set(running["channel"]) == {"tm"}
    # Started days ago and worked since: some of the rep's calls are made, most still open.
    assert (running["started_on"] < AS_OF).all()
    assert (running["started_on"] > AS_OF - dt.timedelta(days=14)).all()
    assert 0 < running["recorded"].sum() < running["contacted"].sum()


def test_campaign_outcomes_come_back_at_plausible_rates(firm):
    """A DM draws replies from a few percent; a finished TM reaches one in six or so with a
    yes and many not at all. Every campaign holds out a control group."""
    executive = signed_in(firm, "exec")
    with firm.engine.connect() as conn:
        listed = campaigns.list_campaigns(conn, executive)
        reports = [
            campaigns.campaign_report(conn, executive, campaign_id, as_of=AS_OF)
            for campaign_id in listed["campaign_id"]
        ]
    call_days = demo_campaigns.TM_CALL_DAYS[1]
    for row, report in zip(listed.iter_rows(named=True), reports, strict=True):
        assert row["control"] > 0 and row["contacted"] > row["control"], row
        share = {outcome: n / row["contacted"] for outcome, n in report.recorded.items()}
        responded = share["responded"] + share["bought"]
        if row["channel"] == "dm":
            assert 0.01 <= responded <= 0.08, (row, share)
            assert 0 < share["unreachable"] <= 0.06 and share["declined"] == 0, (row, share)
        elif row["started_on"] < AS_OF - dt.timedelta(days=2 * call_days):  # calls all made
            assert 0.10 <= responded <= 0.25, (row, share)
            assert 0.15 <= share["unreachable"] <= 0.45, (row, share)


def test_outcomes_are_dated_in_working_hours_after_their_campaign_started(firm):
    moments = frame(
        firm.engine,
        "SELECT c.started_on, t.outcome_at FROM campaign_targets t "
        "JOIN campaigns c ON c.id = t.campaign_id WHERE t.outcome IS NOT NULL",
    ).with_columns(
        pl.col("started_on").cast(pl.String).str.slice(0, 10).str.to_date(),
        pl.col("outcome_at").cast(pl.String).str.slice(0, 19).str.to_datetime(),
    )
    with firm.engine.connect() as conn:
        holidays = extra_holidays(conn)
    assert moments.height > 0
    assert (moments["outcome_at"].dt.date() >= moments["started_on"]).all()
    assert (moments["outcome_at"].dt.date() < AS_OF).all()
    assert moments["outcome_at"].dt.hour().is_between(8, 20).all()  # calls 08:00-21:00
    assert all(is_business_day(day, holidays) for day in moments["outcome_at"].dt.date())


def test_the_trainer_has_dozens_of_certificates_expiring_and_few_expired(firm):
    with firm.engine.connect() as conn:
        totals = training.training_totals(conn, signed_in(firm, "trainer"), AS_OF)
    # Within metrics.EXPIRING_DAYS: work for a trainer's quarter, not a backlog of hundreds.
    assert 12 <= totals.expiring_certificates <= 60, totals
    assert totals.expiring_certificates < totals.valid_certificates, totals
    assert 0 < totals.expired_certificates <= totals.valid_certificates / 4, totals


def test_complaints_trickle_in_a_few_overdue_and_on_the_reps_and_managers_agenda(firm):
    """A few cases a branch a month over six months, of every category and channel, most
    closed, a few past their deadline and some near it (issue #22); the rep opens on the case
    they handle past its deadline, the manager on the one nobody has taken yet."""
    with firm.engine.connect() as conn:
        cases = read_frame(
            conn,
            text(
                "SELECT category, channel, status, received_on, deadline_on FROM complaints "
                "WHERE source != 'happy_call'"
            ),
            {"received_on": pl.Date, "deadline_on": pl.Date},
        )
        closures = extra_holidays(conn)
    assert 2 <= cases.height / 4 / 6 <= 4
    assert set(cases["category"]) == set(complaints.CATEGORIES)
    assert set(cases["channel"]) == set(complaints.CHANNELS)
    assert 0.6 < (cases["status"] == "closed").mean() < 0.95
    still_open = cases.filter(pl.col("status") != "closed")
    overdue = still_open.filter(pl.col("deadline_on") < AS_OF)
    assert 1 <= overdue.height <= 0.1 * cases.height
    assert still_open.filter(pl.col("deadline_on") >= AS_OF).height >= 1
    assert all(is_business_day(day, closures) for day in cases["deadline_on"])
    on_agenda = frame(
        firm.engine,
        "SELECT u.username FROM agenda_items i JOIN agenda_rules r ON r.id = i.rule_id "
        "JOIN users u ON u.employee_id = i.employee_id "
        "WHERE r.kind = 'complaint' AND i.business_date = (SELECT MAX(business_date) "
        "FROM agenda_items)",
    )
    assert {"rep", "manager"} <= set(on_agenda["username"])


def dated_frame(engine: Engine, sql: str, dates: tuple[str, ...]) -> pl.DataFrame:
    with engine.connect() as conn:
        return read_frame(conn, text(sql), dict.fromkeys(dates, pl.Date))


def test_every_demo_sale_keeps_the_suitability_rules(firm):
    """Each sale's profile was in force on its day, suitability is the grades' comparison, and
    the recording and cooling-off are there exactly when the customer is 65+ or it did not
    suit (issue #22); a few percent of sales are unsuitable."""
    sales = dated_frame(
        firm.engine,
        "SELECT s.sold_on, s.suitable, s.customer_grade, s.product_risk_grade, s.customer_age, "
        "s.recording_ref, s.cooling_off_ends_on, p.assessed_on, p.valid_until, "
        "p.risk_tolerance_grade FROM fund_sales s JOIN investment_profiles p "
        "ON p.id = s.profile_id",
        ("sold_on", "cooling_off_ends_on", "assessed_on", "valid_until"),
    )
    assert sales.height > 1000
    assert sales.filter(
        (pl.col("assessed_on") > pl.col("sold_on")) | (pl.col("valid_until") < pl.col("sold_on"))
    ).is_empty()
    assert (sales["customer_grade"] == sales["risk_tolerance_grade"]).all()
    assert (
        sales["suitable"].cast(pl.Boolean)
        == (sales["product_risk_grade"] >= sales["customer_grade"])
    ).all()
    needs = ~sales["suitable"].cast(pl.Boolean) | (sales["customer_age"] >= 65)
    assert (sales["recording_ref"].is_not_null() == needs).all()
    assert (sales["cooling_off_ends_on"].is_not_null() == needs).all()
    assert 0.01 < 1 - sales["suitable"].cast(pl.Boolean).mean() < 0.1


def test_demo_happy_calls_have_outcomes_some_overdue_and_one_mis_sale(firm):
    calls = dated_frame(
        firm.engine,
        "SELECT h.branch_id, h.status, h.due_on, h.tries, h.mis_selling_suspected, "
        "h.complaint_case_id, h.responsible_id, s.seller_id, s.sold_on FROM happy_calls h "
        "JOIN fund_sales s ON s.id = h.sale_id",
        ("due_on", "sold_on"),
    )
    past = calls.filter(pl.col("due_on") < AS_OF)
    closed = past.filter(pl.col("status") != "open")
    assert 0.9 < closed.height / past.height < 1.0  # most made, a few overdue
    assert past.filter((pl.col("status") == "open") & (pl.col("branch_id") == 1)).height >= 2
    assert set(calls["status"]) == {"open", "understood", "unreachable", "complaint"}
    assert (calls["responsible_id"] != calls["seller_id"]).all()  # another person calls
    suspected = calls.filter(pl.col("mis_selling_suspected").cast(pl.Boolean))
    assert suspected.height == 1 and suspected["complaint_case_id"][0] is not None
    cases = frame(
        firm.engine,
        "SELECT category, source FROM complaints WHERE source = 'happy_call'",
    )
    assert cases.rows() == [("mis_selling", "happy_call")]


def test_the_rep_opens_on_happy_calls(firm):
    items = frame(
        firm.engine,
        "SELECT i.facts FROM agenda_items i JOIN agenda_rules r ON r.id = i.rule_id "
        "JOIN users u ON u.employee_id = i.employee_id "
        "WHERE u.username = 'rep' AND r.kind = 'happy_call' "
        "AND i.business_date = (SELECT MAX(business_date) FROM agenda_items)",  # AS_OF
    )
    assert items.height >= 1


def test_the_consent_history_explains_every_marketing_flag(firm):
    newest = frame(
        firm.engine,
        "SELECT e.customer_id, e.channel, e.given, c.consent_dm, c.consent_tm, c.consent_email "
        "FROM consent_events e JOIN customers c ON c.id = e.customer_id "
        "WHERE e.purpose = 'marketing' AND NOT EXISTS (SELECT 1 FROM consent_events later "
        "WHERE later.customer_id = e.customer_id AND later.purpose = e.purpose "
        "AND later.channel = e.channel AND later.occurred_at > e.occurred_at)",
    )
    agrees = newest.select(
        pl.when(pl.col("channel") == "dm")
        .then(pl.col("consent_dm"))
        .when(pl.col("channel") == "tm")
        .then(pl.col("consent_tm"))
        .otherwise(pl.col("consent_email"))
        .cast(pl.Boolean)
        == pl.col("given").cast(pl.Boolean)
    )
    assert newest["customer_id"].n_unique() > CUSTOMERS // 5
    assert agrees.to_series().all()
    withdrawn = newest.filter(~pl.col("given").cast(pl.Boolean))
    assert withdrawn.height > 100, "some customers withdrew a consent they once gave"


def test_the_do_not_call_list_names_a_few_customers_and_many_strangers(firm):
    listed = frame(
        firm.engine,
        "SELECT d.source, d.registered_on, c.id AS customer_id FROM do_not_call_numbers d "
        "LEFT JOIN customers c ON REPLACE(c.phone, '-', '') = d.phone",
    )
    finance = listed.filter(pl.col("source") == "finance_dnc")
    customers_listed = finance["customer_id"].drop_nulls().n_unique()
    assert 0.02 * CUSTOMERS <= customers_listed <= 0.06 * CUSTOMERS
    assert finance["customer_id"].null_count() >= 2 * customers_listed
    opted_out = listed.filter(pl.col("source") == "in_house")
    assert opted_out.height > 0 and opted_out["customer_id"].null_count() == 0
    withdrew_by_phone = frame(
        firm.engine,
        "SELECT customer_id FROM consent_events WHERE channel = 'tm' AND NOT given "
        "AND source = 'phone'",
    )
    assert set(opted_out["customer_id"]) <= set(withdrew_by_phone["customer_id"])


def test_no_tm_campaign_called_a_number_listed_before_it_started(firm):
    called = frame(
        firm.engine,
        "SELECT COUNT(*) AS n, SUM(CASE WHEN EXISTS (SELECT 1 FROM do_not_call_numbers d "
        "WHERE d.phone = REPLACE(c.phone, '-', '') AND d.registered_on <= k.started_on) "
        "THEN 1 ELSE 0 END) AS listed FROM campaign_targets t "
        "JOIN campaigns k ON k.id = t.campaign_id JOIN customers c ON c.id = t.customer_id "
        "WHERE k.channel = 'tm'",
    )
    assert called["n"].item() > 0
    assert called["listed"].item() == 0
