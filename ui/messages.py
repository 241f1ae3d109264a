"""Every sentence a user reads, in Korean and English; Korean is the default.

No Streamlit here: the command line and data_access tests read the same catalogue as the pages
(ui/i18n.py adds the session's language on top). `translate` is the one lookup, so the
catalogue can later come from compiled gettext files without its callers changing.
"""

from __future__ import annotations

from data_access.job_runs import JobName
from data_access.models import Role
from data_access.policy import Action

LANGUAGES = {"ko": "한국어", "en": "English"}
DEFAULT_LANGUAGE = "ko"

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
        "아이디 또는 비밀번호가 맞지 않습니다. 다시 입력해 주세요. "
        "실패가 거듭되면 몇 분 기다린 뒤에 다시 시도할 수 있습니다.",
        "The username or password is not right. Please try again; after repeated failures, "
        "wait a few minutes before the next try.",
    ),
    # --- issue #18: access follows the person, sign-in gives nothing away -----------------
    "password_too_weak": (
        "너무 쉽게 짐작되는 비밀번호입니다 (흔한 비밀번호, 같은 글자나 키보드 순서의 반복, "
        "아이디나 이름이 든 것). 서로 관계없는 낱말 서너 개를 이어 보세요.",
        "This password is too easy to guess (a common one, repeated or keyboard-order "
        "characters, or your own name in it). Try three or four unrelated words together.",
    ),
    "alert_rejected_other_branch": (
        "이 고객의 경보는 관리 지점 직원(또는 본사)만 해제할 수 있습니다. 확인한 내용을 관리 "
        "지점에 알려 주세요. 경보는 해제될 때까지 모두에게 그대로 보입니다.",
        "This customer's alerts are resolved by the staff of the customer's home branch (or "
        "head office). Tell them what you found; the alert stays on everyone's screen until "
        "then.",
    ),
    "view_reason_needed": (
        "담당 고객(지점장은 지점 고객)이 아닙니다. 개인정보를 보기 전에 열람 사유를 남겨 "
        "주세요. 사유는 이 열람의 감사 기록에 남습니다.",
        "This customer is outside your own book (your branch, for a branch manager). Before "
        "personal data shows, say why you open the record; the reason is kept in the audit "
        "trail with this view.",
    ),
    "view_reason": ("열람 사유", "Reason"),
    "view_reason_text": (
        "자세한 내용 (선택, '기타'는 필수)",
        "Details (optional; required for Other)",
    ),
    "view_reason_open": ("사유 남기고 열기", "Record the reason and open"),
    "view_reason_customer_request": (
        "고객 응대 (내방·전화·요청)",
        "Serving the customer (visit, call or request)",
    ),
    "view_reason_colleague_cover": (
        "담당 직원 대신 응대",
        "Standing in for the customer's own staff",
    ),
    "view_reason_alert_check": ("경보·이상 거래 확인", "Checking an alert or unusual activity"),
    "view_reason_complaint": ("민원 처리", "Handling a complaint"),
    "view_reason_supervision": ("점검·감독 업무", "Review or supervision"),
    "view_reason_other": ("기타 (내용에 적기)", "Other (say in the details)"),
    "view_reason_rejected_unknown": (
        "목록에 있는 사유를 고르세요.",
        "Pick a reason from the list.",
    ),
    "view_reason_rejected_needs_text": (
        "'기타'를 고르면 열람 사유를 내용에 적어 주세요.",
        "With Other, say in the details why you open the record.",
    ),
    "view_reason_rejected_too_long": (
        "사유는 {limit}자 이내로 적어 주세요.",
        "Keep the reason to {limit} characters.",
    ),
    # --- end of issue #18 block ---------------------------------------------------------------
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
    "first_run_indexes": ("색인 만드는 중", "Building indexes"),
    "first_run_finishing": ("마무리 중", "Finishing"),
    "first_run_history": (
        "사용 집계, 아젠다 이력, 세그먼트 사본, KPI 준비 중",
        "Preparing usage counts, agenda history, the segment copy and KPIs",
    ),
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
    "customer_search_limit": (
        "결과가 많아 {count}명까지만 보여 줍니다. 이름을 더 입력해 좁혀 보세요.",
        "Showing the first {count}; type more of the name to narrow the list.",
    ),
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
    # --- consent and contact suppression (issue #22) ---
    "consent_rejected_purpose": (
        "알 수 없는 동의 목적입니다. 마케팅이나 상품 안내 중에서 고르세요.",
        "Unknown consent purpose. Choose marketing or product information.",
    ),
    "consent_rejected_channel": (
        "알 수 없는 채널입니다. DM, TM, 문자, 이메일 중에서 고르세요.",
        "Unknown channel. Choose DM, TM, SMS or e-mail.",
    ),
    "consent_rejected_source": (
        "동의를 받은 경로를 지점, 전화, 온라인, 서면 중에서 고르세요.",
        "Choose where the consent came from: branch, phone, online or written.",
    ),
    # --- end of consent and contact suppression ---
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
    # --- Morning agenda, agenda rules, jobs (issue #5) ------------------------------------
    "page_agenda": ("모닝 아젠다", "Morning agenda"),
    "page_branch_agenda": ("아젠다 처리 현황", "Agenda completion"),
    "page_agenda_rules": ("아젠다 규칙", "Agenda rules"),
    "page_jobs": ("예약 작업", "Scheduled jobs"),
    "agenda_title": ("오늘의 아젠다", "Today's agenda"),
    "agenda_caption": (
        "{date} · 우선순위 순서로 사유별로 묶었습니다. 고객 이름을 누르면 고객 360이 열립니다.",
        "{date} · grouped by reason in order of priority. Click a name to open the customer 360.",
    ),
    "agenda_built_at": ("{time}에 생성됨", "Built at {time}"),
    "agenda_build_running": (
        "오늘 아젠다를 만드는 중입니다. 잠시 뒤 새로고침하세요.",
        "Today's agenda is being built. Reload in a moment.",
    ),
    "agenda_build_failed": (
        "오늘 아젠다 생성이 실패했습니다. 이전 항목을 보여 줍니다. 관리자에게 알려 주세요.",
        "Building today's agenda failed; the items shown are from before. Tell an administrator.",
    ),
    "agenda_not_built": (
        "오늘 아젠다가 아직 만들어지지 않았습니다. 아젠다는 영업일 오전 6시에 만들어집니다.",
        "Today's agenda has not been built yet. It is built at 06:00 on working days.",
    ),
    "agenda_empty": ("오늘은 처리할 항목이 없습니다.", "Nothing on your agenda today."),
    "agenda_left": ("남은 일", "Left to do"),
    "agenda_total": ("전체", "All items"),
    "agenda_status_open": ("할 일", "To do"),
    "agenda_status_done": ("완료", "Done"),
    "agenda_status_snoozed": ("미룸", "Snoozed"),
    "agenda_status_unreachable": ("연락 안 됨", "Not reachable"),
    "agenda_snoozed_until": ("{date}까지 미룸", "Snoozed until {date}"),
    "agenda_group_caption": (
        "{total}건 중 {left}건 남음",
        "{left} of {total} left",
    ),
    "agenda_work_title": ("처리 결과 기록", "Record what happened"),
    "agenda_pick": ("고객", "Customers"),
    "agenda_pick_placeholder": ("처리한 고객을 고르세요", "Pick the customers you worked"),
    "agenda_outcome": ("결과", "Outcome"),
    "agenda_snooze_days": ("미룰 기간(일)", "Snooze for (days)"),
    "agenda_note": ("상담 기록 (선택)", "Consultation note (optional)"),
    "agenda_note_help": (
        "적으면 고른 고객마다 상담 기록이 함께 저장됩니다.",
        "If you write one, it is saved as a consultation note for each chosen customer.",
    ),
    "agenda_note_channel": ("상담 채널", "Channel"),
    "agenda_note_outcome": ("상담 결과", "Consultation outcome"),
    "agenda_save": ("기록", "Record"),
    "agenda_saved": ("{count}건을 기록했습니다.", "Recorded {count} item(s)."),
    "agenda_refused_none": ("처리한 고객을 하나 이상 고르세요.", "Pick at least one customer."),
    "agenda_refused_outcome": ("결과를 고르세요.", "Pick an outcome."),
    "agenda_refused_snooze_days": (
        "미룰 기간을 목록에서 고르세요.",
        "Pick how many days to snooze from the list.",
    ),
    "agenda_refused_missing": (
        "아젠다가 다시 만들어져 항목이 바뀌었습니다. 새로고침한 뒤 다시 기록하세요.",
        "The agenda was rebuilt and the item changed. Reload, then record again.",
    ),
    "agenda_refused_not_open": (
        "이미 처리된 항목입니다. 새로고침하면 현재 상태가 보입니다.",
        "That item is already worked. Reload to see its current state.",
    ),
    "agenda_no_role": (
        "모닝 아젠다는 영업 담당과 전담 매니저에게만 있습니다.",
        "Only sales reps and dedicated managers have a morning agenda.",
    ),
    "agenda_d_day": ("오늘", "today"),
    "agenda_d_minus": ("D-{days}", "in {days} days"),
    "agenda_more_events": (" 외 {count}건", " and {count} more"),
    "agenda_why_birthday": (
        "생일 {on} ({when}), {years}세{more}",
        "Birthday {on} ({when}), turns {years}{more}",
    ),
    "agenda_why_wedding_anniversary": (
        "결혼기념일 {on} ({when}), {years}주년{more}",
        "Wedding anniversary {on} ({when}), {years} years{more}",
    ),
    "agenda_why_account_anniversary": (
        "거래 {years}주년 {on} ({when}){more}",
        "{years} years as a customer on {on} ({when}){more}",
    ),
    "agenda_why_maturity": (
        "만기 {on} ({when}), 평가금액 {value} (계좌 {account}{more})",
        "Matures {on} ({when}), value {value} (account {account}{more})",
    ),
    "agenda_more_accounts": (" 외 {count}개", " and {count} more"),
    "agenda_why_dormant": (
        "마지막 거래 {last_on} ({days}일 전), 평가금액 {aum}",
        "Last transaction {last_on} ({days} days ago), holding {aum}",
    ),
    "agenda_why_dormant_never": (
        "거래 기록 없음 (거래 시작 {days}일 전), 평가금액 {aum}",
        "No transaction on record (customer for {days} days), holding {aum}",
    ),
    "agenda_why_churn_risk": (
        "이탈 위험 {score}점 (기준 {threshold}점): {signs}",
        "Churn risk {score} points (threshold {threshold}): {signs}",
    ),
    "agenda_sign_redemptions": (
        "환매·출금 {count}건 {amount} +{points}",
        "{count} redemptions/withdrawals, {amount} +{points}",
    ),
    "agenda_sign_falling_balance": ("잔고 {pct}% 감소 +{points}", "balance down {pct}% +{points}"),
    "agenda_sign_no_contact": (
        "{days}일간 상담 없음 +{points}",
        "no contact for {days} days +{points}",
    ),
    "agenda_sign_never_contacted": ("상담 기록 없음 +{points}", "never consulted +{points}"),
    "agenda_sign_maturity": (
        "{on} 만기 후 재투자 없음 +{points}",
        "matured {on}, not reinvested +{points}",
    ),
    "agenda_why_contact_due": (
        "마지막 상담 {last_on} ({days}일 전, {tier} 기준 {limit}일), 평가금액 {aum}",
        "Last consultation {last_on} ({days} days ago; {tier} every {limit} days), holding {aum}",
    ),
    "agenda_why_contact_due_never": (
        "상담 기록 없음 (거래 시작 {days}일 전, {tier} 기준 {limit}일), 평가금액 {aum}",
        "Never consulted (customer for {days} days; {tier} every {limit} days), holding {aum}",
    ),
    "rule_kind_life_event": ("생일·기념일", "Birthday or anniversary"),
    "rule_kind_maturity": ("만기 도래", "Maturity"),
    "rule_kind_dormant": ("휴면", "Dormant"),
    "rule_kind_churn_risk": ("이탈 위험", "Churn risk"),
    "rule_kind_contact_due": ("DM·연락 주기", "DM / contact due"),
    # Branch completion
    "branch_agenda_title": ("아젠다 처리 현황", "Agenda completion"),
    "agenda_branch_pick": ("지점", "Branch"),
    "agenda_all_branches": ("전 지점", "All branches"),
    "agenda_items": ("항목", "Items"),
    "agenda_by_branch": ("지점별 오늘 현황", "Today by branch"),
    "agenda_by_employee": ("직원별 오늘 현황", "Today by employee"),
    "agenda_by_reason": ("사유별 오늘 현황", "Today by reason"),
    "agenda_by_week": ("주별 처리 추이 (최근 {weeks}주)", "Week by week (last {weeks} weeks)"),
    "agenda_no_items_today": (
        "이 범위에는 오늘 아젠다 항목이 없습니다.",
        "No agenda items in this scope today.",
    ),
    "col_employee_no": ("사번", "Employee no."),
    "col_rule": ("사유", "Reason"),
    "col_items": ("항목", "Items"),
    "col_done": ("완료", "Done"),
    "col_unreachable": ("연락 안 됨", "Not reachable"),
    "col_snoozed": ("미룸", "Snoozed"),
    "col_open": ("남음", "Open"),
    "col_week": ("주 시작일", "Week of"),
    "col_status_label": ("상태", "Status"),
    # Rules admin
    "agenda_rules_title": ("아젠다 규칙", "Agenda rules"),
    "agenda_rules_caption": (
        "규칙을 바꾸면 다음 아젠다 생성부터 적용됩니다. 저장 전에 오늘 기준 미리보기로 항목 수를 확인하세요.",
        "A change applies from the next agenda build. Preview today's item counts before saving.",
    ),
    "rule_to_edit": ("편집할 규칙", "Rule to edit"),
    "rule_new": ("새 규칙: {kind}", "New rule: {kind}"),
    "rule_form_title": ("규칙 내용", "The rule"),
    "rule_kind": ("종류", "Kind"),
    "rule_field_rule": ("규칙", "Rule"),
    "rule_field_kind": ("종류", "Kind"),
    "rule_field_name_ko": ("이름(한국어)", "Name (Korean)"),
    "rule_field_name_en": ("이름(영어)", "Name (English)"),
    "rule_field_priority": ("우선순위 (1이 먼저)", "Priority (1 comes first)"),
    "rule_field_tiers": ("대상 등급", "Tiers"),
    "rule_field_enabled": ("사용", "Enabled"),
    "rule_field_events": ("기념일 종류", "Events"),
    "rule_field_within_days": ("며칠 안에", "Within days"),
    "rule_field_min_value_krw": ("최소 평가금액(원)", "Minimum value (KRW)"),
    "rule_field_idle_days": ("거래 없는 기간(일)", "Days without a transaction"),
    "rule_field_min_aum_krw": ("최소 평가금액(원)", "Minimum holding (KRW)"),
    "rule_field_window_days": ("관찰 기간(일)", "Window (days)"),
    "rule_field_min_redemptions": ("최소 환매·출금 건수", "Minimum redemptions"),
    "rule_field_balance_drop_pct": ("잔고 감소율(%)", "Balance drop (%)"),
    "rule_field_no_contact_days": ("상담 없는 기간(일)", "Days without contact"),
    "rule_field_weight_redemptions": ("가중치: 환매", "Weight: redemptions"),
    "rule_field_weight_falling_balance": ("가중치: 잔고 감소", "Weight: falling balance"),
    "rule_field_weight_no_contact": ("가중치: 상담 없음", "Weight: no contact"),
    "rule_field_weight_maturity_not_reinvested": (
        "가중치: 만기 후 미재투자",
        "Weight: matured, not reinvested",
    ),
    "rule_field_threshold": ("기준 점수", "Threshold score"),
    "rule_field_days_by_tier": ("등급별 연락 주기(일)", "Days between contacts, by tier"),
    "rule_field_channel": ("채널 (수신 동의)", "Channel (consent)"),
    "rule_field_max_per_employee": ("직원당 하루 최대 건수", "At most per employee a day"),
    "rule_days_for_tier": ("{tier} (일)", "{tier} (days)"),
    "rule_channel_any": ("제한 없음", "Any"),
    "rule_channel_dm": ("DM 수신 동의 고객만", "DM consent only"),
    "rule_channel_tm": ("TM 수신 동의 고객만", "TM consent only"),
    "rule_churn_help": (
        "점수 = 최근 환매가 기준 건수 이상이면 가중치(환매) + 잔고가 기준 비율 이상 줄면 가중치(잔고 감소) + 상담 없는 기간이 기준 이상이면 가중치(상담 없음) + 관찰 기간 중 만기 후 입금이 없으면 가중치(만기). 기준 점수 이상이면 아젠다에 올립니다.",
        "Score = weight (redemptions) if recent redemptions reach the minimum + weight (falling balance) if the balance fell by the percentage + weight (no contact) if there was no consultation for the days + weight (maturity) if an account matured in the window and nothing was paid in since. Listed at the threshold or above.",
    ),
    "rule_preview": ("오늘 기준 미리보기", "Preview for today"),
    "rule_save": ("저장", "Save"),
    "rule_saved": (
        "규칙을 저장했습니다 (버전 {version}).",
        "The rule is saved (version {version}).",
    ),
    "rule_refused": (
        "저장하지 않았습니다. 아래 내용을 고친 뒤 다시 시도하세요.",
        "Nothing was saved. Fix the following, then try again.",
    ),
    "rule_preview_total": ("오늘 항목 수", "Items today"),
    "rule_preview_branches": ("항목이 있는 지점", "Branches with items"),
    "rule_preview_none": (
        "오늘 기준으로 이 규칙에 해당하는 고객이 없습니다.",
        "No customer meets this rule today.",
    ),
    "rule_preview_all": ("사용 중인 규칙 전체 미리보기", "Preview all enabled rules"),
    "rule_problem_greater_than_equal": (
        "{field}: {limit} 이상이어야 합니다.",
        "{field}: must be at least {limit}.",
    ),
    "rule_problem_greater_than": (
        "{field}: {limit}보다 커야 합니다.",
        "{field}: must be above {limit}.",
    ),
    "rule_problem_less_than_equal": (
        "{field}: {limit} 이하여야 합니다.",
        "{field}: must be at most {limit}.",
    ),
    "rule_problem_too_short": ("{field}: 비워 둘 수 없습니다.", "{field}: cannot be empty."),
    "rule_problem_string_too_short": ("{field}: 비워 둘 수 없습니다.", "{field}: cannot be empty."),
    "rule_problem_string_too_long": (
        "{field}: {limit}자 이내로 줄이세요.",
        "{field}: at most {limit} characters.",
    ),
    "rule_problem_missing": ("{field}: 값을 넣으세요.", "{field}: give a value."),
    "rule_problem_int_type": ("{field}: 정수를 넣으세요.", "{field}: give a whole number."),
    "rule_problem_int_parsing": ("{field}: 정수를 넣으세요.", "{field}: give a whole number."),
    "rule_problem_int_from_float": ("{field}: 정수를 넣으세요.", "{field}: give a whole number."),
    "rule_problem_literal_error": ("{field}: 목록에서 고르세요.", "{field}: pick from the list."),
    "rule_problem_enum": ("{field}: 목록에서 고르세요.", "{field}: pick from the list."),
    "rule_problem_threshold_unreachable": (
        "{field}: 가중치 합계가 기준 점수 {limit}보다 작아 어떤 고객도 해당할 수 없습니다.",
        "{field}: the weights add up to less than the threshold {limit}; no customer could reach it.",
    ),
    "rule_problem_tier_days_missing": (
        "{field}: 고른 등급마다 연락 주기를 넣으세요 (빠진 등급: {limit}).",
        "{field}: give the days for every chosen tier (missing: {limit}).",
    ),
    "rule_problem_name_taken": (
        "{field}: 같은 이름의 규칙이 이미 있습니다.",
        "{field}: another rule has this name.",
    ),
    "rule_problem_stale": (
        "다른 사람이 먼저 이 규칙을 저장했습니다. 새로고침한 뒤 다시 고치세요.",
        "Someone saved this rule in the meantime. Reload, then make your change again.",
    ),
    "rule_problem_kind_fixed": (
        "{field}: 규칙의 종류는 바꿀 수 없습니다.",
        "{field}: a rule keeps its kind.",
    ),
    "col_version": ("버전", "Version"),
    "col_updated_by": ("수정자", "Changed by"),
    "col_updated_at": ("수정 시각", "Changed at"),
    "col_enabled": ("사용", "Enabled"),
    "col_priority": ("우선순위", "Priority"),
    "col_params": ("설정", "Settings"),
    # Jobs admin
    "jobs_title": ("예약 작업", "Scheduled jobs"),
    "jobs_caption": (
        "작업은 영업일(월~금, 공휴일과 회사 휴무일 제외) 정해진 시각(서울)에 실행됩니다.",
        "Jobs run at a set Seoul time on working days (Mon-Fri, without public and firm holidays).",
    ),
    "jobs_schedules": ("일정", "Schedules"),
    "job_agenda": ("모닝 아젠다 생성", "Morning agenda build"),
    "job_customer-features": ("세그먼트용 고객 특성 사본", "Customer features for segments"),
    "jobs_working_days_at": (
        "영업일 {time} (서울 시각)",
        "Working days at {time} (Seoul time)",
    ),
    "jobs_next_run": ("다음 실행", "Next run"),
    "jobs_paused": ("일시 중지됨", "Paused"),
    "jobs_pause": ("일시 중지", "Pause"),
    "jobs_resume": ("다시 시작", "Resume"),
    "jobs_paused_done": ("{job} 작업을 일시 중지했습니다.", "Paused {job}."),
    "jobs_resumed_done": ("{job} 작업을 다시 시작했습니다.", "Resumed {job}."),
    "jobs_run_now": ("지금 실행", "Run now"),
    "jobs_run_date": ("기준일", "Business date"),
    "jobs_run_done": (
        "{date} {job} 실행을 마쳤습니다: {items}건, {seconds}초.",
        "Ran {job} for {date}: {items} rows in {seconds} s.",
    ),
    "jobs_recent_runs": ("최근 실행", "Recent runs"),
    "jobs_no_runs": ("아직 실행 기록이 없습니다.", "No runs yet."),
    "jobs_last_failed": (
        "{date} {job} 실행이 실패했습니다: {error}",
        "The {job} run for {date} failed: {error}",
    ),
    "jobs_scheduler_here": (
        "이 콘솔 프로세스 안에서 스케줄러가 실행 중입니다.",
        "A scheduler runs inside this console process.",
    ),
    "jobs_scheduler_elsewhere": (
        "이 콘솔은 스케줄러를 실행하지 않습니다. 운영 환경에서는 `python -m jobs scheduler` 프로세스 하나가 실행합니다.",
        "This console runs no scheduler; in production one `python -m jobs scheduler` process does.",
    ),
    "col_job": ("작업", "Job"),
    "col_business_date": ("기준일", "Business date"),
    "col_run_status": ("결과", "Status"),
    "col_started_at": ("시작", "Started"),
    "col_duration": ("소요(초)", "Seconds"),
    "col_rows": ("건수", "Rows"),
    "col_detail": ("사유별 건수", "Items by rule"),
    "col_error": ("오류", "Error"),
    "run_status_running": ("실행 중", "Running"),
    "run_status_succeeded": ("성공", "Succeeded"),
    "run_status_failed": ("실패", "Failed"),
    "holidays_title": ("휴무일 ({year}년)", "Holidays ({year})"),
    "holidays_caption": (
        "공휴일은 holidays 패키지에서 자동으로 반영됩니다. 회사 휴무일을 더하면 예약 작업이 그날 실행되지 않습니다.",
        "Public holidays come from the holidays package. Add the firm's own closures; scheduled jobs skip them.",
    ),
    "holiday_source_public": ("공휴일", "Public holiday"),
    "holiday_source_firm": ("회사 휴무일", "Firm holiday"),
    "holiday_day": ("날짜", "Date"),
    "holiday_name": ("이름", "Name"),
    "holiday_add": ("휴무일 추가", "Add holiday"),
    "holiday_remove": ("휴무일 삭제", "Remove holiday"),
    "holiday_to_remove": ("삭제할 회사 휴무일", "Firm holiday to remove"),
    "holiday_added": ("{day}을(를) 휴무일로 정했습니다.", "{day} is now a firm holiday."),
    "holiday_removed": ("{day} 휴무일을 삭제했습니다.", "{day} is no longer a firm holiday."),
    "holiday_rejected_name": (
        "휴무일 이름을 {limit}자 이내로 적으세요.",
        "Name the holiday in {limit} characters or fewer.",
    ),
    "holiday_rejected_past": (
        "지난 날짜는 휴무일로 정할 수 없습니다.",
        "A day that has passed cannot be closed.",
    ),
    "holiday_rejected_exists": ("이미 회사 휴무일입니다.", "That day is already a firm holiday."),
    "holiday_rejected_missing": ("회사 휴무일이 아닙니다.", "That day is not a firm holiday."),
    "weekday_0": ("월", "Mon"),
    "weekday_1": ("화", "Tue"),
    "weekday_2": ("수", "Wed"),
    "weekday_3": ("목", "Thu"),
    "weekday_4": ("금", "Fri"),
    "weekday_5": ("토", "Sat"),
    "weekday_6": ("일", "Sun"),
    "col_weekday": ("요일", "Day"),
    "col_source": ("구분", "Kind"),
    # --- KPIs and executive page (issue #7) ---
    "page_executive": ("경영 KPI", "Executive KPIs"),
    "job_kpi-snapshot": ("KPI 일별 스냅샷", "Daily KPI snapshot"),
    "kpi_title_firm": ("경영 KPI · 전사", "Executive KPIs · whole firm"),
    "kpi_title_branch": ("경영 KPI · {branch}", "Executive KPIs · {branch}"),
    "kpi_caption": (
        "{start} ~ {end} · 마지막 스냅샷 {latest} · 지표 이름 옆 물음표에 정의가 있습니다.",
        "{start} to {end} · latest snapshot {latest} · the question mark by a KPI defines it.",
    ),
    "kpi_period": ("기간 단위", "Period"),
    "kpi_period_day": ("일", "Day"),
    "kpi_period_week": ("주", "Week"),
    "kpi_period_month": ("월", "Month"),
    "kpi_period_quarter": ("분기", "Quarter"),
    "kpi_range": ("조회 기간", "Date range"),
    "kpi_range_incomplete": (
        "조회 기간의 시작일과 종료일을 모두 고르세요.",
        "Pick both the first and the last day of the range.",
    ),
    "kpi_no_snapshots": (
        "아직 KPI 스냅샷이 없습니다. 스냅샷은 영업일 저녁 8시에 만들어집니다. 관리자는 "
        "'python -m jobs run kpi-snapshot --from 날짜 --to 날짜'로 과거를 채울 수 있습니다.",
        "There are no KPI snapshots yet. They are made at 20:00 on working days; an "
        "administrator can fill the past with 'python -m jobs run kpi-snapshot --from DATE "
        "--to DATE'.",
    ),
    "kpi_empty_range": (
        "{start} ~ {end} 기간에는 KPI 스냅샷이 없습니다. 다른 기간을 고르세요.",
        "There are no KPI snapshots from {start} to {end}. Pick another range.",
    ),
    "kpi_gaps": (
        "스냅샷이 없는 영업일 {days}일은 그래프에 빈칸으로 표시됩니다(0이 아님).",
        "{days} working days have no snapshot; they show as gaps in the chart, not as zero.",
    ),
    "kpi_branch_refused": (
        "다른 지점의 KPI는 볼 수 없습니다. 지점장은 자기 지점만 볼 수 있습니다.",
        "You cannot see another branch's KPIs; a branch manager sees their own branch only.",
    ),
    "kpi_branch_unknown": (
        "지점 코드 '{code}'인 지점이 없습니다. 주소의 branch 값을 확인하세요.",
        "There is no branch with code '{code}'. Check the branch value in the address.",
    ),
    "kpi_own_branch": ("내 지점 KPI 보기", "Show my branch's KPIs"),
    "kpi_back_to_firm": ("전사 보기로 돌아가기", "Back to the whole firm"),
    "kpi_tiles": ("핵심 지표 · {period}", "Key figures · {period}"),
    "kpi_period_to_date": ("{period} ({date}까지)", "{period} (to {date})"),
    "kpi_vs_span": ("{latest}, {previous} 대비", "{latest} vs {previous}"),
    "kpi_vs_close": ("{day} 대비", "vs {day}"),
    "kpi_tiles_caption_like_for_like": (
        "흐름 지표(순유입, 신규·이탈 고객, DM·TM 발송)는 기간 합계를 같은 날수끼리 비교합니다"
        "({flows}). 나머지는 마지막 값을 이전 기간 말 값과 비교합니다({ends}). 작은 선은 조회 "
        "기간의 추이입니다.",
        "Flows (net flows, new and lost customers, DM/TM pieces) add up over the period and "
        "are compared over the same days ({flows}); the others compare their last value with "
        "the end of the previous period ({ends}). The small line is the trend shown.",
    ),
    "kpi_target_is": ("목표 {target}", "Target {target}"),
    "kpi_target_met": ("달성", "met"),
    "kpi_target_missed": ("미달", "missed"),
    "kpi_trend": ("추이", "Trend"),
    "kpi_pick": ("지표", "KPI"),
    "col_period": ("기간", "Period"),
    "col_kpi": ("지표", "KPI"),
    "col_value": ("값", "Value"),
    "col_median": ("전사 중앙값", "Firm median"),
    "col_target": ("목표", "Target"),
    "col_trend": ("추이", "Trend"),
    "col_region": ("지역", "Region"),
    "col_branch_code": ("지점 코드", "Branch code"),
    "col_branch_name": ("지점", "Branch"),
    "kpi_league": ("지점 순위표", "Branch league table"),
    "kpi_league_caption": (
        "{date} 기준 · '{kpi}' 순(추이에서 고른 지표) · 열 제목을 누르면 다시 정렬됩니다. "
        "행을 고르면 그 지점으로 들어갑니다.",
        "As of {date} · ranked by {kpi} (the KPI picked for the trend) · click a column title "
        "to sort again; pick a row to open that branch.",
    ),
    "kpi_open_branch": ("지점으로 들어가기", "Open a branch"),
    "kpi_open_branch_placeholder": ("지점을 고르세요", "Choose a branch"),
    "kpi_regions": ("지역별 현황", "By region"),
    "kpi_branch_staff": ("지점 직원과 아젠다", "Staff and agenda"),
    "kpi_no_agenda": (
        "{date}에는 이 지점의 아젠다가 없습니다.",
        "No agenda for this branch on {date}.",
    ),
    "kpi_export": ("표시된 KPI 내려받기(CSV)", "Download the KPIs shown (CSV)"),
    "kpi_export_league": ("순위표 내려받기(CSV)", "Download the league table (CSV)"),
    "kpi_export_reason": (
        "내려받는 이유 (감사 기록에 남습니다)",
        "Reason for the download (kept in the audit log)",
    ),
    "kpi_export_prepare": ("파일 만들기", "Prepare the file"),
    "kpi_export_download": ("CSV 내려받기", "Download the CSV"),
    "kpi_export_no_grant": (
        "KPI 표를 내려받으려면 관리자의 내보내기 권한 부여가 필요합니다.",
        "Downloading KPI tables needs an export grant from an administrator.",
    ),
    "kpi_settings": ("KPI 목표와 DM·TM 단가 (관리자)", "KPI targets and DM/TM costs (admin)"),
    "kpi_settings_caption": (
        "목표와 단가는 데이터입니다. 바꾸면 감사 기록에 남고, 단가는 다음 스냅샷부터 반영됩니다.",
        "Targets and costs are data: every change is audited; costs apply from the next "
        "snapshot on.",
    ),
    "kpi_target_value": ("목표값", "Target value"),
    "kpi_save_target": ("목표 저장", "Save target"),
    "kpi_target_saved": (
        "{kpi} 목표를 {value}(으)로 저장했습니다.",
        "Saved the {kpi} target: {value}.",
    ),
    "kpi_parameter": ("단가 항목", "Cost"),
    "kpi_parameter_dm_piece_cost_krw": ("DM 1건 비용(원)", "Cost of one DM piece (KRW)"),
    "kpi_parameter_tm_piece_cost_krw": ("TM 1통 비용(원)", "Cost of one TM call (KRW)"),
    "kpi_parameter_value": ("금액(원)", "Amount (KRW)"),
    "kpi_save_parameter": ("단가 저장", "Save cost"),
    "kpi_parameter_saved": ("{name}을(를) {value}(으)로 저장했습니다.", "Saved {name}: {value}."),
    "kpi_setting_rejected": (
        "저장하지 않았습니다: 0 이상의 숫자를 넣으세요(비율은 100 이하).",
        "Not saved: enter a number of zero or more (at most 100 for a percentage).",
    ),
    "home_kpi_branch": (
        "내 지점 KPI · 전사 중앙값과 비교",
        "Your branch's KPIs against the firm median",
    ),
    "home_kpi_firm": ("전사 KPI", "Firm KPIs"),
    "home_kpi_caption": (
        "{date} 스냅샷 기준. 자세한 내용은 '경영 KPI' 화면에 있습니다.",
        "From the snapshot of {date}; the Executive KPIs page has the detail.",
    ),
    # --- Usage and training (issue #8) ---
    "page_usage": ("시스템 활용", "Staff usage"),
    "page_training": ("교육 관리", "Training"),
    "job_usage-aggregate": ("시스템 사용 일별 집계", "Daily usage counts"),
    # One truth per number (#19): figures defined once in data_access/metrics.py.
    "training_completion": ("교육 이수율", "Training completion"),
    "expiring_within": ("{days}일 내 만료", "Expiring within {days} days"),
    "usage_of_norm": ("기준의 {pct:.0f}%", "{pct:.0f}% of the norm"),
    "col_completion_window": ("완료율(30일, %)", "Completion, 30 days (%)"),
    "branch_agenda_window_caption": (
        "{scope} · 항목과 처리 건수는 오늘({date}), 완료율은 {first} ~ {last} 30일 기준입니다. "
        "완료율은 완료와 연락 안 됨의 비율입니다(미룸은 제외).",
        "{scope} · items and their work are today's ({date}); completion covers the 30 days "
        "{first} to {last} and counts done and not reachable (a snooze is not done).",
    ),
    "kpi_branch_staff_window_caption": (
        "직원별 오늘({date}) 아젠다 항목과 최근 30일(마감된 마지막 영업일까지) 완료율입니다.",
        "Each employee's agenda items today ({date}) and completion over the 30 days to the "
        "last completed business day.",
    ),
    "usage_title": ("직원 시스템 활용", "Staff use of the console"),
    # Names, units and charts a reader expects (#20): executive, home, usage, training, agenda.
    "kpi_more_tiles": ("다른 지표 {count}개", "{count} more KPIs"),
    # End of the #20 names-units-charts block.
    "usage_caption": (
        "{scope} · 최근 {days}일 ({first} ~ {last}), 하루 약 {norm}회 사용이 기준입니다.",
        "{scope} · last {days} days ({first} to {last}); the norm is about {norm} actions a day.",
    ),
    "usage_all_branches": ("전체 지점", "All branches"),
    "usage_own_branch": ("내 지점 보기", "Show my branch"),
    "usage_branch_pick": ("지점", "Branch"),
    "usage_out_of_scope": (
        "다른 지점 직원의 활용 현황은 볼 수 없습니다. 지점장은 자기 지점만 볼 수 있습니다.",
        "You cannot see another branch's staff: branch managers see their own branch only.",
    ),
    "usage_no_data": (
        "집계된 사용 기록이 없습니다. 사용 집계 작업(usage-aggregate)이 실행되면 표시됩니다.",
        "No usage has been counted yet; it appears once the usage-aggregate job has run.",
    ),
    "usage_staff": ("직원 수", "Staff"),
    "usage_per_person_day": ("1인 1일 사용", "Actions per person a day"),
    "usage_dau": ("일 사용자(DAU)", "Daily active (DAU)"),
    "usage_wau": ("주 사용자(WAU)", "Weekly active (WAU)"),
    "usage_mau": ("월 사용자(MAU)", "Monthly active (MAU)"),
    "usage_stickiness": ("고착도(DAU/MAU)", "Stickiness (DAU/MAU)"),
    "usage_tab_people": ("직원별", "By person"),
    "usage_tab_coverage": ("기능 활용", "Features"),
    "usage_tab_trend": ("추세", "Trend"),
    "usage_tab_attention": ("미사용·종이 병행", "Idle and paper"),
    "usage_tab_person": ("직원 상세", "One person"),
    "usage_tab_training": ("교육 현황", "Training"),
    "usage_coverage_caption": (
        "최근 {days}일 동안 각 기능을 사용한 횟수입니다. 빈칸은 한 번도 쓰지 않은 기능입니다.",
        "How often each feature was used in the last {days} days; a blank is never.",
    ),
    "usage_coverage_branch_caption": (
        "지점별로 각 기능을 한 번이라도 사용한 직원의 비율입니다. 지점을 고르면 직원별로 봅니다.",
        "Share of each branch's staff who used each feature; pick a branch to see each person.",
    ),
    "usage_trend_caption": (
        "주별 사용 직원 수와 사용일 기준 1인 1일 사용 횟수입니다.",
        "Active staff per week and actions per person on the days they used the console.",
    ),
    "usage_decliners": ("사용이 줄어든 직원", "Staff using it less"),
    "usage_decliners_caption": (
        "최근 14일 영업일 평균이 그 전 14일보다 {pct}% 이상 줄어든 직원입니다.",
        "Working-day average of the last 14 days down {pct}% or more on the 14 days before.",
    ),
    "usage_no_decliners": ("사용이 크게 줄어든 직원이 없습니다.", "Nobody's use fell sharply."),
    "usage_idle_days": ("미사용 기준(일)", "Idle for at least (days)"),
    "usage_idle": ("{days}일 이상 사용하지 않은 직원", "Staff idle for {days} days or more"),
    "usage_no_idle": ("해당하는 직원이 없습니다.", "Nobody."),
    "usage_never": ("{weeks}주 동안 없음", "not in {weeks} weeks"),
    "usage_paper": ("종이 병행 의심", "Possibly still on paper"),
    "usage_paper_caption": (
        "상담 기록의 절반 이상을 17시 이후에 몰아서 입력했거나, 아젠다 완료의 80% 이상에 상담 "
        "기록이 없는 직원입니다.",
        "Staff who typed half or more of their notes after 17:00, or closed 80% or more of their "
        "agenda items without a note.",
    ),
    "usage_no_paper": ("해당하는 직원이 없습니다.", "Nobody."),
    "usage_person_pick": ("직원", "Employee"),
    "usage_person_daily": ("최근 {days}일 기능별 사용", "Use by feature, last {days} days"),
    "usage_person_recent": ("최근 사용 기록", "Latest actions"),
    "usage_person_none": ("이 기간에 사용 기록이 없습니다.", "No use in this period."),
    "usage_training_caption": (
        "지점 직원의 교육 이수와 자격 만료 현황입니다.",
        "Your staff's courses and certificates.",
    ),
    "action_page_view": ("화면 보기", "Page view"),
    "action_search": ("고객 검색", "Search"),
    "action_customer_view": ("고객 360 조회", "Customer 360"),
    "action_note": ("상담 기록", "Note"),
    "action_alert": ("주의 알림", "Alert"),
    "action_agenda_work": ("아젠다 처리", "Agenda item"),
    "action_export": ("내보내기", "Export"),
    "action_campaign": ("캠페인", "Campaign"),
    "action_report": ("보고서", "Report"),
    "action_rule_edit": ("규칙 변경", "Rule change"),
    "col_actions": ("사용 횟수", "Actions"),
    "col_active_days": ("사용일", "Days used"),
    "col_per_day": ("1일 사용", "Per day"),
    "col_vs_norm": ("기준 대비", "Of the norm"),
    "col_features": ("사용 기능 수", "Features used"),
    "col_last_active": ("마지막 사용", "Last used"),
    "col_idle_days": ("미사용 일수", "Days idle"),
    "col_change": ("증감", "Change"),
    "col_before_per_day": ("이전 1일", "Before, per day"),
    "col_recent_per_day": ("최근 1일", "Recent, per day"),
    "col_notes": ("상담 기록", "Notes"),
    "col_late_notes": ("17시 이후 기록", "Notes after 17:00"),
    "col_closed": ("아젠다 완료", "Agenda closed"),
    "col_closed_without_note": ("기록 없이 완료", "Closed without note"),
    "col_feature": ("기능", "Feature"),
    "col_events": ("횟수", "Count"),
    "col_active_staff": ("사용 직원", "Active staff"),
    "col_day": ("날짜", "Day"),
    "col_page": ("화면", "Page"),
    "usage_col_target": ("대상", "Target"),
    "col_share_staff": ("사용 직원 비율", "Share of staff"),
    "col_role": ("직무", "Role"),
    "training_title": ("교육 관리", "Training"),
    "training_caption": (
        "과정, 차수, 수강 신청, 결과와 자격을 관리합니다. 기준일 {date}.",
        "Courses, sessions, enrolments, results and certificates, as of {date}.",
    ),
    "training_tab_catalogue": ("과정", "Courses"),
    "training_tab_sessions": ("차수·수강", "Sessions"),
    "training_tab_results": ("결과 입력", "Results"),
    "training_tab_progress": ("이수 현황", "Completion"),
    "training_tab_certs": ("자격 만료", "Certificates"),
    "training_tab_effect": ("교육 효과", "Effect on use"),
    "training_course_new": ("새 과정", "New course"),
    "training_course_edit": ("과정 수정", "Edit a course"),
    "training_course_pick": ("수정할 과정", "Course to edit"),
    "training_code": ("과정 코드", "Course code"),
    "training_title_ko": ("과정명(한국어)", "Title (Korean)"),
    "training_title_en": ("과정명(영어)", "Title (English)"),
    "training_category": ("분류", "Category"),
    "training_cert_months": (
        "자격 유효기간(개월, 0이면 자격 없음)",
        "Certificate lasts (months, 0 for none)",
    ),
    "training_save": ("저장", "Save"),
    "training_saved": ("과정 {code}을(를) 저장했습니다.", "Course {code} saved."),
    "training_retire": ("폐지", "Retire"),
    "training_restore": ("다시 운영", "Bring back"),
    "training_retired": ("과정 {code}을(를) 폐지했습니다.", "Course {code} retired."),
    "training_restored": ("과정 {code}을(를) 다시 운영합니다.", "Course {code} is offered again."),
    "training_category_system": ("시스템", "System"),
    "training_category_certification": ("인증", "Certification"),
    "training_category_compliance": ("준법", "Compliance"),
    "training_category_product": ("상품", "Product"),
    "training_category_sales": ("영업", "Sales"),
    "training_category_management": ("관리자", "Management"),
    "training_session_new": ("새 차수", "New session"),
    "training_course": ("과정", "Course"),
    "training_starts_on": ("시작일", "Starts"),
    "training_ends_on": ("종료일", "Ends"),
    "training_location": ("장소", "Location"),
    "training_session_added": ("차수를 만들었습니다.", "Session scheduled."),
    "training_enrol": ("수강 신청", "Enrol staff"),
    "training_session_pick": ("차수", "Session"),
    "training_employee_nos": (
        "사번 (쉼표나 줄바꿈으로 구분)",
        "Employee numbers (separated by commas or lines)",
    ),
    "training_enrolled": ("{count}명을 신청했습니다.", "{count} enrolled."),
    "training_result_form": ("결과 한 건 입력", "Record one result"),
    "training_employee_no": ("사번", "Employee no."),
    "training_completed_on": ("이수일", "Completed on"),
    "training_score": ("점수", "Score"),
    "training_result_saved": (
        "결과를 저장했습니다 (새로 {created}건, 변경 {updated}건, 그대로 {unchanged}건).",
        "Result saved ({created} new, {updated} changed, {unchanged} unchanged).",
    ),
    "training_import": ("CSV 가져오기", "Import a CSV"),
    "training_import_help": (
        "열: employee_no, course_code, completed_on(YYYY-MM-DD), score(0~100). 이수일이 속한 "
        "차수에 기록하며, 같은 파일을 다시 올려도 중복되지 않습니다.",
        "Columns: employee_no, course_code, completed_on (YYYY-MM-DD), score (0-100). Each result "
        "goes to the course session whose days include the date; importing again adds nothing.",
    ),
    # Imports (#18): files refused before they are read, and row rules.
    "import_refused_sheet_too_large": (
        "시트의 데이터가 {rows}행 × {columns}열에 걸쳐 있어, 가져오기가 읽을 수 있는 {limit}칸을 넘습니다. "
        "데이터 뒤의 빈 행과 열(멀리 떨어진 칸)을 지우거나 시트를 CSV로 저장해 다시 시도하세요. 저장된 것은 없습니다.",
        "The sheet's data spans {rows} rows × {columns} columns, more than the {limit} cells an "
        "import can read. Delete the rows and columns beyond the data (a stray cell far away) or "
        "save the sheet as CSV, then try again. Nothing was saved.",
    ),
    "import_refused_too_many_cells": (
        "파일이 {rows}행 × {columns}열이라고 선언해, 가져오기가 읽을 수 있는 {limit}칸을 넘습니다. "
        "나누어 가져오세요. 저장된 것은 없습니다.",
        "The file declares {rows} rows × {columns} columns, more than the {limit} cells an import "
        "can read. Split it. Nothing was saved.",
    ),
    "import_refused_unpacks_too_large": (
        "파일을 풀면 {size_mb} MB가 되어 한도 {limit_mb} MB를 넘습니다. 보통의 데이터 파일이 아닙니다. "
        "CSV로 저장해 다시 시도하세요. 저장된 것은 없습니다.",
        "The file unpacks to {size_mb} MB, more than the {limit_mb} MB allowed: it is not an "
        "ordinary data file. Save it as CSV and try again. Nothing was saved.",
    ),
    "import_refused_reader_gave_up": (
        "Excel 파일을 읽는 데 메모리 {memory_mb} MB 또는 {seconds}초를 넘게 써서 중단했습니다. "
        "데이터에서 멀리 떨어진 칸이 있는지 확인하거나 시트를 CSV로 저장해 다시 시도하세요. 저장된 것은 없습니다.",
        "Reading the Excel file needed more than {memory_mb} MB of memory or {seconds} seconds, "
        "so it was stopped. Look for cells far beyond the data, or save the sheet as CSV, then "
        "try again. Nothing was saved.",
    ),
    "import_refused_uncalculated_formulas": (
        "수식 {count}칸의 결과가 계산되어 저장되어 있지 않습니다 ({cells}). 파일을 Excel에서 열어 "
        "저장하거나 값으로 붙여 넣은 뒤 다시 가져오세요. 저장된 것은 없습니다.",
        "{count} cells hold a formula whose result was never calculated ({cells}). Open the file "
        "in Excel and save it, or paste the values, then import again. Nothing was saved.",
    ),
    "import_refused_nested_column": (
        "'{column}' 열에 한 칸에 값 하나가 아니라 묶인 값({type})이 들어 있습니다. 값 하나씩인 열로 "
        "풀어서 다시 저장하세요. 저장된 것은 없습니다.",
        "Column '{column}' holds nested values ({type}), not one value per cell. Flatten it into "
        "plain columns and save the file again. Nothing was saved.",
    ),
    "import_refused_too_many_columns": (
        "파일의 열이 {columns}개로, 열 맞추기가 다룰 수 있는 {limit}개를 넘습니다. 필요한 열만 남겨 "
        "다시 저장하세요. 저장된 것은 없습니다.",
        "The file has {columns} columns, more than the {limit} the column matching can take. "
        "Keep the columns needed and save it again. Nothing was saved.",
    ),
    "import_refused_column_name_too_long": (
        "열 이름이 {limit}자를 넘습니다: '{name}'. 첫 행이 머리글인지 확인하세요. 저장된 것은 없습니다.",
        "A column name is longer than {limit} characters: '{name}'. Check that the first row is "
        "the header. Nothing was saved.",
    ),
    "import_reason_control_character": (
        "보이지 않는 제어 문자(NUL 등)가 들어 있음",
        "holds an invisible control character (such as NUL)",
    ),
    "import_reason_not_a_customer_number": (
        "고객번호가 아님 (숫자 12자리 이내, 예: 100000002)",
        "not a customer number (up to 12 digits, e.g. 100000002)",
    ),
    "import_reason_not_a_phone_number": (
        "전화번호가 아님 (예: 010-1234-5678)",
        "not a phone number (e.g. 010-1234-5678)",
    ),
    "import_reason_in_the_future": (
        "업무일 이후의 날짜 (이미 일어난 일이어야 함)",
        "after the business date (it must have happened already)",
    ),
    "import_reason_implausibly_old": (
        "120년도 더 전의 생년월일",
        "a birth date more than 120 years ago",
    ),
    "import_reason_before_opened_on": (
        "개설일(opened_on)보다 이른 날짜",
        "earlier than opened_on",
    ),
    "import_reason_before_birth_date": (
        "생년월일(birth_date)보다 이른 날짜",
        "earlier than birth_date",
    ),
    "training_import_file": ("결과 파일", "Results file"),
    "training_import_summary": (
        "{total}행 중 {good}행은 반영할 수 있고 {bad}행은 문제가 있습니다. 아직 아무것도 바뀌지 "
        "않았습니다.",
        "{good} of {total} rows can be recorded and {bad} have problems. Nothing has changed yet.",
    ),
    "training_import_apply": ("문제없는 {good}행 반영", "Record the {good} good rows"),
    "training_import_errors": ("문제 행 내려받기", "Download the rows with problems"),
    "training_import_done": (
        "반영했습니다: 새로 {created}건, 변경 {updated}건, 그대로 {unchanged}건.",
        "Recorded: {created} new, {updated} changed, {unchanged} unchanged.",
    ),
    "training_reason_missing": ("빈 칸이 있습니다", "A field is empty"),
    "training_reason_unknown_employee": ("없는 사번입니다", "No employee has this number"),
    "training_reason_unknown_course": ("없는 과정 코드입니다", "No course has this code"),
    "training_reason_bad_date": ("날짜 형식이 틀립니다 (YYYY-MM-DD)", "Not a date like 2026-03-10"),
    "training_reason_future_date": ("이수일이 미래입니다", "The date is in the future"),
    "training_reason_no_session": (
        "그 날짜에 해당 과정의 차수가 없습니다",
        "The course has no session on that date",
    ),
    "training_reason_bad_score": ("점수가 숫자가 아닙니다", "The score is not a whole number"),
    "training_reason_score_range": ("점수는 0~100입니다", "A score is 0 to 100"),
    "training_reason_duplicate": (
        "같은 직원·차수가 위에 이미 있습니다",
        "The same person and session appear earlier in the file",
    ),
    "training_rejected_unreadable": (
        "CSV 파일로 읽을 수 없습니다. UTF-8 CSV로 저장해 다시 올리세요.",
        "The file cannot be read as CSV; save it as UTF-8 CSV and try again.",
    ),
    "training_rejected_columns": (
        "필요한 열이 없습니다: employee_no, course_code, completed_on, score",
        "The file needs the columns employee_no, course_code, completed_on, score.",
    ),
    "training_rejected_course_code": (
        "과정 코드는 1~12자입니다.",
        "A course code has 1-12 characters.",
    ),
    "training_rejected_course_title": (
        "과정명을 한국어와 영어로 100자 이내로 적으세요.",
        "Give the title in Korean and English, 100 characters at most.",
    ),
    "training_rejected_course_category": ("분류를 고르세요.", "Pick a category."),
    "training_rejected_course_months": (
        "자격 유효기간은 1~120개월입니다.",
        "A certificate lasts 1 to 120 months.",
    ),
    "training_rejected_course_code_taken": (
        "같은 코드의 과정이 이미 있습니다.",
        "Another course has this code.",
    ),
    "training_rejected_course_missing": ("없는 과정입니다.", "No such course."),
    "training_rejected_course_retired": (
        "폐지된 과정에는 차수를 만들 수 없습니다.",
        "Sessions are for courses still offered.",
    ),
    "training_rejected_session_dates": (
        "종료일이 시작일보다 빠릅니다.",
        "A session cannot end before it starts.",
    ),
    "training_rejected_session_location": (
        "장소를 60자 이내로 적으세요.",
        "Say where, in 60 characters or fewer.",
    ),
    "training_rejected_session_missing": ("없는 차수입니다.", "No such session."),
    "training_by_branch": ("지점별 이수 현황", "Completion by branch"),
    "training_by_person": ("직원별 이수 현황", "Completion by person"),
    "training_out_of_scope": (
        "이 지점 직원의 교육 이수 현황은 볼 수 없습니다.",
        "You cannot see this branch's training records.",
    ),
    "training_all_branches": ("전체 지점 이수 현황 보기", "Show completion in all branches"),
    "training_progress_caption": (
        "미이수는 종료된 차수를 마치지 못한 경우입니다. 이수율 = 이수 / (이수 + 미이수).",
        "Overdue: the session has ended without a completion. Completion = completed / "
        "(completed + overdue).",
    ),
    "training_certs_caption": (
        "직원별·과정별 최신 자격입니다. 빨강은 만료, 노랑은 {days}일 안에 만료됩니다.",
        "Each person's latest certificate per course: red has expired, yellow expires within "
        "{days} days.",
    ),
    "training_state_filter": ("상태", "State"),
    "training_state_expired": ("만료", "Expired"),
    "training_state_expiring": ("만료 임박", "Expiring"),
    "training_state_valid": ("유효", "Valid"),
    "training_effect_caption": (
        "과정 이수 전 4주와 후 4주의 영업일 1일 평균 사용 횟수입니다. 사용 기록이 그 4주를 모두 "
        "덮는 사람만 셉니다.",
        "Console actions per working day in the four weeks before and after completing a course, "
        "counting only people whose usage records cover those four weeks.",
    ),
    "training_effect_none": (
        "비교할 수 있는 이수 기록이 없습니다.",
        "No completion has usage records around it yet.",
    ),
    "col_course": ("과정", "Course"),
    "col_code": ("코드", "Code"),
    "col_category": ("분류", "Category"),
    "col_cert_months": ("자격(개월)", "Certificate (months)"),
    "col_retired": ("폐지", "Retired"),
    "col_starts_on": ("시작", "Starts"),
    "col_ends_on": ("종료", "Ends"),
    "col_location": ("장소", "Location"),
    "col_enrolled": ("신청", "Enrolled"),
    "col_completed": ("이수", "Completed"),
    "col_overdue": ("미이수", "Overdue"),
    "col_upcoming": ("예정", "Upcoming"),
    "col_mean_score": ("평균 점수", "Mean score"),
    "col_completion_rate": ("이수율", "Completion"),
    "col_expired": ("만료 자격", "Expired"),
    "col_expiring": ("만료 임박", "Expiring"),
    "col_staff": ("직원 수", "Staff"),
    "col_certified_on": ("취득일", "Certified"),
    "col_expires_on": ("만료일", "Expires"),
    "col_days_left": ("남은 일수", "Days left"),
    "col_state": ("상태", "State"),
    "col_line": ("행", "Line"),
    "col_people_before": ("이전 인원", "People before"),
    "col_before": ("이전 1일 사용", "Before, per day"),
    "col_people_after": ("이후 인원", "People after"),
    "col_after": ("이후 1일 사용", "After, per day"),
    "training_col_period": ("구간", "Period"),
    "training_before": ("이수 전 4주", "4 weeks before"),
    "training_after": ("이수 후 4주", "4 weeks after"),
    # --- Segments and campaigns (issue #6) ---
    "page_segments": ("세그먼트", "Segments"),
    "page_campaigns": ("DM·TM 캠페인", "DM/TM campaigns"),
    "seg_title": ("세그먼트 탐색", "Segment explorer"),
    "seg_caption": (
        "조건을 고르면 해당 고객 수와 전체 고객 대비 특성이 바로 보입니다.",
        "Pick conditions: the matching customers and how they differ from everyone show at once.",
    ),
    "seg_scope_branch": ("소속 지점 고객만 집계합니다.", "Counts cover your own branch only."),
    "seg_copy_fresh": (
        "분석용 사본 기준: {built_at} 서울 시각 (기준일 {as_of})",
        "Analytical copy built {built_at} Seoul time (as of {as_of})",
    ),
    "seg_copy_behind": (
        "사본을 만든 뒤 고객 데이터 변경이 {changes}건 있었습니다(가져오기, 상담, 캠페인 결과). "
        "숫자에는 다음 갱신 때 반영됩니다.",
        "{changes} changes to customer data since the copy was built (imports, consultations, "
        "campaign outcomes) count from the next refresh.",
    ),
    "seg_copy_refreshing": (
        "사본을 만든 뒤 변경 {changes}건을 반영하도록 지금 다시 만드는 중입니다. 잠시 후 새로 "
        "고침하면 반영됩니다.",
        "The copy is being rebuilt now to count {changes} changes made since; rerun the page "
        "in a moment to see them.",
    ),
    "seg_copy_refresh": ("지금 사본 갱신", "Refresh the copy now"),
    "seg_copy_stale": (
        "분석용 사본이 {days}일 전에 만들어졌습니다. 숫자가 오늘과 다를 수 있습니다.",
        "The analytical copy is {days} days old; numbers may differ from today's.",
    ),
    "seg_copy_missing": (
        "아직 분석용 고객 사본이 없습니다. 야간 작업(customer-features)이 만들거나, 아래 버튼으로 "
        "지금 만들 수 있습니다.",
        "There is no analytical copy of the customers yet. The nightly job (customer-features) "
        "makes it, or build it now with the button below.",
    ),
    "seg_copy_build": ("지금 사본 만들기", "Build the copy now"),
    "seg_copy_missing_wait": (
        "아직 분석용 고객 사본이 없습니다. 야간 작업(customer-features)이 만들면 이 화면을 쓸 수 "
        "있습니다.",
        "There is no analytical copy of the customers yet; this page works once the nightly job "
        "(customer-features) has made it.",
    ),
    "seg_copy_refused": (
        "분석용 사본은 전사 세그먼트 조회 권한자나 작업 실행 권한자만 다시 만들 수 있습니다.",
        "Only firm-wide segment readers and job runners may rebuild the analytical copy.",
    ),
    "seg_copy_built": ("사본을 만들었습니다: 고객 {count}명.", "Copy built: {count} customers."),
    "seg_top_op": ("그룹 결합 방식", "Combine groups with"),
    "seg_op_and": ("모두 만족 (AND)", "All of (AND)"),
    "seg_op_or": ("하나라도 만족 (OR)", "Any of (OR)"),
    "seg_group": ("조건 그룹 {number}", "Condition group {number}"),
    "seg_group_op": ("그룹 안의 조건 결합", "Combine conditions in this group"),
    "seg_field": ("항목", "Field"),
    "seg_min": ("최소", "At least"),
    "seg_max": ("최대", "At most"),
    "seg_values": ("값", "Values"),
    "seg_yes": ("동의", "Consents"),
    "seg_no": ("미동의", "Does not consent"),
    "seg_add_condition": ("조건 추가", "Add condition"),
    "seg_remove_condition": ("조건 삭제", "Remove condition"),
    "seg_add_group": ("그룹 추가", "Add group"),
    "seg_remove_group": ("그룹 삭제", "Remove group"),
    "seg_clear": ("모두 지우기", "Clear all"),
    "seg_empty_group": (
        "조건이 없는 그룹은 고객을 거르지 않습니다.",
        "A group without conditions filters nobody out.",
    ),
    "seg_field_age": ("나이", "Age"),
    "seg_field_gender": ("성별", "Gender"),
    "seg_field_occupation": ("직업", "Occupation"),
    "seg_field_region": ("지역", "Region"),
    "seg_field_branch": ("관리 지점", "Home branch"),
    "seg_field_tier": ("등급", "Tier"),
    "seg_field_aum_krw": ("수탁고(원)", "AUM (KRW)"),
    "seg_field_products": ("보유 펀드 유형", "Fund types held"),
    "seg_field_tenure_years": ("거래 기간(년)", "Tenure (years)"),
    "seg_field_days_since_transaction": ("마지막 거래 후 경과일", "Days since last transaction"),
    "seg_field_days_since_contact": ("마지막 상담 후 경과일", "Days since last contact"),
    "seg_field_preferred_channel": ("선호 채널", "Preferred channel"),
    "seg_field_consent_dm": ("DM 수신 동의", "DM consent"),
    "seg_field_consent_tm": ("TM 수신 동의", "TM consent"),
    "seg_field_consent_email": ("이메일 수신 동의", "E-mail consent"),
    "seg_field_life_event_within_days": ("기념일까지 남은 일수", "Days to next life event"),
    "seg_channel_branch": ("지점", "Branch"),
    "seg_channel_phone": ("전화", "Phone"),
    "seg_channel_online": ("온라인", "Online"),
    "seg_channel_dm": ("DM", "DM"),
    "seg_never_note": (
        "거래·상담 이력이 없는 고객은 '최소' 조건에는 포함되고 '최대' 조건에는 빠집니다.",
        "Customers never served count as long ago: in an 'at least', not in an 'at most'.",
    ),
    "seg_matched": ("해당 고객", "Matching customers"),
    "seg_share": ("전체 대비 {share}", "{share} of all"),
    "seg_in_scope": ("전체 고객", "All customers"),
    "seg_zero": (
        "조건에 맞는 고객이 없습니다.",
        "No customer matches these conditions.",
    ),
    "seg_why_range": (
        "'{field}' 조건이 서로 맞지 않습니다: 최소 {low}이(가) 최대 {high}보다 큽니다.",
        "The '{field}' conditions cannot both hold: at least {low} is above at most {high}.",
    ),
    "seg_why_choices": (
        "'{field}' 조건들에 공통된 값이 없습니다.",
        "The '{field}' conditions have no value in common.",
    ),
    "seg_why_flag": (
        "'{field}'에 동의와 미동의를 동시에 요구합니다.",
        "'{field}' is required to be both yes and no.",
    ),
    "seg_profile": ("세그먼트 특성 (전체 고객 대비)", "Profile (against all customers)"),
    "seg_pyramid": ("나이·성별 분포", "Age and gender"),
    "seg_aum": ("수탁고 분포", "AUM distribution"),
    "seg_tier_mix": ("등급 구성", "Tier mix"),
    "seg_region_mix": ("지역 구성", "Region mix"),
    "seg_product_mix": ("보유 펀드 유형", "Fund types held"),
    "seg_group_segment": ("세그먼트", "Segment"),
    "seg_group_all": ("전체 고객", "All customers"),
    "seg_axis_share": ("비율", "Share"),
    "seg_age_band": ("{low}대", "{low}s"),
    "seg_age_under": ("{high}세 미만", "Under {high}"),
    "seg_age_over": ("{low}세 이상", "{low} and over"),
    "seg_saved": ("저장된 세그먼트", "Saved segments"),
    "seg_saved_none": ("저장된 세그먼트가 없습니다.", "No saved segments yet."),
    "seg_pick_saved": ("세그먼트 선택", "Segment"),
    "seg_load": ("불러오기", "Load"),
    "seg_loaded": (
        "'{name}' 버전 {version}을(를) 불러왔습니다.",
        "Loaded '{name}', version {version}.",
    ),
    "seg_name": ("세그먼트 이름", "Segment name"),
    "seg_share_flag": ("다른 사용자와 공유", "Share with other users"),
    "seg_save_new": ("새 세그먼트로 저장", "Save as a new segment"),
    "seg_save_version": ("새 버전으로 저장", "Save as a new version"),
    "seg_saved_ok": (
        "'{name}' 버전 {version}을(를) 저장했습니다.",
        "Saved '{name}', version {version}.",
    ),
    "seg_rejected_name_empty": ("세그먼트 이름을 입력하세요.", "Give the segment a name."),
    "seg_rejected_name_long": (
        "이름은 {limit}자 이내로 줄여 주세요.",
        "Shorten the name to {limit} characters.",
    ),
    "seg_rejected_name_taken": (
        "같은 이름의 세그먼트가 이미 있습니다. 다른 이름을 쓰세요.",
        "A segment with this name exists already; choose another name.",
    ),
    "seg_rejected_not_owner": (
        "다른 사람의 세그먼트는 고칠 수 없습니다. 새 이름으로 저장하세요.",
        "Only the owner edits a segment; save it under a new name.",
    ),
    "seg_rejected_unknown": ("세그먼트를 찾을 수 없습니다.", "That segment cannot be found."),
    "seg_versions": ("버전 기록", "Version history"),
    "seg_col_version": ("버전", "Version"),
    "seg_col_by": ("작성자", "By"),
    "seg_col_at": ("저장 시각", "Saved at"),
    "seg_spec": ("조건 명세 (JSON)", "Filter spec (JSON)"),
    "seg_spec_help": (
        "그룹을 더 깊게 중첩하려면 명세를 직접 고쳐 적용하세요.",
        "To nest groups deeper, edit the spec here and apply it.",
    ),
    "seg_spec_apply": ("명세 적용", "Apply spec"),
    "seg_spec_invalid": ("명세에 문제가 있습니다:", "The spec has problems:"),
    "seg_spec_deep": (
        "이 세그먼트는 그룹이 깊게 중첩되어 있어 JSON 명세로만 고칠 수 있습니다.",
        "This segment nests groups deeper than the builder shows; edit it in the JSON spec.",
    ),
    "seg_use_builder": ("조건 편집기로 돌아가기", "Back to the builder"),
    "camp_title": ("DM·TM 캠페인", "DM/TM campaigns"),
    "camp_caption": (
        "세그먼트에서 표본을 뽑아 발송하고, 통제군과 비교해 실제 효과를 잽니다.",
        "Draw a sample of a segment, contact it, and measure the real effect against a control.",
    ),
    "camp_tab_new": ("새 캠페인", "New campaign"),
    "camp_tab_list": ("캠페인", "Campaigns"),
    "camp_no_segments": (
        "먼저 세그먼트 화면에서 세그먼트를 저장하세요.",
        "Save a segment on the Segments page first.",
    ),
    "camp_name": ("캠페인 이름", "Campaign name"),
    "camp_segment": ("세그먼트", "Segment"),
    "camp_version": ("버전", "Version"),
    "camp_channel": ("채널", "Channel"),
    "camp_channel_dm": ("DM (우편)", "DM (mail)"),
    "camp_channel_tm": ("TM (전화)", "TM (phone)"),
    "camp_size_mode": ("표본 지정", "Sample by"),
    "camp_by_size": ("고객 수", "Count"),
    "camp_by_rate": ("비율(%)", "Rate (%)"),
    "camp_size": ("표본 크기 (통제군 포함)", "Sample size (control included)"),
    "camp_rate": ("표본 비율 (%)", "Sample rate (%)"),
    "camp_strata": ("층화 기준", "Stratify by"),
    "camp_strata_none": ("층화 없음", "No stratification"),
    "camp_strata_branch": ("지점", "Branch"),
    "camp_strata_tier": ("등급", "Tier"),
    "camp_strata_region": ("지역", "Region"),
    "camp_control_pct": ("통제군 비율 (%)", "Control group (%)"),
    "camp_seed": ("난수 시드", "Random seed"),
    "camp_seed_help": (
        "같은 시드와 같은 사본이면 같은 고객이 뽑힙니다.",
        "The same seed over the same copy draws the same customers.",
    ),
    "camp_cost": ("건당 비용 (원)", "Cost per piece (KRW)"),
    "camp_preview": ("미리 보기", "Preview"),
    "camp_draw": ("표본 추출 및 캠페인 생성", "Draw and create the campaign"),
    "camp_consent_note": (
        "{channel} 수신에 동의한 고객만 대상입니다.",
        "Only customers who consent to {channel} are eligible.",
    ),
    "camp_eligible": ("대상 고객", "Eligible"),
    "camp_contacted": ("발송·통화 대상", "Contacted"),
    "camp_control": ("통제군", "Control"),
    "camp_recorded": ("결과 기록", "Outcomes recorded"),
    "camp_created": (
        "캠페인 #{id}을(를) 만들었습니다: 발송 {contacted}명, 통제군 {control}명.",
        "Campaign #{id} created: {contacted} to contact, {control} held out.",
    ),
    "camp_col_stratum": ("층", "Stratum"),
    "camp_rejected_too_large": (
        "표본 {requested:,}명이 대상 고객 {eligible:,}명보다 많습니다. 표본을 줄이거나 세그먼트를 "
        "넓히세요.",
        "The sample of {requested:,} is larger than the {eligible:,} eligible customers; draw fewer "
        "or widen the segment.",
    ),
    "camp_rejected_stale_copy": (
        "사본을 만든 뒤 {lost:,}명이 수신 동의를 철회했거나 해지했습니다. 세그먼트 화면에서 사본을 "
        "새로 만든 뒤 다시 추출하세요.",
        "{lost:,} drawn customers withdrew consent or left since the copy was built; rebuild the "
        "copy on the Segments page and draw again.",
    ),
    "camp_rejected_name": (
        "캠페인 이름을 {limit}자 이내로 입력하세요.",
        "Name the campaign (up to {limit} characters).",
    ),
    "camp_rejected_size": (
        "표본 크기나 비율을 1 이상으로 입력하세요.",
        "Enter a sample size or rate above zero.",
    ),
    "camp_rejected_control": (
        "통제군 비율은 0~{limit}%입니다.",
        "The control share is 0 to {limit} %.",
    ),
    "camp_rejected_cost": ("건당 비용은 0원 이상입니다.", "The cost per piece cannot be negative."),
    "camp_rejected_unknown": (
        "권한 범위 안에 그 캠페인이 없습니다.",
        "No such campaign in your scope.",
    ),
    "camp_none": ("아직 캠페인이 없습니다.", "No campaigns yet."),
    "camp_pick": ("캠페인", "Campaign"),
    "camp_scope_branch": (
        "소속 지점에 대상이 있는 캠페인이 보이며, 대상·결과·효과는 소속 지점 고객만 집계합니다. "
        "전사 캠페인의 대상 고객 수는 표시하지 않습니다.",
        "Campaigns that reach your branch are listed; targets, outcomes and the report cover "
        "your branch's customers only. A firm-wide campaign's eligible count is not shown.",
    ),
    "camp_label": ("#{id} {name} · {channel} · {started}", "#{id} {name} · {channel} · {started}"),
    "camp_summary": (
        "세그먼트 '{segment}' v{version} · 시드 {seed} · 통제군 {control_pct}% · 층화: {strata}",
        "Segment '{segment}' v{version} · seed {seed} · control {control_pct}% · strata: {strata}",
    ),
    "camp_targets": ("대상 고객 (앞 {limit}명)", "Targets (first {limit})"),
    "camp_col_customer_no": ("고객번호", "Customer no."),
    "camp_col_name": ("이름", "Name"),
    "camp_col_arm": ("구분", "Arm"),
    "camp_col_branch": ("지점", "Branch"),
    "camp_col_employee": ("담당자", "Assigned to"),
    "camp_col_outcome": ("결과", "Outcome"),
    "camp_col_outcome_at": ("기록 시각", "Recorded at"),
    "camp_col_started": ("시작일", "Started"),
    "camp_arm_contact": ("발송", "Contacted"),
    "camp_arm_control": ("통제군", "Control"),
    "camp_outcome_responded": ("응답", "Responded"),
    "camp_outcome_bought": ("구매", "Bought"),
    "camp_outcome_declined": ("거절", "Declined"),
    "camp_outcome_unreachable": ("연락 불가", "Unreachable"),
    "camp_export": ("명단 내보내기", "Export the list"),
    "camp_export_format": ("형식", "Format"),
    "camp_export_reason": (
        "내보내는 이유 (감사 기록에 남습니다)",
        "Reason (kept in the audit log)",
    ),
    "camp_export_prepare": ("파일 만들기", "Prepare the file"),
    "camp_export_no_grant": (
        "명단을 내보내려면 관리자의 내보내기 권한 부여가 필요합니다.",
        "Exporting the list needs an export grant from an administrator.",
    ),
    "camp_export_ready": (
        "{rows}명 명단을 만들었습니다 (가린 항목: {masked}). 내려받으세요.",
        "The list of {rows} is ready (masked: {masked}). Download it.",
    ),
    "camp_export_unmasked": ("없음", "none"),
    "camp_export_download": ("내려받기", "Download"),
    "camp_import": ("결과 가져오기 (CSV)", "Import outcomes (CSV)"),
    "camp_import_help": (
        "열: customer_no, outcome (responded, bought, declined, unreachable 또는 응답, 구매, 거절, "
        "연락불가)",
        "Columns: customer_no, outcome (responded, bought, declined, unreachable)",
    ),
    "camp_import_file": ("CSV 파일", "CSV file"),
    "camp_import_problems": (
        "{count}개 행에 문제가 있어 아무것도 가져오지 않았습니다. 파일을 고치거나, 정상 행만 "
        "가져오기를 선택하세요.",
        "{count} rows have problems, so nothing was imported. Fix the file, or choose to import "
        "the good rows only.",
    ),
    "camp_import_line": ("{line}행: {problem}", "Line {line}: {problem}"),
    "camp_problem_columns": ("필요한 열이 없습니다 ({value})", "missing columns ({value})"),
    "camp_problem_unknown_customer": (
        "이 캠페인의 발송 대상이 아닌 고객번호 '{value}'",
        "customer '{value}' is not contacted by this campaign",
    ),
    "camp_problem_bad_outcome": ("알 수 없는 결과 '{value}'", "unknown outcome '{value}'"),
    "camp_problem_duplicate": (
        "고객 '{value}'이(가) 두 번 나옵니다",
        "customer '{value}' appears twice",
    ),
    "camp_import_good_only": ("정상 행만 가져오기", "Import the good rows only"),
    "camp_import_run": ("가져오기", "Import"),
    "camp_imported": ("{count}건의 결과를 기록했습니다.", "{count} outcomes recorded."),
    "camp_report": ("캠페인 효과", "Campaign effect"),
    "camp_report_caption": (
        "시작일 {start}부터 {as_of}까지. 반응: 입금·매수 거래, 전환: 신규 계좌 개설. 두 집단을 같은 "
        "방식으로 잽니다.",
        "From {start} to {as_of}. Response: a deposit or subscription; conversion: a new "
        "account. Both arms are measured the same way.",
    ),
    "camp_response": ("반응률", "Response rate"),
    "camp_conversion": ("전환율", "Conversion rate"),
    "camp_rate_ci": ("{rate} (95% 신뢰구간 {low}~{high})", "{rate} (95% CI {low} to {high})"),
    "camp_uplift": ("효과(차이)", "Uplift"),
    "camp_uplift_ci": (
        "{diff}%p (95% 신뢰구간 {low}~{high}%p)",
        "{diff} pp (95% CI {low} to {high} pp)",
    ),
    "camp_cost_total": ("총 비용", "Total cost"),
    "camp_cost_per_response": ("반응 1건당 비용", "Cost per response"),
    "camp_cost_per_recorded": ("기록된 응답 1건당 비용", "Cost per recorded response"),
    "camp_net_flow": ("1인당 순유입", "Net flow per head"),
    "camp_attributable": ("캠페인 기여 순유입", "Attributable net flow"),
    "camp_attributable_caption": (
        "발송군 1인당 {contacted} − 통제군 1인당 {control} = {per_head}, 발송 인원 곱하면 {total}",
        "Contacted {contacted} − control {control} per head = {per_head}; times the contacted: "
        "{total}",
    ),
    "camp_by_branch": ("지점별", "By branch"),
    "camp_col_response_contacted": ("발송군 반응률", "Response (contacted)"),
    "camp_col_response_control": ("통제군 반응률", "Response (control)"),
    "camp_col_uplift": ("차이", "Uplift"),
    "camp_col_attributable": ("1인당 기여 순유입", "Attributable per head"),
    "camp_na": ("—", "—"),
    "camp_calls": ("오늘의 TM 캠페인 통화", "TM campaign calls"),
    "camp_calls_caption": (
        "배정된 통화 {count}건. 결과를 기록하면 상담 이력에도 남습니다.",
        "{count} calls assigned to you. Recording an outcome also files a consultation.",
    ),
    "camp_calls_pick": ("고객 선택", "Customers"),
    "camp_calls_outcome": ("결과", "Outcome"),
    "camp_calls_save": ("결과 기록", "Record outcome"),
    "camp_calls_saved": ("{count}건을 기록했습니다.", "{count} recorded."),
    "camp_memberships": ("캠페인 참여", "Campaigns"),
    # --- Import, users, data dictionary (issue #11) ---
    "page_import": ("데이터 가져오기", "Import data"),
    "page_users": ("사용자 관리", "Users"),
    "page_data_dictionary": ("데이터 사전", "Data dictionary"),
    "signed_out_revoked": (
        "관리자가 계정을 변경하여 로그아웃되었습니다. 다시 로그인하세요.",
        "An administrator changed your account, so you were signed out. Please sign in again.",
    ),
    "must_change_password": (
        "관리자가 정한 임시 비밀번호입니다. 새 비밀번호({minimum}자 이상)를 정하세요.",
        "Your password was set by an administrator. Choose your own ({minimum} characters "
        "or more).",
    ),
    "new_password": ("새 비밀번호", "New password"),
    "new_password_again": ("새 비밀번호 확인", "New password again"),
    "change_password": ("비밀번호 변경", "Change password"),
    "passwords_differ": (
        "두 비밀번호가 다릅니다. 같은 비밀번호를 두 번 입력하세요.",
        "The two passwords differ. Type the same password twice.",
    ),
    "password_too_short": (
        "비밀번호는 {minimum}자 이상이어야 합니다.",
        "A password needs at least {minimum} characters.",
    ),
    "password_unchanged": (
        "이전과 다른 비밀번호를 정하세요.",
        "Choose a password different from the one you were given.",
    ),
    "bad_username": (
        "아이디는 영문 소문자·숫자·. _ - 로 3~40자여야 합니다.",
        "A username is 3 to 40 lower-case letters, digits, dots, dashes or underscores.",
    ),
    "username_taken": (
        "'{username}' 아이디는 이미 있습니다.",
        "The username '{username}' is taken.",
    ),
    "unknown_employee": (
        "사번 {employee_no} 직원이 없습니다. 직원 파일을 먼저 가져오세요.",
        "There is no employee {employee_no}. Import the staff file first.",
    ),
    "employee_taken": (
        "직원 {employee_no}은(는) 이미 다른 사용자와 연결되어 있습니다.",
        "Employee {employee_no} is already linked to another user.",
    ),
    "branch_needs_employee": (
        "지점은 직원을 통해 정해집니다. 먼저 직원을 연결하세요.",
        "The branch comes from the employee: link an employee first.",
    ),
    "unknown_branch": (
        "지점 코드 {branch_code}이(가) 없습니다.",
        "There is no branch {branch_code}.",
    ),
    "cannot_disable_self": (
        "자기 계정은 사용 중지할 수 없습니다.",
        "You cannot disable your own account.",
    ),
    "unknown_user": ("그런 사용자가 없습니다.", "There is no such user."),
    "import_title": ("데이터 가져오기", "Import data"),
    "import_caption": (
        "CSV(UTF-8 또는 CP949), Parquet, Excel 파일에서 지점·직원·고객·상품·계좌·거래·상담·기념일을 "
        "가져옵니다. 같은 키의 행은 바뀐 값만 고치고, 같은 파일을 다시 가져와도 바뀌는 것은 없습니다.",
        "Load branches, staff, customers, products, accounts, transactions, notes and life "
        "events from CSV (UTF-8 or CP949), Parquet or Excel. Rows with a known key are updated "
        "where a value changed; importing the same file again changes nothing.",
    ),
    "import_kind": ("가져올 데이터", "What the file holds"),
    "import_kind_branches": ("지점", "Branches"),
    "import_kind_employees": ("직원", "Employees"),
    "import_kind_customers": ("고객", "Customers"),
    "import_kind_products": ("상품", "Products"),
    "import_kind_accounts": ("계좌", "Accounts"),
    "import_kind_transactions": ("거래", "Transactions"),
    "import_kind_consultations": ("상담 기록", "Consultation notes"),
    "import_kind_life_events": ("기념일", "Life events"),
    "import_columns_title": ("파일 형식과 서식 파일", "File layout and template"),
    "import_template": ("서식 파일 (CSV) 받기", "Download the template (CSV)"),
    "import_order_hint": (
        "참조하는 데이터를 먼저 가져오세요: 지점 → 직원 → 상품 → 고객 → 계좌 → 거래·상담·기념일.",
        "Import what a file refers to first: branches, employees, products, customers, "
        "accounts, then transactions, notes and life events.",
    ),
    "import_file": ("파일", "File"),
    "import_file_read": (
        "{format} 파일, 인코딩 {encoding}, 열 {columns}개",
        "{format} file, encoding {encoding}, {columns} columns",
    ),
    "import_mapping_title": ("열 맞추기", "Match the columns"),
    "import_mapping_help": (
        "파일의 열 이름이 다르면 각 항목에 해당하는 파일 열을 고르세요.",
        "Where the file names a column differently, pick the file's column for each of ours.",
    ),
    "import_not_in_file": ("(파일에 없음)", "(not in the file)"),
    "import_preview": (
        "미리 보기 (처음 5행, 우리 열 이름으로)",
        "Preview (first 5 rows, our names)",
    ),
    "import_dry_run": ("검사만 하기 (저장하지 않음)", "Check only (write nothing)"),
    "import_good_rows_only": (
        "오류가 있어도 올바른 행만 저장",
        "Load the good rows even if some rows are bad",
    ),
    "import_run": ("가져오기", "Import"),
    "import_progress_reading": ("파일 읽는 중", "Reading the file"),
    "import_progress_checking": ("값 검사 중", "Checking the values"),
    "import_progress_resolving": ("참조 확인 중", "Looking up references"),
    "import_progress_staging": ("임시 테이블에 적재 중", "Staging the rows"),
    "import_progress_updating": ("바뀐 행 수정 중", "Updating changed rows"),
    "import_progress_inserting": ("새 행 추가 중", "Adding new rows"),
    "import_progress_indexing": ("색인 만드는 중", "Building the indexes"),
    "import_progress_done": ("완료", "Done"),
    "import_inserted": ("추가", "Inserted"),
    "import_updated": ("수정", "Updated"),
    "import_unchanged": ("변경 없음", "Unchanged"),
    "import_rejected": ("오류 행", "Rejected"),
    "import_loaded": (
        "{file}: {rows}행을 처리해 저장했습니다 ({seconds}초).",
        "{file}: {rows} rows processed and saved ({seconds} s).",
    ),
    "import_dry_run_done": (
        "검사만 했습니다. 실제로 가져오면 위 숫자대로 바뀝니다. 아무것도 저장하지 않았습니다.",
        "Checked only: an import would change what the numbers above say. Nothing was saved.",
    ),
    "import_refused_rows": (
        "{rejected}개 행에 오류가 있어 아무것도 저장하지 않았습니다. 오류를 고치거나 '올바른 행만 "
        "저장'을 선택하세요.",
        "{rejected} rows have errors, so nothing was saved. Fix them, or choose to load the "
        "good rows only.",
    ),
    "import_errors_title": ("오류 행", "Rows with errors"),
    "import_errors_download": ("오류 목록 (CSV) 받기", "Download the errors (CSV)"),
    "import_ignored_columns": (
        "쓰지 않은 파일 열: {columns}",
        "Columns of the file not used: {columns}",
    ),
    "import_jobs_refreshed": ("다시 계산함: {jobs}", "Refreshed now: {jobs}"),
    "import_jobs_due": (
        "다음 예약 실행에서 새 데이터를 반영합니다: {jobs}",
        "These jobs take the new data at their next scheduled run: {jobs}",
    ),
    "import_jobs_failed": (
        "가져오기는 저장되었지만 다시 계산하지 못했습니다: {jobs}. 예약 작업 페이지에서 확인하세요.",
        "The import is saved, but refreshing failed: {jobs}. See the scheduled jobs page.",
    ),
    "import_history": ("가져오기 기록", "Import history"),
    "import_history_empty": ("아직 가져온 파일이 없습니다.", "No file has been imported yet."),
    "import_status_loaded": ("저장됨", "Loaded"),
    "import_status_refused": ("거부됨", "Refused"),
    "col_column": ("열", "Column"),
    "col_file": ("파일", "File"),
    "col_user": ("사용자", "User"),
    "col_sha256": ("SHA-256", "SHA-256"),
    "import_refused_unknown_kind": (
        "'{kind}' 종류는 없습니다. 가능한 종류: {known}",
        "There is no kind '{kind}'. Known kinds: {known}",
    ),
    "import_refused_unknown_format": (
        "{name}: CSV, Parquet, Excel(xlsx) 파일만 가져올 수 있습니다.",
        "{name}: only CSV, Parquet and Excel (xlsx) files can be imported.",
    ),
    "import_refused_too_large": (
        "파일이 너무 큽니다 ({size_mb} MB, 한도 {limit_mb} MB). 나누어 가져오거나 명령줄(python -m "
        "jobs import)을 쓰세요. 저장된 것은 없습니다.",
        "The file is too large ({size_mb} MB, limit {limit_mb} MB). Split it or use the command "
        "line (python -m jobs import). Nothing was saved.",
    ),
    "import_refused_empty_file": (
        "파일에 데이터 행이 없습니다. 저장된 것은 없습니다.",
        "The file holds no data rows. Nothing was saved.",
    ),
    "import_refused_unknown_encoding": (
        "파일의 인코딩을 알 수 없습니다 (UTF-8도 CP949/EUC-KR도 아님). UTF-8 CSV로 다시 저장해 "
        "주세요. 저장된 것은 없습니다.",
        "The file's encoding is neither UTF-8 nor CP949/EUC-KR. Save it again as UTF-8 CSV. "
        "Nothing was saved.",
    ),
    "import_refused_unreadable": (
        "파일을 읽을 수 없습니다: {reason}. 저장된 것은 없습니다.",
        "The file cannot be read: {reason}. Nothing was saved.",
    ),
    "import_refused_unknown_target": (
        "알 수 없는 대상 열: {columns}",
        "Unknown target columns in the mapping: {columns}",
    ),
    "import_refused_mapping_source_missing": (
        "파일에 없는 열을 맞추려 했습니다: {columns}",
        "The mapping names columns the file does not have: {columns}",
    ),
    "import_refused_duplicate_target": (
        "두 파일 열이 같은 항목 '{column}'에 맞춰졌습니다. 하나만 고르세요.",
        "Two of the file's columns map to '{column}'. Pick one.",
    ),
    "import_refused_wrong_kind": (
        "이 파일은 '{kind}'이(가) 아니라 '{looks_like}' 파일로 보입니다. 종류를 확인하세요. "
        "저장된 것은 없습니다.",
        "This looks like a '{looks_like}' file, not '{kind}'. Check the kind. Nothing was saved.",
    ),
    "import_refused_missing_columns": (
        "필수 열이 없습니다: {columns}. 열 맞추기(명령줄은 --map)로 지정하거나 서식 파일을 "
        "참고하세요. 저장된 것은 없습니다.",
        "Required columns are missing: {columns}. Match them (--map on the command line) or "
        "see the template. Nothing was saved.",
    ),
    "import_reason_required": ("필수 값이 비어 있음", "required value is empty"),
    "import_reason_not_a_whole_number": ("정수가 아님", "not a whole number"),
    "import_reason_not_krw": (
        "원 단위 금액이 아님 (예: 1,234,000)",
        "not an amount in whole won (e.g. 1,234,000)",
    ),
    "import_reason_not_a_date": (
        "날짜가 아님 (예: 2026-03-10)",
        "not a date (e.g. 2026-03-10)",
    ),
    "import_reason_not_a_datetime": (
        "일시가 아님 (예: 2026-03-10 14:30:00)",
        "not a date and time (e.g. 2026-03-10 14:30:00)",
    ),
    "import_reason_not_a_boolean": ("true/false가 아님", "not true or false"),
    "import_reason_too_long": ("너무 김", "too long"),
    "import_reason_not_allowed": ("허용되지 않는 값", "not one of the allowed values"),
    "import_reason_negative_amount": ("음수 금액", "negative amount"),
    "import_reason_out_of_range": ("허용 범위 밖", "out of range"),
    "import_reason_duplicate_key": (
        "파일 안에서 같은 키가 여러 번 나옴",
        "the same key appears on more than one line",
    ),
    "import_reason_unknown_branches": (
        "데이터베이스에 없는 지점 코드: 지점 파일을 먼저 가져오세요",
        "no branch with this code in the database: import the branches file first",
    ),
    "import_reason_unknown_employees": (
        "데이터베이스에 없는 사번: 직원 파일을 먼저 가져오세요",
        "no employee with this number in the database: import the employees file first",
    ),
    "import_reason_unknown_customers": (
        "데이터베이스에 없는 고객번호: 고객 파일을 먼저 가져오세요",
        "no customer with this number in the database: import the customers file first",
    ),
    "import_reason_unknown_products": (
        "데이터베이스에 없는 상품 코드: 상품 파일을 먼저 가져오세요",
        "no product with this code in the database: import the products file first",
    ),
    "import_reason_unknown_accounts": (
        "데이터베이스에 없는 계좌번호: 계좌 파일을 먼저 가져오세요",
        "no account with this number in the database: import the accounts file first",
    ),
    "import_reason_append_only": (
        "이미 저장된 상담 기록과 내용이 다름 (상담 기록은 고치지 않고 정정 기록을 추가)",
        "differs from the stored note; notes are never changed (add a correction instead)",
    ),
    "users_title": ("사용자 관리", "Users"),
    "users_caption": (
        "로그인 계정, 역할, 연결된 직원과 지점을 관리합니다. 모든 변경은 감사 기록에 남습니다.",
        "Sign-in accounts, their roles, employees and branches. Every change is audited.",
    ),
    "users_tab_list": ("사용자 목록", "All users"),
    "users_tab_create": ("새 사용자", "New user"),
    "users_tab_edit": ("사용자 변경", "Change a user"),
    "user_temporary_password": (
        "임시 비밀번호 ({minimum}자 이상, 첫 로그인 때 바꿈)",
        "Temporary password ({minimum}+ characters, changed at first sign-in)",
    ),
    "user_role": ("역할", "Role"),
    "user_employee_no": ("연결할 직원 사번 (선택)", "Employee number to link (optional)"),
    "user_branch_code": (
        "지점 코드 (직원의 소속, 본사는 비움)",
        "Branch code (the employee's, blank for head office)",
    ),
    "user_create": ("사용자 만들기", "Create user"),
    "user_created": ("{username} 사용자를 만들었습니다.", "User {username} created."),
    "user_pick": ("사용자", "User"),
    "user_save": ("저장", "Save"),
    "user_saved": (
        "저장했습니다. 이 사용자의 열린 세션은 종료됩니다.",
        "Saved. The user's open sessions are ended.",
    ),
    "user_unchanged": ("바뀐 내용이 없습니다.", "Nothing changed."),
    "user_disable": ("사용 중지", "Disable"),
    "user_enable": ("다시 사용", "Enable"),
    "user_disabled": (
        "사용을 중지했습니다. 열린 세션도 종료됩니다.",
        "Disabled; their open sessions end too.",
    ),
    "user_enabled": ("다시 사용할 수 있습니다.", "Enabled again."),
    "user_reset_password": ("비밀번호 초기화", "Reset password"),
    "user_reset_done": (
        "임시 비밀번호를 정했습니다. 다음 로그인 때 새 비밀번호를 정해야 합니다.",
        "Temporary password set; the user chooses a new one at next sign-in.",
    ),
    "col_username": ("아이디", "Username"),
    "col_user_role": ("역할", "Role"),
    "col_active": ("사용", "Active"),
    "col_must_change": ("비밀번호 변경 필요", "Must change password"),
    "col_last_sign_in": ("마지막 로그인", "Last sign-in"),
    "col_created_at": ("생성일", "Created"),
    "dictionary_title": ("데이터 사전", "Data dictionary"),
    "dictionary_caption": (
        "콘솔에서 볼 수 있는 표와 열의 뜻입니다. 가져오기 검사와 같은 정의에서 만들어집니다.",
        "The tables and columns you can see in the console and what they mean, made from the "
        "same definitions the import checks files against.",
    ),
    "dictionary_search": ("열 이름이나 뜻으로 찾기", "Find by column name or meaning"),
    "col_type": ("형식", "Type"),
    "col_required": ("필수", "Required"),
    "col_key": ("키", "Key"),
    "col_allowed": ("허용 값", "Allowed values"),
    "col_meaning": ("뜻", "Meaning"),
    "col_example": ("예", "Example"),
    # --- Security: audit, policy, SSO (issue #9) ---
    "page_audit": ("감사 기록", "Audit"),
    "sign_out_everywhere": ("모든 기기의 세션 종료", "End my sessions on every device"),
    "signed_out_everywhere": (
        "모든 기기에서 로그아웃되었습니다. 다시 로그인하세요.",
        "You were signed out on every device. Please sign in again.",
    ),
    "page_not_permitted_title": ("열 수 없는 화면", "Page not available"),
    "page_not_permitted": (
        "이 화면은 귀하의 역할로 사용할 수 없습니다. 필요하면 관리자에게 문의하세요. 왼쪽 메뉴에서 사용할 수 있는 화면을 고르세요.",
        "Your role may not use this page; ask an administrator if you need it. Pick one of your pages in the menu on the left.",
    ),
    "sso_sign_in": ("회사 계정으로 로그인", "Sign in with your company account"),
    "sso_sign_out": ("회사 계정에서 로그아웃", "Sign out of the company account"),
    "sso_unknown": (
        "이 회사 계정은 콘솔 사용자와 연결되어 있지 않습니다. 관리자에게 연결을 요청하거나 다른 계정으로 로그인하세요.",
        "This company account is not linked to a console user. Ask an administrator to link it, or sign in with another account.",
    ),
    "export_reason_needed": (
        "내려받는 이유를 {maximum}자 이내로 적어 주세요. 개인정보를 내려받을 때마다 이유가 기록됩니다.",
        "Say why you download this, in at most {maximum} characters: every download of personal data records its reason.",
    ),
    "export_format": (
        "파일 형식은 {formats} 중 하나여야 합니다.",
        "The file format must be one of {formats}.",
    ),
    "grant_not_explicit": (
        "이 권한은 역할로 정해지며 따로 부여하지 않습니다.",
        "This permission comes with the role; it is not granted one by one.",
    ),
    "grant_reason_needed": (
        "부여하는 이유를 {maximum}자 이내로 적어 주세요.",
        "Say why you grant it, in at most {maximum} characters.",
    ),
    "grant_role_cannot": (
        "이 사용자의 역할({role})로는 내려받기를 할 수 없어 부여할 수 없습니다.",
        "This user's role ({role}) cannot export, so it cannot be granted.",
    ),
    "grant_exists": (
        "{username} 사용자는 이미 이 권한이 있습니다.",
        "{username} already holds this grant.",
    ),
    "grant_not_current": (
        "이 권한은 이미 회수되었습니다. 목록을 새로 고치세요.",
        "This grant was already revoked; reload the list.",
    ),
    # --- issue #19: refusals raised by data_access, worded where they are shown -----------
    "access_denied_role": (
        "{role} 역할에는 '{action}' 권한이 없습니다. 필요하면 관리자에게 문의하세요.",
        "Your role ({role}) does not include {action}. Ask an administrator if you need it.",
    ),
    "access_denied_branch": (
        "다른 지점의 자료는 볼 수 없습니다. 소속 지점의 자료만 볼 수 있습니다.",
        "That branch is outside your scope: you see your own branch only.",
    ),
    "access_denied_no_grant": (
        "'{action}'은(는) 관리자가 따로 권한을 준 사람만 할 수 있습니다. 감사 화면에서 관리자에게 권한을 요청하세요.",
        "You need a grant for {action}: ask an administrator to grant it on the audit page.",
    ),
    "permission_customer_read": ("고객 정보 조회", "reading customer records"),
    "permission_customer_write": ("고객 기록 작성", "writing on customer records"),
    "permission_alert_resolve": ("경보 해제", "resolving alerts"),
    "permission_agenda_work": ("아젠다 처리", "working a morning agenda"),
    "permission_agenda_team_read": ("팀 아젠다 조회", "reading a team's agenda"),
    "permission_agenda_rules_write": ("아젠다 규칙 변경", "changing agenda rules"),
    "permission_jobs_run": ("예약 작업 실행", "running scheduled jobs"),
    "permission_calendar_write": ("회사 휴무일 변경", "changing the firm's holidays"),
    "permission_kpi_read": ("성과 지표 조회", "reading KPIs"),
    "permission_kpi_targets_write": ("성과 목표 변경", "changing KPI targets"),
    "permission_usage_read": ("콘솔 사용 현황 조회", "reading console usage"),
    "permission_training_read": ("교육 현황 조회", "reading training records"),
    "permission_training_write": ("교육 과정·결과 관리", "managing courses and results"),
    "permission_segment_read": ("세그먼트 조회", "reading segments"),
    "permission_segment_write": ("세그먼트 저장", "saving segments"),
    "permission_campaign_read": ("캠페인 조회", "reading campaigns"),
    "permission_campaign_write": ("캠페인 관리", "managing campaigns"),
    "permission_export": ("개인정보 내려받기", "exporting personal data"),
    "permission_import": ("데이터 가져오기", "importing data"),
    "permission_users_admin": ("사용자 관리", "managing users"),
    "permission_audit_read": ("감사 기록 조회", "reading the audit trail"),
    "permission_audit_review": ("접근 검토", "reviewing access"),
    "permission_dictionary_read": ("데이터 사전 조회", "reading the data dictionary"),
    "permission_contact_read": ("연락처 전체 보기", "seeing full contact details"),
    "permission_sensitive_note_read": ("민감한 상담 기록 보기", "reading sensitive notes"),
    "permission_overview_read": ("현황 요약 조회", "reading the overview"),
    "own_branch_missing": (
        "계정에 소속 지점이 없습니다. 관리자에게 지점 지정을 요청하세요.",
        "Your account belongs to no branch; ask an administrator to set your branch.",
    ),
    "export_one_branch": (
        "내려받기는 한 번에 한 지점씩 할 수 있습니다. 범위는 소속 지점입니다.",
        "Export one branch at a time: your scope is your own branch.",
    ),
    "export_unmasked_out_of_scope": (
        "이 고객들의 연락처 전체는 권한 범위 밖입니다. 가린 채로 내려받으세요.",
        "Full contact details of these customers are outside your scope; export them masked.",
    ),
    "database_unreachable": (
        "{where} 데이터베이스에 연결할 수 없습니다. 서버가 실행 중인지, CRM_DATABASE_URL 설정이 맞는지 확인하세요.",
        "Cannot reach the database at {where}. Check that the server is running and that CRM_DATABASE_URL is right.",
    ),
    "demo_database_not_empty": (
        "데이터베이스에 이미 데이터가 있습니다 (테이블: {tables}). 모두 지우고 데모 데이터를 만들려면 --replace를 붙이거나, CRM_DATABASE_URL을 빈 데이터베이스로 지정하세요.",
        "The database already holds data (tables: {tables}). Pass --replace to delete all of it and generate demo data, or point CRM_DATABASE_URL at an empty database.",
    ),
    "audit_anchors_unreadable": (
        "{path} 파일의 {line}번째 줄은 감사 기록 기준점이 아닙니다.",
        "{path} line {line} is not an audit anchor.",
    ),
    "seg_spec_too_deep": (
        "그룹이 {depth}단계로 중첩되어 있습니다. {limit}단계까지만 쓸 수 있습니다.",
        "Groups nest {depth} deep; at most {limit} levels are allowed.",
    ),
    "seg_spec_too_many_conditions": (
        "조건이 {count}개입니다. 한 세그먼트에는 {limit}개까지만 쓸 수 있습니다.",
        "The spec has {count} conditions; a segment takes at most {limit}.",
    ),
    "camp_rejected_channel": (
        "채널은 DM이나 TM 가운데에서 고르세요.",
        "Pick DM or TM as the channel.",
    ),
    "camp_rejected_strata": (
        "층화 기준을 목록에서 고르거나 비워 두세요.",
        "Pick what to stratify by from the list, or nothing.",
    ),
    "camp_rejected_seed": (
        "난수 시드는 0 이상의 정수입니다.",
        "The seed is a whole number from 0.",
    ),
    "camp_rejected_size_or_rate": (
        "표본 크기와 비율 가운데 하나만 입력하세요.",
        "Give either a sample size or a sample rate, not both.",
    ),
    "camp_rejected_rate": (
        "표본 비율은 0%보다 크고 100% 이하입니다.",
        "The sample rate is more than 0 and at most 100 %.",
    ),
    "camp_rejected_outcome": ("결과를 목록에서 고르세요.", "Pick the outcome from the list."),
    "camp_rejected_not_target": (
        "고객 {number}은(는) 이 캠페인의 연락 대상이 아닙니다.",
        "Customer {number} is not contacted by this campaign.",
    ),
    "camp_rejected_not_yours": (
        "고객 {number}은(는) 내 연락 목록에 없습니다.",
        "Customer {number} is not on your list.",
    ),
    "import_refused_workbook_doctype": (
        "통합 문서에 XML 문서 형식 선언이 들어 있어 읽지 않습니다. Excel에서 다시 저장하거나 CSV로 저장해 다시 시도하세요. 저장된 것은 없습니다.",
        "The workbook declares an XML document type, so it is not read. Save it again from Excel, or as CSV, and try again. Nothing was saved.",
    ),
    "import_refused_workbook_no_sheet": (
        "통합 문서에서 시트를 찾을 수 없습니다. Excel에서 다시 저장하거나 CSV로 저장해 다시 시도하세요. 저장된 것은 없습니다.",
        "The workbook holds no sheet that can be found. Save it again from Excel, or as CSV, and try again. Nothing was saved.",
    ),
    "kpi_compare_firm_only": (
        "지점 비교는 전사 화면에서만 볼 수 있습니다. 소속 지점의 KPI를 보세요.",
        "Comparing branches is for the whole firm's view; you see your own branch.",
    ),
    "kpi_setting_not_number": (
        "저장하지 않았습니다: 0 이상의 숫자를 넣으세요.",
        "Not saved: enter a number of zero or more.",
    ),
    "kpi_target_percent": (
        "저장하지 않았습니다: 비율 목표는 0에서 100 사이입니다.",
        "Not saved: a percentage target is between 0 and 100.",
    ),
    "kpi_unknown": (
        "'{name}'(이)라는 KPI 항목이 없습니다.",
        "There is no KPI setting named '{name}'.",
    ),
    "agenda_reps_only": (
        "아젠다는 영업 직원과 전담 매니저에게만 있습니다. 직원 계정으로 로그인하세요.",
        "Only sales reps and dedicated managers have a morning agenda; sign in with your employee account.",
    ),
    "agenda_compare_executives_only": (
        "지점별 비교는 경영진만 볼 수 있습니다.",
        "Only executives compare branches.",
    ),
    "agenda_refused_notes": (
        "기록 {count}건에 내용이 없거나 채널·결과가 목록에 없습니다. 아무것도 저장하지 않았습니다.",
        "{count} notes have no text, or a channel or outcome not on the list; nothing was saved.",
    ),
    "usage_employee_unknown": (
        "그 번호의 지점 직원이 없습니다. 목록에서 직원을 고르세요.",
        "No branch employee has that number; pick one from the list.",
    ),
    "training_rejected_unknown_employee": (
        "없는 사번이 있습니다: {numbers}. 사번을 확인하세요. 아무도 등록하지 않았습니다.",
        "Unknown employee numbers: {numbers}. Check them; no one was enrolled.",
    ),
    "job_failed_kept": (
        "{job}({date}) 실행이 실패해 이전 결과를 그대로 둡니다. 원인: {error}",
        "{job} for {date} failed; the previous results are kept. Reason: {error}",
    ),
    "job_busy": (
        "{job}({date})은(는) 다른 프로세스가 지금 실행하고 있습니다. 끝나기를 기다린 뒤(예약 작업 화면에서 확인) 필요하면 다시 실행하세요.",
        "{job} for {date} is being run by another process right now; wait for it to finish (see the jobs page), then run again if needed.",
    ),
    "job_backfill_order": (
        "--from {start}이(가) --to {end}보다 늦습니다. 이른 날짜를 먼저 주세요.",
        "--from {start} is after --to {end}; give the earlier date first.",
    ),
    "audit_anchor_truncated": (
        "감사 기록 #{id}이(가) 사라졌습니다. {anchored_at}에 기록 {anchored_rows:,}건의 마지막으로 확인된 뒤 잘려 나갔습니다 (지금은 {rows:,}건, 마지막 기록 #{head_id}). 보안 담당자에게 알리세요.",
        "Audit record #{id} is gone: the trail was cut short after it was verified as the last of {anchored_rows:,} records at {anchored_at} (now {rows:,} records ending at #{head_id}). Tell the security officer.",
    ),
    "audit_anchor_rewritten": (
        "감사 기록 #{id}의 해시가 바뀌었습니다. {anchored_at}에 기록 {anchored_rows:,}건의 마지막으로 확인된 뒤 다시 쓰였습니다 (지금은 {rows:,}건, 마지막 기록 #{head_id}). 보안 담당자에게 알리세요.",
        "Audit record #{id} holds another hash: the trail was rewritten after it was verified as the last of {anchored_rows:,} records at {anchored_at} (now {rows:,} records ending at #{head_id}). Tell the security officer.",
    ),
    "cli_error": ("오류: {reason}", "error: {reason}"),
    "cli_database_refused": (
        "데이터베이스가 작업을 거부했습니다: {reason}",
        "the database refused the work: {reason}",
    ),
    "cli_job_unknown": (
        "'{name}' 작업은 없습니다. 있는 작업: {known}",
        "No job named '{name}'; known jobs: {known}.",
    ),
    "cli_job_one_date": (
        "{job}은(는) 한 번에 하루씩 실행합니다. --from/--to 대신 --date를 쓰세요.",
        "{job} runs one date at a time: use --date, not --from/--to.",
    ),
    "cli_no_file": ("{path}에 파일이 없습니다.", "No file at {path}."),
    "cli_no_admin": (
        "'{username}'(이)라는 활성 사용자가 없어 그 이름으로 가져올 수 없습니다. --as로 관리자 아이디를 주세요.",
        "No active user named '{username}' to import as; name an administrator with --as.",
    ),
    "cli_import_row_error": (
        "{line}행, {column} {value}: {reason}",
        "line {line}, {column} {value}: {reason}",
    ),
    "cli_import_not_written": (
        "{rejected:,}개 행에 오류가 있어 아무것도 쓰지 않았습니다. 오류를 고치거나 --good-rows-only로 정상 행만 가져오세요.",
        "{rejected:,} rows have errors, so nothing was written; fix them or load the good rows only with --good-rows-only.",
    ),
    "sso_email_invalid": (
        "이메일 주소 형식이 아닙니다 (예: name@company.co.kr).",
        "That is not an e-mail address (e.g. name@company.co.kr).",
    ),
    "sso_email_taken": (
        "{email} 은(는) 이미 다른 사용자와 연결되어 있습니다.",
        "{email} is already linked to another user.",
    ),
    "audit_intro": (
        "누가 언제 무엇을 보고 바꿨는지의 기록입니다 ({date} 기준). 기록은 지워지지 않고 해시로 연결되어 있으며, 이 화면의 검색도 기록됩니다.",
        "Who saw and changed what, and when (as of {date}). Records are never deleted and are chained by hash; searching here is recorded too.",
    ),
    # --- issue #20: admin pages and customer search in names ---
    "customer_search_found": (
        "검색 결과 {count}명 · 행을 누르면 고객을 엽니다 (해지 고객은 뒤에 둡니다)",
        "{count} customers found · click a row to open one (closed customers last)",
    ),
    "customer_closed_on": ("해지 {date}", "closed {date}"),
    "audit_tab_search": ("기록 검색", "Search the trail"),
    "audit_tab_review": ("월간 접근 검토", "Monthly access review"),
    "audit_tab_chain": ("위변조 점검", "Tamper check"),
    "audit_tab_grants": ("내려받기 권한·SSO", "Export grants and SSO"),
    "audit_username": ("사용자 아이디", "Username"),
    "audit_customer_no": ("고객번호", "Customer number"),
    "audit_action": ("행위", "Action"),
    "audit_any_action": ("모든 행위", "Any action"),
    "audit_since": ("시작일", "From"),
    "audit_until": ("종료일", "To"),
    "audit_search": ("검색", "Search"),
    "audit_search_hint": (
        "조건을 하나 이상 넣고 검색하세요. 비워 둔 조건은 모두를 뜻합니다.",
        "Fill in one or more filters and search; an empty filter means any.",
    ),
    "audit_dates_reversed": (
        "시작일이 종료일보다 늦습니다. 날짜를 바꿔 주세요.",
        "The start date is after the end date; swap them.",
    ),
    "audit_nothing_found": ("조건에 맞는 기록이 없습니다.", "No records match these filters."),
    "audit_found": (
        "{rows}건 (최근 순, 최대 {limit}건)",
        "{rows} records (newest first, at most {limit})",
    ),
    "audit_col_when": ("일시", "When"),
    "audit_col_who": ("사용자", "User"),
    "audit_col_action": ("행위", "Action"),
    "audit_col_target_kind": ("대상 종류", "Target kind"),
    "audit_col_target": ("대상", "Target"),
    "audit_col_detail": ("내용", "Detail"),
    "audit_col_client": ("접속 위치", "From"),
    "audit_col_role": ("역할", "Role"),
    "audit_col_views": ("고객 조회", "Record views"),
    "audit_col_customers": ("조회한 고객 수", "Customers viewed"),
    "audit_col_outside": ("타 지점 고객 조회", "Views outside own branch"),
    "audit_col_searches": ("검색", "Searches"),
    "audit_col_exports": ("내려받기", "Exports"),
    "audit_flag_many": ("과다 조회", "Many records"),
    "audit_flag_outside": ("타 지점 위주", "Mostly other branches"),
    "audit_flag_exported": ("내려받음", "Exported"),
    "audit_review_month": ("검토할 달", "Month to review"),
    "audit_review_rules": (
        "한 달에 고객 {many}명 이상 조회, 타 지점 고객 조회가 {outside}건 이상이면서 절반 이상, 또는 내려받기가 있으면 표시합니다.",
        "Listed: {many} or more customers viewed in the month, {outside} or more views of other branches' customers making up at least half, or any export.",
    ),
    "audit_review_clean": (
        "이 달에는 살펴볼 만한 접근이 없습니다.",
        "Nothing unusual to review this month.",
    ),
    "audit_review_next_step": (
        "사용자 이름으로 '기록 검색'을 하면 건별 내용을 볼 수 있습니다.",
        "Search the trail by username to see each record.",
    ),
    "audit_chain_explained": (
        "각 기록의 해시는 앞 기록의 해시를 포함합니다. 저장된 기록 하나라도 고치거나 지우면 그 자리에서 연결이 끊깁니다. 명령줄: python -m jobs audit-verify",
        "Each record's hash covers the previous one's: editing or deleting any stored record breaks the chain at that record. Command line: python -m jobs audit-verify",
    ),
    "audit_chain_verify": ("지금 점검", "Check now"),
    "audit_chain_checking": ("기록 전체를 점검하는 중...", "Checking every record..."),
    "audit_chain_intact": (
        "{rows}건 모두 온전합니다. 마지막 해시:",
        "All {rows} records are intact. Last hash:",
    ),
    "audit_chain_edited": (
        "기록 #{id} 이(가) 저장 후 수정되었습니다 (앞의 {rows}건은 온전). 보안 담당자에게 알리세요.",
        "Record #{id} was changed after it was stored ({rows} records before it are intact). Tell the security officer.",
    ),
    "audit_chain_broken_link": (
        "기록 #{id} 앞에서 연결이 끊겼습니다: 기록이 지워졌거나 끼워졌습니다 (앞의 {rows}건은 온전). 보안 담당자에게 알리세요.",
        "The chain breaks before record #{id}: a record was deleted or inserted ({rows} records before it are intact). Tell the security officer.",
    ),
    "grants_title": ("내려받기 권한", "Export grants"),
    "grants_explained": (
        "개인정보 내려받기는 역할이 허용하는 범위 안에서, 관리자가 권한을 준 사람만 할 수 있습니다. 부여와 회수는 기록됩니다.",
        "Downloads of personal data are open only to people an administrator granted them, within what their role reaches. Granting and revoking are recorded.",
    ),
    "grants_none": ("아직 부여한 권한이 없습니다.", "No grants given yet."),
    "grants_reason": ("이유", "Reason"),
    "grants_granted_by": ("부여자", "Granted by"),
    "grants_granted_at": ("부여 일시", "Granted at"),
    "grants_revoked_by": ("회수자", "Revoked by"),
    "grants_revoked_at": ("회수 일시", "Revoked at"),
    "grants_give": ("내려받기 권한 부여", "Grant exports"),
    "grants_give_button": ("부여", "Grant"),
    "grants_given": (
        "{username} 사용자에게 내려받기 권한을 주었습니다.",
        "{username} may now export.",
    ),
    "grants_revoke": ("권한 회수", "Revoke a grant"),
    "grants_pick": ("회수할 권한", "Grant to revoke"),
    "grants_revoke_button": ("회수", "Revoke"),
    "grants_revoked": ("권한을 회수했습니다.", "The grant was revoked."),
    "sso_title": ("회사 계정(SSO) 연결", "Company account (SSO) links"),
    "sso_explained": (
        "회사 계정의 이메일을 콘솔 사용자에 연결하면, 그 계정으로 로그인한 사람은 그 사용자의 역할과 범위로 콘솔을 씁니다. 이메일을 비우면 연결을 끊습니다.",
        "Link a company account's e-mail to a console user: whoever signs in with it works with that user's role and scope. Leave the e-mail empty to unlink.",
    ),
    "sso_email": ("회사 계정 이메일", "Company account e-mail"),
    "sso_link_button": ("연결 저장", "Save link"),
    "sso_linked": (
        "{username} 사용자의 회사 계정 연결을 저장했습니다.",
        "Saved the company account link of {username}.",
    ),
    "note_sensitive": (
        "민감한 내용 (담당자만 열람)",
        "Sensitive (only those who answer for the customer read it)",
    ),
    "note_sensitive_help": (
        "고객이 털어놓은 사적인 내용입니다. 담당 직원, 지점장, 본사만 내용을 볼 수 있습니다.",
        "What the customer said in confidence: only their own rep, branch manager and head "
        "office read the text.",
    ),
}


# Values that are codes of the domain, and the catalogue prefix that names each in words.
WORDED: dict[type, str] = {Role: "role_", Action: "permission_", JobName: "job_"}


def translate(key: str, language: str, **values: object) -> str:
    """The sentence `key` in `language` ("ko" or "en"), with `values` filled in; a value that
    is a code (a role, a permission, a job) is named in the reader's words, never by its
    code."""
    korean, english = MESSAGES[key]
    text = korean if language == "ko" else english
    if not values:
        return text
    return text.format(**{name: worded(value, language) for name, value in values.items()})


def worded(value: object, language: str) -> object:
    prefix = next((prefix for kind, prefix in WORDED.items() if isinstance(value, kind)), None)
    return value if prefix is None else translate(f"{prefix}{value}", language)
