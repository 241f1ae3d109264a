"""Every sentence a user reads, in Korean and English; Korean is the default."""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"ko": "한국어", "en": "English"}
DEFAULT_LANGUAGE = "ko"
LANGUAGE_KEY = "language"

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (Korean, English)
    "app_title": ("드림스 CRM 콘솔", "Dreams CRM console"),
    "language": ("언어", "Language"),
    "sign_in": ("로그인", "Sign in"),
    "sign_in_title": ("드림스 CRM 로그인", "Sign in to Dreams CRM"),
    "sign_in_caption": (
        "지점·영업·교육·경영 업무를 위한 고객관리 콘솔입니다.",
        "The customer console for branches, sales, training and management.",
    ),
    "username": ("아이디", "Username"),
    "password": ("비밀번호", "Password"),
    "sign_out": ("로그아웃", "Sign out"),
    "wrong_credentials": (
        "아이디 또는 비밀번호가 맞지 않습니다. 다시 입력해 주세요.",
        "The username or password is not right. Please try again.",
    ),
    "locked": (
        "로그인 실패가 반복되어 계정이 잠시 잠겼습니다. 15분 뒤에 다시 시도하거나 관리자에게 문의하세요.",
        "Too many failed sign-ins: the account is locked for a while. "
        "Try again in 15 minutes or ask an administrator.",
    ),
    "missing_credentials": (
        "아이디와 비밀번호를 모두 입력하세요.",
        "Enter both username and password.",
    ),
    "signed_out_idle": (
        "{minutes}분 동안 사용하지 않아 로그아웃되었습니다. 다시 로그인하세요.",
        "You were signed out after {minutes} minutes without activity. Please sign in again.",
    ),
    "demo_marker": ("데모 데이터", "Demo data"),
    "demo_marker_help": (
        "이 데이터베이스는 합성 데모 데이터입니다. 실제 고객 정보가 아닙니다.",
        "This database holds synthetic demo data, not real customers.",
    ),
    "demo_accounts_hint": (
        "데모 계정: exec, manager, rep, dedicated, trainer, admin (비밀번호는 README 참조)",
        "Demo accounts: exec, manager, rep, dedicated, trainer, admin (password in the README)",
    ),
    "signed_in_as": ("{name} · {role}", "{name} · {role}"),
    "head_office": ("본사", "Head office"),
    "database_unavailable": (
        "데이터베이스에 연결할 수 없습니다. 서버가 실행 중인지, CRM_DATABASE_URL 설정이 맞는지 "
        "확인한 뒤 새로고침하세요.",
        "The database cannot be reached. Check that the server is running and that "
        "CRM_DATABASE_URL is right, then reload the page.",
    ),
    "unexpected_error": (
        "화면을 표시하는 중 문제가 발생했습니다. 새로고침해도 계속되면 관리자에게 알려 주세요. "
        "(오류 번호 {ref})",
        "Something went wrong while showing this page. If reloading does not help, tell an "
        "administrator. (error reference {ref})",
    ),
    "first_run_title": ("처음 실행: 데모 데이터를 준비합니다", "First run: preparing demo data"),
    "first_run_done": (
        "데모 데이터 준비 완료 ({seconds:.0f}초)",
        "Demo data ready ({seconds:.0f} s)",
    ),
    "first_run_step": ("{table} 생성 중", "Creating {table}"),
    # Roles
    "role_sales_rep": ("영업 담당", "Sales rep"),
    "role_dedicated_manager": ("전담 매니저", "Dedicated manager"),
    "role_branch_manager": ("지점장", "Branch manager"),
    "role_trainer": ("교육 담당", "Trainer"),
    "role_executive": ("경영진", "Executive"),
    "role_admin": ("관리자", "Administrator"),
    # Pages
    "page_home": ("홈", "Home"),
    # Home
    "welcome": ("{name}님, 안녕하세요", "Welcome, {name}"),
    "as_of": ("기준일 {date}", "As of {date}"),
    "scope_firm": ("전사 기준", "Whole firm"),
    "scope_branch": ("{branch} 기준", "{branch}"),
    "scope_book": ("내 담당 고객 기준", "My book"),
    "customers": ("고객 수", "Customers"),
    "open_accounts": ("보유 계좌", "Open accounts"),
    "aum": ("수탁고(AUM)", "AUM"),
    "open_alerts": ("미해결 경보", "Open alerts"),
    "consultations_recent": ("최근 30일 상담", "Consultations, last 30 days"),
    "maturing_soon": ("30일 내 만기 계좌", "Accounts maturing in 30 days"),
    "branches": ("지점 수", "Branches"),
    "staff": ("지점 직원 수", "Branch staff"),
    "help_customers": ("해지하지 않은 고객", "Customers whose relationship is not closed"),
    "help_aum": (
        "보유 계좌의 오늘 평가금액 합계 (원)",
        "Sum of today's market value of open accounts (KRW)",
    ),
    "training": ("교육 현황", "Training"),
    "active_courses": ("운영 중 과정", "Active courses"),
    "enrolments": ("수강 신청", "Enrolments"),
    "completed": ("수료", "Completed"),
    "valid_certifications": ("유효 인증", "Valid certifications"),
    "expired_certifications": ("만료된 인증", "Expired certifications"),
    "expiring_90": ("90일 내 만료", "Expiring within 90 days"),
    "database_contents": ("데이터베이스 현황", "What the database holds"),
    "table": ("테이블", "Table"),
    "rows": ("행 수", "Rows"),
    "home_exec_intro": (
        "전사 고객·자산·조직 현황입니다.",
        "The firm's customers, assets and organisation at a glance.",
    ),
    "home_branch_intro": (
        "우리 지점의 고객과 직원 현황입니다.",
        "Your branch's customers and staff.",
    ),
    "home_rep_intro": (
        "내가 담당하는 고객(북)의 현황입니다.",
        "The customers in your book.",
    ),
    "home_trainer_intro": (
        "전 직원의 교육 수강과 인증 현황입니다.",
        "Training and certification across all staff.",
    ),
    "home_admin_intro": (
        "데이터베이스와 작업 현황입니다.",
        "The database and what it holds.",
    ),
    # --- Customer 360 (issue #4) ---------------------------------------------------------
    "page_customer": ("고객 360", "Customer 360"),
    "customer_search": ("고객 검색", "Find a customer"),
    "customer_search_placeholder": (
        "고객번호, 계좌번호, 이름, 휴대폰 뒤 4자리 입력 후 Enter",
        "Customer number, account number, name or last 4 phone digits, then Enter",
    ),
    "customer_search_none": (
        "'{query}'에 맞는 고객이 없습니다. 번호를 확인하거나 이름 두 글자 이상으로 검색해 보세요.",
        "No customer matches '{query}'. Check the number, or search with at least two letters of the name.",
    ),
    "customer_search_count": ("검색 결과 {count}명", "{count} customers found"),
    "customer_search_limit": (
        "결과가 많아 {count}명까지만 보여 줍니다. 이름을 더 입력해 좁혀 보세요.",
        "Showing the first {count}; type more of the name to narrow the list.",
    ),
    "customer_pick": ("열어 볼 고객", "Open customer"),
    "customer_pick_placeholder": ("결과에서 고객을 고르세요", "Pick a customer from the results"),
    "customer_start_hint": (
        "위 검색창에서 고객을 찾거나, 일정·세그먼트·경보의 고객 링크로 바로 열 수 있습니다.",
        "Find a customer above, or open one directly from a link in the agenda, a segment or an alert.",
    ),
    "customer_not_found": (
        "고객번호 {number}인 고객이 없습니다. 번호를 확인하거나 이름으로 검색하세요.",
        "There is no customer {number}. Check the number or search by name.",
    ),
    "customer_malformed": (
        "'{number}'은(는) 고객번호 형식이 아닙니다 (숫자만, 예: 100000002). 링크를 확인하거나 이름으로 검색하세요.",
        "'{number}' is not a customer number (digits only, e.g. 100000002). Check the link or search by name.",
    ),
    "customer_access_denied": (
        "이 역할로는 고객 기록을 볼 수 없습니다. 필요하면 관리자에게 문의하세요.",
        "Your role does not open customer records. Ask an administrator if you need to.",
    ),
    "col_customer_no": ("고객번호", "Customer no."),
    "col_name": ("이름", "Name"),
    "col_birth_year": ("출생연도", "Born"),
    "col_tier": ("등급", "Tier"),
    "col_branch": ("지점", "Branch"),
    "col_phone": ("휴대폰", "Phone"),
    "col_status": ("상태", "Status"),
    "col_matched_by": ("일치 항목", "Matched on"),
    "matched_customer_no": ("고객번호", "Customer number"),
    "matched_account_no": ("계좌번호", "Account number"),
    "matched_phone": ("휴대폰", "Phone"),
    "matched_name_prefix": ("이름(앞부분)", "Name (start)"),
    "matched_name_partial": ("이름(일부)", "Name (part)"),
    "status_active": ("거래 중", "Active"),
    "status_closed": ("해지", "Closed"),
    "tier_vip": ("VIP", "VIP"),
    "tier_priority": ("우수", "Priority"),
    "tier_general": ("일반", "General"),
    "gender_M": ("남", "Male"),
    "gender_F": ("여", "Female"),
    "profile_caption": (
        "고객번호 {number} · {age}세 · {gender} · {occupation} · {region}",
        "Customer {number} · {age} years old · {gender} · {occupation} · {region}",
    ),
    "total_aum": ("총 수탁고", "Total AUM"),
    "home_branch": ("관리 지점", "Home branch"),
    "manager": ("담당자", "Manager"),
    "no_manager": ("미지정", "None assigned"),
    "tenure": ("거래 기간", "Tenure"),
    "tenure_years": ("{years}년", "{years} years"),
    "customer_since": ("{date}부터 거래", "Customer since {date}"),
    "customer_closed": (
        "{date}에 거래를 해지한 고객입니다.",
        "This customer closed the relationship on {date}.",
    ),
    "consent_dm": ("DM", "DM"),
    "consent_tm": ("TM", "TM"),
    "consent_email": ("이메일", "E-mail"),
    "consent_given": ("{channel} 수신 동의", "{channel} consent"),
    "consent_refused": ("{channel} 수신 거부", "No {channel} consent"),
    "contact_line": (
        "휴대폰 {phone} · 이메일 {email} · 주소 {address}",
        "Phone {phone} · E-mail {email} · Address {address}",
    ),
    "contact_masked": (
        "담당 고객이 아니어서 연락처 일부를 가렸습니다.",
        "Contact details are partly hidden: this customer is not in your book or branch.",
    ),
    "alert_line": (
        "**{kind}** — {text} (등록: {who}, {date})",
        "**{kind}** — {text} (raised by {who}, {date})",
    ),
    "raised_by_system": ("시스템", "the system"),
    "alert_kind_always_alone": ("항상 본인 거래", "Always transacts alone"),
    "alert_kind_proxy_attempt": ("대리 거래 시도", "Proxy withdrawal attempted"),
    "alert_kind_dormant_large_withdrawal": (
        "휴면 후 고액 출금",
        "Large withdrawal after long dormancy",
    ),
    "alert_kind_identity_check": ("본인 확인 필요", "Identity check needed"),
    "flag_proxy_after_alone": (
        "**대리인 거래 감지** — 늘 본인이 직접 지점에서 거래하던 고객(본인 지점 거래 {count}회, 대리 거래 없음)의 계좌 {account}에서 {date}에 처음으로 대리인 거래가 있었습니다 ({amount}, {branch}). 본인에게 확인하세요.",
        "**Proxy transaction** — this customer always came in person ({count} own branch transactions, never by proxy); on {date} a proxy transacted on account {account} ({amount}, {branch}). Check with the customer.",
    ),
    "flag_dormant_withdrawal": (
        "**휴면 계좌 고액 출금** — {days}일 동안 거래가 없던 계좌 {account}에서 {date}부터 {amount}이(가) 빠져나갔습니다 (잔액의 {share}%).",
        "**Dormant account emptied** — account {account}, without a transaction for {days} days, has paid out {amount} since {date} ({share}% of its value).",
    ),
    "flag_new_branch": (
        "**처음 이용한 지점** — {date}에 고객이 한 번도 이용하지 않은 {branch}에서 거래가 있었습니다 ({amount}, 이전 지점 거래 {count}회).",
        "**Branch never used before** — on {date} the customer transacted at {branch} ({amount}), after {count} transactions at other branches.",
    ),
    "tab_holdings": ("보유 상품", "Holdings"),
    "tab_transactions": ("거래", "Transactions"),
    "tab_consultations": ("상담", "Consultations"),
    "tab_events": ("기념일·지점 이동", "Events and transfers"),
    "col_account": ("계좌번호", "Account"),
    "col_product": ("상품", "Product"),
    "col_opened_on": ("개설일", "Opened"),
    "col_maturity": ("만기일", "Maturity"),
    "col_principal": ("원금", "Principal"),
    "col_market_value": ("평가금액", "Market value"),
    "col_gain": ("평가손익", "Gain"),
    "col_gain_pct": ("수익률", "Return"),
    "maturity_soon": ("{date} (D-{days})", "{date} (in {days} days)"),
    "maturing_soon_note": (
        "{count}개 계좌가 30일 안에 만기됩니다. 재투자 상담을 준비하세요.",
        "{count} account(s) mature within 30 days: prepare a reinvestment talk.",
    ),
    "no_holdings": ("보유 중인 상품이 없습니다.", "No open holdings."),
    "flows_title": ("월별 입출금 (최근 36개월)", "Money in and out by month (last 36 months)"),
    "inflow": ("입금·가입", "In"),
    "outflow": ("출금·환매", "Out"),
    "month": ("월", "Month"),
    "amount": ("금액(원)", "Amount (KRW)"),
    "recent_transactions": ("최근 거래 (최대 50건)", "Recent transactions (up to 50)"),
    "no_transactions": ("거래 내역이 없습니다.", "No transactions."),
    "col_when": ("일시", "When"),
    "col_kind": ("구분", "Kind"),
    "col_amount": ("금액", "Amount"),
    "col_channel": ("채널", "Channel"),
    "col_performed_by": ("거래자", "Performed by"),
    "col_employee": ("직원", "Employee"),
    "txn_kind_subscription": ("가입", "Subscription"),
    "txn_kind_redemption": ("환매", "Redemption"),
    "txn_kind_deposit": ("입금", "Deposit"),
    "txn_kind_withdrawal": ("출금", "Withdrawal"),
    "txn_channel_branch": ("지점", "Branch"),
    "txn_channel_online": ("온라인", "Online"),
    "txn_channel_phone": ("전화", "Phone"),
    "performed_owner": ("본인", "Owner"),
    "performed_proxy": ("대리인", "Proxy"),
    "consultations_title": (
        "상담 이력 (전 지점, 최신순)",
        "Consultation history (all branches, newest first)",
    ),
    "no_consultations": ("상담 기록이 없습니다.", "No consultations yet."),
    "col_no": ("번호", "No."),
    "col_outcome": ("결과", "Outcome"),
    "col_note": ("내용", "Note"),
    "col_correction": ("정정", "Correction"),
    "consult_channel_visit": ("방문", "Visit"),
    "consult_channel_phone": ("전화", "Phone"),
    "consult_channel_dm": ("DM", "DM"),
    "consult_channel_tm": ("TM", "TM"),
    "consult_channel_online": ("온라인", "Online"),
    "outcome_interested": ("관심", "Interested"),
    "outcome_purchased": ("가입", "Purchased"),
    "outcome_declined": ("거절", "Declined"),
    "outcome_follow_up": ("후속 연락", "Follow up"),
    "outcome_no_answer": ("부재", "No answer"),
    "note_sensitive_hidden": (
        "(민감 정보: 담당 직원만 볼 수 있습니다)",
        "(sensitive: only the staff who answer for this customer can read it)",
    ),
    "note_corrects": ("#{id} 정정", "corrects #{id}"),
    "note_corrected_by": ("#{id}에서 정정됨", "corrected by #{id}"),
    "note_form_title": ("상담 기록 추가", "Add a consultation note"),
    "note_text": ("상담 내용", "What was discussed"),
    "note_correct_target": ("정정할 기록", "Corrects"),
    "note_new_entry": ("새 기록 (정정 아님)", "New entry (not a correction)"),
    "note_save": ("기록 저장", "Save note"),
    "note_saved": ("상담 기록을 저장했습니다.", "The note is saved."),
    "note_append_only": (
        "기록은 고치거나 지울 수 없습니다. 잘못 적었다면 정정할 기록을 골라 새 기록을 추가하세요.",
        "Notes are never edited or deleted. To fix a mistake, pick the note it corrects and add a new one.",
    ),
    "note_rejected_empty": (
        "상담 내용이 비어 있습니다. 내용을 적은 뒤 저장하세요.",
        "The note is empty. Write what happened, then save.",
    ),
    "note_rejected_too_long": (
        "상담 내용이 너무 깁니다. {limit}자 이내로 줄여 주세요.",
        "The note is too long. Shorten it to {limit} characters or fewer.",
    ),
    "note_rejected_channel": ("상담 채널을 목록에서 고르세요.", "Pick the channel from the list."),
    "note_rejected_outcome": ("상담 결과를 목록에서 고르세요.", "Pick the outcome from the list."),
    "note_rejected_correction": (
        "정정할 기록이 이 고객의 기록이 아닙니다. 이 고객의 이력에서 고르세요.",
        "The note to correct is not this customer's. Pick one from this customer's history.",
    ),
    "events_title": ("다가오는 기념일 (60일 이내)", "Upcoming dates (next 60 days)"),
    "no_events": ("60일 안에 다가오는 기념일이 없습니다.", "Nothing in the next 60 days."),
    "col_event": ("기념일", "Event"),
    "col_next_on": ("날짜", "Date"),
    "col_days_until": ("남은 날", "Days left"),
    "col_years": ("햇수", "Years"),
    "event_birthday": ("생일", "Birthday"),
    "event_wedding_anniversary": ("결혼기념일", "Wedding anniversary"),
    "event_account_anniversary": ("거래 기념일", "Account anniversary"),
    "days_left": ("D-{days}", "in {days} days"),
    "today_event": ("오늘", "Today"),
    "transfers_title": ("관리 지점 이동 이력", "Branch transfers"),
    "no_transfers": ("지점 이동 이력이 없습니다.", "No branch transfers."),
    "col_transferred_on": ("이동일", "Date"),
    "col_from": ("이전 지점", "From"),
    "col_to": ("새 지점", "To"),
    "col_reason": ("사유", "Reason"),
    "alerts_manage": ("경보 등록·해제", "Raise or resolve an alert"),
    "alert_kind": ("경보 종류", "Kind"),
    "alert_severity": ("중요도", "Severity"),
    "severity_critical": ("긴급", "Critical"),
    "severity_warning": ("주의", "Warning"),
    "alert_text": ("경보 내용", "What staff must know"),
    "alert_raise": ("경보 등록", "Raise alert"),
    "alert_raised": ("경보를 등록했습니다.", "The alert is raised."),
    "alert_to_resolve": ("해제할 경보", "Alert to resolve"),
    "resolution_note": ("해제 사유", "How it was resolved"),
    "alert_resolve": ("경보 해제", "Resolve alert"),
    "alert_resolved": ("경보를 해제했습니다.", "The alert is resolved."),
    "no_open_alerts": ("미해결 경보가 없습니다.", "No open alerts."),
    "alert_rejected_empty": (
        "내용이 비어 있습니다. 내용을 적은 뒤 다시 누르세요.",
        "The text is empty. Write it, then try again.",
    ),
    "alert_rejected_too_long": (
        "내용이 너무 깁니다. {limit}자 이내로 줄여 주세요.",
        "The text is too long. Shorten it to {limit} characters or fewer.",
    ),
    "alert_rejected_kind": ("경보 종류를 목록에서 고르세요.", "Pick the kind from the list."),
    "alert_rejected_severity": ("중요도를 목록에서 고르세요.", "Pick the severity from the list."),
    "alert_rejected_not_open": (
        "이 경보는 이미 해제되었습니다. 새로고침하면 현재 상태가 보입니다.",
        "This alert is already resolved. Reload to see its current state.",
    ),
    "write_refused": (
        "이 계정으로는 고객 기록에 쓸 수 없습니다. 직원 계정으로 로그인하세요.",
        "This account cannot write on customer records. Sign in with your employee account.",
    ),
}


def language() -> str:
    return st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)


def t(key: str, **values: object) -> str:
    """The sentence `key` in the session's language, with `values` filled in."""
    korean, english = MESSAGES[key]
    text = korean if language() == "ko" else english
    return text.format(**values) if values else text
