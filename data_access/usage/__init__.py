"""How staff use the console: recording actions, the daily aggregates, adoption, idle and
declining staff, per-person activity.

Owns `usage_events`, `usage_daily` and `usage_person_days`. Actions per person-day and its norm
are `core.metrics`.
"""

from data_access.usage.usage import (
    DECLINE_PCT,
    JOB,
    TREND_WEEKS,
    Adoption,
    UsageAction,
    UsageRecorder,
    adoption,
    aggregate_all,
    aggregate_usage,
    branches_in_scope,
    coverage_by_branch,
    declining_staff,
    employee_activity,
    idle_staff,
    idle_today_or_below_norm,
    record_usage,
    working_days,
)

__all__ = [
    "DECLINE_PCT",
    "JOB",
    "TREND_WEEKS",
    "Adoption",
    "UsageAction",
    "UsageRecorder",
    "adoption",
    "aggregate_all",
    "aggregate_usage",
    "branches_in_scope",
    "coverage_by_branch",
    "declining_staff",
    "employee_activity",
    "idle_staff",
    "idle_today_or_below_norm",
    "record_usage",
    "working_days",
]
