"""The monitoring page and its exports: who sees what, bad input, and that exports match."""

import csv
import io
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from tests.helpers import (
    catalogue,
    login_as,
    make_case,
    make_need,
    make_partner,
    make_person,
    make_referral,
    reason,
)
from welcome.extensions import db
from welcome.models import (
    AuditAction,
    AuditEvent,
    CaseSource,
    FieldOfAction,
    HandoverChannel,
    NeedStatus,
    ReasonKind,
    Role,
    User,
)
from welcome.services import referrals

YEAR = "/monitoring/?period=year&year=2025"


class Tables(HTMLParser):
    """The monitoring tables of a page: {key: [[row label, cell, cell, …], …]}."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_head = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (attrs.get("id") or "").startswith("table-"):
            self._table = attrs["id"].removeprefix("table-")
            self.tables[self._table] = []
        elif self._table and tag == "thead":
            self._in_head = True
        elif self._table and tag == "tr" and not self._in_head:
            self._row = []
        elif self._row is not None and tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag in ("th", "td") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(response) -> dict[str, list[list[str]]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return Tables(response.get_data(as_text=True)).tables


def row(table, label):
    return next(r[1:] for r in table if r[0] == label)


def hand_over(need, partner, at):
    referral = make_referral(need, partner, HandoverChannel.INFORMATION_ONLY)
    referrals.hand_over(db.session, referral, HandoverChannel.INFORMATION_ONLY, [], at=at)
    db.session.commit()
    return referral


@pytest.fixture
def year_2025(db):
    """12 new cases in 2025 (3 in 2024), 12 needs of which 1 unmet; partner Alpha received
    10 referrals and Beta 2, both of the same type."""
    for day in range(1, 13):
        case = make_case(opened_on=date(2025, day, 3), source=CaseSource.REGISTRATION_OFFICE)
        status = NeedStatus.UNMET if day == 1 else NeedStatus.IDENTIFIED
        make_need(case, "housing", identified_on=date(2025, day, 3), status=status,
                  unmet_reason=reason(ReasonKind.NEED_UNMET) if day == 1 else None)
    for day in range(1, 4):
        make_case(opened_on=date(2024, 5, day), source=CaseSource.SELF)
    housing = [catalogue(FieldOfAction, "housing")]
    alpha = make_partner("Alpha", "mbe", fields_of_action=housing)
    beta = make_partner("Beta", "mbe", fields_of_action=housing)
    for number in range(12):
        need = make_need(make_case(opened_on=date(2023, 1, 1)), "work",
                         identified_on=date(2023, 1, 1))
        hand_over(need, alpha if number < 10 else beta,
                  datetime(2025, 3, 1 + number, 10, tzinfo=UTC))
    return {"alpha": alpha, "beta": beta}


def test_coordinators_and_assistants_see_exact_figures(client, year_2025):
    for role in (Role.COORDINATOR, Role.ASSISTANT):
        login_as(client, role)
        found = tables(client.get(YEAR))
        assert row(found["summary"], "Neue Fälle") == ["12", "3", "+9"]
        assert row(found["summary"], "Anteil nicht gedeckter Bedarfe")[0] == "8 %"
        assert row(found["referrals_by_partner"], "Beta")[0] == "2"


def test_the_board_sees_small_counts_as_fewer_than_five(client, year_2025):
    login_as(client, Role.BOARD)
    response = client.get(YEAR)
    found = tables(response)
    summary = found["summary"]
    assert row(summary, "Neue Fälle")[:2] == ["12", "< 5"]
    assert row(summary, "davon nicht gedeckt")[0] == "< 5"
    assert "Kleine Zahlen sind geschützt" in response.get_data(as_text=True)


def test_derived_figures_that_would_reveal_a_small_count_are_hidden_from_the_board(
        client, year_2025):
    """12 new cases against 3: the change +9 would give the 3 away; 1 unmet need of 12: the
    share 8 % would give the 1 away; Alpha's 10 beside the type's 12 would give Beta's 2 away."""
    login_as(client, Role.BOARD)
    found = tables(client.get(YEAR))
    assert row(found["summary"], "Neue Fälle") == ["12", "< 5", "x"]
    assert row(found["summary"], "Anteil nicht gedeckter Bedarfe")[0] == "x"
    assert row(found["needs_by_field"], "Wohnungssuche")[4] == "x"
    partners = found["referrals_by_partner"]
    assert row(partners, "Beta")[0] == "< 5"
    assert row(partners, "Alpha")[0] == "x"


def test_staff_can_preview_the_board_view_but_the_board_cannot_leave_it(client, year_2025):
    login_as(client, Role.COORDINATOR)
    found = tables(client.get(YEAR + "&view=board"))
    assert row(found["summary"], "Neue Fälle") == ["12", "< 5", "x"]
    login_as(client, Role.BOARD)
    found = tables(client.get(YEAR + "&view=exact"))
    assert row(found["summary"], "Neue Fälle") == ["12", "< 5", "x"]


