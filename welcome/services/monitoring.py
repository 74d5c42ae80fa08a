"""The figures of the monitoring, counted by the database.

Every figure comes from a GROUP BY statement over indexed columns, at the finest breakdown a
table of the page shows (needs by field, status and reason, say); totals are the sums of those
grouped rows, so each total equals its rows exactly, which the board's small-number rule
relies on (``welcome.services.disclosure``). The same statements run on SQLite and PostgreSQL.
One page takes a constant number of statements, whatever the number of cases.

What is counted, for a period and the one before it:

- **new cases** by the day they were opened, with their **persons** (main person and household
  members of each new case) by residence purpose, nationality and preferred language as
  currently recorded;
- **needs** identified in the period, by field of action and their status today (met, open,
  unmet with its reason);
- **referrals** handed over in the period (local calendar days of the UTC handover time), by
  partner and their status today; feedback is overdue when the partner's answer was due
  before today and the referral is still open;
- **intakes** from the registration offices logged in the period and accepted into a case,
  and the days to the case's first consultation on or after that day;
- days from handover to completion for the completed referrals;
- **consultations** held in the period, by channel, language and interpreter use;
- the monthly **trend** of new cases, needs and unmet needs over the last twelve months of the
  period (longer when the period or the one before it reaches further back, so that each of
  them is made of whole months of the trend).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, extract, func, select, text, union_all
from sqlalchemy.orm import Session

from welcome.models import (
    Case,
    CaseMember,
    CaseSource,
    Consultation,
    ContactChannel,
    FieldOfAction,
    Intake,
    IntakeStatus,
    Language,
    Need,
    NeedStatus,
    Partner,
    PartnerType,
    Person,
    Reason,
    Referral,
    ReferralStatus,
    ResidencePurpose,
)
from welcome.models.partner import partner_fields, partner_languages
from welcome.services.database import days_between, local_date
from welcome.services.disclosure import THRESHOLD
from welcome.services.periods import Period, month_end, month_start

#: How many of the clients' preferred languages the language-offer check looks at.
TOP_LANGUAGES = 5
#: Referral statuses between the handover and an outcome.
OPEN_AFTER_HANDOVER = (ReferralStatus.HANDED_OVER, ReferralStatus.APPOINTMENT_MADE)


@dataclass
class Pair:
    """A count in the period and in the period before it."""

    current: int = 0
    previous: int = 0

    def add(self, current: int, previous: int) -> None:
        self.current += int(current or 0)
        self.previous += int(previous or 0)


@dataclass
class PartnerEntry:
    name: str
    type_id: int
    active: bool


@dataclass
class ReferralRow:
    partner_id: int
    status: ReferralStatus
    reason_id: int | None
    count: Pair
    overdue: Pair


@dataclass
class Catalogues:
    fields: dict[int, FieldOfAction]
    purposes: dict[int, ResidencePurpose]
    languages: dict[int, Language]
    reasons: dict[int, Reason]
    partner_types: dict[int, PartnerType]


@dataclass
class Figures:
    """Exact counts of one period and the one before; nothing here names a person."""

    period: Period
    previous: Period
    today: date
    #: First days of the months of the trend, oldest first.
    months: list[date]
    catalogues: Catalogues
    cases_by_source: dict[CaseSource, Pair] = field(default_factory=dict)
    #: (residence purpose id, nationality, preferred language id) → persons.
    persons: dict[tuple[int | None, str | None, int | None], Pair] = field(default_factory=dict)
    #: (field of action id, status, unmet reason id) → needs.
    needs: dict[tuple[int, NeedStatus, int | None], Pair] = field(default_factory=dict)
    #: month → new cases; month → (needs identified, of which unmet today).
    case_months: dict[date, int] = field(default_factory=dict)
    need_months: dict[date, tuple[int, int]] = field(default_factory=dict)
    referrals: list[ReferralRow] = field(default_factory=list)
    #: Every partner organisation, by id (names of organisations are not personal data).
    partners: dict[int, PartnerEntry] = field(default_factory=dict)
    #: (days, in the current period?) → completed referrals.
    completion_days: dict[tuple[int, bool], int] = field(default_factory=dict)
    #: (days or None while waiting, in the current period?) → accepted intakes.
    intake_days: dict[tuple[int | None, bool], int] = field(default_factory=dict)
    #: (channel, language id, interpreter used) → consultations.
    consultations: dict[tuple[ContactChannel, int | None, bool], Pair] = field(
        default_factory=dict)
    #: The clients' most frequent preferred languages this period, most frequent first.
    top_languages: list[int] = field(default_factory=list)
    #: (field of action id, language id) → active partners offering both.
    coverage: dict[tuple[int, int], int] = field(default_factory=dict)


def trend_months(period: Period) -> list[date]:
    """The months of the trend: the twelve up to the period's end, or more so that the period
    and the one before it each lie wholly inside or wholly outside the trend."""
    last = month_start(period.end)
    first = min(month_start(last, -11), month_start(period.start))
    previous = period.previous()
    if previous.start < first <= previous.end:
        first = month_start(previous.start)
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [month_start(first, offset) for offset in range(count)]


def collect(session: Session, period: Period, zone: ZoneInfo, today: date,
            protect: bool = False) -> Figures:
    """All figures for ``period`` and the period before it.

    :param zone: the time zone calendar days are counted in.
    :param today: today in that zone (for overdue feedback).
    :param protect: the figures are for the board's view; the clients' top languages are then
        only those of at least 5 persons.
    """
    previous = period.previous()
    if session.get_bind().dialect.name == "postgresql":
        # Compiling these short aggregates to machine code (JIT) costs more than it saves.
        session.execute(text("SET LOCAL jit = off"))
    figures = Figures(period=period, previous=previous, today=today,
                      months=trend_months(period), catalogues=_catalogues(session))
    _cases(session, figures)
    _persons(session, figures)
    _needs(session, figures)
    _referrals(session, figures, zone)
    _intake_days(session, figures, zone)
    _consultations(session, figures)
    _languages(session, figures, protect)
    return figures


def _utc_bounds(figures: Figures, zone: ZoneInfo) -> tuple[datetime, datetime, datetime]:
    """UTC instants: start of the previous period, start of the period, end of the period."""
    begin, after = figures.period.utc_bounds(zone)
    return figures.previous.utc_bounds(zone)[0], begin, after


def _which(day: Any, figures: Figures) -> Any:
    """1 for a day of the period, 0 for a day of the period before, NULL for other days."""
    return case((day.between(figures.period.start, figures.period.end), 1),
                (day.between(figures.previous.start, figures.previous.end), 0))


def _trend_range(figures: Figures) -> tuple[date, date]:
    """The days both periods and every month of the trend cover."""
    return (min(figures.months[0], figures.previous.start),
            max(month_end(figures.months[-1]), figures.period.end))


def _split(column: Any, start: date) -> tuple[Any, Any]:
    """SUM expressions counting rows in the current period and in the previous one."""
    return (func.sum(case((column >= start, 1), else_=0)),
            func.sum(case((column >= start, 0), else_=1)))


def _catalogues(session: Session) -> Catalogues:
    def load(model: type) -> dict:
        return {row.id: row for row in session.scalars(
            select(model).order_by(model.sort_order, model.id))}

    return Catalogues(fields=load(FieldOfAction), purposes=load(ResidencePurpose),
                      languages=load(Language), reasons=load(Reason),
                      partner_types=load(PartnerType))


def _by_month(session: Session, figures: Figures, day: Any, *columns: Any) -> Any:
    """Rows grouped by ``columns``, calendar month of ``day`` and period (1, 0 or NULL), with
    their number, over the days of both periods and the trend: one statement per table, so
    the period's figures and its months always agree.

    The inner GROUP BY follows an index on (day, columns…), so the database counts while it
    reads the index in order; the outer one folds the days into months and periods.
    """
    first, last = _trend_range(figures)
    days = (select(day.label("day"), *columns, func.count().label("number"))
            .where(day.between(first, last)).group_by(day, *columns).subquery())
    keyed = select(*(days.c[column.key] for column in columns),
                   extract("year", days.c.day).label("year"),
                   extract("month", days.c.day).label("month"),
                   _which(days.c.day, figures).label("which"), days.c.number).subquery()
    keys = list(keyed.c)[:-1]
    return session.execute(select(*keys, func.sum(keyed.c.number)).group_by(*keys))


def _cases(session: Session, figures: Figures) -> None:
    for source, year, month, which, count in _by_month(session, figures, Case.opened_on,
                                                       Case.source):
        first = date(int(year), int(month), 1)
        if first in figures.months:
            figures.case_months[first] = figures.case_months.get(first, 0) + count
        if which is not None:
            pair = figures.cases_by_source.setdefault(CaseSource(source), Pair())
            pair.add(count if which else 0, 0 if which else count)


def _persons(session: Session, figures: Figures) -> None:
    period, previous = figures.period, figures.previous
    in_range = Case.opened_on.between(previous.start, period.end)
    current = case((Case.opened_on >= period.start, 1), else_=0).label("current")
    people = union_all(
        select(Case.main_person_id.label("person_id"), current).where(in_range),
        select(CaseMember.person_id.label("person_id"), current)
        .join(Case, Case.id == CaseMember.case_id).where(in_range),
    ).subquery()
    rows = session.execute(
        select(Person.residence_purpose_id, Person.nationality, Person.preferred_language_id,
               func.sum(people.c.current), func.sum(1 - people.c.current))
        .join(people, people.c.person_id == Person.id)
        .group_by(Person.residence_purpose_id, Person.nationality,
                  Person.preferred_language_id))
    for purpose, nationality, language, now, earlier in rows:
        figures.persons.setdefault((purpose, nationality, language), Pair()).add(now, earlier)


def _needs(session: Session, figures: Figures) -> None:
    for field_id, status, reason_id, year, month, which, count in _by_month(
            session, figures, Need.identified_on, Need.field_of_action_id, Need.status,
            Need.unmet_reason_id):
        status = NeedStatus(status)
        first = date(int(year), int(month), 1)
        if first in figures.months:
            recorded, unmet = figures.need_months.get(first, (0, 0))
            figures.need_months[first] = (recorded + count,
                                          unmet + (count if status is NeedStatus.UNMET else 0))
        if which is not None:
            pair = figures.needs.setdefault((field_id, status, reason_id), Pair())
            pair.add(count if which else 0, 0 if which else count)


def _referrals(session: Session, figures: Figures, zone: ZoneInfo) -> None:
    """Referrals by partner, status and outcome reason, with overdue feedback and the days
    from handover to completion, in one statement."""
    earliest, begin, after = _utc_bounds(figures, zone)
    days = days_between(Referral.completed_on, local_date(Referral.handed_over_at, zone.key))
    overdue = and_(Referral.status.in_(OPEN_AFTER_HANDOVER),
                   Referral.feedback_due_on < figures.today)
    rows = select(
        Referral.partner_id.label("partner_id"), Referral.status.label("status"),
        Referral.outcome_reason_id.label("reason_id"),
        case((Referral.handed_over_at >= begin, 1), else_=0).label("current"),
        case((overdue, 1), else_=0).label("overdue"),
        case((and_(Referral.status == ReferralStatus.COMPLETED,
                   Referral.completed_on.is_not(None)),
              case((days < 0, 0), else_=days))).label("days"),
    ).where(Referral.handed_over_at >= earliest, Referral.handed_over_at < after).subquery()
    grouped = list(rows.c)
    figures.partners = {pid: PartnerEntry(name, type_id, active) for pid, name, type_id, active
                        in session.execute(select(Partner.id, Partner.name,
                                                  Partner.partner_type_id, Partner.active))}
    found: dict[tuple[int, ReferralStatus, int | None], ReferralRow] = {}
    for partner_id, status, reason_id, current, late, days_taken, count in session.execute(
            select(*grouped, func.count()).group_by(*grouped)):
        status = ReferralStatus(status)
        key = (partner_id, status, reason_id)
        if key not in found:
            found[key] = ReferralRow(partner_id, status, reason_id, Pair(), Pair())
            figures.referrals.append(found[key])
        found[key].count.add(count if current else 0, 0 if current else count)
        if late:
            found[key].overdue.add(count if current else 0, 0 if current else count)
        if days_taken is not None:
            measured = (int(days_taken), bool(current))
            figures.completion_days[measured] = figures.completion_days.get(measured, 0) + count


def _intake_days(session: Session, figures: Figures, zone: ZoneInfo) -> None:
    earliest, begin, after = _utc_bounds(figures, zone)
    logged_on = local_date(Intake.created_at, zone.key)
    first_consultation = (
        select(func.min(Consultation.held_on))
        .where(Consultation.case_id == Intake.case_id, Consultation.held_on >= logged_on)
        .correlate(Intake).scalar_subquery())
    measured = select(
        days_between(first_consultation, logged_on).label("days"),
        case((Intake.created_at >= begin, 1), else_=0).label("current"),
    ).where(Intake.status == IntakeStatus.ACCEPTED, Intake.case_id.is_not(None),
            Intake.created_at >= earliest, Intake.created_at < after).subquery()
    for value, current, count in session.execute(
            select(measured.c.days, measured.c.current, func.count())
            .group_by(measured.c.days, measured.c.current)):
        figures.intake_days[(None if value is None else int(value), bool(current))] = int(count)


def _consultations(session: Session, figures: Figures) -> None:
    period, previous = figures.period, figures.previous
    rows = session.execute(
        select(Consultation.channel, Consultation.language_id, Consultation.interpreter_used,
               *_split(Consultation.held_on, period.start))
        .where(Consultation.held_on.between(previous.start, period.end))
        .group_by(Consultation.channel, Consultation.language_id,
                  Consultation.interpreter_used))
    for channel, language_id, interpreter, current, before in rows:
        key = (ContactChannel(channel), language_id, bool(interpreter))
        figures.consultations.setdefault(key, Pair()).add(current, before)


def language_counts(figures: Figures) -> dict[int, int]:
    """New persons of the period by preferred language (persons without one left out)."""
    counts: dict[int, int] = defaultdict(int)
    for (_purpose, _nationality, language_id), pair in figures.persons.items():
        if language_id is not None and pair.current:
            counts[language_id] += pair.current
    return dict(counts)


def _languages(session: Session, figures: Figures, protect: bool) -> None:
    """The clients' most frequent preferred languages – for the board only those of at least
    5 persons, so the list never names a language a handful of people speak – and how many
    active partners offer each field of action in them."""
    counts = language_counts(figures)
    languages = figures.catalogues.languages
    candidates = [lang for lang, n in counts.items() if not protect or n >= THRESHOLD]
    figures.top_languages = sorted(
        candidates, key=lambda lang: (-counts[lang], languages[lang].label))[:TOP_LANGUAGES]
    if not figures.top_languages:
        return
    rows = session.execute(
        select(partner_fields.c.field_of_action_id, partner_languages.c.language_id,
               func.count(distinct(Partner.id)))
        .select_from(Partner)
        .join(partner_fields, partner_fields.c.partner_id == Partner.id)
        .join(partner_languages, partner_languages.c.partner_id == Partner.id)
        .where(Partner.active.is_(True),
               partner_languages.c.language_id.in_(figures.top_languages))
        .group_by(partner_fields.c.field_of_action_id, partner_languages.c.language_id))
    for field_id, language_id, partners in rows:
        figures.coverage[(field_id, language_id)] = int(partners)


def percentile(histogram: dict[int, int], fraction: float) -> float | None:
    """The ``fraction`` percentile of the values counted in ``histogram`` (value → how often),
    interpolated between neighbours as PostgreSQL's ``percentile_cont`` does."""
    total = sum(histogram.values())
    if not total:
        return None
    position = fraction * (total - 1)
    lower, upper = int(position), min(int(position) + 1, total - 1)
    values = _values_at(histogram, (lower, upper))
    return values[lower] + (values[upper] - values[lower]) * (position - lower)


def _values_at(histogram: dict[int, int], ranks: tuple[int, ...]) -> dict[int, int]:
    """The values at the given 0-based ranks of the sorted values."""
    found: dict[int, int] = {}
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        for rank in ranks:
            if rank < seen and rank not in found:
                found[rank] = value
    return found
