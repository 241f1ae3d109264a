"""The data dictionary: what every table and column a person can see in the console means,
in Korean and English, written once here.

The tables and their columns are the SQLAlchemy models; this module gives each its meaning
and says which actions of data_access.policy let a person see it. The import specs
(data_access.imports) take their columns' meanings and allowed values from here, so the import
templates and the dictionary page cannot disagree. Allowed values are the lists the code
works with (the stored codes in data_access.models; campaigns, agenda and customers for their
own), never copies of them. tests/test_data_dictionary.py fails when a model gains a table or
column without a meaning in both languages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Column

from data_access import agenda, campaigns, customers
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
    """One column's meaning; `allowed` lists its only valid values, when it has such a list."""

    ko: str
    en: str
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TableMeaning:
    """One table: its name and purpose, and who sees it (anyone permitted one of `readers`)."""

    title_ko: str
    title_en: str
    about_ko: str
    about_en: str
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

_ROW_ID = M(
    "내부 번호 (다른 표가 이 행을 가리킬 때 씀)",
    "Internal row number (other tables point at the row by it)",
)
_UPDATED_BY = M("마지막으로 바꾼 사용자", "Who last changed it")
_UPDATED_AT = M("마지막으로 바꾼 일시", "When it was last changed")
_CREATED_BY = M("만든 사용자", "Who created it")
_CREATED_AT = M("만든 일시", "When it was created")
_BRANCH = M("지점", "Branch")
_EMPLOYEE = M("직원", "Employee")
_CUSTOMER = M("고객", "Customer")

# Reference tables every role meets on its pages; only admins read the dictionary itself.
_EVERYONE = tuple(Action)
# Admins see no customer, but they import the customer tables and so must know them.
_CUSTOMER_READERS = (Action.CUSTOMER_READ, Action.IMPORT)
_AGENDA_READERS = (Action.AGENDA_WORK, Action.AGENDA_TEAM_READ, Action.AGENDA_RULES_WRITE)

