"""The data dictionary: what every table and column a person can see in the console means.

The tables and their columns are the SQLAlchemy models; this module names each one's meaning
by its key in the console's catalogs (locale/<language>/LC_MESSAGES/messages.po, Korean and
English: `dict_table_<table>`, `dict_about_<table>`, `dict_<table>.<column>`, a few shared
keys) and says which actions of data_access.policy let a person see it. The import specs
(data_access.imports) take their columns' meanings and allowed values from here, so the import
templates and the dictionary page cannot disagree. Allowed values are the lists the code
works with (the stored codes in data_access.models; campaigns, agenda and customers for their
own), never copies of them. tests/test_data_dictionary.py fails when a model gains a table or
column without a meaning in both languages, and tests/test_catalogs.py when a key is missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Column

from data_access import agenda, campaigns, complaints, customers
from data_access.core.models import (
    ALERT_KINDS,
    ALERT_SEVERITIES,
    CONSULTATION_CHANNELS,
    CONSULTATION_OUTCOMES,
    LIFE_EVENT_KINDS,
    PREFERRED_CHANNELS,
    TRANSACTION_CHANNELS,
    TRANSACTION_KINDS,
    Base,
    Role,
    Tier,
)
from data_access.core.policy import (
    Action,
    permits,
    require,
)
from data_access.core.security import (
    SignedInUser,
)


@dataclass(frozen=True, slots=True)
class Meaning:
    """One column's meaning, the catalogue key of its sentence (`dict_<table>.<column>`, or
    a shared one); `allowed` lists its only valid values, when it has such a list."""

    key: str
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TableMeaning:
    """One table: the catalogue keys of its name and purpose, and who sees it (anyone
    permitted one of `readers`)."""

    title: str
    about: str
    readers: tuple[Action, ...]
    columns: dict[str, Meaning]


M = Meaning

# Tables and columns the console never shows anyone: why they stay out of the dictionary.
INTERNAL_TABLES = {
    "settings": "facts about the database itself (demo marker, as-of date), read by code only",
}
INTERNAL_COLUMNS = {
    "users.password_hash": "a one-way hash of the password; shown to nobody",
}

_ROW_ID = M("dict_row_id")
_UPDATED_BY = M("dict_updated_by")
_UPDATED_AT = M("dict_updated_at")
_CREATED_BY = M("dict_created_by")
_CREATED_AT = M("dict_created_at")
_BRANCH = M("dict_branch")
_EMPLOYEE = M("dict_employee")
_CUSTOMER = M("dict_customer")

# Reference tables every role meets on its pages; only admins read the dictionary itself.
_EVERYONE = tuple(Action)
# Admins see no customer, but they import the customer tables and so must know them.
_CUSTOMER_READERS = (Action.CUSTOMER_READ, Action.IMPORT)
_AGENDA_READERS = (Action.AGENDA_WORK, Action.AGENDA_TEAM_READ, Action.AGENDA_RULES_WRITE)

TABLES: dict[str, TableMeaning] = {
    "branches": TableMeaning(
        "dict_table_branches",
        "dict_about_branches",
        _EVERYONE,
        {
            "id": _ROW_ID,
            "code": M("dict_branches.code"),
            "name_ko": M("dict_branches.name_ko"),
            "name_en": M("dict_branches.name_en"),
            "region": M("dict_branches.region"),
            "opened_on": M("dict_branches.opened_on"),
            "is_active": M("dict_branches.is_active"),
        },
    ),
    "employees": TableMeaning(
        "dict_table_employees",
        "dict_about_employees",
        _EVERYONE,
        {
            "id": _ROW_ID,
            "employee_no": M("dict_employees.employee_no"),
            "name": M("dict_employees.name"),
            "role": M("dict_employees.role", tuple(role.value for role in Role)),
            "branch_id": M("dict_employees.branch_id"),
            "hire_date": M("dict_employees.hire_date"),
            "is_active": M("dict_employees.is_active"),
        },
    ),
    "products": TableMeaning(
        "dict_table_products",
        "dict_about_products",
        _EVERYONE,
        {
            "id": _ROW_ID,
            "code": M("dict_products.code"),
            "name": M("dict_products.name"),
            "fund_type": M("dict_products.fund_type"),
            "risk_grade": M("dict_products.risk_grade"),
            "term_months": M("dict_products.term_months"),
            "launched_on": M("dict_products.launched_on"),
        },
    ),
    "customers": TableMeaning(
        "dict_table_customers",
        "dict_about_customers",
        _CUSTOMER_READERS,
        {
            "id": _ROW_ID,
            "customer_no": M("dict_customers.customer_no"),
            "name": M("dict_customers.name"),
            "birth_date": M("dict_customers.birth_date"),
            "gender": M("dict_customers.gender", ("M", "F")),
            "occupation": M("dict_customers.occupation"),
            "region": M("dict_customers.region"),
            "address": M("dict_customers.address"),
            "phone": M("dict_customers.phone"),
            "phone_last4": M("dict_customers.phone_last4"),
            "email": M("dict_customers.email"),
            "tier": M("dict_customers.tier", tuple(tier.value for tier in Tier)),
            "home_branch_id": M("dict_customers.home_branch_id"),
            "manager_id": M("dict_customers.manager_id"),
            "consent_dm": M("dict_customers.consent_dm"),
            "consent_tm": M("dict_customers.consent_tm"),
            "consent_email": M("dict_customers.consent_email"),
            "preferred_channel": M("dict_customers.preferred_channel", PREFERRED_CHANNELS),
            "opened_on": M("dict_customers.opened_on"),
            "closed_on": M("dict_customers.closed_on"),
        },
    ),
    "branch_transfers": TableMeaning(
        "dict_table_branch_transfers",
        "dict_about_branch_transfers",
        (Action.CUSTOMER_READ,),
        {
            "id": _ROW_ID,
            "customer_id": _CUSTOMER,
            "from_branch_id": M("dict_branch_transfers.from_branch_id"),
            "to_branch_id": M("dict_branch_transfers.to_branch_id"),
            "transferred_on": M("dict_branch_transfers.transferred_on"),
            "reason": M("dict_branch_transfers.reason"),
        },
    ),
    "accounts": TableMeaning(
        "dict_table_accounts",
        "dict_about_accounts",
        _CUSTOMER_READERS,
        {
            "id": _ROW_ID,
            "account_no": M("dict_accounts.account_no"),
            "customer_id": M("dict_accounts.customer_id"),
            "product_id": M("dict_accounts.product_id"),
            "branch_id": M("dict_accounts.branch_id"),
            "opened_on": M("dict_accounts.opened_on"),
            "maturity_date": M("dict_accounts.maturity_date"),
            "closed_on": M("dict_accounts.closed_on"),
            "principal_krw": M("dict_accounts.principal_krw"),
            "market_value_krw": M("dict_accounts.market_value_krw"),
        },
    ),
    "transactions": TableMeaning(
        "dict_table_transactions",
        "dict_about_transactions",
        _CUSTOMER_READERS,
        {
            "id": _ROW_ID,
            "account_id": M("dict_transactions.account_id"),
            "customer_id": M("dict_transactions.customer_id"),
            "occurred_at": M("dict_transactions.occurred_at"),
            "kind": M("dict_transactions.kind", TRANSACTION_KINDS),
            "amount_krw": M("dict_transactions.amount_krw"),
            "channel": M("dict_transactions.channel", TRANSACTION_CHANNELS),
            "branch_id": M("dict_transactions.branch_id"),
            "performed_by": M("dict_transactions.performed_by", customers.PERFORMERS),
            "employee_id": M("dict_transactions.employee_id"),
            "external_id": M("dict_transactions.external_id"),
        },
    ),
    "consultations": TableMeaning(
        "dict_table_consultations",
        "dict_about_consultations",
        _CUSTOMER_READERS,
        {
            "id": _ROW_ID,
            "customer_id": _CUSTOMER,
            "employee_id": M("dict_consultations.employee_id"),
            "branch_id": M("dict_consultations.branch_id"),
            "channel": M("dict_consultations.channel", CONSULTATION_CHANNELS),
            "occurred_at": M("dict_consultations.occurred_at"),
            "note": M("dict_consultations.note"),
            "outcome": M("dict_consultations.outcome", CONSULTATION_OUTCOMES),
            "is_sensitive": M("dict_consultations.is_sensitive"),
            "corrects_id": M("dict_consultations.corrects_id"),
        },
    ),
    "life_events": TableMeaning(
        "dict_table_life_events",
        "dict_about_life_events",
        _CUSTOMER_READERS,
        {
            "id": _ROW_ID,
            "customer_id": _CUSTOMER,
            "kind": M("dict_life_events.kind", LIFE_EVENT_KINDS),
            "event_date": M("dict_life_events.event_date"),
        },
    ),
    "alerts": TableMeaning(
        "dict_table_alerts",
        "dict_about_alerts",
        (Action.CUSTOMER_READ,),
        {
            "id": _ROW_ID,
            "customer_id": _CUSTOMER,
            "kind": M("dict_alerts.kind", ALERT_KINDS),
            "severity": M("dict_alerts.severity", ALERT_SEVERITIES),
            "text": M("dict_alerts.text"),
            "raised_by": M("dict_alerts.raised_by"),
            "raised_at": M("dict_alerts.raised_at"),
            "resolved_by": M("dict_alerts.resolved_by"),
            "resolved_at": M("dict_alerts.resolved_at"),
            "resolution_note": M("dict_alerts.resolution_note"),
        },
    ),
    "agenda_rules": TableMeaning(
        "dict_table_agenda_rules",
        "dict_about_agenda_rules",
        _AGENDA_READERS,
        {
            "id": _ROW_ID,
            "kind": M("dict_agenda_rules.kind"),
            "name_ko": M("dict_agenda_rules.name_ko"),
            "name_en": M("dict_agenda_rules.name_en"),
            "priority": M("dict_agenda_rules.priority"),
            "tiers": M("dict_agenda_rules.tiers"),
            "enabled": M("dict_agenda_rules.enabled"),
            "params": M("dict_agenda_rules.params"),
            "version": M("dict_agenda_rules.version"),
            "updated_by": _UPDATED_BY,
            "updated_at": _UPDATED_AT,
        },
    ),
    "agenda_items": TableMeaning(
        "dict_table_agenda_items",
        "dict_about_agenda_items",
        _AGENDA_READERS,
        {
            "business_date": M("dict_agenda_items.business_date"),
            "rule_id": M("dict_agenda_items.rule_id"),
            "customer_id": _CUSTOMER,
            "employee_id": M("dict_agenda_items.employee_id"),
            "branch_id": _BRANCH,
            "priority": M("dict_agenda_items.priority"),
            "due_date": M("dict_agenda_items.due_date"),
            "facts": M("dict_agenda_items.facts"),
            "status": M("dict_agenda_items.status", (agenda.OPEN, *agenda.WORKED)),
            "snoozed_until": M("dict_agenda_items.snoozed_until"),
            "worked_at": M("dict_agenda_items.worked_at"),
            "consultation_id": M("dict_agenda_items.consultation_id"),
            "created_at": _CREATED_AT,
        },
    ),
    "business_holidays": TableMeaning(
        "dict_table_business_holidays",
        "dict_about_business_holidays",
        (Action.JOBS_RUN,),
        {
            "day": M("dict_business_holidays.day"),
            "name": M("dict_business_holidays.name"),
            "created_by": _CREATED_BY,
            "created_at": _CREATED_AT,
        },
    ),
    "kpi_snapshots": TableMeaning(
        "dict_table_kpi_snapshots",
        "dict_about_kpi_snapshots",
        (Action.KPI_READ,),
        {
            "business_date": M("dict_kpi_snapshots.business_date"),
            "scope_kind": M("dict_kpi_snapshots.scope_kind"),
            "scope_key": M("dict_kpi_snapshots.scope_key"),
            "kpi": M("dict_kpi_snapshots.kpi"),
            "value": M("dict_kpi_snapshots.value"),
        },
    ),
    "kpi_targets": TableMeaning(
        "dict_table_kpi_targets",
        "dict_about_kpi_targets",
        (Action.KPI_READ,),
        {
            "kpi": M("dict_kpi_targets.kpi"),
            "target": M("dict_kpi_targets.target"),
            "updated_by": _UPDATED_BY,
            "updated_at": _UPDATED_AT,
        },
    ),
    "kpi_parameters": TableMeaning(
        "dict_table_kpi_parameters",
        "dict_about_kpi_parameters",
        (Action.KPI_READ,),
        {
            "name": M("dict_kpi_parameters.name"),
            "value": M("dict_kpi_parameters.value"),
            "updated_by": _UPDATED_BY,
            "updated_at": _UPDATED_AT,
        },
    ),
    "consent_events": TableMeaning(
        "dict_table_consent_events",
        "dict_about_consent_events",
        (Action.CUSTOMER_READ,),
        {
            "id": _ROW_ID,
            "customer_id": _CUSTOMER,
            "purpose": M("dict_consent_events.purpose"),
            "channel": M("dict_consent_events.channel"),
            "given": M("dict_consent_events.given"),
            "occurred_at": M("dict_consent_events.occurred_at"),
            "source": M("dict_consent_events.source"),
            "recorded_by": M("dict_consent_events.recorded_by"),
        },
    ),
    "do_not_call_numbers": TableMeaning(
        "dict_table_do_not_call_numbers",
        "dict_about_do_not_call_numbers",
        _CUSTOMER_READERS,
        {
            "phone": M("dict_do_not_call_numbers.phone"),
            "source": M("dict_do_not_call_numbers.source", ("finance_dnc", "in_house")),
            "registered_on": M("dict_do_not_call_numbers.registered_on"),
        },
    ),
    "contact_settings": TableMeaning(
        "dict_table_contact_settings",
        "dict_about_contact_settings",
        _AGENDA_READERS,
        {
            "name": M("dict_contact_settings.name"),
            "value": M("dict_contact_settings.value"),
            "updated_by": _UPDATED_BY,
            "updated_at": _UPDATED_AT,
        },
    ),
    # Complaints (issue #22).
    "complaints": TableMeaning(
        "dict_table_complaints",
        "dict_about_complaints",
        (Action.COMPLAINT_READ,),
        {
            "id": _ROW_ID,
            "case_no": M("dict_complaints.case_no"),
            "customer_id": _CUSTOMER,
            "product_id": M("dict_complaints.product_id"),
            "branch_id": _BRANCH,
            "category": M("dict_complaints.category", complaints.CATEGORIES),
            "channel": M("dict_complaints.channel", complaints.CHANNELS),
            "source": M("dict_complaints.source", complaints.SOURCES),
            "received_on": M("dict_complaints.received_on"),
            "deadline_on": M("dict_complaints.deadline_on"),
            "summary": M("dict_complaints.summary"),
            "handler_id": M("dict_complaints.handler_id"),
            "status": M("dict_complaints.status", complaints.STATUSES),
            "resolution": M("dict_complaints.resolution"),
            "closed_on": M("dict_complaints.closed_on"),
            "closed_by": M("dict_complaints.closed_by"),
            "opened_by": _CREATED_BY,
            "opened_at": _CREATED_AT,
        },
    ),
    "complaint_events": TableMeaning(
        "dict_table_complaint_events",
        "dict_about_complaint_events",
        (Action.COMPLAINT_READ,),
        {
            "id": _ROW_ID,
            "complaint_id": M("dict_complaint_events.complaint_id"),
            "kind": M("dict_complaint_events.kind", ("opened", "assigned", "note", "closed")),
            "status": M("dict_complaint_events.status", complaints.STATUSES),
            "handler_id": M("dict_complaints.handler_id"),
            "note": M("dict_complaint_events.note"),
            "recorded_by": _CREATED_BY,
            "recorded_at": _CREATED_AT,
        },
    ),
    "complaint_settings": TableMeaning(
        "dict_table_complaint_settings",
        "dict_about_complaint_settings",
        (Action.COMPLAINT_READ, Action.AGENDA_RULES_WRITE),
        {
            "name": M("dict_complaint_settings.name", tuple(complaints.COMPLAINT_SETTINGS)),
            "value": M("dict_complaint_settings.value"),
            "updated_by": _UPDATED_BY,
            "updated_at": _UPDATED_AT,
        },
    ),
    # Sales conduct (issue #22).
    "investment_profiles": TableMeaning(
        "dict_table_investment_profiles",
        "dict_about_investment_profiles",
        (Action.CUSTOMER_READ,),
        {
            "id": _ROW_ID,
            "customer_id": _CUSTOMER,
            "risk_tolerance_grade": M("dict_investment_profiles.risk_tolerance_grade"),
            "assessed_on": M("dict_investment_profiles.assessed_on"),
            "valid_until": M("dict_investment_profiles.valid_until"),
            "confirmed_by": M(
                "dict_investment_profiles.confirmed_by", ("signature", "seal", "recording")
            ),
            "confirmation_ref": M("dict_investment_profiles.confirmation_ref"),
            "recorded_by": _CREATED_BY,
            "recorded_at": _CREATED_AT,
        },
    ),
    "fund_sales": TableMeaning(
        "dict_table_fund_sales",
        "dict_about_fund_sales",
        (Action.CUSTOMER_READ, Action.CONDUCT_READ),
        {
            "id": _ROW_ID,
            "customer_id": _CUSTOMER,
            "product_id": M("dict_fund_sales.product_id"),
            "account_id": M("dict_fund_sales.account_id"),
            "transaction_id": M("dict_fund_sales.transaction_id"),
            "branch_id": _BRANCH,
            "seller_id": M("dict_fund_sales.seller_id"),
            "sold_on": M("dict_fund_sales.sold_on"),
            "amount_krw": M("dict_fund_sales.amount_krw"),
            "profile_id": M("dict_fund_sales.profile_id"),
            "customer_grade": M("dict_fund_sales.customer_grade"),
            "product_risk_grade": M("dict_fund_sales.product_risk_grade"),
            "customer_age": M("dict_fund_sales.customer_age"),
            "suitable": M("dict_fund_sales.suitable"),
            "recording_ref": M("dict_fund_sales.recording_ref"),
            "cooling_off_ends_on": M("dict_fund_sales.cooling_off_ends_on"),
            "recorded_by": _CREATED_BY,
            "recorded_at": _CREATED_AT,
        },
    ),
    "happy_calls": TableMeaning(
        "dict_table_happy_calls",
        "dict_about_happy_calls",
        (Action.HAPPY_CALL_WORK, Action.CONDUCT_READ),
        {
            "id": _ROW_ID,
            "sale_id": M("dict_happy_calls.sale_id"),
            "customer_id": _CUSTOMER,
            "branch_id": _BRANCH,
            "responsible_id": M("dict_happy_calls.responsible_id"),
            "reasons": M("dict_happy_calls.reasons", ("high_risk", "aged", "unsuitable")),
            "due_on": M("dict_happy_calls.due_on"),
            "reminder_on": M("dict_happy_calls.reminder_on"),
            "status": M(
                "dict_happy_calls.status", ("open", "understood", "complaint", "unreachable")
            ),
            "tries": M("dict_happy_calls.tries"),
            "outcome_at": M("dict_happy_calls.outcome_at"),
            "note": M("dict_happy_calls.note"),
            "mis_selling_suspected": M("dict_happy_calls.mis_selling_suspected"),
            "complaint_case_id": M("dict_happy_calls.complaint_case_id"),
        },
    ),
    "conduct_settings": TableMeaning(
        "dict_table_conduct_settings",
        "dict_about_conduct_settings",
        _AGENDA_READERS,
        {
            "name": M("dict_conduct_settings.name"),
            "value": M("dict_conduct_settings.value"),
            "updated_by": _UPDATED_BY,
            "updated_at": _UPDATED_AT,
        },
    ),
    "retention_rules": TableMeaning(
        "dict_table_retention_rules",
        "dict_about_retention_rules",
        (Action.RETENTION_READ,),
        {
            "kind": M("dict_retention_rules.kind"),
            "table_name": M("dict_retention_rules.table_name"),
            "clock_column": M("dict_retention_rules.clock_column"),
            "customer_column": M("dict_retention_rules.customer_column"),
            "basis": M(
                "dict_retention_rules.basis",
                ("sales_record", "customer_rights", "internal_control", "access_record"),
            ),
            "years": M("dict_retention_rules.years"),
            "minimum_years": M("dict_retention_rules.minimum_years"),
            "disposable": M("dict_retention_rules.disposable"),
            "updated_by": _UPDATED_BY,
            "updated_at": _UPDATED_AT,
        },
    ),
    "legal_holds": TableMeaning(
        "dict_table_legal_holds",
        "dict_about_legal_holds",
        (Action.RETENTION_READ,),
        {
            "id": _ROW_ID,
            "customer_id": _CUSTOMER,
            "kind": M("dict_legal_holds.kind"),
            "reason": M("dict_legal_holds.reason"),
            "placed_by": M("dict_legal_holds.placed_by"),
            "placed_at": M("dict_legal_holds.placed_at"),
            "lifted_by": M("dict_legal_holds.lifted_by"),
            "lifted_at": M("dict_legal_holds.lifted_at"),
        },
    ),
    "access_requests": TableMeaning(
        "dict_table_access_requests",
        "dict_about_access_requests",
        (Action.ACCESS_REQUEST_READ, Action.RETENTION_READ),
        {
            "id": _ROW_ID,
            "customer_id": _CUSTOMER,
            "branch_id": _BRANCH,
            "received_on": M("dict_access_requests.received_on"),
            "channel": M("dict_access_requests.channel", ("branch", "phone", "mail", "online")),
            "deadline_on": M("dict_access_requests.deadline_on"),
            "status": M("dict_access_requests.status", ("open", "fulfilled")),
            "recorded_by": _CREATED_BY,
            "recorded_at": _CREATED_AT,
            "fulfilled_by": M("dict_access_requests.fulfilled_by"),
            "fulfilled_on": M("dict_access_requests.fulfilled_on"),
        },
    ),
    "retention_settings": TableMeaning(
        "dict_table_retention_settings",
        "dict_about_retention_settings",
        (Action.RETENTION_READ,),
        {
            "name": M("dict_retention_settings.name"),
            "value": M("dict_retention_settings.value"),
            "updated_by": _UPDATED_BY,
            "updated_at": _UPDATED_AT,
        },
    ),
    "usage_events": TableMeaning(
        "dict_table_usage_events",
        "dict_about_usage_events",
        (Action.USAGE_READ,),
        {
            "id": _ROW_ID,
            "employee_id": _EMPLOYEE,
            "branch_id": _BRANCH,
            "occurred_at": M("dict_usage_events.occurred_at"),
            "action": M("dict_usage_events.action"),
            "page": M("dict_usage_events.page"),
            "target": M("dict_usage_events.target"),
        },
    ),
    "usage_daily": TableMeaning(
        "dict_table_usage_daily",
        "dict_about_usage_daily",
        (Action.USAGE_READ,),
        {
            "day": M("dict_usage_daily.day"),
            "employee_id": _EMPLOYEE,
            "action": M("dict_usage_daily.action"),
            "branch_id": _BRANCH,
            "events": M("dict_usage_daily.events"),
            "late_events": M("dict_usage_daily.late_events"),
        },
    ),
    "usage_person_days": TableMeaning(
        "dict_table_usage_person_days",
        "dict_about_usage_person_days",
        (Action.USAGE_READ,),
        {
            "day": M("dict_usage_person_days.day"),
            "employee_id": _EMPLOYEE,
            "branch_id": _BRANCH,
            "actions": M("dict_usage_person_days.actions"),
            "notes": M("dict_usage_person_days.notes"),
            "late_notes": M("dict_usage_person_days.late_notes"),
        },
    ),
    "training_courses": TableMeaning(
        "dict_table_training_courses",
        "dict_about_training_courses",
        (Action.TRAINING_READ,),
        {
            "id": _ROW_ID,
            "code": M("dict_training_courses.code"),
            "title_ko": M("dict_training_courses.title_ko"),
            "title_en": M("dict_training_courses.title_en"),
            "category": M("dict_training_courses.category"),
            "certification_months": M("dict_training_courses.certification_months"),
            "is_retired": M("dict_training_courses.is_retired"),
        },
    ),
    "training_sessions": TableMeaning(
        "dict_table_training_sessions",
        "dict_about_training_sessions",
        (Action.TRAINING_READ,),
        {
            "id": _ROW_ID,
            "course_id": M("dict_training_sessions.course_id"),
            "starts_on": M("dict_training_sessions.starts_on"),
            "ends_on": M("dict_training_sessions.ends_on"),
            "location": M("dict_training_sessions.location"),
            "trainer_id": M("dict_training_sessions.trainer_id"),
        },
    ),
    "enrolments": TableMeaning(
        "dict_table_enrolments",
        "dict_about_enrolments",
        (Action.TRAINING_READ,),
        {
            "id": _ROW_ID,
            "session_id": M("dict_enrolments.session_id"),
            "employee_id": _EMPLOYEE,
            "enrolled_on": M("dict_enrolments.enrolled_on"),
            "completed_on": M("dict_enrolments.completed_on"),
            "score": M("dict_enrolments.score"),
            "certified_on": M("dict_enrolments.certified_on"),
            "certification_expires_on": M("dict_enrolments.certification_expires_on"),
        },
    ),
    "segments": TableMeaning(
        "dict_table_segments",
        "dict_about_segments",
        (Action.SEGMENT_READ,),
        {
            "id": _ROW_ID,
            "name": M("dict_segments.name"),
            "owner_user_id": M("dict_segments.owner_user_id"),
            "owner_name": M("dict_segments.owner_name"),
            "branch_id": M("dict_segments.branch_id"),
            "shared": M("dict_segments.shared"),
            "current_version": M("dict_segments.current_version"),
            "created_at": _CREATED_AT,
            "updated_at": _UPDATED_AT,
        },
    ),
    "segment_versions": TableMeaning(
        "dict_table_segment_versions",
        "dict_about_segment_versions",
        (Action.SEGMENT_READ,),
        {
            "segment_id": M("dict_segment_versions.segment_id"),
            "version": M("dict_segment_versions.version"),
            "spec": M("dict_segment_versions.spec"),
            "created_by": _CREATED_BY,
            "created_at": _CREATED_AT,
        },
    ),
    "campaigns": TableMeaning(
        "dict_table_campaigns",
        "dict_about_campaigns",
        (Action.CAMPAIGN_READ,),
        {
            "id": _ROW_ID,
            "name": M("dict_campaigns.name"),
            "segment_id": M("dict_campaigns.segment_id"),
            "segment_version": M("dict_campaigns.segment_version"),
            "channel": M("dict_campaigns.channel", campaigns.CHANNELS),
            "sample_size": M("dict_campaigns.sample_size"),
            "stratify_by": M("dict_campaigns.stratify_by", campaigns.STRATA),
            "control_pct": M("dict_campaigns.control_pct"),
            "seed": M("dict_campaigns.seed"),
            "cost_per_piece_krw": M("dict_campaigns.cost_per_piece_krw"),
            "branch_id": M("dict_campaigns.branch_id"),
            "eligible": M("dict_campaigns.eligible"),
            "started_on": M("dict_campaigns.started_on"),
            "created_by_user_id": _CREATED_BY,
            "created_by": M("dict_campaigns.created_by"),
            "created_at": _CREATED_AT,
            "features_built_at": M("dict_campaigns.features_built_at"),
        },
    ),
    "campaign_targets": TableMeaning(
        "dict_table_campaign_targets",
        "dict_about_campaign_targets",
        (Action.CAMPAIGN_READ,),
        {
            "campaign_id": M("dict_campaign_targets.campaign_id"),
            "customer_id": _CUSTOMER,
            "arm": M("dict_campaign_targets.arm", (campaigns.CONTACT, campaigns.CONTROL)),
            "stratum": M("dict_campaign_targets.stratum"),
            "branch_id": _BRANCH,
            "employee_id": M("dict_campaign_targets.employee_id"),
            "outcome": M("dict_campaign_targets.outcome", campaigns.OUTCOMES),
            "outcome_at": M("dict_campaign_targets.outcome_at"),
            "recorded_by": M("dict_campaign_targets.recorded_by"),
            "consultation_id": M("dict_campaign_targets.consultation_id"),
        },
    ),
    "users": TableMeaning(
        "dict_table_users",
        "dict_about_users",
        (Action.USERS_ADMIN,),
        {
            "id": _ROW_ID,
            "username": M("dict_users.username"),
            "role": M("dict_users.role", tuple(role.value for role in Role)),
            "employee_id": M("dict_users.employee_id"),
            "is_active": M("dict_users.is_active"),
            "must_change_password": M("dict_users.must_change_password"),
            "failed_sign_ins": M("dict_users.failed_sign_ins"),
            "locked_until": M("dict_users.locked_until"),
            "last_sign_in_at": M("dict_users.last_sign_in_at"),
            "created_at": _CREATED_AT,
            "sessions_revoked_at": M("dict_users.sessions_revoked_at"),
            "sso_email": M("dict_users.sso_email"),
        },
    ),
    "access_grants": TableMeaning(
        "dict_table_access_grants",
        "dict_about_access_grants",
        (Action.USERS_ADMIN, Action.AUDIT_READ),
        {
            "id": _ROW_ID,
            "user_id": M("dict_access_grants.user_id"),
            "action": M("dict_access_grants.action"),
            "reason": M("dict_access_grants.reason"),
            "granted_by": M("dict_access_grants.granted_by"),
            "granted_at": M("dict_access_grants.granted_at"),
            "revoked_by": M("dict_access_grants.revoked_by"),
            "revoked_at": M("dict_access_grants.revoked_at"),
        },
    ),
    "sign_in_addresses": TableMeaning(
        "dict_table_sign_in_addresses",
        "dict_about_sign_in_addresses",
        (Action.USERS_ADMIN, Action.AUDIT_READ),
        {
            "client": M("dict_sign_in_addresses.client"),
            "failures": M("dict_sign_in_addresses.failures"),
            "last_failed_at": M("dict_sign_in_addresses.last_failed_at"),
            "wait_until": M("dict_sign_in_addresses.wait_until"),
        },
    ),
    "known_sign_in_clients": TableMeaning(
        "dict_table_known_sign_in_clients",
        "dict_about_known_sign_in_clients",
        (Action.USERS_ADMIN, Action.AUDIT_READ),
        {
            "user_id": M("dict_known_sign_in_clients.user_id"),
            "client": M("dict_known_sign_in_clients.client"),
            "last_signed_in_at": M("dict_known_sign_in_clients.last_signed_in_at"),
        },
    ),
    "audit_log": TableMeaning(
        "dict_table_audit_log",
        "dict_about_audit_log",
        (Action.AUDIT_READ,),
        {
            "id": _ROW_ID,
            "occurred_at": M("dict_audit_log.occurred_at"),
            "user_id": M("dict_audit_log.user_id"),
            "username": M("dict_audit_log.username"),
            "action": M("dict_audit_log.action"),
            "target_kind": M("dict_audit_log.target_kind"),
            "target_id": M("dict_audit_log.target_id"),
            "detail": M("dict_audit_log.detail"),
            "client": M("dict_audit_log.client"),
            "prev_hash": M("dict_audit_log.prev_hash"),
            "row_hash": M("dict_audit_log.row_hash"),
            "hash_version": M("dict_audit_log.hash_version"),
        },
    ),
    "import_runs": TableMeaning(
        "dict_table_import_runs",
        "dict_about_import_runs",
        (Action.IMPORT,),
        {
            "id": _ROW_ID,
            "kind": M("dict_import_runs.kind"),
            "file_name": M("dict_import_runs.file_name"),
            "file_sha256": M("dict_import_runs.file_sha256"),
            "file_bytes": M("dict_import_runs.file_bytes"),
            "status": M("dict_import_runs.status", ("loaded", "refused")),
            "good_rows_only": M("dict_import_runs.good_rows_only"),
            "rows": M("dict_import_runs.rows"),
            "inserted": M("dict_import_runs.inserted"),
            "updated": M("dict_import_runs.updated"),
            "unchanged": M("dict_import_runs.unchanged"),
            "rejected": M("dict_import_runs.rejected"),
            "started_at": M("dict_import_runs.started_at"),
            "duration_s": M("dict_import_runs.duration_s"),
            "user_id": M("dict_import_runs.user_id"),
            "username": M("dict_import_runs.username"),
        },
    ),
    "job_runs": TableMeaning(
        "dict_table_job_runs",
        "dict_about_job_runs",
        (Action.JOBS_RUN,),
        {
            "id": _ROW_ID,
            "job": M("dict_job_runs.job"),
            "business_date": M("dict_job_runs.business_date"),
            "status": M("dict_job_runs.status"),
            "started_at": M("dict_job_runs.started_at"),
            "claim_expires_at": M("dict_job_runs.claim_expires_at"),
            "finished_at": M("dict_job_runs.finished_at"),
            "duration_s": M("dict_job_runs.duration_s"),
            "rows": M("dict_job_runs.rows"),
            "detail": M("dict_job_runs.detail"),
            "error": M("dict_job_runs.error"),
        },
    ),
}


def column_meaning(table: str, column: str) -> Meaning:
    """The meaning of `table.column`; KeyError for a column the dictionary does not describe."""
    return TABLES[table].columns[column]


def _type_name(column: Column) -> str:
    kind = column.type.python_type
    if kind is bool:
        return "boolean"
    if kind is int:
        return "krw" if column.name.endswith("_krw") else "integer"
    if kind is float:
        return "number"
    if kind is dt.datetime:
        return "datetime"
    if kind is dt.date:
        return "date"
    if kind is str:
        return "text"
    return "json"


def visible_tables(user: SignedInUser) -> list[str]:
    """The tables `user` sees somewhere in the console, in the dictionary's order."""
    return [
        name
        for name, table in TABLES.items()
        if any(permits(user, action) for action in table.readers)
    ]


def dictionary(user: SignedInUser) -> pl.DataFrame:
    """One row per column of the tables `user` can see: the catalogue keys of its table's
    title and purpose and of its meaning, its type and whether it is required or a key (from
    the model)."""
    require(user, Action.DICTIONARY_READ)
    rows = []
    for name in visible_tables(user):
        table, model = TABLES[name], Base.metadata.tables[name]
        for column_name, meaning in table.columns.items():
            column = model.c[column_name]
            rows.append(
                {
                    "table": name,
                    "title": table.title,
                    "about": table.about,
                    "column": column_name,
                    "type": _type_name(column),
                    "required": not column.nullable,
                    "key": bool(column.primary_key or column.unique),
                    "allowed": ", ".join(meaning.allowed),
                    "meaning": meaning.key,
                }
            )
    return pl.DataFrame(rows)
