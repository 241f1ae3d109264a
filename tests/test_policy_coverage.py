"""Every door of data_access, checked: each function a domain package exports is in DOORS, and
each one that reads or writes people's data is called as every role the policy refuses.

A new exported function without a row here fails `test_every_exported_function_has_a_door`.
The kinds:
- `Guarded(action)`: a role without `action` in policy.GRANTS is refused with AccessDenied
  before anything is read or written (`empty=True`: it gets nothing back instead).
- `SERVICE`: jobs and other data_access packages call it with their own identity; no page or
  ui module may (checked on the source).
- `OWN`: the signed-in person's own session, password or usage: any role, only themselves.
- `NO_PERSONAL_DATA`: pure functions of their arguments, settings, or policy predicates.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Connection

from data_access.core.errors import AccessDenied
from data_access.core.models import Role
from data_access.core.policy import Action, roles_permitted
from data_access.core.security import SignedInUser
from tests.handmade import (
    ADMIN,
    AS_OF,
    COMPLIANCE,
    EXECUTIVE,
    KIM,
    MANAGER_101,
    TRAINER,
    signed_in,
)

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "admin", "agenda", "campaigns", "complaints", "conduct", "customers", "exports", "imports",
    "kpis", "retention", "segments", "training", "usage",
)  # fmt: skip
USERS: dict[Role, SignedInUser] = {
    Role.SALES_REP: KIM,
    Role.DEDICATED_MANAGER: signed_in(Role.DEDICATED_MANAGER, 3, 1),
    Role.BRANCH_MANAGER: MANAGER_101,
    Role.TRAINER: TRAINER,
    Role.EXECUTIVE: EXECUTIVE,
    Role.ADMIN: ADMIN,
    Role.COMPLIANCE: COMPLIANCE,
}


@dataclasses.dataclass(frozen=True)
class Guarded:
    action: Action
    empty: bool = False


SERVICE = "service"
OWN = "own"
NO_PERSONAL_DATA = "no personal data"

R = Action
DOORS: dict[str, Guarded | str] = {
    # admin
    "admin.acting_admin": OWN,  # the CLI's operator proves they are an active administrator
    "admin.append_anchor": NO_PERSONAL_DATA,  # a hash of the audit chain to a file
    "admin.audit_actions": Guarded(R.AUDIT_READ),
    "admin.change_own_password": OWN,
    "admin.check_anchors": NO_PERSONAL_DATA,  # hashes compared, no record shown
    "admin.column_meaning": NO_PERSONAL_DATA,
    "admin.create_user": Guarded(R.USERS_ADMIN),
    "admin.dictionary": Guarded(R.DICTIONARY_READ),
    "admin.list_users": Guarded(R.USERS_ADMIN),
    "admin.monthly_review": Guarded(R.AUDIT_REVIEW),
    "admin.must_change_password": OWN,  # asked at sign-in for the person signing in
    "admin.read_anchors": NO_PERSONAL_DATA,
    "admin.reset_password": Guarded(R.USERS_ADMIN),
    "admin.search_trail": Guarded(R.AUDIT_READ),
    "admin.session_valid": OWN,
    "admin.set_active": Guarded(R.USERS_ADMIN),
    "admin.update_user": Guarded(R.USERS_ADMIN),
    "admin.verify_chain": NO_PERSONAL_DATA,  # counts and the first broken record's number
    # agenda
    "agenda.agenda_reason": Guarded(R.AGENDA_WORK, empty=True),
    "agenda.agenda_rules": NO_PERSONAL_DATA,  # the rules, as an admin wrote them
    "agenda.build_agenda": SERVICE,
    "agenda.completion_by_branch": Guarded(R.AGENDA_TEAM_READ),
    "agenda.completion_by_employee": Guarded(R.AGENDA_TEAM_READ),
    "agenda.completion_by_reason": Guarded(R.AGENDA_TEAM_READ),
    "agenda.completion_by_week": Guarded(R.AGENDA_TEAM_READ),
    "agenda.day_by_reason": Guarded(R.AGENDA_WORK),
    "agenda.my_agenda": Guarded(R.AGENDA_WORK),
    "agenda.open_items": SERVICE,
    "agenda.param_fields": NO_PERSONAL_DATA,
    "agenda.preview_rule": Guarded(R.AGENDA_RULES_WRITE),
    "agenda.preview_rules": Guarded(R.AGENDA_RULES_WRITE),
    "agenda.rules_frame": Guarded(R.AGENDA_RULES_WRITE),
    "agenda.save_rule": Guarded(R.AGENDA_RULES_WRITE),
    "agenda.settle_happy_call_item": SERVICE,  # conduct.record_call, in its unit of work
    "agenda.team_completion": Guarded(R.AGENDA_TEAM_READ),
    "agenda.validate_rule": NO_PERSONAL_DATA,
    "agenda.work_history": SERVICE,
    "agenda.work_items": Guarded(R.AGENDA_WORK),
    # campaigns
    "campaigns.arm_sizes": NO_PERSONAL_DATA,
    "campaigns.campaign_report": Guarded(R.CAMPAIGN_READ),
    "campaigns.campaign_targets": Guarded(R.CAMPAIGN_READ),
    "campaigns.check_import": Guarded(R.CAMPAIGN_WRITE),
    "campaigns.create_campaign": Guarded(R.CAMPAIGN_WRITE),
    "campaigns.customer_campaigns": Guarded(R.CUSTOMER_READ),
    "campaigns.export_list": Guarded(R.EXPORT),
    "campaigns.import_outcomes": Guarded(R.CAMPAIGN_WRITE),
    "campaigns.list_campaigns": Guarded(R.CAMPAIGN_READ),
    "campaigns.my_calls": Guarded(R.AGENDA_WORK),
    "campaigns.open_targets": Guarded(R.CAMPAIGN_READ),
    "campaigns.preview_draw": Guarded(R.CAMPAIGN_WRITE),
    "campaigns.record_history": Guarded(R.CAMPAIGN_READ),  # the demo's, as its head office
    "campaigns.record_outcomes": Guarded(R.CAMPAIGN_READ),
    "campaigns.strata_summary": NO_PERSONAL_DATA,
    # conduct
    "conduct.age_on": NO_PERSONAL_DATA,
    "conduct.call_questions": NO_PERSONAL_DATA,
    "conduct.call_script": Guarded(R.HAPPY_CALL_WORK),
    "conduct.conduct_settings": NO_PERSONAL_DATA,
    "conduct.customer_conduct": Guarded(R.CUSTOMER_READ),
    "conduct.expired_profiles": Guarded(R.CUSTOMER_READ),
    "conduct.overdue_calls": Guarded(R.CONDUCT_READ),
    "conduct.record_call": Guarded(R.HAPPY_CALL_WORK),
    "conduct.record_profile": Guarded(R.SALE_RECORD),
    "conduct.record_sale": Guarded(R.SALE_RECORD),
    "conduct.sale_products": Guarded(R.SALE_RECORD),
    "conduct.sale_terms": NO_PERSONAL_DATA,
    "conduct.save_conduct_setting": Guarded(R.AGENDA_RULES_WRITE),
    # complaints
    "complaints.add_progress_note": Guarded(R.COMPLAINT_WRITE),
    "complaints.assign_handler": Guarded(R.COMPLAINT_WRITE),
    "complaints.case_counts": Guarded(R.COMPLAINT_READ),
    "complaints.case_detail": Guarded(R.COMPLAINT_READ),
    "complaints.case_number": NO_PERSONAL_DATA,
    "complaints.cases": Guarded(R.COMPLAINT_READ),
    "complaints.close_case": Guarded(R.COMPLAINT_CLOSE),
    "complaints.complaint_settings": NO_PERSONAL_DATA,  # the numbers an admin set
    "complaints.customer_cases": Guarded(R.COMPLAINT_READ),
    "complaints.open_case": Guarded(R.COMPLAINT_WRITE),
    "complaints.save_complaint_setting": Guarded(R.AGENDA_RULES_WRITE),
    # customers
    "customers.add_note": Guarded(R.CUSTOMER_WRITE),
    "customers.add_note_unmarked": Guarded(R.CUSTOMER_WRITE),
    "customers.call_window": NO_PERSONAL_DATA,
    "customers.consent_history": Guarded(R.CUSTOMER_READ),
    "customers.consent_state": Guarded(R.CUSTOMER_READ),
    "customers.contact_settings": NO_PERSONAL_DATA,
    "customers.customer_360": Guarded(R.CUSTOMER_READ),
    "customers.listed_customers": SERVICE,  # the campaign draw's suppression
    "customers.listed_for_calls": NO_PERSONAL_DATA,  # a SQL condition
    "customers.note_branch_id": NO_PERSONAL_DATA,
    "customers.raise_alert": Guarded(R.CUSTOMER_WRITE),
    "customers.record_consent": Guarded(R.CUSTOMER_WRITE),
    "customers.record_customer_view": Guarded(R.CUSTOMER_READ),
    "customers.resolve_alert": Guarded(R.ALERT_RESOLVE),
    "customers.save_contact_setting": Guarded(R.AGENDA_RULES_WRITE),
    "customers.search_customers": Guarded(R.CUSTOMER_READ),
    "customers.sees_contact_details": NO_PERSONAL_DATA,  # a policy predicate
    # exports
    "exports.export_frame": Guarded(R.EXPORT),
    "exports.grant": Guarded(R.USERS_ADMIN),
    "exports.link_sso_email": Guarded(R.USERS_ADMIN),
    "exports.list_grants": Guarded(R.USERS_ADMIN),
    "exports.neutralise_formulas": NO_PERSONAL_DATA,
    "exports.revoke": Guarded(R.USERS_ADMIN),
    # imports
    "imports.errors_csv": NO_PERSONAL_DATA,  # the errors of a file the user gave
    "imports.import_history": Guarded(R.IMPORT),
    "imports.inspect_file": NO_PERSONAL_DATA,  # the user's own upload
    "imports.preview": NO_PERSONAL_DATA,  # the user's own upload
    "imports.run_import": Guarded(R.IMPORT),
    "imports.template_csv": NO_PERSONAL_DATA,
    # kpis
    "kpis.admin_attention": Guarded(R.USERS_ADMIN),
    "kpis.branch_against_median": Guarded(R.KPI_READ),
    "kpis.demo_settings": NO_PERSONAL_DATA,
    "kpis.demo_history_next": NO_PERSONAL_DATA,
    "kpis.record_demo_history_next": NO_PERSONAL_DATA,
    "kpis.export_table": Guarded(R.EXPORT),
    "kpis.history": Guarded(R.KPI_READ),
    "kpis.league_table": Guarded(R.KPI_READ),
    "kpis.parameters": Guarded(R.KPI_READ),
    "kpis.period_comparison": Guarded(R.KPI_READ),
    "kpis.period_view": Guarded(R.KPI_READ),
    "kpis.region_view": Guarded(R.KPI_READ),
    "kpis.save_parameter": Guarded(R.KPI_TARGETS_WRITE),
    "kpis.save_target": Guarded(R.KPI_TARGETS_WRITE),
    "kpis.scope_for": Guarded(R.KPI_READ),
    "kpis.scope_summary": Guarded(R.OVERVIEW_READ),
    "kpis.sees_firm": NO_PERSONAL_DATA,  # a policy predicate
    "kpis.snapshot": SERVICE,
    "kpis.snapshot_span": Guarded(R.KPI_READ),
    "kpis.targets": Guarded(R.KPI_READ),
    "kpis.training_summary": Guarded(R.TRAINING_READ),
    # retention
    "retention.access_requests": Guarded(R.ACCESS_REQUEST_READ),
    "retention.add_business_days": NO_PERSONAL_DATA,
    "retention.disposal_report": Guarded(R.RETENTION_READ),
    "retention.dispose_due": Guarded(R.RETENTION_WRITE),
    "retention.fulfil_access_request": Guarded(R.ACCESS_REQUEST_WRITE),
    "retention.legal_holds": Guarded(R.RETENTION_READ),
    "retention.lift_hold": Guarded(R.LEGAL_HOLD_WRITE),
    "retention.log_access_request": Guarded(R.ACCESS_REQUEST_WRITE),
    "retention.place_hold": Guarded(R.LEGAL_HOLD_WRITE),
    "retention.retention_schedule": Guarded(R.RETENTION_READ),
    "retention.retention_settings": Guarded(R.RETENTION_READ),
    "retention.run_disposal_report": SERVICE,
    "retention.save_retention_setting": Guarded(R.RETENTION_WRITE),
    "retention.set_retention_years": Guarded(R.RETENTION_WRITE),
    "retention.years_before": NO_PERSONAL_DATA,
    # segments
    "segments.analytics_folder": NO_PERSONAL_DATA,
    "segments.choices": Guarded(R.SEGMENT_READ),
    "segments.features_behind": NO_PERSONAL_DATA,
    "segments.list_segments": Guarded(R.SEGMENT_READ),
    "segments.load_features": Guarded(R.SEGMENT_READ),
    "segments.mark_features_stale": SERVICE,
    "segments.may_refresh_features": NO_PERSONAL_DATA,  # a policy predicate
    "segments.members": Guarded(R.SEGMENT_READ),
    "segments.profile": Guarded(R.SEGMENT_READ),
    "segments.require_refresh_features": NO_PERSONAL_DATA,  # firm-wide readers, job runners
    "segments.save_segment": Guarded(R.SEGMENT_WRITE),
    "segments.saved_segment": Guarded(R.SEGMENT_READ),
    "segments.segment_versions": Guarded(R.SEGMENT_READ),
    "segments.spec_json": NO_PERSONAL_DATA,
    "segments.validate_spec": NO_PERSONAL_DATA,
    "segments.write_features": SERVICE,
    # training
    "training.add_session": Guarded(R.TRAINING_WRITE),
    "training.apply_import": Guarded(R.TRAINING_WRITE),
    "training.before_after": Guarded(R.TRAINING_READ),
    "training.certifications": Guarded(R.TRAINING_READ),
    "training.check_import": Guarded(R.TRAINING_WRITE),
    "training.completion_by_branch": Guarded(R.TRAINING_READ),
    "training.completion_by_person": Guarded(R.TRAINING_READ),
    "training.courses": Guarded(R.TRAINING_READ),
    "training.enrol": Guarded(R.TRAINING_WRITE),
    "training.record_result": Guarded(R.TRAINING_WRITE),
    "training.retire_course": Guarded(R.TRAINING_WRITE),
    "training.save_course": Guarded(R.TRAINING_WRITE),
    "training.sessions": Guarded(R.TRAINING_READ),
    "training.training_totals": Guarded(R.TRAINING_READ),
    # usage
    "usage.adoption": Guarded(R.USAGE_READ),
    "usage.aggregate_all": SERVICE,
    "usage.aggregate_usage": SERVICE,
    "usage.branches_in_scope": Guarded(R.USAGE_READ),
    "usage.coverage_by_branch": NO_PERSONAL_DATA,  # of an adoption frame already in scope
    "usage.declining_staff": NO_PERSONAL_DATA,  # of people already in scope
    "usage.employee_activity": Guarded(R.USAGE_READ),
    "usage.idle_staff": NO_PERSONAL_DATA,  # of people already in scope
    "usage.idle_today_or_below_norm": Guarded(R.USAGE_READ),
    "usage.record_usage": OWN,
    "usage.working_days": NO_PERSONAL_DATA,
}


def exported_functions() -> dict[str, Callable[..., Any]]:
    found = {}
    for package in PACKAGES:
        module = importlib.import_module(f"data_access.{package}")
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isfunction(value):
                found[f"{package}.{name}"] = value
    return found


EXPORTED = exported_functions()
GUARDED = sorted(name for name, door in DOORS.items() if isinstance(door, Guarded))


def test_every_exported_function_has_a_door():
    assert sorted(set(EXPORTED) - set(DOORS)) == [], "add a row to DOORS (and a policy check)"
    assert sorted(set(DOORS) - set(EXPORTED)) == [], "a row for a function no longer exported"


def test_a_door_that_takes_no_user_is_not_guarded():
    """A guarded door decides by the person: it must take the signed-in user."""
    for name in GUARDED:
        parameters = inspect.signature(EXPORTED[name]).parameters
        assert {"user", "actor"} & set(parameters), name


# Values for the parameters a door requires; the refusal must come before any of them is used.
def argument(name: str, conn: Connection, user: SignedInUser, tmp_path: Path) -> Any:
    values: dict[str, Any] = {
        "conn": conn,
        "engine": conn.engine,
        "source": conn.engine,
        "user": user,
        "actor": user,
        "customer_no": "100000001",
        "customer_ids": pl.Series("customer_id", [1, 2], dtype=pl.Int64),
        "branch_code": "101",
        "branch_id": 1,
        "employee_id": 3,
        "employee_no": "E3",
        "employee_nos": ["E3"],
        "username": "kim",
        "user_id": 3,
        "campaign_id": 1,
        "segment_id": 1,
        "course_id": 1,
        "session_id": 1,
        "grant_id": 1,
        "alert_id": 1,
        "complaint_id": 1,
        "category": "service",
        "received_on": AS_OF,
        "product_code": None,
        "summary": "policy coverage test",
        "resolution": "policy coverage test",
        "call_id": 1,
        "customer_nos": ["100000001"],
        "amount_krw": 1,
        "sold_on": AS_OF,
        "rule_id": 1,
        "items": [1],
        "query": "홍",
        "name": "kpi_aum_krw",
        "spec": None,
        "raw": {},
        "copy": None,
        "plan": None,
        "check": None,
        "draft": None,
        "frame": pl.DataFrame({"customer_no": ["100000001"]}),
        "data": b"customer_no\n100000001\n",
        "outcomes": pl.DataFrame({"customer_no": ["100000001"]}),
        "outcome": "done",
        "what": "kpi",
        "reason": "policy coverage test",
        "file_format": "csv",
        "period": "day",
        "language": "ko",
        "kind": "customers",
        "path": tmp_path / "upload.csv",
        "file_name": "upload.csv",
        "mapping": {},
        "text": "policy coverage test",
        "note": "policy coverage test",
        "channel": "tm",
        "purpose": "marketing",
        "given": False,
        "severity": "high",
        "value": 1,
        "target": 1,
        "kpi": "aum_krw",
        "password": "correct horse battery staple",
        "temporary_password": "correct horse battery staple",
        "role": Role.SALES_REP,
        "active": False,
        "email": "kim@example.com",
        "action": Action.EXPORT,
        "retired": True,
        "score": 90,
        "course_code": "CMP101",
        "completed_on": AS_OF,
        "location": "본사",
        "weeks": 4,
        "month": AS_OF.replace(day=1),
        "business_date": AS_OF,
        "as_of": AS_OF,
        "day": AS_OF,
        "today": AS_OF,
        "years": 10,
        "request_id": 1,
        "hold_id": 1,
        "holidays": frozenset(),
        "days": 6,
        "until": AS_OF,
        "since": AS_OF - dt.timedelta(days=30),
        "start": AS_OF - dt.timedelta(days=30),
        "end": AS_OF,
        "on": AS_OF,
        "started_on": AS_OF,
        "starts_on": AS_OF,
        "ends_on": AS_OF,
    }
    if name not in values:
        raise AssertionError(f"tests/test_policy_coverage.py: give a value for `{name}`")
    return values[name]


def call_as(name: str, user: SignedInUser, conn: Connection, tmp_path: Path) -> Any:
    function = EXPORTED[name]
    positional, keywords = [], {}
    for parameter in inspect.signature(function).parameters.values():
        if parameter.default is not inspect.Parameter.empty:
            continue
        value = argument(parameter.name, conn, user, tmp_path)
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            keywords[parameter.name] = value
        else:
            positional.append(value)
    return function(*positional, **keywords)


def nothing(result: Any) -> bool:
    if result is None:
        return True
    if isinstance(result, pl.DataFrame):
        return result.is_empty()
    return isinstance(result, (list, tuple, dict, set)) and not result


@pytest.mark.parametrize("name", GUARDED)
def test_every_role_without_the_right_is_refused(name, handmade, tmp_path):
    door = DOORS[name]
    assert isinstance(door, Guarded)
    lacking = [role for role in USERS if role not in roles_permitted(door.action)]
    let_through = []
    for role in lacking:
        savepoint = handmade.begin_nested()
        try:
            result = call_as(name, USERS[role], handmade, tmp_path)
        except AccessDenied:
            continue
        except Exception as error:
            let_through.append(f"{role}: {type(error).__name__}: {error}")
        else:
            if not (door.empty and nothing(result)):
                let_through.append(f"{role}: returned {type(result).__name__}")
        finally:
            savepoint.rollback()
    assert let_through == [], f"{name} needs {door.action}"


def test_no_page_or_screen_calls_a_service_door():
    """Service doors act without a person; only jobs and data_access may open them."""
    services = {name for name, door in DOORS.items() if door == SERVICE}
    callers = []
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and f"{node.value.id}.{node.attr}" in services
            ):
                callers.append(f"{path.name}: {node.value.id}.{node.attr}")
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("data_access"):
                package = (node.module or "").removeprefix("data_access").strip(".")
                callers.extend(
                    f"{path.name}: {package}.{alias.name}"
                    for alias in node.names
                    if f"{package}.{alias.name}" in services
                )
    assert callers == []
