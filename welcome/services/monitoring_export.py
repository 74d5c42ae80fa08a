"""The monitoring report as CSV, as an XLSX workbook (one sheet per table) and as a PDF.

Every export is the report the page shows, cell for cell, with the board's small-number rule
already applied where it applies; every export is recorded in the audit log. Spreadsheet
cells never run as formulas: CSV cells that start with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return get a leading apostrophe, and XLSX cells are written as text or numbers,
never as formulas.
"""

import csv
import io
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from welcome.charts import render as render_chart
from welcome.models import AuditAction
from welcome.pdf import render_pdf
from welcome.services import audit
from welcome.services.monitoring_report import Cell, Report, Table
from welcome.services.periods import PeriodKind

#: What a spreadsheet program would read as the start of a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Excel allows at most 31 characters in a sheet name, and none of these.
SHEET_NAME_LENGTH = 31
SHEET_NAME_FORBIDDEN = str.maketrans({char: " " for char in "[]:*?/\\"})
#: Short names of the tables, for the workbook's sheet tabs.
SHEETS = {
    "summary": _l("Key figures"),
    "trend": _l("Months"),
    "cases_by_source": _l("Came through"),
    "persons_by_purpose": _l("Residence purpose"),
    "persons_by_country": _l("Country of origin"),
    "needs_by_field": _l("Gaps"),
    "unmet_reasons": _l("Reasons unmet"),
    "languages": _l("Languages"),
    "language_coverage": _l("Language offer"),
    "referrals_by_partner": _l("Referrals"),
    "referral_reasons": _l("Reasons referrals"),
    "durations": _l("Durations"),
    "consultations_by_channel": _l("Channels"),
    "consultations_by_language": _l("Consultation languages"),
}
FORMATS = {"percent": "0%", "days": "0.0", "count": "#,##0", "change": "+#,##0;-#,##0;0"}


@dataclass(frozen=True)
class Export:
    data: bytes
    mimetype: str
    filename: str


def spreadsheet_safe(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def title(report: Report) -> str:
    if report.period.kind is PeriodKind.YEAR:
        return _("Annual report %(year)d: monitoring of the Welcome Center",
                 year=report.period.start.year)
    return _("Monitoring of the Welcome Center: %(period)s", period=report.period.label())


def about(report: Report) -> list[str]:
    """The lines that say what the figures are: period, comparison, protection."""
    lines = [
        current_app.config["WELCOME_CENTER_NAME"],
        _("Period: %(period)s, compared with %(previous)s", period=report.period.label(),
          previous=report.previous.label()),
        _("As of %(day)s", day=format_date(report.today, "medium")),
    ]
    if report.running:
        lines.append(_("The period is still running: figures up to today."))
    if report.protected:
        lines.append(_("Counts below 5 are shown as “< 5”; “x” hides a figure from which a "
                       "count below 5 could be worked out."))
    return lines


def to_csv(report: Report) -> bytes:
    """Every table below the other, separated by an empty line; UTF-8 with a byte order mark
    and semicolons, as spreadsheet programs in German offices expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def write(cells: list[str]) -> None:
        writer.writerow([spreadsheet_safe(cell) for cell in cells])

    write([title(report)])
    for line in about(report):
        write([line])
    for table in report.tables:
        writer.writerow([])
        write([table.title])
        write(table.header)
        for row in table.rows:
            write([row.label, *(cell.plain for cell in row.cells)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def sheet_name(table: Table, taken: set[str]) -> str:
    base = str(SHEETS.get(table.key, table.title)).translate(SHEET_NAME_FORBIDDEN)
    name = base[:SHEET_NAME_LENGTH].strip()
    number = 2
    while name.lower() in taken:
        suffix = f" {number}"
        name = base[:SHEET_NAME_LENGTH - len(suffix)].strip() + suffix
        number += 1
    taken.add(name.lower())
    return name


def to_xlsx(report: Report) -> bytes:
    """One sheet with what the figures are, then one sheet per table."""
    workbook = Workbook()
    info = workbook.active
    info.title = sheet_name(Table("about", _("About"), [], []), taken := set())
    info.append([title(report)])
    info["A1"].font = Font(bold=True, size=13)
    for line in about(report):
        info.append([line])
    info.column_dimensions["A"].width = 100
    for table in report.tables:
        sheet = workbook.create_sheet(sheet_name(table, taken))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append(table.header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([row.label, *(_sheet_value(cell) for cell in row.cells)])
            written = sheet[sheet.max_row]
            for position, cell in enumerate(row.cells, start=2):
                if cell.number is not None and cell.kind in FORMATS:
                    written[position - 1].number_format = FORMATS[cell.kind]
            if row.kind in ("group", "total"):
                for cell in written:
                    cell.font = Font(bold=True)
        for written_row in sheet.iter_rows():
            for cell in written_row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        sheet.column_dimensions["A"].width = 48
        for column in range(2, len(table.header) + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 16
        sheet.freeze_panes = "B3"
        if table.note:
            sheet.append([])
            sheet.append([table.note])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_value(cell: Cell) -> float | str:
    if cell.number is not None and cell.kind in FORMATS:
        return cell.number
    return cell.text


def to_pdf(report: Report) -> bytes:
    """The printable report (for the board, in German: the caller sets the locale)."""
    html = render_template("documents/monitoring_report.html", report=report,
                           title=title(report), about=about(report), chart=render_chart,
                           language="de", direction="ltr", reviewed=True)
    return render_pdf(html).data


MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}


def file_stem(report: Report) -> str:
    period = report.period
    if period.kind is PeriodKind.YEAR:
        slug = f"{period.start.year}"
    elif period.kind is PeriodKind.QUARTER:
        slug = f"{period.start.year}-q{(period.start.month - 1) // 3 + 1}"
    elif period.kind is PeriodKind.MONTH:
        slug = f"{period.start:%Y-%m}"
    else:
        slug = f"{period.start.isoformat()}_{period.end.isoformat()}"
    return f"monitoring-{slug}" + ("-board" if report.protected else "")


def export(session: Session, report: Report, kind: str) -> Export:
    """The report as a file of ``kind`` (csv, xlsx, pdf); the export is audited.

    :raises KeyError: for a kind that is not offered (the view answers 404 before).
    """
    data = WRITERS[kind](report)
    audit.record(session, AuditAction.EXPORT, "Monitoring",
                 detail=f"{kind} {report.period.start.isoformat()}..{report.period.end.isoformat()}"
                 + (" board view" if report.protected else " exact figures"))
    return Export(data, MIMETYPES[kind], f"{file_stem(report)}.{kind}")
