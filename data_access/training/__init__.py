"""Training and adoption: courses, sessions, enrolments, certificates and results imports.

Owns `training_courses`, `training_sessions` and `enrolments`. Completion and certificate horizons
are `core.metrics`.
"""

from data_access.training.training import (
    CATEGORIES,
    EXPIRED,
    EXPIRING,
    MAX_CERTIFICATION_MONTHS,
    VALID,
    CourseDraft,
    ImportCheck,
    TrainingTotals,
    add_session,
    apply_import,
    before_after,
    certifications,
    check_import,
    completion_by_branch,
    completion_by_person,
    courses,
    enrol,
    record_result,
    retire_course,
    save_course,
    sessions,
    training_totals,
)

__all__ = [
    "CATEGORIES",
    "EXPIRED",
    "EXPIRING",
    "MAX_CERTIFICATION_MONTHS",
    "VALID",
    "CourseDraft",
    "ImportCheck",
    "TrainingTotals",
    "add_session",
    "apply_import",
    "before_after",
    "certifications",
    "check_import",
    "completion_by_branch",
    "completion_by_person",
    "courses",
    "enrol",
    "record_result",
    "retire_course",
    "save_course",
    "sessions",
    "training_totals",
]
