"""The monitoring as tables and charts: what the page, the spreadsheets and the PDF show.

One report is built per request from the exact figures (``welcome.services.monitoring``).
For the board (or a coordinator previewing the board's view) every count goes through the
small-number rule of ``welcome.services.disclosure`` first, and everything else – differences,
percentages, medians, the order of rows, the length of bars – is derived from what may be
shown. The page and every export render this one report, so they always agree.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from babel.numbers import get_group_symbol
from flask_babel import format_date, format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from welcome.i18n import country_name
from welcome.models import CaseSource, ContactChannel, NeedStatus, ReasonKind, ReferralStatus
from welcome.services.disclosure import Count, Disclosure, State, all_shown
from welcome.services.monitoring import Figures, Pair, language_counts, percentile
from welcome.services.periods import Period

SMALL_TEXT = "< 5"
HIDDEN_TEXT = "x"
#: Bars in a chart; the table beside it has every row.
CHART_ROWS = 10
#: Chart colours (Okabe–Ito, readable with any colour vision): this period, the one before,
#: and further series.
BLUE, LIGHT_BLUE, ORANGE, GREEN, GREY = "#0b4f8a", "#9dbcd9", "#d55e00", "#009e73", "#7f8c99"
#: The sections of the page and the report, and their tables in reading order.
SECTIONS = (
    (_l("At a glance"), ("summary", "trend")),
    (_l("Who came to the center"),
     ("cases_by_source", "persons_by_purpose", "persons_by_country")),
    (_l("Needs and gaps in the offer"),
     ("needs_by_field", "unmet_reasons", "languages", "language_coverage")),
    (_l("Referrals and how they end"),
     ("referrals_by_partner", "referral_reasons", "durations")),
    (_l("Consultations"), ("consultations_by_channel", "consultations_by_language")),
)
#: The catch-all field of action, which no partner is expected to offer.
OTHER_FIELD = "other"
#: Needs of a field: all recorded, and by status today.
NEED_GROUPS = ("all", "met", "open", "unmet")
#: Referrals of a partner: all handed over, by status today, and those with overdue feedback.
REFERRAL_OUTCOMES = ("completed", "failed", "cancelled", "open")
REFERRAL_GROUPS = ("all", *REFERRAL_OUTCOMES, "overdue")


@dataclass
class Cell:
    """What one table cell shows: text for people, a number for spreadsheets (or None)."""

    text: str
    number: float | None = None
    state: str = "shown"
    #: The text in a CSV file: like ``text`` but without thousands separators.
    plain: str = ""
    #: "count", "percent", "days", "change", "empty" (nothing to show) or "" (text).
    kind: str = ""

    def __post_init__(self) -> None:
        self.plain = self.plain or self.text


@dataclass
class Row:
    label: str
    cells: list[Cell]
    #: "data", "part" (of the row above), "group" (a partner type above its partners) or
    #: "total".
    kind: str = "data"
    #: Highlight for a row or cell content, e.g. a field of action without any partner.
    css: str = ""


@dataclass
class Series:
    label: str
    colour: str
    cells: list[Cell]


@dataclass
class Chart:
    """A chart of some rows of a table: "bars" (rankings) or "line" (months)."""

    kind: str
    title: str
    categories: list[str]
    series: list[Series]


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[Row]
    note: str = ""
    chart: Chart | None = None
    #: Cells are counts of partner organisations, not of people (never suppressed).
    organisations: bool = False


@dataclass
class Highlight:
    """A figure for the cards at the top: the count, and what it means in a few words."""

    label: str
    cell: Cell
    details: list[tuple[str, Cell]]


@dataclass
class Report:
    period: Period
    previous: Period
    protected: bool
    running: bool
    today: date
    #: The counts behind the tables and how they add up, as protected.
    disclosure: Disclosure
    tables: list[Table] = field(default_factory=list)
    highlights: list[Highlight] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)

    def sections(self) -> list[tuple[str, list[Table]]]:
        return [(str(title), [self.table(key) for key in keys]) for title, keys in SECTIONS]


# --- cells -------------------------------------------------------------------------------------

#: The thousands separator of the report being built (set once per report, read per cell).
_GROUP_SYMBOL: ContextVar[str | None] = ContextVar("monitoring_group_symbol", default=None)


@cache
def _group_symbol(locale: str) -> str:
    return get_group_symbol(locale)


def grouped(value: int) -> str:
    """A whole number with the UI language's thousands separator (12.345 or 12,345); much
    faster than a full Babel format for the thousand cells of a large report."""
    symbol = _GROUP_SYMBOL.get() or _group_symbol(str(get_locale() or "de"))
    return f"{value:,}".replace(",", symbol)


def count_cell(count: Count) -> Cell:
    if count.state is State.SMALL:
        return Cell(SMALL_TEXT, None, "small", kind="count")
    if count.state is State.HIDDEN:
        return Cell(HIDDEN_TEXT, None, "hidden", kind="count")
    return Cell(grouped(count.value), count.value, plain=str(count.value), kind="count")


def hidden_cell(kind: str) -> Cell:
    return Cell(HIDDEN_TEXT, None, "hidden", kind=kind)


def empty_cell() -> Cell:
    return Cell("–", None, "empty", plain="", kind="empty")


def text_cell(text: str) -> Cell:
    return Cell(text, None, "shown")


def change_cell(current: Count, previous: Count) -> Cell:
    """The difference to the previous period (rule 3: only from shown counts)."""
    if not all_shown(current, previous):
        return hidden_cell("change")
    difference = current.value - previous.value
    if difference == 0:
        return Cell("±0", 0, plain="0", kind="change")
    sign = "+" if difference > 0 else "−"
    return Cell(f"{sign}{grouped(abs(difference))}", difference, plain=str(difference),
                kind="change")


def share_cell(part: Count, whole: Count) -> Cell:
    """``part`` as a share of ``whole`` (rule 3), or a dash when there is no whole."""
    if not all_shown(part, whole):
        return hidden_cell("percent")
    if whole.value == 0:
        return empty_cell()
    share = part.value / whole.value
    return Cell(format_percent(share), share, kind="percent")


def days_cell(value: float | None, measured: Count) -> Cell:
    """A median or percentile in days (rule 3: only with its number of measurements shown)."""
    if value is None:
        return empty_cell()
    if not measured.shown:
        return hidden_cell("days")
    return Cell(format_decimal(value, "#,##0.#"), value, kind="days")


def rank(count: Count) -> tuple[int, int]:
    """Sort key from what is shown only (rule 4): shown counts by size, then "x", then "< 5"."""
    if count.state is State.HIDDEN:
        return (1, 0)
    if count.state is State.SMALL:
        return (2, 0)
    return (0, -count.value)


# --- the report ------------------------------------------------------------------------------

@dataclass
class _PairCounts:
    current: Count
    previous: Count


class _Builder:
    """Makes every count, declares how they add up, protects them, then lays out the tables."""

    def __init__(self, figures: Figures, protect: bool) -> None:
        self.figures = figures
        self.catalogues = figures.catalogues
        self.disclosure = Disclosure(protect)
        self.period, self.previous = figures.period, figures.previous

    def pair(self, pair: Pair) -> _PairCounts:
        return _PairCounts(self.disclosure.count(pair.current),
                           self.disclosure.count(pair.previous))

    def breakdown(self, pairs: dict[object, Pair], total: _PairCounts | None = None,
                  ) -> tuple[dict[object, _PairCounts], _PairCounts]:
        """Counts per key and their total (made, or one that exists already), declared to add
        up in this and in the previous period."""
        counts = {key: self.pair(pair) for key, pair in pairs.items()}
        total = total or self.pair(Pair(sum(p.current for p in pairs.values()),
                                        sum(p.previous for p in pairs.values())))
        self.disclosure.adds_up(total.current, [c.current for c in counts.values()])
        self.disclosure.adds_up(total.previous, [c.previous for c in counts.values()])
        return counts, total

    # phase 1: counts and how they add up ----------------------------------------------------

    def listed(self, entries: dict[int, Any], used: Iterable[object]) -> dict[object, Pair]:
        """Rows for every active catalogue entry and every entry in use, so that a row's
        presence never tells the board that its count is not zero."""
        keys = [key for key, entry in entries.items() if entry.active]
        keys += [key for key in used if key not in keys]
        return {key: Pair() for key in keys}

    def count_everything(self) -> None:
        f, d = self.figures, self.disclosure
        sources = {source: f.cases_by_source.get(source, Pair()) for source in CaseSource}
        self.sources, self.cases = self.breakdown(sources)
        purposes = self.listed(self.catalogues.purposes,
                               (key[0] for key in f.persons if key[0] is not None))
        purposes[None] = Pair()
        countries: dict[object, Pair] = defaultdict(Pair)
        for (purpose, nationality, _language), pair in f.persons.items():
            purposes[purpose].add(pair.current, pair.previous)
            countries[nationality].add(pair.current, pair.previous)
        self.purposes, self.persons = self.breakdown(purposes)
        self.countries, _persons = self.breakdown(countries, self.persons)
        self.count_needs()
        self.count_trend()
        self.count_referrals()
        self.count_durations()
        channels: dict[object, Pair] = {channel: Pair() for channel in ContactChannel}
        languages = self.listed(self.catalogues.languages,
                                (key[1] for key in f.consultations if key[1] is not None))
        languages[None] = Pair()
        interpreter = Pair()
        for (channel, language_id, with_interpreter), pair in f.consultations.items():
            channels[channel].add(pair.current, pair.previous)
            languages[language_id].add(pair.current, pair.previous)
            if with_interpreter:
                interpreter.add(pair.current, pair.previous)
        self.channels, self.consultations = self.breakdown(channels)
        self.consultation_languages, _consultations = self.breakdown(languages,
                                                                    self.consultations)
        self.interpreter = self.pair(interpreter)
        counts = language_counts(f)
        self.top_languages = {language_id: d.count(counts[language_id])
                              for language_id in f.top_languages}
        self.other_languages = d.count(self.persons.current.value
                                       - sum(counts[lang] for lang in f.top_languages))
        d.adds_up(self.persons.current, [*self.top_languages.values(), self.other_languages])

    def count_needs(self) -> None:
        """Per field this period: recorded = met + open + unmet, and unmet by reason; the
        previous period shows only recorded and unmet per field."""
        f, d = self.figures, self.disclosure
        raw: dict[int, dict[str, Pair]] = {
            field_id: defaultdict(Pair)
            for field_id in self.listed(self.catalogues.fields, (key[0] for key in f.needs))}
        by_reason: dict[tuple[int, int], int] = defaultdict(int)
        for (field_id, status, reason_id), pair in f.needs.items():
            group = {NeedStatus.MET: "met", NeedStatus.UNMET: "unmet"}.get(status, "open")
            raw[field_id][group].add(pair.current, pair.previous)
            raw[field_id]["all"].add(pair.current, pair.previous)
            if status is NeedStatus.UNMET and reason_id is not None and pair.current:
                by_reason[(field_id, reason_id)] += pair.current
        totals: dict[str, Pair] = defaultdict(Pair)
        for groups in raw.values():
            for name, pair in groups.items():
                totals[name].add(pair.current, pair.previous)
        self.needs = {name: self.pair(totals[name]) for name in NEED_GROUPS}
        for when in ("current", "previous"):
            d.adds_up(getattr(self.needs["all"], when),
                      [getattr(self.needs[name], when) for name in NEED_GROUPS[1:]])
        self.need_fields: dict[int, dict[str, Count]] = {}
        for field_id, groups in raw.items():
            counts = {name: d.count(groups[name].current) for name in NEED_GROUPS}
            counts["all_before"] = d.count(groups["all"].previous)
            counts["unmet_before"] = d.count(groups["unmet"].previous)
            d.adds_up(counts["all"], [counts[name] for name in NEED_GROUPS[1:]])
            self.need_fields[field_id] = counts
        columns = [(name, self.needs[name].current) for name in NEED_GROUPS]
        columns += [("all_before", self.needs["all"].previous),
                    ("unmet_before", self.needs["unmet"].previous)]
        for name, total in columns:
            d.adds_up(total, [counts[name] for counts in self.need_fields.values()])
        # Why needs stay unmet: every field × every reason, with both margins.
        self.reason_ids = self.reasons_of(ReasonKind.NEED_UNMET,
                                          (reason for _field, reason in by_reason))
        self.unmet_fields = list(self.need_fields)
        self.unmet_cells = {(field_id, reason_id): d.count(by_reason.get((field_id, reason_id),
                                                                         0))
                            for field_id in self.unmet_fields for reason_id in self.reason_ids}
        for field_id in self.unmet_fields:
            d.adds_up(self.need_fields[field_id]["unmet"],
                      [self.unmet_cells[(field_id, r)] for r in self.reason_ids])
        self.unmet_reasons = {
            reason_id: d.count(sum(by_reason.get((field_id, reason_id), 0)
                                   for field_id in self.unmet_fields))
            for reason_id in self.reason_ids}
        for reason_id in self.reason_ids:
            d.adds_up(self.unmet_reasons[reason_id],
                      [self.unmet_cells[(f_id, reason_id)] for f_id in self.unmet_fields])
        d.adds_up(self.needs["unmet"].current, list(self.unmet_reasons.values()))

    def reasons_of(self, kind: ReasonKind, used: Iterable[int]) -> list[int]:
        """Every active reason of ``kind`` and every one in use, in catalogue order."""
        reasons = self.catalogues.reasons
        return list(self.listed({key: r for key, r in reasons.items() if r.kind is kind},
                                used))

    def count_trend(self) -> None:
        f, d = self.figures, self.disclosure
        self.month_cases = {m: d.count(f.case_months.get(m, 0)) for m in f.months}
        self.month_needs = {m: d.count(f.need_months.get(m, (0, 0))[0]) for m in f.months}
        self.month_unmet = {m: d.count(f.need_months.get(m, (0, 0))[1]) for m in f.months}
        for period, when in ((self.period, "current"), (self.previous, "previous")):
            months = period.months()
            if not period.month_aligned or not set(months) <= set(f.months):
                continue
            for total, cells in ((self.cases, self.month_cases),
                                 (self.needs["all"], self.month_needs),
                                 (self.needs["unmet"], self.month_unmet)):
                parts = [cells[m] for m in months]
                # Read by another statement: a record saved meanwhile may be in one and not the
                # other, and then the two do not form a relation a reader could use.
                if sum(part.value for part in parts) == getattr(total, when).value:
                    d.adds_up(getattr(total, when), parts)

    def count_referrals(self) -> None:
        """In total for both periods, per partner type and partner for this period: handed
        over = completed + failed + cancelled + still open (of which some overdue).

        Every active partner is listed, and every other partner that received referrals, so
        that being listed says nothing about a partner's figures.
        """
        d = self.disclosure
        outcome = {ReferralStatus.COMPLETED: "completed", ReferralStatus.FAILED: "failed",
                   ReferralStatus.CANCELLED: "cancelled"}
        partners: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        totals: dict[str, Pair] = defaultdict(Pair)
        reasons: dict[tuple[int, str], int] = defaultdict(int)
        for row in self.figures.referrals:
            name = outcome.get(row.status, "open")
            for key, pair in ((name, row.count), ("all", row.count), ("overdue", row.overdue)):
                totals[key].add(pair.current, pair.previous)
                partners[row.partner_id][key] += pair.current
            if name in ("failed", "cancelled") and row.reason_id is not None:
                reasons[(row.reason_id, name)] += row.count.current

        def outcomes(values: dict[str, int]) -> dict[str, Count]:
            counts = {name: d.count(values.get(name, 0)) for name in REFERRAL_GROUPS}
            d.adds_up(counts["all"], [counts[name] for name in REFERRAL_OUTCOMES])
            return counts

        entries = self.figures.partners
        listed = [pid for pid, entry in entries.items() if entry.active or partners[pid]["all"]]
        self.partner_names = {pid: entries[pid].name for pid in listed}
        self.partner_counts = {pid: outcomes(partners[pid]) for pid in listed}
        by_type: dict[int, list[int]] = defaultdict(list)
        for pid in listed:
            by_type[entries[pid].type_id].append(pid)
        self.type_partners = dict(by_type)
        self.type_counts = {}
        for type_id, members in by_type.items():
            counts = outcomes({name: sum(partners[p][name] for p in members)
                               for name in REFERRAL_GROUPS})
            for name in REFERRAL_GROUPS:
                d.adds_up(counts[name], [self.partner_counts[p][name] for p in members])
            self.type_counts[type_id] = counts
        self.referrals = {name: self.pair(totals[name]) for name in REFERRAL_GROUPS}
        for when in ("current", "previous"):
            d.adds_up(getattr(self.referrals["all"], when),
                      [getattr(self.referrals[name], when) for name in REFERRAL_OUTCOMES])
        for name in REFERRAL_GROUPS:
            d.adds_up(self.referrals[name].current,
                      [counts[name] for counts in self.type_counts.values()])
        self.failure_reasons = self.reasons_of(ReasonKind.REFERRAL_FAILED,
                                               (reason for reason, _name in reasons))
        self.reason_counts = {(reason_id, name): d.count(reasons.get((reason_id, name), 0))
                              for reason_id in self.failure_reasons
                              for name in ("failed", "cancelled")}
        for name in ("failed", "cancelled"):
            d.adds_up(self.referrals[name].current,
                      [self.reason_counts[(r, name)] for r in self.failure_reasons])

    def count_durations(self) -> None:
        d = self.disclosure
        self.intake_histograms: dict[bool, dict[int, int]] = {True: {}, False: {}}
        waiting = Pair()
        for (days, current), count in self.figures.intake_days.items():
            if days is None:
                waiting.add(count if current else 0, 0 if current else count)
            else:
                self.intake_histograms[current][days] = count
        self.intakes_measured = self.pair(Pair(sum(self.intake_histograms[True].values()),
                                               sum(self.intake_histograms[False].values())))
        self.intakes_waiting = self.pair(waiting)
        self.intakes = self.pair(Pair(self.intakes_measured.current.value + waiting.current,
                                      self.intakes_measured.previous.value + waiting.previous))
        for when in ("current", "previous"):
            d.adds_up(getattr(self.intakes, when), [getattr(self.intakes_measured, when),
                                                     getattr(self.intakes_waiting, when)])
        self.completion_histograms: dict[bool, dict[int, int]] = {True: {}, False: {}}
        for (days, current), count in self.figures.completion_days.items():
            self.completion_histograms[current][days] = count

    # phase 2: tables --------------------------------------------------------------------------

    def build(self) -> Report:
        token = _GROUP_SYMBOL.set(_group_symbol(str(get_locale() or "de")))
        try:
            return self._build()
        finally:
            _GROUP_SYMBOL.reset(token)

    def _build(self) -> Report:
        self.count_everything()
        self.disclosure.apply()
        report = Report(self.period, self.previous, self.disclosure.protect,
                        running=self.period.end >= self.figures.today,
                        today=self.figures.today,
                        disclosure=self.disclosure)
        report.tables = [
            self.summary_table(), self.trend_table(), self.sources_table(),
            self.purposes_table(), self.countries_table(), self.gap_table(),
            self.unmet_reasons_table(), self.languages_table(), self.coverage_table(),
            self.referrals_table(), self.failure_reasons_table(), self.durations_table(),
            self.channels_table(), self.consultation_languages_table(),
        ]
        report.highlights = self.highlights()
        return report

    def highlights(self) -> list[Highlight]:
        """Four figures a board member takes in at a glance, from the same counts."""
        n, r, before = self.needs, self.referrals, self.previous.label()
        return [
            Highlight(_("new cases"), count_cell(self.cases.current), [
                (_("persons"), count_cell(self.persons.current)),
                (before, count_cell(self.cases.previous))]),
            Highlight(_("needs recorded"), count_cell(n["all"].current), [
                (_("met"), count_cell(n["met"].current)),
                (_("open"), count_cell(n["open"].current))]),
            Highlight(_("needs unmet"), count_cell(n["unmet"].current), [
                (_("share"), share_cell(n["unmet"].current, n["all"].current)),
                (before, count_cell(n["unmet"].previous))]),
            Highlight(_("referrals handed over"), count_cell(r["all"].current), [
                (_("completed"), count_cell(r["completed"].current)),
                (_("failed"), count_cell(r["failed"].current))]),
        ]

    @property
    def period_headers(self) -> list[str]:
        return [self.period.label(), self.previous.label()]

    def pair_row(self, label: str, counts: _PairCounts, kind: str = "data",
                 change: bool = False) -> Row:
        cells = [count_cell(counts.current), count_cell(counts.previous)]
        if change:
            cells.append(change_cell(counts.current, counts.previous))
        return Row(label, cells, kind)

    def summary_table(self) -> Table:
        r, n = self.referrals, self.needs

        def part(label: str, counts: _PairCounts) -> Row:
            return self.pair_row(label, counts, kind="part", change=True)

        def share(label: str, part: _PairCounts, whole: _PairCounts) -> Row:
            return Row(label, [share_cell(part.current, whole.current),
                               share_cell(part.previous, whole.previous), empty_cell()], "part")

        rows = [
            self.pair_row(_("New cases"), self.cases, change=True),
            self.pair_row(_("Persons in new cases"), self.persons, change=True),
            self.pair_row(_("Intakes from the offices accepted"), self.intakes, change=True),
            self.pair_row(_("Needs recorded"), n["all"], change=True),
            part(_("of which met"), n["met"]),
            part(_("of which open"), n["open"]),
            part(_("of which unmet"), n["unmet"]),
            share(_("Share of needs unmet"), n["unmet"], n["all"]),
            self.pair_row(_("Referrals handed over"), r["all"], change=True),
            part(_("of which completed"), r["completed"]),
            part(_("of which failed"), r["failed"]),
            part(_("of which cancelled"), r["cancelled"]),
            part(_("of which still open"), r["open"]),
            part(_("of which with feedback overdue"), r["overdue"]),
            share(_("Share of referrals completed"), r["completed"], r["all"]),
            self.pair_row(_("Consultations"), self.consultations, change=True),
            part(_("of which with an interpreter"), self.interpreter),
            share(_("Share of consultations with an interpreter"), self.interpreter,
                  self.consultations),
        ]
        return Table("summary", _("Key figures"), ["", *self.period_headers, _("Change")], rows,
                     note=_("Needs and referrals are those recorded or handed over in the "
                            "period, with their status today."))

    def trend_table(self) -> Table:
        months = self.figures.months
        rows = [Row(format_date(m, "LLL y"), [count_cell(self.month_cases[m]),
                                              count_cell(self.month_needs[m]),
                                              count_cell(self.month_unmet[m])])
                for m in months]
        series_names = (_("New cases"), _("Needs recorded"), _("of which unmet today"))
        chart = Chart("line", _("Month by month"), [format_date(m, "LLL yy") for m in months],
                      [Series(name, colour, [row.cells[index] for row in rows])
                       for index, (name, colour) in enumerate(zip(series_names,
                                                                  (BLUE, GREY, ORANGE),
                                                                  strict=True))])
        return Table("trend", _("Month by month"), [_("Month"), *series_names], rows,
                     chart=chart)

    def ranked_pairs(self, key: str, title: str, header: str,
                     counts: dict[object, _PairCounts], total: _PairCounts,
                     label: Callable[[object], str], note: str = "") -> Table:
        """A breakdown of this and the previous period, largest first, with a bar chart."""
        labelled = [(label(k), c) for k, c in counts.items()]
        labelled.sort(key=lambda item: (rank(item[1].current), rank(item[1].previous),
                                        item[0].lower()))
        rows = [self.pair_row(text, c) for text, c in labelled]
        rows.append(self.pair_row(_("Total"), total, kind="total"))
        shown = rows[:-1][:CHART_ROWS]
        chart = Chart("bars", title, [row.label for row in shown], [
            Series(self.period.label(), BLUE, [row.cells[0] for row in shown]),
            Series(self.previous.label(), LIGHT_BLUE, [row.cells[1] for row in shown]),
        ])
        return Table(key, title, [header, *self.period_headers], rows, note=note, chart=chart)

    def sources_table(self) -> Table:
        return self.ranked_pairs(
            "cases_by_source", _("New cases by how they came to the center"),
            _("Came through"), self.sources, self.cases,
            lambda source: CaseSource(source).label)

    def purposes_table(self) -> Table:
        purposes = self.catalogues.purposes
        return self.ranked_pairs(
            "persons_by_purpose", _("Persons in new cases by residence purpose"),
            _("Residence purpose"), self.purposes, self.persons,
            lambda key: purposes[key].label if key is not None else _("not recorded"))

    def countries_table(self) -> Table:
        return self.ranked_pairs(
            "persons_by_country", _("Persons in new cases by country of origin"),
            _("Country of origin (nationality)"), self.countries, self.persons,
            lambda code: country_name(code) if code else _("not recorded"))

    def field_label(self, field_id: int) -> str:
        return self.catalogues.fields[field_id].label

    def gap_table(self) -> Table:
        def order(field_id: int) -> tuple:
            c = self.need_fields[field_id]
            return (rank(c["unmet"]), rank(c["open"]), rank(c["all"]),
                    self.field_label(field_id).lower())

        def row(label: str, c: dict[str, Count], kind: str = "data") -> Row:
            return Row(label, [
                count_cell(c["all"]), count_cell(c["met"]), count_cell(c["open"]),
                count_cell(c["unmet"]), share_cell(c["unmet"], c["all"]),
                count_cell(c["all_before"]), count_cell(c["unmet_before"]),
            ], kind)

        fields = sorted(self.need_fields, key=order)
        rows = [row(self.field_label(f), self.need_fields[f]) for f in fields]
        totals = {name: self.needs[name].current for name in NEED_GROUPS}
        totals["all_before"] = self.needs["all"].previous
        totals["unmet_before"] = self.needs["unmet"].previous
        rows.append(row(_("Total"), totals, "total"))
        shown = rows[:-1]
        chart = Chart("bars", _("Needs recorded and unmet, by field of action"),
                      [r.label for r in shown], [
                          Series(_("recorded"), LIGHT_BLUE, [r.cells[0] for r in shown]),
                          Series(_("unmet"), ORANGE, [r.cells[3] for r in shown]),
                      ])
        previous = self.previous.label()
        return Table("needs_by_field", _("Needs by field of action: where the gaps are"), [
            _("Field of action"), _("Recorded"), _("Met"), _("Open"), _("Unmet"),
            _("Share unmet"), _("Recorded, %(period)s", period=previous),
            _("Unmet, %(period)s", period=previous),
        ], rows, chart=chart, note=" ".join(filter(None, [_(
            "Needs recorded in %(period)s with their status today; fields with the most "
            "unmet needs first. Unmet needs are the gaps in the offer.",
            period=self.period.label()),
            self.disclosure.protect and _("Fields whose counts are hidden come after the "
                                          "others.")])))

    def unmet_reasons_table(self) -> Table:
        reasons = self.catalogues.reasons
        fields = sorted(self.unmet_fields, key=lambda f: (
            rank(self.need_fields[f]["unmet"]), self.field_label(f).lower()))
        rows = [Row(self.field_label(f),
                    [count_cell(self.unmet_cells[(f, r)]) for r in self.reason_ids]
                    + [count_cell(self.need_fields[f]["unmet"])]) for f in fields]
        rows.append(Row(_("Total"), [count_cell(self.unmet_reasons[r]) for r in self.reason_ids]
                        + [count_cell(self.needs["unmet"].current)], "total"))
        ordered = sorted(self.reason_ids, key=lambda r: (rank(self.unmet_reasons[r]),
                                                         reasons[r].label.lower()))
        chart = Chart("bars", _("Why needs remain unmet"),
                      [reasons[r].label for r in ordered],
                      [Series(self.period.label(), ORANGE,
                              [count_cell(self.unmet_reasons[r]) for r in ordered])])
        return Table("unmet_reasons", _("Why needs remain unmet"),
                     [_("Field of action"), *(reasons[r].label for r in self.reason_ids),
                      _("Total")], rows, chart=chart,
                     note=_("Unmet needs recorded in %(period)s, by the reason staff gave.",
                            period=self.period.label()))

    def languages_table(self) -> Table:
        languages = self.catalogues.languages
        ordered = sorted(self.top_languages, key=lambda lang: (
            rank(self.top_languages[lang]), languages[lang].label.lower()))
        rows = [Row(languages[lang].label, [count_cell(self.top_languages[lang])])
                for lang in ordered]
        rows.append(Row(_("other languages or none recorded"),
                        [count_cell(self.other_languages)]))
        rows.append(Row(_("Total"), [count_cell(self.persons.current)], "total"))
        return Table("languages", _("Preferred languages of the new clients"),
                     [_("Language"), _("Persons, %(period)s", period=self.period.label())],
                     rows, note=_("The most frequent preferred languages of the persons in "
                                  "new cases."))

    def coverage_table(self) -> Table:
        languages = self.catalogues.languages
        top = list(self.top_languages)
        rows = []
        for field_id, field_of_action in self.catalogues.fields.items():
            if not field_of_action.active or field_of_action.code == OTHER_FIELD or not top:
                continue
            offered = [self.figures.coverage.get((field_id, lang), 0) for lang in top]
            missing = [languages[lang].label for lang, n in zip(top, offered, strict=True)
                       if not n]
            cells = [Cell(grouped(n), n, kind="count") for n in offered]
            cells.append(text_cell(", ".join(missing) if missing else "–"))
            rows.append(Row(field_of_action.label, cells, css="gap" if missing else ""))
        rows.sort(key=lambda row: (row.css != "gap", row.label.lower()))
        return Table("language_coverage",
                     _("Fields of action without a partner in the clients' languages"),
                     [_("Field of action"), *(languages[lang].label for lang in top),
                      _("No active partner offers")], rows, organisations=True,
                     note=_("How many active partners offer each field of action in each of "
                            "the languages above; a 0 is a gap in the offer."))

    def referrals_table(self) -> Table:
        types = self.catalogues.partner_types

        def row(label: str, counts: dict[str, Count], kind: str = "data") -> Row:
            return Row(label, [count_cell(counts[name]) for name in REFERRAL_GROUPS], kind)

        def by_size(counts: dict[str, Count], label: str) -> tuple:
            return (rank(counts["all"]), rank(counts["completed"]), label.lower())

        rows = []
        ordered_types = sorted(self.type_counts, key=lambda t: by_size(self.type_counts[t],
                                                                         types[t].label))
        for type_id in ordered_types:
            rows.append(row(types[type_id].label, self.type_counts[type_id], "group"))
            partners = sorted(self.type_partners[type_id], key=lambda p: by_size(
                self.partner_counts[p], self.partner_names[p]))
            rows += [row(self.partner_names[p], self.partner_counts[p]) for p in partners]
        rows.append(row(_("Total"), {name: counts.current
                                     for name, counts in self.referrals.items()}, "total"))
        groups = [r for r in rows if r.kind == "group"][:CHART_ROWS]
        chart = Chart("bars", _("Referrals by partner type"), [r.label for r in groups], [
            Series(_("completed"), GREEN, [r.cells[1] for r in groups]),
            Series(_("failed"), ORANGE, [r.cells[2] for r in groups]),
            Series(_("still open"), GREY, [r.cells[4] for r in groups]),
        ])
        return Table("referrals_by_partner", _("Referrals by partner type and partner"), [
            _("Partner"), _("Handed over"), _("Completed"), _("Failed"), _("Cancelled"),
            _("Still open"), _("Feedback overdue"),
        ], rows, chart=chart, note=_(
            "Referrals handed over in %(period)s with their status today. Feedback is overdue "
            "when the partner's answer was due before today.", period=self.period.label()))

    def failure_reasons_table(self) -> Table:
        reasons = self.catalogues.reasons
        ordered = sorted(self.failure_reasons, key=lambda r: (
            rank(self.reason_counts[(r, "failed")]), rank(self.reason_counts[(r, "cancelled")]),
            reasons[r].label.lower()))
        rows = [Row(reasons[r].label, [count_cell(self.reason_counts[(r, "failed")]),
                                       count_cell(self.reason_counts[(r, "cancelled")])])
                for r in ordered]
        rows.append(Row(_("Total"), [count_cell(self.referrals["failed"].current),
                                     count_cell(self.referrals["cancelled"].current)], "total"))
        return Table("referral_reasons", _("Why referrals failed or were cancelled"),
                     [_("Reason"), _("Failed"), _("Cancelled")], rows,
                     note=_("Referrals handed over in %(period)s.",
                            period=self.period.label()))

    def durations_table(self) -> Table:
        rows = []
        for period, current, when in ((self.period, True, "current"),
                                      (self.previous, False, "previous")):
            measured = getattr(self.intakes_measured, when)
            histogram = self.intake_histograms[current]
            rows.append(Row(_("From intake to first consultation, %(period)s",
                              period=period.label()), [
                count_cell(measured), days_cell(percentile(histogram, 0.5), measured),
                days_cell(percentile(histogram, 0.9), measured),
                count_cell(getattr(self.intakes_waiting, when))]))
        for period, current, when in ((self.period, True, "current"),
                                      (self.previous, False, "previous")):
            completed = getattr(self.referrals["completed"], when)
            histogram = self.completion_histograms[current]
            rows.append(Row(_("From handover to completed referral, %(period)s",
                              period=period.label()), [
                count_cell(completed), days_cell(percentile(histogram, 0.5), completed),
                days_cell(percentile(histogram, 0.9), completed), empty_cell()]))
        return Table("durations", _("How long it takes"), [
            _("Time span"), _("Measured"), _("Median (days)"), _("9 in 10 within (days)"),
            _("Still without consultation"),
        ], rows, note=_(
            "Intakes from the offices logged in the period and accepted into a case, and "
            "referrals handed over in the period. Half took at most the median; nine in ten "
            "took at most the last figure."))

    def channels_table(self) -> Table:
        return self.ranked_pairs(
            "consultations_by_channel", _("Consultations by channel"),
            _("Consultation channel"),
            self.channels, self.consultations, lambda channel: ContactChannel(channel).label)

    def consultation_languages_table(self) -> Table:
        languages = self.catalogues.languages
        return self.ranked_pairs(
            "consultations_by_language", _("Consultations by language"), _("Language"),
            self.consultation_languages, self.consultations,
            lambda key: languages[key].label if key is not None else _("not recorded"),
            note=_("Consultations with an interpreter: see the key figures."))


def build_report(figures: Figures, protect: bool) -> Report:
    """The report of ``figures``; ``protect`` applies the board's small-number rule."""
    return _Builder(figures, protect).build()
