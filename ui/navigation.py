"""Which pages exist and which roles see them; app.py builds st.navigation from this alone.

Page files are named `<key>_page.py` while their URL path is `<key>`. Streamlit still runs
the first script of a server process (and every AppTest run) in its legacy mode, which turns
each `pages/*.py` into a page addressed by its file stem; because no stem is a URL path of
ours, that legacy mode never matches a page of ours and always falls back to app.py, whose
st.navigation then decides. So no page runs without app.py's sign-in gate. (A deep link
opened as the very first session of a server process keeps its address and query, but
Streamlit also shows its "page not found" notice over the page once, until dismissed; the
legacy flag is process-wide and cleared by the first st.navigation call, so every later
session is clean.) On an empty database the first run fills the demo for minutes before the
real st.navigation; app.py navigates (hidden, over the signed-out pages) before the fill, so
the sidebar lists no pages while it runs (nor in other tabs opened meanwhile).

Signed out, every page's address shows the sign-in form, so a link survives sign-in; signed
in, the address of a page the role may not use shows a hidden, audited refusal (app.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from data_access.agenda import (
    AGENDA_ROLES,
    TEAM_ROLES,
)
from data_access.core.models import (
    Role,
)
from data_access.core.policy import (
    Action,
    roles_permitted,
)
from data_access.customers import (
    CUSTOMER_ROLES,
)

ALL_ROLES = frozenset(Role)
IMPORT_ROLES = roles_permitted(Action.IMPORT)
USERS_ADMIN_ROLES = roles_permitted(Action.USERS_ADMIN)
DICTIONARY_ROLES = roles_permitted(Action.DICTIONARY_READ)
USAGE_ROLES = roles_permitted(Action.USAGE_READ)
TRAINING_ROLES = roles_permitted(Action.TRAINING_WRITE)
RULES_ROLES = roles_permitted(Action.AGENDA_RULES_WRITE)
JOBS_ROLES = roles_permitted(Action.JOBS_RUN)
AUDIT_ROLES = roles_permitted(Action.AUDIT_READ)
COMPLAINT_ROLES = roles_permitted(Action.COMPLAINT_READ)


@dataclass(frozen=True, slots=True)
class PageSpec:
    key: str
    path: str
    icon: str
    roles: frozenset[Role]


PAGES: tuple[PageSpec, ...] = (
    PageSpec("home", "pages/home_page.py", ":material/home:", ALL_ROLES),
    PageSpec("customer", "pages/customer_page.py", ":material/person_search:", CUSTOMER_ROLES),
    # Morning agenda (issue #5)
    PageSpec("agenda", "pages/agenda_page.py", ":material/checklist:", AGENDA_ROLES),
    PageSpec("branch_agenda", "pages/branch_agenda_page.py", ":material/monitoring:", TEAM_ROLES),
    PageSpec("agenda_rules", "pages/agenda_rules_page.py", ":material/tune:", RULES_ROLES),
    PageSpec("jobs", "pages/jobs_page.py", ":material/schedule:", JOBS_ROLES),
    # KPIs (issue #7)
    PageSpec(
        "executive",
        "pages/executive_page.py",
        ":material/leaderboard:",
        roles_permitted(Action.KPI_READ),
    ),
    # Usage and training (issue #8)
    PageSpec("usage", "pages/usage_page.py", ":material/insights:", USAGE_ROLES),
    PageSpec("training", "pages/training_page.py", ":material/school:", TRAINING_ROLES),
    # Segments and campaigns (issue #6)
    PageSpec(
        "segments",
        "pages/segments_page.py",
        ":material/filter_alt:",
        roles_permitted(Action.SEGMENT_READ),
    ),
    PageSpec(
        "campaigns",
        "pages/campaigns_page.py",
        ":material/campaign:",
        roles_permitted(Action.CAMPAIGN_WRITE),
    ),
    # Import, users, data dictionary (issue #11)
    PageSpec("import", "pages/import_page.py", ":material/upload_file:", IMPORT_ROLES),
    PageSpec("users", "pages/users_page.py", ":material/manage_accounts:", USERS_ADMIN_ROLES),
    PageSpec(
        "data_dictionary", "pages/data_dictionary_page.py", ":material/menu_book:", DICTIONARY_ROLES
    ),
    # Security (issue #9)
    PageSpec("audit", "pages/audit_page.py", ":material/policy:", AUDIT_ROLES),
    # Complaints (issue #22)
    PageSpec("complaints", "pages/complaints_page.py", ":material/report:", COMPLAINT_ROLES),
    # Retention and customers' access requests (issue #22)
    PageSpec(
        "records",
        "pages/records_page.py",
        ":material/inventory_2:",
        roles_permitted(Action.RETENTION_READ) | roles_permitted(Action.ACCESS_REQUEST_READ),
    ),
)


SIGN_IN = PageSpec("sign-in", "pages/sign_in_page.py", ":material/login:", ALL_ROLES)


def pages_for(role: Role) -> list[PageSpec]:
    return [page for page in PAGES if role in page.roles]