TABLES: dict[str, TableMeaning] = {
    "branches": TableMeaning(
        "지점",
        "Branches",
        "지점: 고객 기록을 함께 쓰는 영업점",
        "Branches sharing the one customer record",
        _EVERYONE,
        {
            "id": _ROW_ID,
            "code": M("지점 코드", "Branch code"),
            "name_ko": M("지점명 (한글)", "Branch name in Korean"),
            "name_en": M("지점명 (영문)", "Branch name in English"),
            "region": M("지역 (시·도)", "Region (province or city)"),
            "opened_on": M("개점일", "Opening date"),
            "is_active": M(
                "사용 여부 (true/false, 비우면 true)", "In use (true/false, blank means true)"
            ),
        },
    ),
    "employees": TableMeaning(
        "직원",
        "Employees",
        "직원: 콘솔을 쓰는 사람과 고객 담당자",
        "Staff: the people using the console and managing books",
        _EVERYONE,
        {
            "id": _ROW_ID,
            "employee_no": M("사번", "Employee number"),
            "name": M("이름", "Name"),
            "role": M("역할", "Role", tuple(role.value for role in Role)),
            "branch_id": M("소속 지점 (본사는 비움)", "Branch (blank for head office)"),
            "hire_date": M("입사일", "Hire date"),
            "is_active": M("재직 여부", "Employed"),
        },
    ),
    "products": TableMeaning(
        "상품",
        "Products",
        "상품: 판매하는 펀드(수익증권)",
        "Products: the funds the firm sells",
        _EVERYONE,
        {
            "id": _ROW_ID,
            "code": M("상품 코드", "Product code"),
            "name": M("상품명", "Product name"),
            "fund_type": M("펀드 유형", "Fund type"),
            "risk_grade": M(
                "위험 등급 (1 매우 높음 ~ 6 매우 낮음)", "Risk grade (1 highest to 6 lowest)"
            ),
            "term_months": M("만기 (개월, 없으면 비움)", "Term in months (blank for open-ended)"),
            "launched_on": M("출시일", "Launch date"),
        },
    ),
    "customers": TableMeaning(
        "고객",
        "Customers",
        "고객: 모든 지점이 함께 보는 하나의 고객 기록",
        "Customers: one record shared by every branch",
        _CUSTOMER_READERS,
        {
            "id": _ROW_ID,
            "customer_no": M("고객번호", "Customer number"),
            "name": M("이름", "Name"),
            "birth_date": M("생년월일", "Date of birth"),
            "gender": M("성별 (M/F)", "Gender (M/F)", ("M", "F")),
            "occupation": M("직업", "Occupation"),
            "region": M("거주 지역", "Region of residence"),
            "address": M("주소", "Address"),
            "phone": M("전화번호", "Phone number"),
            "phone_last4": M(
                "전화번호 뒤 네 자리 (검색용, 전화번호에서 만듦)",
                "Last four digits of the phone (for search, made from the phone)",
            ),
            "email": M("이메일", "E-mail"),
            "tier": M("고객 등급", "Customer tier", tuple(tier.value for tier in Tier)),
            "home_branch_id": M("관리 지점", "Home branch"),
            "manager_id": M(
                "담당 직원 (없으면 비움)", "Employee managing the customer (blank for none)"
            ),
            "consent_dm": M("우편(DM) 수신 동의", "Consents to DM"),
            "consent_tm": M("전화(TM) 수신 동의", "Consents to TM"),
            "consent_email": M("이메일 수신 동의", "Consents to e-mail"),
            "preferred_channel": M("선호 연락 채널", "Preferred channel", PREFERRED_CHANNELS),
            "opened_on": M("첫 거래일", "Customer since"),
            "closed_on": M("거래 종료일", "Relationship closed on"),
        },
    ),
    "branch_transfers": TableMeaning(
        "관리 지점 이관",
        "Branch transfers",
        "고객의 관리 지점이 바뀐 이력",
        "A customer's moves between home branches",
        (Action.CUSTOMER_READ,),
        {
            "id": _ROW_ID,
            "customer_id": _CUSTOMER,
            "from_branch_id": M("이전 관리 지점", "Home branch before"),
            "to_branch_id": M("새 관리 지점", "Home branch after"),
            "transferred_on": M("이관일", "Transferred on"),
            "reason": M("이관 사유", "Reason"),
        },
    ),
    "accounts": TableMeaning(
        "계좌",
        "Accounts",
        "계좌: 한 고객이 한 펀드를 보유한 기록",
        "Accounts: one customer's holding of one fund",
        _CUSTOMER_READERS,
        {
            "id": _ROW_ID,
            "account_no": M("계좌번호", "Account number"),
            "customer_id": M("계좌 주인인 고객", "Customer holding the account"),
            "product_id": M("보유한 펀드", "Fund held"),
            "branch_id": M("개설 지점", "Branch where opened"),
            "opened_on": M("개설일", "Opened on"),
            "maturity_date": M("만기일", "Maturity date"),
            "closed_on": M("해지일", "Closed on"),
            "principal_krw": M("원금 (원)", "Principal (KRW)"),
            "market_value_krw": M("평가금액 (원)", "Market value (KRW)"),
        },
    ),
    "transactions": TableMeaning(
        "거래",
        "Transactions",
        "거래: 계좌의 입금·출금·매수·환매",
        "Transactions: subscriptions, redemptions, deposits, withdrawals",
        _CUSTOMER_READERS,
        {
            "id": _ROW_ID,
            "account_id": M("거래한 계좌", "Account"),
            "customer_id": M(
                "계좌 주인인 고객 (계좌에서 정해짐)", "Account holder (from the account)"
            ),
            "occurred_at": M("거래 일시", "Date and time"),
            "kind": M("거래 종류", "Kind", TRANSACTION_KINDS),
            "amount_krw": M("금액 (원)", "Amount (KRW)"),
            "channel": M("거래 채널", "Channel", TRANSACTION_CHANNELS),
            "branch_id": M("거래 지점 (온라인은 비움)", "Branch (blank online)"),
            "performed_by": M(
                "거래한 사람 (본인/대리인)", "Performed by (owner or proxy)", customers.PERFORMERS
            ),
            "employee_id": M("처리 직원", "Employee who handled it"),
            "external_id": M(
                "원천 시스템의 거래 ID (가져온 거래만)",
                "Transaction id in the source system (imported transactions only)",
            ),
        },
    ),
    "consultations": TableMeaning(
        "상담 기록",
        "Consultation notes",
        "상담 기록: 고객과 나눈 상담 메모 (수정 없이 추가만)",
        "Consultation notes (append-only: a correction is a new note)",
        _CUSTOMER_READERS,
        {
            "id": _ROW_ID,
            "customer_id": _CUSTOMER,
            "employee_id": M("상담 직원", "Consultant"),
            "branch_id": M("상담 지점", "Branch"),
            "channel": M("상담 채널", "Channel", CONSULTATION_CHANNELS),
            "occurred_at": M("상담 일시", "Date and time"),
            "note": M("상담 내용", "What was said"),
            "outcome": M("결과", "Outcome", CONSULTATION_OUTCOMES),
            "is_sensitive": M(
                "민감 메모 여부 (담당자만 열람)", "Sensitive note (its owner reads it only)"
            ),
            "corrects_id": M("이 메모가 바로잡는 이전 메모", "The earlier note this one corrects"),
        },
    ),
    "life_events": TableMeaning(
        "기념일",
        "Life events",
        "기념일: 생일·결혼기념일·거래 기념일",
        "Life events: birthdays and anniversaries worth a call",
        _CUSTOMER_READERS,
        {
            "id": _ROW_ID,
            "customer_id": _CUSTOMER,
            "kind": M("기념일 종류", "Kind", LIFE_EVENT_KINDS),
            "event_date": M("날짜", "Date"),
        },
    ),
    "alerts": TableMeaning(
        "경고",
        "Alerts",
        "고객 기록에 걸린 경고 (대리인 거래, 휴면 후 출금 등)와 그 해결",
        "Alerts raised on a customer (proxy trading, withdrawal after dormancy...) and how "
        "they were resolved",
        (Action.CUSTOMER_READ,),
        {
            "id": _ROW_ID,
            "customer_id": _CUSTOMER,
            "kind": M("경고 종류", "Kind of alert", ALERT_KINDS),
            "severity": M("심각도", "Severity", ALERT_SEVERITIES),
            "text": M("경고 내용", "What the alert says"),
            "raised_by": M(
                "경고를 건 직원 (자동이면 비움)", "Employee who raised it (blank: automatic)"
            ),
            "raised_at": M("경고 일시", "Raised at"),
            "resolved_by": M("해결한 직원", "Employee who resolved it"),
            "resolved_at": M("해결 일시 (열려 있으면 비움)", "Resolved at (blank while open)"),
            "resolution_note": M("해결 메모", "Resolution note"),
        },
    ),
    "agenda_rules": TableMeaning(
        "아침 할 일 규칙",
        "Agenda rules",
        "아침 할 일 목록을 만드는 규칙 (관리자가 배포 없이 바꿈)",
        "The rules that build the morning agenda (admins change them without a deploy)",
        _AGENDA_READERS,
        {
            "id": _ROW_ID,
            "kind": M("규칙 종류", "Kind of rule"),
            "name_ko": M("규칙 이름 (한글)", "Rule name in Korean"),
            "name_en": M("규칙 이름 (영문)", "Rule name in English"),
            "priority": M("우선순위 (작을수록 먼저)", "Priority (lower comes first)"),
            "tiers": M("적용할 고객 등급", "Customer tiers it applies to"),
            "enabled": M("사용 여부", "Switched on"),
            "params": M("규칙의 설정 값 (기간, 금액 등)", "The rule's settings (days, amounts...)"),
            "version": M("판 (바꿀 때마다 1씩 늘어남)", "Version (one more at every change)"),
            "updated_by": _UPDATED_BY,
            "updated_at": _UPDATED_AT,
        },
    ),
    "agenda_items": TableMeaning(
        "아침 할 일",
        "Agenda items",
        "영업일마다 직원에게 주는 고객별 할 일과 그 이유",
        "One thing to do for one customer on a business day, and why",
        _AGENDA_READERS,
        {
            "business_date": M("영업일", "Business date"),
            "rule_id": M("이 일을 만든 규칙", "Rule that made it"),
            "customer_id": _CUSTOMER,
            "employee_id": M("맡은 직원", "Employee it is for"),
            "branch_id": _BRANCH,
            "priority": M("우선순위 (작을수록 먼저)", "Priority (lower comes first)"),
            "due_date": M("처리 기한", "Due date"),
            "facts": M(
                "이유가 되는 사실 (날짜, 금액 등)",
                "The facts behind the reason (dates, amounts...)",
            ),
            "status": M("상태", "Status", (agenda.OPEN, *agenda.WORKED)),
            "snoozed_until": M("미룬 날짜", "Snoozed until"),
            "worked_at": M("처리 일시", "Worked at"),
            "consultation_id": M("처리하며 남긴 상담 기록", "Consultation note written for it"),
            "created_at": _CREATED_AT,
        },
    ),
    "business_holidays": TableMeaning(
        "회사 휴무일",
        "Firm holidays",
        "공휴일 외에 지점이 쉬는 날 (이날은 예약 작업이 돌지 않음)",
        "Days the branches close beyond public holidays (scheduled jobs skip them)",
        (Action.JOBS_RUN,),
        {
            "day": M("날짜", "Date"),
            "name": M("휴무일 이름", "Name of the holiday"),
            "created_by": _CREATED_BY,
            "created_at": _CREATED_AT,
        },
    ),
    "kpi_snapshots": TableMeaning(
        "KPI 기록",
        "KPI snapshots",
        "영업일마다 회사·지역·지점별로 기록한 KPI 값",
        "Each KPI's value per business date for the firm, a region or a branch",
        (Action.KPI_READ,),
        {
            "business_date": M("영업일", "Business date"),
            "scope_kind": M("범위 종류 (회사/지역/지점)", "Scope (firm, region or branch)"),
            "scope_key": M("범위 (지역 이름이나 지점 코드)", "Which region or branch"),
            "kpi": M("KPI 이름", "KPI"),
            "value": M("값 (잴 것이 없으면 비움)", "Value (blank when nothing to measure)"),
        },
    ),
    "kpi_targets": TableMeaning(
        "KPI 목표",
        "KPI targets",
        "회사의 KPI 목표 값",
        "The firm's target for each KPI",
        (Action.KPI_READ,),
        {
            "kpi": M("KPI 이름", "KPI"),
            "target": M("목표 값", "Target"),
            "updated_by": _UPDATED_BY,
            "updated_at": _UPDATED_AT,
        },
    ),
    "kpi_parameters": TableMeaning(
        "KPI 계산 값",
        "KPI parameters",
        "KPI 계산에 쓰는 숫자 (DM 한 통의 비용 등)",
        "Numbers a KPI formula needs (the cost of one DM piece...)",
        (Action.KPI_READ,),
        {
            "name": M("이름", "Name"),
            "value": M("값", "Value"),
            "updated_by": _UPDATED_BY,
            "updated_at": _UPDATED_AT,
        },
    ),
    "consent_events": TableMeaning(
        "수신 동의 이력",
        "Consent history",
        "고객의 목적별·채널별 동의와 철회 기록 (지우거나 고치지 않고 쌓기만 함)",
        "Each consent a customer gave or withdrew, per purpose and channel (only ever added)",
        (Action.CUSTOMER_READ,),
        {
            "id": _ROW_ID,
            "customer_id": _CUSTOMER,
            "purpose": M("목적 (마케팅, 상품 안내...)", "Purpose (marketing, product info...)"),
            "channel": M("채널 (DM, TM, 문자, 이메일)", "Channel (DM, TM, SMS, e-mail)"),
            "given": M("동의 (아니면 철회)", "Given (otherwise withdrawn)"),
            "occurred_at": M("동의·철회 일시", "When it was given or withdrawn"),
            "source": M("받은 경로 (지점, 전화...)", "Where it came from (branch, call...)"),
            "recorded_by": M("기록한 사용자", "Who recorded it"),
        },
    ),
    "do_not_call_numbers": TableMeaning(
        "연락 금지 번호",
        "Do-not-call numbers",
        "전화하면 안 되는 번호: 금융권 두낫콜 목록과 회사 자체 수신 거부",
        "Numbers nobody may call: the finance sector's do-not-call list and in-house opt-outs",
        _CUSTOMER_READERS,
        {
            "phone": M("전화번호 (숫자만)", "Phone number (digits only)"),
            "source": M(
                "목록 (finance_dnc 두낫콜, in_house 자체 수신 거부; 비우면 두낫콜)",
                "List (finance_dnc do-not-call, in_house opt-out; blank for do-not-call)",
                ("finance_dnc", "in_house"),
            ),
            "registered_on": M("등록일", "Registered on"),
        },
    ),
    "contact_settings": TableMeaning(
        "연락 설정",
        "Contact settings",
        "연락 규칙에 쓰는 숫자 (전화 가능 시간 등); 없으면 기본값",
        "Numbers the contact rules use (allowed call hours...); the default where absent",
        _AGENDA_READERS,
        {
            "name": M("이름", "Name"),
            "value": M("값", "Value"),
            "updated_by": _UPDATED_BY,
            "updated_at": _UPDATED_AT,
        },
    ),
    "usage_events": TableMeaning(
        "사용 기록",
        "Usage events",
        "직원이 콘솔에서 한 일 하나하나 (조회, 검색, 메모, 내려받기 등)",
        "Each action of an employee in the console (view, search, note, export...)",
        (Action.USAGE_READ,),
        {
            "id": _ROW_ID,
            "employee_id": _EMPLOYEE,
            "branch_id": _BRANCH,
            "occurred_at": M("일시", "Date and time"),
            "action": M("한 일", "Action"),
            "page": M("화면", "Page"),
            "target": M("대상 (고객번호 등)", "What it was about (a customer number...)"),
        },
    ),
    "usage_daily": TableMeaning(
        "일별 사용량",
        "Daily usage",
        "직원·날짜·행동별 사용 횟수 (사용 기록에서 집계)",
        "Each employee's count of each action per day (summed from the usage events)",
        (Action.USAGE_READ,),
        {
            "day": M("날짜", "Day"),
            "employee_id": _EMPLOYEE,
            "action": M("한 일", "Action"),
            "branch_id": _BRANCH,
            "events": M("횟수", "Count"),
            "late_events": M("17시 이후 횟수", "Count from 17:00 on"),
        },
    ),
    "usage_person_days": TableMeaning(
        "직원별 일 사용량",
        "Usage per person-day",
        "직원·날짜별 사용 합계",
        "Each employee's usage per day, all actions together",
        (Action.USAGE_READ,),
        {
            "day": M("날짜", "Day"),
            "employee_id": _EMPLOYEE,
            "branch_id": _BRANCH,
            "actions": M("모든 행동 횟수", "Actions"),
            "notes": M("상담 메모 수", "Notes written"),
            "late_notes": M("17시 이후 상담 메모 수", "Notes written from 17:00 on"),
        },
    ),
    "training_courses": TableMeaning(
        "교육 과정",
        "Training courses",
        "직원 교육 과정과 자격 유효 기간",
        "Staff training courses and how long their certification lasts",
        (Action.TRAINING_READ,),
        {
            "id": _ROW_ID,
            "code": M("과정 코드", "Course code"),
            "title_ko": M("과정명 (한글)", "Course title in Korean"),
            "title_en": M("과정명 (영문)", "Course title in English"),
            "category": M("분류", "Category"),
            "certification_months": M(
                "자격 유효 기간 (개월, 자격이 없으면 비움)",
                "Months a certification lasts (blank: no certification)",
            ),
            "is_retired": M("폐지 여부", "Retired"),
        },
    ),
    "training_sessions": TableMeaning(
        "교육 차수",
        "Training sessions",
        "교육 과정의 한 차수 (기간, 장소, 강사)",
        "One run of a course (dates, place, trainer)",
        (Action.TRAINING_READ,),
        {
            "id": _ROW_ID,
            "course_id": M("교육 과정", "Course"),
            "starts_on": M("시작일", "Starts on"),
            "ends_on": M("종료일", "Ends on"),
            "location": M("장소", "Location"),
            "trainer_id": M("강사 직원", "Trainer"),
        },
    ),
    "enrolments": TableMeaning(
        "수강",
        "Enrolments",
        "직원의 교육 수강, 수료와 자격",
        "An employee's enrolment in a session, completion and certification",
        (Action.TRAINING_READ,),
        {
            "id": _ROW_ID,
            "session_id": M("교육 차수", "Session"),
            "employee_id": _EMPLOYEE,
            "enrolled_on": M("신청일", "Enrolled on"),
            "completed_on": M("수료일 (미수료면 비움)", "Completed on (blank: not completed)"),
            "score": M("점수", "Score"),
            "certified_on": M("자격 취득일", "Certified on"),
            "certification_expires_on": M("자격 만료일", "Certification expires on"),
        },
    ),
    "segments": TableMeaning(
        "고객 세그먼트",
        "Segments",
        "저장해 둔 이름 있는 고객 조건",
        "Saved, named customer filters",
        (Action.SEGMENT_READ,),
        {
            "id": _ROW_ID,
            "name": M("세그먼트 이름", "Segment name"),
            "owner_user_id": M("만든 사용자", "Owner"),
            "owner_name": M("만든 사용자 아이디", "Owner's username"),
            "branch_id": M(
                "소속 지점 (지점 하나만 보는 사용자가 만든 경우)",
                "Branch (when its owner sees one branch only)",
            ),
            "shared": M("다른 사용자와 공유", "Shared with others"),
            "current_version": M("현재 판", "Current version"),
            "created_at": _CREATED_AT,
            "updated_at": _UPDATED_AT,
        },
    ),
    "segment_versions": TableMeaning(
        "세그먼트 판",
        "Segment versions",
        "세그먼트 조건의 각 판 (덮어쓰지 않음)",
        "Each version of a segment's filter (never overwritten)",
        (Action.SEGMENT_READ,),
        {
            "segment_id": M("세그먼트", "Segment"),
            "version": M("판", "Version"),
            "spec": M("조건 (JSON)", "The filter (JSON)"),
            "created_by": _CREATED_BY,
            "created_at": _CREATED_AT,
        },
    ),
    "campaigns": TableMeaning(
        "캠페인",
        "Campaigns",
        "DM·TM 캠페인: 세그먼트 한 판에서 뽑은 표본과 대조군",
        "DM and TM campaigns: a sample of one segment version with a hold-out group",
        (Action.CAMPAIGN_READ,),
        {
            "id": _ROW_ID,
            "name": M("캠페인 이름", "Campaign name"),
            "segment_id": M("세그먼트", "Segment"),
            "segment_version": M("세그먼트 판", "Segment version"),
            "channel": M("채널", "Channel", campaigns.CHANNELS),
            "sample_size": M("표본 크기", "Sample size"),
            "stratify_by": M(
                "층화 기준 (없으면 비움)", "Stratified by (blank for none)", campaigns.STRATA
            ),
            "control_pct": M("대조군 비율 (%)", "Control group share (%)"),
            "seed": M(
                "표본 추출 시드 (같은 표본을 다시 뽑음)",
                "Sampling seed (draws the same sample again)",
            ),
            "cost_per_piece_krw": M("한 건 비용 (원)", "Cost per piece (KRW)"),
            "branch_id": M("지점 (지점 캠페인만)", "Branch (branch campaigns only)"),
            "eligible": M("대상 고객 수", "Eligible customers"),
            "started_on": M("시작일", "Started on"),
            "created_by_user_id": _CREATED_BY,
            "created_by": M("만든 사용자 아이디", "Creator's username"),
            "created_at": _CREATED_AT,
            "features_built_at": M(
                "추출에 쓴 고객 분석 사본의 작성 일시",
                "When the customer copy it drew from was built",
            ),
        },
    ),
    "campaign_targets": TableMeaning(
        "캠페인 대상",
        "Campaign targets",
        "캠페인에 뽑힌 고객: 연락군 또는 대조군, 그리고 결과",
        "A drawn customer: contact or control arm, and the outcome",
        (Action.CAMPAIGN_READ,),
        {
            "campaign_id": M("캠페인", "Campaign"),
            "customer_id": _CUSTOMER,
            "arm": M(
                "군 (연락/대조)", "Arm (contact or control)", (campaigns.CONTACT, campaigns.CONTROL)
            ),
            "stratum": M("층", "Stratum"),
            "branch_id": _BRANCH,
            "employee_id": M("담당 직원", "Employee responsible"),
            "outcome": M("결과", "Outcome", campaigns.OUTCOMES),
            "outcome_at": M("결과 기록 일시", "Outcome recorded at"),
            "recorded_by": M("결과를 기록한 사용자", "Who recorded the outcome"),
            "consultation_id": M("결과와 함께 남긴 상담 기록", "Consultation note of the outcome"),
        },
    ),
    "users": TableMeaning(
        "사용자",
        "Users",
        "콘솔에 로그인하는 계정과 그 역할",
        "Sign-in accounts and their roles",
        (Action.USERS_ADMIN,),
        {
            "id": _ROW_ID,
            "username": M("아이디", "Username"),
            "role": M("역할", "Role", tuple(role.value for role in Role)),
            "employee_id": M("연결된 직원", "Linked employee"),
            "is_active": M("사용 여부 (끄면 로그인 불가)", "Active (off: cannot sign in)"),
            "must_change_password": M(
                "다음 로그인 때 비밀번호 변경 필요", "Must change the password at next sign-in"
            ),
            "failed_sign_ins": M("연속 로그인 실패 횟수", "Failed sign-ins in a row"),
            "locked_until": M(
                "처음 보는 주소에서의 잠금 해제 일시", "Locked for unknown addresses until"
            ),
            "last_sign_in_at": M("마지막 로그인", "Last sign-in"),
            "created_at": _CREATED_AT,
            "sessions_revoked_at": M(
                "이 일시 전에 연 세션은 끝남", "Sessions opened before this time are ended"
            ),
            "sso_email": M("통합 로그인(SSO) 이메일", "Single sign-on e-mail"),
        },
    ),
    "access_grants": TableMeaning(
        "권한 부여",
        "Access grants",
        "관리자가 사용자에게 준 명시적 권한 (내려받기 등)과 회수 이력",
        "Explicit permissions an admin gave a user (exports...) and their revocation",
        (Action.USERS_ADMIN, Action.AUDIT_READ),
        {
            "id": _ROW_ID,
            "user_id": M("권한을 받은 사용자", "User granted"),
            "action": M("허용한 행동", "Action allowed"),
            "reason": M("부여 사유", "Reason"),
            "granted_by": M("부여한 관리자", "Granted by"),
            "granted_at": M("부여 일시", "Granted at"),
            "revoked_by": M("회수한 관리자", "Revoked by"),
            "revoked_at": M("회수 일시 (유효하면 비움)", "Revoked at (blank while valid)"),
        },
    ),
    "sign_in_addresses": TableMeaning(
        "로그인 실패 주소",
        "Sign-in failures by address",
        "접속 주소별 로그인 실패 횟수와 다시 시도할 수 있는 일시 "
        "(여러 계정을 번갈아 찍는 시도를 늦춤)",
        "Failed sign-ins per client address and when it may try again (slows guessing over "
        "many accounts)",
        (Action.USERS_ADMIN, Action.AUDIT_READ),
        {
            "client": M("접속 주소", "Client address"),
            "failures": M("최근 실패 횟수", "Recent failures"),
            "last_failed_at": M("마지막 실패 일시", "Last failure"),
            "wait_until": M("다시 시도할 수 있는 일시", "May try again from"),
        },
    ),
    "known_sign_in_clients": TableMeaning(
        "로그인한 적 있는 주소",
        "Known sign-in addresses",
        "사용자가 맞는 비밀번호로 로그인한 적 있는 접속 주소 (남이 건 잠금이 여기서는 풀림)",
        "Addresses a user signed in from with the right password (a lock strangers caused "
        "does not hold there)",
        (Action.USERS_ADMIN, Action.AUDIT_READ),
        {
            "user_id": M("사용자", "User"),
            "client": M("접속 주소", "Client address"),
            "last_signed_in_at": M("마지막 로그인", "Last sign-in"),
        },
    ),
    "audit_log": TableMeaning(
        "감사 기록",
        "Audit trail",
        "누가 언제 무엇을 했는지의 기록 (추가만, 해시 사슬로 변조 검출)",
        "Who did what and when (append-only; a hash chain shows any edit)",
        (Action.AUDIT_READ,),
        {
            "id": _ROW_ID,
            "occurred_at": M("일시", "Date and time"),
            "user_id": M("사용자", "User"),
            "username": M("사용자 아이디", "Username"),
            "action": M("한 일", "Action"),
            "target_kind": M("대상 종류", "Kind of target"),
            "target_id": M("대상", "Target"),
            "detail": M("자세한 내용 (JSON)", "Details (JSON)"),
            "client": M("접속한 곳", "Client"),
            "prev_hash": M("이전 기록의 해시", "Hash of the previous record"),
            "row_hash": M(
                "이 기록의 해시 (이전 해시 포함)", "This record's hash (covers the previous)"
            ),
            "hash_version": M(
                "해시 방식 (1: 예전 방식, 2: 표준 JSON)",
                "Hash method (1: the original, 2: canonical JSON)",
            ),
        },
    ),
    "import_runs": TableMeaning(
        "가져오기 이력",
        "Import history",
        "파일 가져오기 한 번: 누가, 언제, 어떤 파일, 결과",
        "One file import: who, when, which file, what it did",
        (Action.IMPORT,),
        {
            "id": _ROW_ID,
            "kind": M("가져온 종류", "Kind imported"),
            "file_name": M("파일 이름", "File name"),
            "file_sha256": M("파일 해시 (SHA-256)", "File hash (SHA-256)"),
            "file_bytes": M("파일 크기 (바이트)", "File size (bytes)"),
            "status": M("결과 (적재/거부)", "Status (loaded or refused)", ("loaded", "refused")),
            "good_rows_only": M("올바른 행만 적재", "Good rows only"),
            "rows": M("행 수", "Rows"),
            "inserted": M("추가한 행", "Inserted"),
            "updated": M("수정한 행", "Updated"),
            "unchanged": M("그대로인 행", "Unchanged"),
            "rejected": M("거부한 행", "Rejected"),
            "started_at": M("시작 일시", "Started at"),
            "duration_s": M("걸린 시간 (초)", "Duration (s)"),
            "user_id": M("가져온 사용자", "User"),
            "username": M("가져온 사용자 아이디", "Username"),
        },
    ),
    "job_runs": TableMeaning(
        "작업 실행",
        "Job runs",
        "예약 작업이 영업일마다 한 번씩 돈 기록",
        "Each run of a scheduled job for a business date",
        (Action.JOBS_RUN,),
        {
            "id": _ROW_ID,
            "job": M("작업 이름", "Job"),
            "business_date": M("영업일", "Business date"),
            "status": M("상태", "Status"),
            "started_at": M("시작 일시", "Started at"),
            "claim_expires_at": M(
                "실행 중인 작업이 살아 있다고 알린 기한 (지나면 다른 프로세스가 이어받음)",
                "Until when the running build vouched it is alive (past it, another may take over)",
            ),
            "finished_at": M("종료 일시", "Finished at"),
            "duration_s": M("걸린 시간 (초)", "Duration (s)"),
            "rows": M("처리한 행 수", "Rows processed"),
            "detail": M("자세한 내용", "Details"),
            "error": M("오류 (실패했을 때)", "Error (when it failed)"),
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
    """One row per column of the tables `user` can see: its meaning, type and whether it is
    required or a key (from the model)."""
    require(user, Action.DICTIONARY_READ)
    rows = []
    for name in visible_tables(user):
        table, model = TABLES[name], Base.metadata.tables[name]
        for column_name, meaning in table.columns.items():
            column = model.c[column_name]
            rows.append(
                {
                    "table": name,
                    "title_ko": table.title_ko,
                    "title_en": table.title_en,
                    "table_ko": table.about_ko,
                    "table_en": table.about_en,
                    "column": column_name,
                    "type": _type_name(column),
                    "required": not column.nullable,
                    "key": bool(column.primary_key or column.unique),
                    "allowed": ", ".join(meaning.allowed),
                    "meaning_ko": meaning.ko,
                    "meaning_en": meaning.en,
                }
            )
    return pl.DataFrame(rows)
