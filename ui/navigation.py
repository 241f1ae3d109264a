"""Which pages exist and which roles see them; app.py builds st.navigation from this alone.

Page files are named `<key>_page.py` while their URL path is `<key>`. Streamlit still runs
the first script of a server process (and every AppTest run) in its legacy mode, which turns
each `pages/*.py` into a page addressed by its file stem; because no stem is a URL path of
ours, that legacy mode never matches a page of ours and always falls back to app.py, whose
st.navigation then decides. So no page runs without app.py's sign-in gate.
"""

from __future__ import annotations

from dataclasses import dataclass

from data_access.agenda import AGENDA_ROLES, TEAM_ROLES
from data_access.customers import CUSTOMER_ROLES
from data_access.models import Role

ALL_ROLES = frozenset(Role)
ADMIN_ONLY = frozenset({Role.ADMIN})


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
    PageSpec("agenda_rules", "pages/agenda_rules_page.py", ":material/tune:", ADMIN_ONLY),
    PageSpec("jobs", "pages/jobs_page.py", ":material/schedule:", ADMIN_ONLY),
    # KPIs (issue #7)
    # Usage and training (issue #8)
    # Segments and campaigns (issue #6)
    # Import, users, data dictionary (issue #11)
    # Security (issue #9)
)


SIGN_IN = PageSpec("sign-in", "pages/sign_in_page.py", ":material/login:", ALL_ROLES)


def pages_for(role: Role) -> list[PageSpec]:
    return [page for page in PAGES if role in page.roles]
