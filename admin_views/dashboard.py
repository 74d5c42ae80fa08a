"""The start page of the staff admin, and the role guard the custom screens share."""

from datetime import date, timedelta
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from welcome.auth.redirects import current_path
from welcome.auth.roles import CASEWORK, FULL_RIGHTS, has_role
from welcome.extensions import db
from welcome.models import (
    Case,
    CaseStatus,
    Intake,
    IntakeStatus,
    Interview,
    Referral,
    ReferralStatus,
    Role,
    User,
)
from welcome.services import users
from welcome.services.errors import DomainError, NotAllowedError


class RoleGuardMixin:
    """Anonymous visitors go to the sign-in page; signed-in users without the role get 403."""

    roles: frozenset[Role] = frozenset()

    def is_accessible(self) -> bool:
        return has_role(self.roles)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=current_path()))
        abort(403)


class DashboardView(RoleGuardMixin, AdminIndexView):
    roles = frozenset({Role.COORDINATOR, Role.ASSISTANT, Role.IT_ADMIN})

    def is_accessible(self) -> bool:
        """Also for an account whose casework role waits for confirmation: it is told so."""
        return super().is_accessible() or bool(
            current_user.is_authenticated and current_user.pending_change is not None)

    @expose("/")
    def index(self) -> Any:
        casework = has_role(CASEWORK)
        return self.render("admin/dashboard.html",
                           figures=work_figures() if casework else None,
                           paused=paused_interviews() if casework else [],
                           pending=users.pending_accounts(db.session)
                           if has_role(FULL_RIGHTS) else [])

    @expose("/confirm-access/", methods=("POST",))
    def confirm_access(self) -> Any:
        """A coordinator confirms casework access given in the administration (separation of
        duties: IT cannot give itself access to counselling content)."""
        if not has_role(FULL_RIGHTS):
            abort(403)
        user_id = request.form.get("id", "")
        user = db.session.get(User, int(user_id)) if user_id.isdecimal() and len(user_id) < 10 \
            else None
        if user is None:
            abort(404)
        try:
            users.confirm_access(db.session, user, current_user._get_current_object())
        except NotAllowedError as error:
            abort(403, error.message)
        except DomainError as error:
            abort(409, error.message)
        db.session.commit()
        flash(_("%(name)s can now work with case content as %(role)s.", name=user.display_name,
                role=user.role.label), "success")
        return redirect(url_for(".index"))


def paused_interviews(limit: int = 8) -> list[Interview]:
    """Orientation interviews that were started and not finished, oldest first."""
    return list(db.session.scalars(
        select(Interview).where(Interview.finished_at.is_(None))
        .options(joinedload(Interview.case).joinedload(Case.main_person))
        .order_by(Interview.started_at, Interview.id).limit(limit)))


def work_figures() -> dict[str, int]:
    """Counts for the coordinator's start page, in one statement."""
    today = date.today()
    open_case = Case.status != CaseStatus.CLOSED
    row = db.session.execute(
        select(
            select(func.count(Intake.id)).where(Intake.status == IntakeStatus.NEW)
            .scalar_subquery().label("new_intakes"),
            select(func.count(Case.id)).where(open_case).scalar_subquery().label("open_cases"),
            select(func.count(Case.id))
            .where(open_case, Case.follow_up_on <= today + timedelta(days=7))
            .scalar_subquery().label("follow_ups"),
            select(func.count(Referral.id))
            .where(Referral.status.in_((ReferralStatus.HANDED_OVER,
                                        ReferralStatus.APPOINTMENT_MADE)),
                   Referral.feedback_due_on < today)
            .scalar_subquery().label("overdue_feedback"),
            select(func.count(Referral.id)).where(Referral.needs_attention.is_(True))
            .scalar_subquery().label("needs_attention"),
        )
    ).one()
    return dict(row._mapping)

