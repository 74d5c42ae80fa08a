"""Staff accounts: creating and changing them, passwords, signing in.

Separation of duties (DESIGN §1): the IT administrator manages accounts but must not obtain
access to counselling content on their own. Therefore

- nobody changes their own role or switches off their own account;
- a casework role (coordinator, assistant) given in the administration — to a new account or
  by raising a role — and a new password set there for a casework account take effect only
  after a coordinator confirms them (:func:`confirm_access`); until then the account signs
  in without any casework access;
- the command line, run by whoever operates the server, creates accounts and sets passwords
  directly (that is how the first coordinator is made).

A new session token ends every open session of an account: on sign-out, a new password, a
role change and deactivation.
"""

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from welcome.models import AccessChange, AuditAction, Role, UiLocale, User
from welcome.models.types import utcnow
from welcome.models.user import new_session_token
from welcome.services import audit
from welcome.services.database import referencing_tables
from welcome.services.errors import DomainError, NotAllowedError

MIN_PASSWORD_LENGTH = 10
MIN_USERNAME_LENGTH = 2
USERNAME_LENGTH = User.__table__.c.username.type.length
DISPLAY_NAME_LENGTH = User.__table__.c.display_name.type.length
#: Consecutive failures after which an account is locked for LOCK_MINUTES.
MAX_FAILED_LOGINS = 10
LOCK_MINUTES = 15
#: Roles that read counselling content, by how much they may do with it.
CASEWORK_RANK = {Role.ASSISTANT: 1, Role.COORDINATOR: 2}
#: Hash compared against when the user does not exist, so timing does not reveal that.
_DUMMY_HASH = generate_password_hash("not a real password")


def check_password_rules(password: str) -> None:
    """:raises DomainError: when the password is too weak to protect personal data."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), "password"
        )


def find_user(session: Session, username: str) -> User | None:
    """The account of that name, compared without case (as the database keeps them unique)."""
    return session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def check_user(session: Session, user: User) -> None:
    """Tidy and check the names of a new or changed account.

    Surrounding spaces are removed. A user name has no spaces and is unique without regard to
    case ("Anna" and "anna" would be one sign-in); the display name must not be empty.

    :raises DomainError: naming the field that is wrong.
    """
    user.username = (user.username or "").strip()
    user.display_name = (user.display_name or "").strip()
    if len(user.username) < MIN_USERNAME_LENGTH:
        raise DomainError(_("A user name needs at least %(n)d characters.",
                            n=MIN_USERNAME_LENGTH), "username")
    if len(user.username) > USERNAME_LENGTH:
        raise DomainError(_("A user name can have at most %(n)d characters.",
                            n=USERNAME_LENGTH), "username")
    if any(char.isspace() or not char.isprintable() for char in user.username):
        raise DomainError(_("A user name cannot contain spaces."), "username")
    if not user.display_name:
        raise DomainError(_("Please enter the name shown in the app."), "display_name")
    if len(user.display_name) > DISPLAY_NAME_LENGTH:
        raise DomainError(_("The name can have at most %(n)d characters.",
                            n=DISPLAY_NAME_LENGTH), "display_name")
    same_name = [func.lower(User.username) == user.username.lower()]
    if user.id is not None:
        same_name.append(User.id != user.id)
    with session.no_autoflush:  # the changed name itself must not be written yet
        taken = session.scalar(select(User.id).where(*same_name))
    if taken is not None:
        raise DomainError(_("The user name %(name)s is taken.", name=user.username), "username")


def create_user(
    session: Session,
    username: str,
    role: Role,
    password: str,
    display_name: str | None = None,
    locale: UiLocale = UiLocale.DE,
    *,
    active: bool = True,
    granted_by: User | None = None,
) -> User:
    """Create an account.

    :param display_name: the name shown in the app; the user name when not given.
    :param granted_by: who creates it in the administration; a casework role given there waits
        for a coordinator's confirmation. ``None`` (command line, demo) grants directly.
    :raises DomainError: when a name is wrong or taken, or the password too weak.
    """
    user = User(
        username=username,
        display_name=username if display_name is None else display_name,
        role=Role(role),
        locale=UiLocale(locale),
        active=active,
        session_token=new_session_token(),
    )
    check_user(session, user)
    check_password_rules(password)
    user.password_hash = generate_password_hash(password)
    if granted_by is not None and user.role in CASEWORK_RANK:
        user.pending_change = AccessChange.NEW_ACCOUNT
    session.add(user)
    session.flush()
    return user


def check_user_change(session: Session, user: User, changed_by: User | None) -> None:
    """Check an account changed in the administration, before it is saved.

    :param changed_by: who made the change; ``None`` for the command line.
    :raises DomainError: when a name is wrong or taken.
    :raises NotAllowedError: when somebody changes their own role or switches off their own
        account.
    """
    state = inspect(user)
    role_history = state.attrs.role.history
    active_history = state.attrs.active.history
    check_user(session, user)
    if changed_by is not None and changed_by.id == user.id:
        if role_history.has_changes():
            raise NotAllowedError(_("You cannot change your own role; ask another "
                                    "administrator."), "role")
        if active_history.has_changes():
            raise NotAllowedError(_("You cannot switch off your own account; ask another "
                                    "administrator."), "active")
    if role_history.has_changes():
        old = Role(role_history.deleted[0]) if role_history.deleted else None
        role = Role(user.role)
        end_sessions(user)
        if role not in CASEWORK_RANK:
            user.pending_change = None
        elif changed_by is not None and CASEWORK_RANK[role] > CASEWORK_RANK.get(old, 0):
            user.pending_change = AccessChange.ROLE_RAISED
    if active_history.has_changes() and not user.active:
        end_sessions(user)


def set_password(user: User, password: str, *, set_by: User | None = None) -> None:
    """Replace the password, lift a lockout and end the account's open sessions.

    :param set_by: who sets it in the administration; for somebody else's casework account the
        casework access then waits for a coordinator's confirmation. ``None`` (command line)
        sets it directly and replaces a password that was waiting for confirmation.
    :raises DomainError: when too weak.
    """
    check_password_rules(password)
    user.password_hash = generate_password_hash(password)
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(user)
    if set_by is None:
        if user.pending_change is AccessChange.PASSWORD_SET:
            user.pending_change = None
    elif set_by.id != user.id and user.role in CASEWORK_RANK and user.pending_change is None:
        user.pending_change = AccessChange.PASSWORD_SET


def deactivate_user(user: User, *, by: User | None = None) -> None:
    """Stop an account from signing in and end its open sessions; its history stays.

    :raises NotAllowedError: when somebody switches off their own account.
    """
    if by is not None and by.id == user.id:
        raise NotAllowedError(_("You cannot switch off your own account; ask another "
                                "administrator."), "active")
    user.active = False
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Every session opened before (a copied cookie too) stops working."""
    user.session_token = new_session_token()


