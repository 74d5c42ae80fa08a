"""Who may do what: the five roles of DESIGN §1 in one place."""

from collections.abc import Iterable

from flask_login import current_user

from welcome.models import Role

#: Staff who work with case content (persons, cases, needs, referrals, consents).
CASEWORK = frozenset({Role.COORDINATOR, Role.ASSISTANT})
#: Those who maintain catalogues.
CATALOGUE_EDITORS = frozenset({Role.COORDINATOR, Role.ASSISTANT, Role.IT_ADMIN})
#: Those who may delete records and export lists in bulk.
FULL_RIGHTS = frozenset({Role.COORDINATOR})
#: Those who read the audit log.
AUDIT_READERS = frozenset({Role.COORDINATOR, Role.IT_ADMIN})
#: Those who read monitoring.
MONITORING_READERS = frozenset({Role.COORDINATOR, Role.ASSISTANT, Role.BOARD})
USER_ADMINS = frozenset({Role.IT_ADMIN})
CLERKS = frozenset({Role.CLERK})


def has_role(roles: Iterable[Role]) -> bool:
    """Whether the signed-in user holds one of ``roles`` (False when signed out, and for a
    casework role that still waits for a coordinator's confirmation)."""
    return bool(current_user and current_user.is_authenticated
                and current_user.confirmed_role in roles)


def home_endpoint(role: Role | None) -> str:
    """Where a role lands after signing in."""
    return {
        Role.CLERK: "intake.index",
        Role.BOARD: "monitoring.index",
    }.get(role, "admin.index")
