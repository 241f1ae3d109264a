"""Complaint cases (민원, issue #22): opening, working and closing them, the case list and the
counts the home pages, the customer 360 and compliance read, and the complaint settings.

Owns `complaints`, `complaint_events` and `complaint_settings`. The deadline, "near" and
"overdue" rules the agenda and the KPIs share live in data_access.core.complaint_rules.
Every function takes the signed-in user and applies the policy's scope itself.
"""

from data_access.complaints.cases import (
    CATEGORIES,
    CHANNELS,
    LIST_LIMIT,
    NOTE_MAX_CHARS,
    SOURCES,
    SUMMARY_MAX_CHARS,
    ComplaintCase,
    ComplaintCounts,
    add_progress_note,
    assign_handler,
    case_counts,
    case_detail,
    case_number,
    cases,
    close_case,
    customer_cases,
    open_case,
    save_complaint_setting,
)
from data_access.core.complaint_rules import (
    CLOSED,
    COMPLAINT_SETTINGS,
    IN_PROGRESS,
    OPEN,
    STATUSES,
    complaint_settings,
)

__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "CLOSED",
    "COMPLAINT_SETTINGS",
    "IN_PROGRESS",
    "LIST_LIMIT",
    "NOTE_MAX_CHARS",
    "OPEN",
    "SOURCES",
    "STATUSES",
    "SUMMARY_MAX_CHARS",
    "ComplaintCase",
    "ComplaintCounts",
    "add_progress_note",
    "assign_handler",
    "case_counts",
    "case_detail",
    "case_number",
    "cases",
    "close_case",
    "complaint_settings",
    "customer_cases",
    "open_case",
    "save_complaint_setting",
]
