"""Records kept and let go: the retention schedule per kind of record, legal holds, the
report of what is due for disposal and the disposal itself, and customers' requests to see
their records (issue #22).

Owns `retention_rules`, `legal_holds`, `access_requests`, `retention_settings`; disposes of
rows in the tables the schedule names, and answers requests through data_access.exports.
"""

from data_access.retention.access_requests import (
    ANSWER_COLUMNS,
    CHANNELS,
    PROFILE_FIELDS,
    SECTIONS,
    STATUSES,
    access_requests,
    add_business_days,
    fulfil_access_request,
    log_access_request,
)
from data_access.retention.schedule import (
    BASES,
    CONFIGURATION,
    DEFAULT_SETTINGS,
    HOLD_REASON_MAX_CHARS,
    JOB,
    MAX_YEARS,
    SETTING_RANGES,
    Disposal,
    disposal_report,
    dispose_due,
    legal_holds,
    lift_hold,
    place_hold,
    retention_schedule,
    retention_settings,
    run_disposal_report,
    save_retention_setting,
    set_retention_years,
    years_before,
)

__all__ = [
    "ANSWER_COLUMNS",
    "BASES",
    "CHANNELS",
    "CONFIGURATION",
    "DEFAULT_SETTINGS",
    "HOLD_REASON_MAX_CHARS",
    "JOB",
    "MAX_YEARS",
    "PROFILE_FIELDS",
    "SECTIONS",
    "SETTING_RANGES",
    "STATUSES",
    "Disposal",
    "access_requests",
    "add_business_days",
    "disposal_report",
    "dispose_due",
    "fulfil_access_request",
    "legal_holds",
    "lift_hold",
    "log_access_request",
    "place_hold",
    "retention_schedule",
    "retention_settings",
    "run_disposal_report",
    "save_retention_setting",
    "set_retention_years",
    "years_before",
]
