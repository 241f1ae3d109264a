"""Every page of every role, timed as one signed-in browser tab runs it (issue #21).

Method: `streamlit.testing.v1.AppTest` runs app.py in this process the way the server runs it
for one tab: the sign-in gate, st.navigation, the page's script with its data_access calls and
Streamlit's element tree. Not included: the browser (layout, Vega-Lite charts, data grids), the
websocket and the frontend's handling of the deltas, and other sessions competing for the
process. Each demo account signs in once (untimed) in a tab of its own, which then visits the
role's pages in navigation order, as a person clicking down the sidebar would.

Per page and role:
- first render: a run of the page with Streamlit's data cache cleared, as the first visitor
  (or the first after a cache's ttl) waits for it; the first of these runs is the page's
  first visit in the tab;
- warm rerun: the same page run again with the caches kept, the least any click costs;
- interaction: one control changed (a segment filter, a period, an agenda outcome, a search)
  and the run it causes, where the page has such a control.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import streamlit as st
from sqlalchemy import Engine, select, tuple_, update
from streamlit.testing.v1 import AppTest

from benchmarks.harness import percentile, time_calls
from benchmarks.tasks import AS_OF, signed_in_app
from data_access.agenda import agenda
from data_access.agenda.agenda import (
    OPEN,
)
from data_access.core import job_runs
from data_access.core.models import (
    AgendaItem,
    Customer,
)
from data_access.core.security import (
    SignedInUser,
    authenticate,
)
from jobs.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount
from ui.messages import translate
from ui.navigation import PageSpec, pages_for

LANGUAGE = "ko"  # the console's default, as a first visit sees it


@dataclass(frozen=True, slots=True)
class PageResult:
    role: str
    username: str
    page: str
    runs: int
    first_median_ms: float
    first_p95_ms: float
    warm_median_ms: float
    warm_p95_ms: float
    interaction: str | None = None
    interaction_median_ms: float | None = None
    interaction_p95_ms: float | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _median_p95(timings: list[float]) -> tuple[float, float]:
    return round(statistics.median(timings), 2), round(percentile(timings, 0.95), 2)


def checked_run(at: AppTest) -> AppTest:
    at.run()
    if at.exception:
        raise RuntimeError(f"page run failed: {at.exception[0].message}")
    return at


def first_render(at: AppTest) -> AppTest:
    st.cache_data.clear()
    return checked_run(at)


def by_label(elements: Any, key: str) -> Any:
    label = translate(key, LANGUAGE)
    return next(element for element in elements if element.label == label)


def alternate(index: int, values: list[Any]) -> Any:
    return values[index % len(values)]


# --- one control per page: (what it is, how to change it for call `index`) ------------------

Interaction = tuple[str, Callable[[AppTest, int], None]]


def _period(at: AppTest, index: int) -> None:
    at.segmented_control(key="kpi_period").set_value(alternate(index, ["quarter", "month"]))


def _idle_days(at: AppTest, index: int) -> None:
    by_label(at.slider, "usage_idle_days").set_value(alternate(index, [10, 5]))


def _segment_age(at: AppTest, index: int) -> None:
    age_min = next(box for box in at.number_input if (box.key or "").endswith("_min"))
    age_min.set_value(alternate(index, [40, 30]))


def _search(at: AppTest, index: int) -> None:
    at.text_input(key="customer_query").input(alternate(index, ["김민", "이서"]))


def _dictionary(at: AppTest, index: int) -> None:
    at.text_input(key="dictionary_search").input(alternate(index, ["customer", "account"]))


def _select(key: str) -> Callable[[AppTest, int], None]:
    def change(at: AppTest, index: int) -> None:
        at.selectbox(key=key).select_index(alternate(index, [1, 0]))

    return change


def _select_by_label(message_key: str) -> Callable[[AppTest, int], None]:
    def change(at: AppTest, index: int) -> None:
        by_label(at.selectbox, message_key).select_index(alternate(index, [1, 0]))

    return change


def _agenda_outcome(at: AppTest, _index: int) -> None:
    """Mark the first open item of the first rule group done, as a rep ticks one off."""
    pick = next(
        box for box in at.multiselect if (box.key or "").startswith("agenda_pick_") and box.options
    )
    rule_id = pick.key.removeprefix("agenda_pick_")
    pick.set_value([pick.options[0].rsplit(" · ", 1)[-1]])
    submit = next(
        b for b in at.button if (b.key or "").startswith(f"FormSubmitter:agenda_form_{rule_id}-")
    )
    submit.click()


INTERACTIONS: dict[str, Interaction] = {
    "customer": ("search typed", _search),
    "agenda": ("outcome recorded", _agenda_outcome),
    "branch_agenda": ("branch picked", _select("agenda_branch")),
    "agenda_rules": ("rule picked", _select("rule_choice")),
    "executive": ("period changed", _period),
    "usage": ("idle days changed", _idle_days),
    "training": ("branch picked", _select("training_branch")),
    "segments": ("age filter changed", _segment_age),
    "campaigns": ("campaign picked", _select("camp_pick")),
    "import": ("file kind picked", _select_by_label("import_kind")),
    "users": ("user picked", _select("user_to_edit")),
    "data_dictionary": ("search typed", _dictionary),
    "audit": ("month picked", _select_by_label("audit_review_month")),
}


# --- the customer the 360 page opens ----------------------------------------------------------


def own_customer(engine: Engine, user: SignedInUser) -> str:
    """A customer of the user's own book, else of their branch, else the first: the 360 a
    person opens most often."""
    with engine.connect() as conn:
        for condition in (
            Customer.manager_id == user.employee_id,
            Customer.home_branch_id == user.branch_id,
            Customer.id.is_not(None),
        ):
            found = conn.execute(
                select(Customer.customer_no).where(condition).order_by(Customer.id).limit(1)
            ).scalar()
            if found is not None:
                return found
    raise RuntimeError("the benchmark database holds no customers")


def state_view_reason(at: AppTest) -> bool:
    """Outside one's book the 360 asks a reason first: give the first on the list. Whether
    it was asked."""
    submit = [b for b in at.button if (b.key or "").startswith("FormSubmitter:view_reason_form-")]
    if submit:
        submit[0].click()
        checked_run(at)
    return bool(submit)


@contextmanager
def agenda_work_undone(engine: Engine, user: SignedInUser) -> Iterator[None]:
    """The outcomes the interaction records are set back to open afterwards, so the next
    run of the harness (on the same database) finds the same agenda to work."""
    mine = (AgendaItem.business_date == AS_OF, AgendaItem.employee_id == user.employee_id)
    pair = tuple_(AgendaItem.rule_id, AgendaItem.customer_id)
    with engine.connect() as conn:
        open_before = conn.execute(
            select(AgendaItem.rule_id, AgendaItem.customer_id).where(
                *mine, AgendaItem.status == OPEN
            )
        ).all()
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(
                update(AgendaItem)
                .where(*mine, AgendaItem.status != OPEN, pair.in_(open_before))
                .values(status=OPEN, worked_at=None, snoozed_until=None, consultation_id=None)
            )


# --- measuring ----------------------------------------------------------------------------------


def measure_page(at: AppTest, spec: PageSpec, account: DemoAccount, *, runs: int) -> PageResult:
    at.switch_page(spec.path)
    first = time_calls(lambda _i: first_render(at), range(runs))
    if spec.key == "customer" and state_view_reason(at):
        # What was timed was the reason form; time the record itself.
        first = time_calls(lambda _i: first_render(at), range(runs))
    warm = time_calls(lambda _i: checked_run(at), range(runs))
    first_median, first_p95 = _median_p95(first)
    warm_median, warm_p95 = _median_p95(warm)
    result = PageResult(
        role=account.role.value,
        username=account.username,
        page=spec.key,
        runs=runs,
        first_median_ms=first_median,
        first_p95_ms=first_p95,
        warm_median_ms=warm_median,
        warm_p95_ms=warm_p95,
    )
    if spec.key not in INTERACTIONS:
        return result
    name, change = INTERACTIONS[spec.key]

    def interact(index: int) -> None:
        change(at, index)
        checked_run(at)

    try:
        interact(0)  # the warm-up: the control's first change fills its caches
        timings = time_calls(interact, range(1, runs + 1))
    except (StopIteration, KeyError, IndexError):
        return result  # no such control for this role or these data
    median, p95 = _median_p95(timings)
    return PageResult(
        **{
            **result.as_json(),
            "interaction": name,
            "interaction_median_ms": median,
            "interaction_p95_ms": p95,
        }
    )


def measure_pages(
    engine: Engine, *, runs: int, progress: Callable[[str], None]
) -> list[PageResult]:
    """Every page of every demo account's role, in navigation order, one tab per account."""
    outcome = agenda.build_agenda(engine, AS_OF, force=False)  # the day's agenda to work
    if outcome.status not in (job_runs.SUCCEEDED, job_runs.SKIPPED):
        raise RuntimeError(f"agenda build {outcome.status}: {outcome.error}")
    results = []
    for account in DEMO_ACCOUNTS:
        with engine.connect() as conn:
            user = authenticate(conn, account.username, DEMO_PASSWORD)
            conn.commit()
        at = signed_in_app(account.username)
        for spec in pages_for(account.role):
            at.query_params.clear()
            if spec.key == "customer":
                at.query_params["customer"] = own_customer(engine, user)
            if spec.key == "agenda":
                with agenda_work_undone(engine, user):
                    found = measure_page(at, spec, account, runs=runs)
            else:
                found = measure_page(at, spec, account, runs=runs)
            results.append(found)
            progress(f"{account.username}/{spec.key}")
    return results


def format_pages(results: list[PageResult]) -> str:
    header = (
        f"{'account':<11}{'page':<17}{'first ms':>10}{'p95':>9}{'warm ms':>10}{'p95':>9}"
        f"  {'interaction':<20}{'ms':>9}{'p95':>9}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        interaction = ""
        if r.interaction is not None:
            interaction = (
                f"  {r.interaction:<20}{r.interaction_median_ms:>9}{r.interaction_p95_ms:>9}"
            )
        lines.append(
            f"{r.username:<11}{r.page:<17}{r.first_median_ms:>10}{r.first_p95_ms:>9}"
            f"{r.warm_median_ms:>10}{r.warm_p95_ms:>9}{interaction}"
        )
    return "\n".join(lines)