def test_the_monitoring_holds_no_names_or_references(client, db):
    person = make_person(given_name="Zuzanna", family_name="Wiśniewska-Quist")
    case = make_case(person, opened_on=date(2025, 6, 1))
    make_need(case, "housing", identified_on=date(2025, 6, 1), description="Wohnung Quist")
    secret = (b"Zuzanna", "Wiśniewska".encode(), b"Quist", case.reference.encode())
    for role in (Role.COORDINATOR, Role.BOARD):
        login_as(client, role)
        for url in (YEAR, "/monitoring/export/csv/?period=year&year=2025",
                    "/monitoring/export/xlsx/?period=year&year=2025"):
            response = client.get(url)
            assert response.status_code == 200
            assert not any(word in response.data for word in secret), url
        pdf = client.get("/monitoring/export/pdf/?period=year&year=2025").data
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "Quist" not in text and case.reference not in text


@pytest.mark.parametrize(("query", "message"), [
    ("period=week", "Wählen Sie einen Monat, ein Quartal, ein Jahr"),
    ("period=year&year=abc", "Wählen Sie ein Jahr zwischen 2000 und"),
    ("period=year&year=1800", "Wählen Sie ein Jahr zwischen 2000 und"),
    ("period=month&year=2025&month=13", "Wählen Sie einen Monat von 1 bis 12."),
    ("period=quarter&year=2025&quarter=5", "Wählen Sie ein Quartal von 1 bis 4."),
    ("period=custom&start=2025-02-30&end=2025-03-01", "Geben Sie ein gültiges Datum ein."),
    ("period=custom&start=2025-03-01", "Geben Sie den ersten und den letzten Tag"),
    ("period=custom&start=2025-03-02&end=2025-03-01", "darf nicht vor seinem ersten Tag"),
    ("period=custom&start=2001-01-01&end=2025-03-01", "höchstens fünf Jahre"),
    ("period=custom&start=2025-01-01&end=99999-03-01", "Geben Sie ein gültiges Datum ein."),
])
def test_unusable_periods_answer_400_with_a_message(client, query, message):
    for role in (Role.COORDINATOR, Role.BOARD):
        login_as(client, role)
        response = client.get(f"/monitoring/?{query}")
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert message in page
        assert 'aria-invalid="true"' in page
        export = client.get(f"/monitoring/export/csv/?{query}")
        assert export.status_code == 400
        assert message in export.get_data(as_text=True)


def test_messages_come_in_english_for_english_users(client):
    user = login_as(client, Role.BOARD)
    db.session.get(User, user.id).locale = "en"
    db.session.commit()
    response = client.get("/monitoring/?period=month&year=2025&month=0")
    assert response.status_code == 400
    assert "Choose a month from 1 to 12." in response.get_data(as_text=True)
    assert "Period" in response.get_data(as_text=True)


def test_unknown_export_types_are_not_found(client):
    login_as(client, Role.COORDINATOR)
    assert client.get("/monitoring/export/doc/").status_code == 404


def test_the_board_gets_whole_months_and_is_told(client, db):
    login_as(client, Role.BOARD)
    page = client.get("/monitoring/?period=custom&start=2025-03-10&end=2025-04-20")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "ganze Monate" in text
    assert "01.03.2025" in text and "30.04.2025" in text


def csv_tables(data: bytes) -> dict[str, list[list[str]]]:
    """The tables of the CSV export, by title."""
    assert data.startswith("\ufeff".encode())
    found: dict[str, list[list[str]]] = {}
    current = None
    for line in csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"):
        if not line:
            current = None
        elif current is None and len(line) == 1 and found is not None:
            current = line[0]
            found[current] = []
        elif current is not None:
            found[current].append(line)
    return found