def pending_accounts(session: Session) -> list[User]:
    """Active accounts whose casework access waits for a coordinator's confirmation."""
    return list(session.scalars(
        select(User).where(User.pending_change.is_not(None), User.active.is_(True))
        .order_by(User.updated_at, User.id)))


def confirm_access(session: Session, user: User, confirmer: User) -> None:
    """A coordinator confirms the casework access given in the administration.

    :raises NotAllowedError: when the confirmer is no confirmed coordinator, or confirms their
        own account.
    :raises DomainError: when nothing waits for confirmation.
    """
    if confirmer.confirmed_role is not Role.COORDINATOR or not confirmer.active:
        raise NotAllowedError(_("Only a coordinator can confirm casework access."))
    if confirmer.id == user.id:
        raise NotAllowedError(_("You cannot confirm your own access."))
    if user.pending_change is None:
        raise DomainError(_("Nothing waits for confirmation on the account %(name)s.",
                            name=user.username))
    user.pending_change = None
    session.flush()


def check_deletable(session: Session, user: User) -> None:
    """Accounts that appear anywhere (the audit log, a case, a consent …) are deactivated
    instead, so no record silently loses who worked on it.

    :raises DomainError: when the account is still referred to.
    """
    if referencing_tables(session, user):
        raise DomainError(_("%(name)s appears in the audit log or in records; deactivate the "
                            "account instead of deleting it.", name=user.username))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user if the name and password are right and the account may sign in, else None.

    Every outcome is audited. A caller shows one message for every failure, so nobody learns
    whether an account exists, is inactive or is locked.
    """
    user = find_user(session, username.strip())
    now = utcnow()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        audit.record(session, AuditAction.LOGIN_FAILED, "User", detail="unknown user",
                     user_id=None, username=username[:64])
        return None
    locked = user.locked_until is not None and user.locked_until > now
    if not check_password_hash(user.password_hash or _DUMMY_HASH, password) or locked:
        user.failed_logins += 0 if locked else 1
        if user.failed_logins >= MAX_FAILED_LOGINS and not locked:
            user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        reason = "locked" if locked else "wrong password"
        audit.record(session, AuditAction.LOGIN_FAILED, "User", user.id, detail=reason,
                     user_id=user.id, username=user.username)
        return None
    if not user.active:
        audit.record(session, AuditAction.LOGIN_FAILED, "User", user.id, detail="inactive",
                     user_id=user.id, username=user.username)
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(session, AuditAction.LOGIN, "User", user.id, user_id=user.id,
                 username=user.username)
    return user
