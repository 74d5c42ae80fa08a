"""The start page of the staff admin, and the role guard the custom screens share."""

from datetime import date, timedelta
from typing import Any

from flask import redirect, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from welcome.auth.redirects import current_path
from welcome.auth.roles import CASEWORK, has_role
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
)


class RoleGuardMixin:
    """Anonymous visitors go to the sign-in page; signed-in users without the role get 403."""

    roles: frozenset[Role] = frozenset()

    def is_accessible(self) -> bool:
        return has_role(self.roles)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        from flask import abort

        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=current_path()))
        abort(403)


class DashboardView(RoleGuardMixin, AdminIndexView):
    roles = frozenset({Role.COORDINATOR, Role.ASSISTANT, Role.IT_ADMIN})

    @expose("/")
    def index(self) -> Any:
        casework = has_role(CASEWORK)
        return self.render("admin/dashboard.html",
                           figures=work_figures() if casework else None,
                           paused=paused_interviews() if casework else [])


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