def canon(value, percent=False) -> str:
    """One spelling for a figure, whether from the page (German: 1.234, 3,6, 12 %, −3), the
    CSV file (1234, '-3) or the workbook (numbers, shares as fractions)."""
    if value is None:
        return "–"
    if isinstance(value, int | float):
        return f"{round(value * 100)}%" if percent else f"{round(value, 1):g}"
    text = str(value).strip().removeprefix("'").replace("\xa0", " ")
    if text in ("", "–", "< 5", "x"):
        return text or "–"
    if text.endswith("%"):
        return f"{round(float(text[:-1].strip().replace(',', '.')))}%"
    number = text.replace("−", "-").replace("±", "").removeprefix("+")
    try:
        return f"{round(float(number.replace('.', '').replace(',', '.')), 1):g}"
    except ValueError:
        return text


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.BOARD])
def test_exports_match_the_page(client, year_2025, role):
    login_as(client, role)
    page = client.get(YEAR)
    shown = tables(page)
    titles = dict(re.findall(r'<table class="monitoring-table[^"]*" id="table-(\w+)">\s*'
                             r"<caption>([^<]+)</caption>", page.get_data(as_text=True)))
    exported = csv_tables(client.get("/monitoring/export/csv/?period=year&year=2025").data)
    workbook = load_workbook(io.BytesIO(
        client.get("/monitoring/export/xlsx/?period=year&year=2025").data))
    sheets = {sheet["A1"].value: sheet for sheet in workbook.worksheets}
    assert len(shown) == 14
    for key, rows in shown.items():
        from_csv = exported[titles[key]][1:]
        from_sheet = [[canon(cell.value, "%" in cell.number_format) for cell in sheet_row]
                      for sheet_row in sheets[titles[key]].iter_rows(min_row=3)][:len(rows)]
        assert [[r[0], *map(canon, r[1:])] for r in from_csv] == [
            [r[0], *map(canon, r[1:])] for r in rows], key
        assert [r[:len(rows[0])] for r in from_sheet] == [
            [canon(r[0]), *map(canon, r[1:])] for r in rows], key
    pdf = client.get("/monitoring/export/pdf/?period=year&year=2025")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Jahresbericht 2025" in text
    for label, *cells in shown["summary"][:3]:
        assert f"{label} {' '.join(cells)}" in text
    if role is Role.BOARD:
        assert "< 5" in text


def test_spreadsheet_cells_never_run_as_formulas(client, db):
    names = ("=HYPERLINK(\"https://example.org\")", "+Beratung", "-Beratung", "@Beratung")
    for number, name in enumerate(names):
        partner = make_partner(name)
        need = make_need(make_case(opened_on=date(2025, 1, 1)), identified_on=date(2025, 1, 1))
        hand_over(need, partner, datetime(2025, 2, 1 + number, 10, tzinfo=UTC))
    login_as(client, Role.COORDINATOR)
    data = client.get("/monitoring/export/csv/?period=year&year=2025").data.decode("utf-8-sig")
    cells = [cell for line in csv.reader(io.StringIO(data), delimiter=";") for cell in line]
    for name in names:
        assert "'" + name in cells
        assert name not in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    workbook = load_workbook(io.BytesIO(
        client.get("/monitoring/export/xlsx/?period=year&year=2025").data))
    values = [cell for sheet in workbook.worksheets for r in sheet.iter_rows() for cell in r]
    formula = next(cell for cell in values if cell.value == names[0])
    assert formula.data_type == "s"
    assert not [cell for cell in values if cell.data_type == "f"]


@pytest.mark.parametrize(("kind", "mimetype"), [
    ("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats"), ("pdf", "application/pdf")])
def test_exports_are_audited_with_what_was_exported(client, db, kind, mimetype):
    user = login_as(client, Role.BOARD)
    response = client.get(f"/monitoring/export/{kind}/?period=quarter&year=2025&quarter=2")
    assert response.status_code == 200
    assert response.mimetype.startswith(mimetype)
    assert f"monitoring-2025-q2-board.{kind}" in response.headers["Content-Disposition"]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.EXPORT, AuditEvent.user_id == user.id)).one()
    assert event.entity == "Monitoring"
    assert event.detail == f"{kind} 2025-04-01..2025-06-30 board view"


def test_the_csv_names_its_charset_once(client, db):
    login_as(client, Role.COORDINATOR)
    response = client.get("/monitoring/export/csv/?period=year&year=2025")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_the_board_reaches_the_monitoring_only(client, app):
    """The access matrix checks every URL; here the board's menu and landing page."""
    login_as(client, Role.BOARD)
    assert client.get("/").headers["Location"].endswith("/monitoring/")
    page = client.get("/monitoring/").get_data(as_text=True)
    assert "/admin/case/" not in page and "/admin/person/" not in page
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("monitoring.") or "GET" not in rule.methods \
                or rule.arguments:
            continue
        if rule.endpoint.startswith(("admin.", "case.", "person.", "need.", "referral.",
                                     "partner.", "intakes.", "user.", "audit.")):
            assert client.get(rule.rule).status_code == 403, rule.rule


def test_the_page_takes_the_same_number_of_statements_however_many_cases(client, year_2025,
                                                                         count_queries):
    login_as(client, Role.BOARD)
    client.get(YEAR)
    with count_queries() as few:
        client.get(YEAR)
    for day in range(1, 20):
        case = make_case(opened_on=date(2025, 7, day), source=CaseSource.OTHER)
        make_need(case, "bank_account", identified_on=date(2025, 7, day))
    with count_queries() as many:
        client.get(YEAR)
    assert len(many) == len(few) <= 20
