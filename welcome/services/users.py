"""Staff accounts: creating them, passwords, signing in."""

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from welcome.models import AuditAction, Role, UiLocale, User
from welcome.models.types import utcnow
from welcome.services import audit
from welcome.services.errors import DomainError

MIN_PASSWORD_LENGTH = 10
#: Consecutive failures after which an account is locked for LOCK_MINUTES.
MAX_FAILED_LOGINS = 10
LOCK_MINUTES = 15
#: Hash compared against when the user does not exist, so timing does not reveal that.
_DUMMY_HASH = generate_password_hash("not a real password")


def check_password_rules(password: str) -> None:
    """:raises DomainError: when the password is too weak to protect personal data."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), "password"
        )


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def create_user(
    session: Session,
    username: str,
    role: Role,
    password: str,
    display_name: str | None = None,
    locale: UiLocale = UiLocale.DE,
) -> User:
    """Create an active account.

    :raises DomainError: when the name is taken or the password too weak.
    """
    username = username.strip()
    if not username:
        raise DomainError(_("A user name is required."), "username")
    if find_user(session, username) is not None:
        raise DomainError(_("The user name %(name)s is taken.", name=username), "username")
    check_password_rules(password)
    user = User(
        username=username,
        display_name=display_name or username,
        role=Role(role),
        locale=locale,
        active=True,
        password_hash=generate_password_hash(password),
    )
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Replace the password and lift a lockout. :raises DomainError: when too weak."""
    check_password_rules(password)
    user.password_hash = generate_password_hash(password)
    user.failed_logins = 0
    user.locked_until = None


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
