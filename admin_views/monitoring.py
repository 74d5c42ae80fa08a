"""Monitoring: anonymous figures for the center's staff and its advisory board.

The board sees every figure through the small-number rule (``welcome.services.disclosure``);
coordinators and assistants see exact figures and can preview the board's view. The page
and its exports (CSV, XLSX, PDF report) take the same URL arguments and show the same report.
"""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_month_names
from flask import Response, abort, current_app, request, url_for
from flask_admin import BaseView, expose
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.dashboard import RoleGuardMixin
from welcome.auth.roles import MONITORING_READERS
from welcome.charts import render as render_chart
from welcome.extensions import db
from welcome.models import Role
from welcome.services import monitoring, monitoring_export
from welcome.services.monitoring_report import Report, build_report
from welcome.services.periods import (
    FIRST_YEAR,
    Period,
    PeriodError,
    PeriodKind,
    period_from_args,
)

#: The exports on offer; the PDF is the printable report for the board, always in German.
EXPORT_TYPES = ("csv", "xlsx", "pdf")
#: URL argument with which staff preview what the board sees.
BOARD_VIEW = "board"
#: The URL arguments of the period form.
FORM_FIELDS = ("period", "year", "quarter", "month", "start", "end")


class MonitoringView(RoleGuardMixin, BaseView):
    """Endpoint ``monitoring`` at ``/monitoring/``: the page and ``export/<type>/``."""

    roles = MONITORING_READERS

    def zone(self) -> ZoneInfo:
        return ZoneInfo(current_app.config["WELCOME_TIMEZONE"])

    def protected(self) -> bool:
        """The board always gets the protected figures; staff when they ask for a preview."""
        return current_user.role is Role.BOARD or request.args.get("view") == BOARD_VIEW

    def period(self, today: date) -> tuple[Period, str | None]:
        """The period asked for, and a note when it was widened to whole months.

        :raises PeriodError: when the URL asks for a period that cannot be used.
        """
        protect = self.protected()
        period = period_from_args(request.args, today, whole_months=protect)
        note = None
        if protect and period.kind is PeriodKind.CUSTOM:
            asked = period_from_args(request.args, today)
            if asked != period:
                note = _("For the advisory board a custom period covers whole months: "
                         "%(period)s.", period=period.label())
        return period, note

    def report(self, period: Period, today: date) -> Report:
        protect = self.protected()
        figures = monitoring.collect(db.session, period, self.zone(), today, protect)
        return build_report(figures, protect)

    @expose("/")
    def index(self) -> Any:
        today = datetime.now(self.zone()).date()
        try:
            period, note = self.period(today)
        except PeriodError as error:
            return self.page(None, today, error=error), 400
        return self.page(self.report(period, today), today, note=note)

    def page(self, report: Report | None, today: date, **context: Any) -> str:
        """The page; the form shows the period shown, or what was asked for when it failed."""
        values = {"period": PeriodKind.YEAR.value, "year": str(today.year),
                  "quarter": str((today.month - 1) // 3 + 1), "month": str(today.month),
                  "start": today.replace(day=1).isoformat(), "end": today.isoformat()}
        if report is not None:
            values.update({"start": report.period.start.isoformat(),
                           "end": report.period.end.isoformat()})
            values.update(report.period.query_args())
        else:
            values.update({name: request.args[name] for name in FORM_FIELDS
                           if request.args.get(name)})
        values["view"] = request.args.get("view") == BOARD_VIEW
        months = get_month_names("wide", locale=get_locale())
        return self.render(
            "admin/monitoring/index.html", report=report, today=today, values=values,
            kinds=[(kind.value, kind.label) for kind in PeriodKind], first_year=FIRST_YEAR,
            months=[(number, months[number]) for number in range(1, 13)], chart=render_chart,
            **{"error": None, "note": None, **self.links(report), **context})

    def links(self, report: Report | None) -> dict[str, Any]:
        """URLs of the neighbouring periods and of the exports, keeping the view chosen."""
        if report is None:
            return {"earlier": None, "later": None, "exports": {}}
        extra = {"view": BOARD_VIEW} if request.args.get("view") == BOARD_VIEW else {}
        period = report.period
        later = period.shifted(1)
        args = {**period.query_args(), **extra}
        return {
            "earlier": (period.previous(), url_for(".index", **period.previous().query_args(),
                                                   **extra)),
            "later": (later, url_for(".index", **later.query_args(), **extra))
            if later.start <= report.today else None,
            "exports": {kind: url_for(".export", export_type=kind, **args)
                        for kind in EXPORT_TYPES},
        }

    @expose("/export/<export_type>/")
    def export(self, export_type: str) -> Any:
        if export_type not in EXPORT_TYPES:
            abort(404)
        today = datetime.now(self.zone()).date()
        try:
            period, _note = self.period(today)
        except PeriodError as error:
            abort(400, description=error.message)
        if export_type == "pdf":
            with force_locale("de"):
                made = monitoring_export.export(db.session, self.report(period, today), "pdf")
        else:
            made = monitoring_export.export(db.session, self.report(period, today),
                                            export_type)
        db.session.commit()
        return Response(made.data, content_type=made.mimetype, headers={
            "Content-Disposition": f'attachment; filename="{made.filename}"',
            "Cache-Control": "no-store",
        })
