"""Monitoring figures against a hand-counted set, with period boundaries in local time.

The set is built around the first quarter of 2026 (the period) and the fourth quarter of 2025
(the one before). Timestamps sit on both sides of local midnight at the turn of the year and
at the end of March (summer time), where UTC and Berlin disagree about the day.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from tests.helpers import (
    catalogue,
    make_case,
    make_consent,
    make_intake,
    make_need,
    make_partner,
    make_person,
    make_referral,
)
from welcome.extensions import db
from welcome.models import (
    CaseSource,
    Consultation,
    ContactChannel,
    DataCategory,
    FieldOfAction,
    HandoverChannel,
    IntakeStatus,
    Language,
    MemberRelation,
    NeedStatus,
    Reason,
    ReferralStatus,
    ResidencePurpose,
)
from welcome.services import cases, monitoring, referrals
from welcome.services.monitoring_report import build_report
from welcome.services.periods import (
    Period,
    PeriodError,
    PeriodKind,
    period_from_args,
)

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 6, 1)
Q1 = Period(PeriodKind.QUARTER, date(2026, 1, 1), date(2026, 3, 31))


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def code(model, value):
    return catalogue(model, value)


def reason_code(value):
    return catalogue(Reason, value)


def hand_over(need, partner, at):
    """A handover by phone on the person's consent (information-only ones expect no feedback,
    so they could never be overdue)."""
    make_consent(need.case.main_person, [partner], given_on=date(2025, 1, 1))
    referral = make_referral(need, partner, HandoverChannel.PHONE)
    referrals.hand_over(db.session, referral, HandoverChannel.PHONE, [DataCategory.NAME], at=at)
    db.session.commit()
    return referral


def consultation(case, held_on, channel, language, interpreter=False):
    db.session.add(Consultation(case=case, held_on=held_on, channel=channel,
                                language=code(Language, language) if language else None,
                                interpreter_used=interpreter))
    db.session.commit()


@pytest.fixture
def counted(app_context):
    """The hand-counted set; comments give the figures each record contributes to."""
    uk, ar, tr = (code(Language, c) for c in ("uk", "ar", "tr"))
    blue, spouse = code(ResidencePurpose, "blue_card"), code(ResidencePurpose, "family_spouse")
    olena = make_person(nationality="UA", preferred_language=uk, residence_purpose=blue)
    taras = make_person(given_name="Taras", nationality="UA", preferred_language=uk,
                        residence_purpose=blue)
    rana = make_person(given_name="Rana", nationality="SY", preferred_language=ar,
                       residence_purpose=spouse)
    emre = make_person(given_name="Emre", nationality="TR", preferred_language=tr,
                       residence_purpose=None)
    # Q1: the first and the last day of the quarter.
    c1 = make_case(olena, opened_on=date(2026, 1, 1), source=CaseSource.REGISTRATION_OFFICE)
    cases.add_member(c1, taras, MemberRelation.SPOUSE)
    c2 = make_case(rana, opened_on=date(2026, 3, 31), source=CaseSource.SELF)
    # Q4 2025: the last day of the year.
    c3 = make_case(emre, opened_on=date(2025, 12, 31), source=CaseSource.REGISTRATION_OFFICE)
    # Neither: the day after the quarter, and a day in Q3 2025 (in the trend only).
    c4 = make_case(opened_on=date(2026, 4, 1), source=CaseSource.EMPLOYER)
    make_case(opened_on=date(2025, 9, 30), source=CaseSource.PARTNER)

    waiting = reason_code("unmet_waiting_list")
    make_need(c1, "housing", identified_on=date(2026, 1, 1), status=NeedStatus.UNMET,
              unmet_reason=waiting)
    make_need(c1, "housing", identified_on=date(2026, 2, 10), status=NeedStatus.MET)
    language = make_need(c1, "language", identified_on=date(2026, 3, 31))
    health = make_need(c2, "health", identified_on=date(2026, 3, 20))
    work = make_need(c1, "work", identified_on=date(2026, 2, 1))
    make_need(c3, "housing", identified_on=date(2025, 12, 31), status=NeedStatus.UNMET,
              unmet_reason=reason_code("unmet_no_partner"))
    late_health = make_need(c3, "health", identified_on=date(2025, 12, 30))
    registration = make_need(c3, "registration", identified_on=date(2025, 12, 31))
    make_need(c4, "work", identified_on=date(2026, 4, 1))

    fields = [code(FieldOfAction, c) for c in ("housing", "health", "work")]
    alpha = make_partner("Alpha", "mbe", fields_of_action=fields, languages=[uk])
    beta = make_partner("Beta", "jobcenter", fields_of_action=fields, languages=[ar])
    # Q1: 23:30 in Berlin on 31 March (summer time) is 21:30 UTC; completed 10 days later.
    r1 = hand_over(health, alpha, utc(2026, 3, 31, 21, 30))
    referrals.record_outcome(r1, ReferralStatus.COMPLETED, date(2026, 4, 10))
    # Not Q1: 22:30 UTC on 31 March is already 1 April in Berlin.
    hand_over(language, beta, utc(2026, 3, 31, 22, 30))
    # Q1: 23:30 UTC on New Year's Eve is 00:30 on 1 January in Berlin; failed.
    r3 = hand_over(late_health, beta, utc(2025, 12, 31, 23, 30))
    referrals.record_outcome(r3, ReferralStatus.FAILED, date(2026, 1, 20),
                             reason_code("referral_partner_full"))
    # Q4 2025: 22:30 UTC on New Year's Eve is 23:30 in Berlin; still open, feedback overdue.
    hand_over(registration, alpha, utc(2025, 12, 31, 22, 30))
    # Q1: handed over at 00:30 on 11 February in Berlin (23:30 UTC on the 10th), completed on
    # the 20th: 9 days in Berlin (it would be 10 counted in UTC).
    r5 = hand_over(work, alpha, utc(2026, 2, 10, 23, 30))
    referrals.record_outcome(r5, ReferralStatus.COMPLETED, date(2026, 2, 20))
    db.session.commit()

    consultation(c1, date(2026, 1, 5), ContactChannel.IN_PERSON, "uk", interpreter=True)
    consultation(c2, date(2026, 3, 29), ContactChannel.PHONE, "ar")
    consultation(c3, date(2025, 12, 31), ContactChannel.VIDEO, "de")
    consultation(c4, date(2026, 4, 2), ContactChannel.PHONE, None)

    def intake(at, case, status=IntakeStatus.ACCEPTED):
        entry = make_intake(phone=f"+49 171 39{at:%d%H%M}", status=status, case=case)
        entry.created_at = at
        db.session.commit()

    # Q1: logged 00:30 on 1 January in Berlin, first consultation on the 5th: 4 days.
    intake(utc(2025, 12, 31, 23, 30), c1)
    # Q1: the night summer time starts (01:30 UTC is 03:30 in Berlin), consultation that day.
    intake(utc(2026, 3, 29, 1, 30), c2)
    # Q1: its case's only consultation is older than the intake: still waiting.
    intake(utc(2026, 2, 1, 10, 0), c3)
    # Q4 2025: 23:30 on New Year's Eve in Berlin; consultation the same day.
    intake(utc(2025, 12, 31, 22, 30), c3)
    # Not accepted: not counted.
    intake(utc(2026, 2, 2, 10, 0), c1, IntakeStatus.NEW)
    return {"alpha": alpha, "beta": beta}


def figures(period=Q1, zone=BERLIN, protect=False):
    return monitoring.collect(db.session, period, zone, TODAY, protect)


# --- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "start", "end"), [
    ({}, date(2026, 1, 1), date(2026, 12, 31)),
    ({"period": "month", "year": "2024", "month": "2"}, date(2024, 2, 1), date(2024, 2, 29)),
    ({"period": "quarter", "year": "2026", "quarter": "4"}, date(2026, 10, 1),
     date(2026, 12, 31)),
    ({"period": "year", "year": "2025"}, date(2025, 1, 1), date(2025, 12, 31)),
    ({"period": "custom", "start": "2026-01-15", "end": "2026-02-14"}, date(2026, 1, 15),
     date(2026, 2, 14)),
])
def test_periods_from_the_url(args, start, end):
    period = period_from_args(args, TODAY)
    assert (period.start, period.end) == (start, end)


def test_each_period_is_compared_with_the_one_just_before():
    assert Q1.previous() == Period(PeriodKind.QUARTER, date(2025, 10, 1), date(2025, 12, 31))
    march = period_from_args({"period": "month", "year": "2026", "month": "3"}, TODAY)
    assert (march.previous().start, march.previous().end) == (date(2026, 2, 1),
                                                             date(2026, 2, 28))
    days = period_from_args({"period": "custom", "start": "2026-01-15", "end": "2026-02-14"},
                            TODAY)
    assert (days.previous().start, days.previous().end) == (date(2025, 12, 15),
                                                           date(2026, 1, 14))
    months = period_from_args({"period": "custom", "start": "2026-02-01", "end": "2026-03-31"},
                              TODAY)
    assert (months.previous().start, months.previous().end) == (date(2025, 12, 1),
                                                               date(2026, 1, 31))


def test_the_board_gets_whole_months():
    period = period_from_args({"period": "custom", "start": "2026-01-15", "end": "2026-02-14"},
                              TODAY, whole_months=True)
    assert (period.start, period.end) == (date(2026, 1, 1), date(2026, 2, 28))


def test_periods_start_and_end_at_local_midnight_in_utc():
    assert Q1.utc_bounds(BERLIN) == (utc(2025, 12, 31, 23), utc(2026, 3, 31, 22))
    summer = Period(PeriodKind.MONTH, date(2026, 7, 1), date(2026, 7, 31))
    assert summer.utc_bounds(BERLIN) == (utc(2026, 6, 30, 22), utc(2026, 7, 31, 22))


@pytest.mark.parametrize(("args", "field"), [
    ({"period": "week"}, "period"),
    ({"period": "year", "year": "abc"}, "year"),
    ({"period": "year", "year": "1999"}, "year"),
    ({"period": "year", "year": "99999999999999999999"}, "year"),
    ({"period": "year", "year": "²⁰²⁶"}, "year"),
    ({"period": "month", "month": "13"}, "month"),
    ({"period": "quarter", "quarter": "0"}, "quarter"),
    ({"period": "custom", "start": "2026-02-30", "end": "2026-03-01"}, "start"),
    ({"period": "custom", "start": "2026-03-01"}, "end"),
    ({"period": "custom", "start": "2026-03-02", "end": "2026-03-01"}, "end"),
    ({"period": "custom", "start": "2001-01-01", "end": "2026-03-01"}, "end"),
    ({"period": "custom", "start": "0001-01-01", "end": "2026-03-01"}, "start"),
])
def test_unusable_periods_are_refused_naming_the_argument(app_context, args, field):
    with pytest.raises(PeriodError) as refused:
        period_from_args(args, TODAY)
    assert refused.value.field == field
    assert refused.value.status_code == 400
    assert refused.value.message


def test_the_trend_holds_the_period_and_the_one_before_as_whole_months():
    assert monitoring.trend_months(Q1) == [date(2025, m, 1) for m in range(4, 13)] + [
        date(2026, m, 1) for m in range(1, 4)]
    year = period_from_args({"period": "year", "year": "2025"}, TODAY)
    assert monitoring.trend_months(year)[0] == date(2025, 1, 1)
    seven = period_from_args({"period": "custom", "start": "2026-01-01", "end": "2026-07-31"},
                             TODAY)
    assert monitoring.trend_months(seven)[0] == date(2025, 6, 1)


# --- figures -------------------------------------------------------------------------------


def test_cases_and_persons_by_source_purpose_and_country(counted):
    found = figures()
    by_source = {source: (p.current, p.previous) for source, p in
                 found.cases_by_source.items()}
    assert by_source == {CaseSource.REGISTRATION_OFFICE: (1, 1), CaseSource.SELF: (1, 0)}
    blue, spouse = code(ResidencePurpose, "blue_card"), code(ResidencePurpose, "family_spouse")
    uk, ar, tr = (code(Language, c).id for c in ("uk", "ar", "tr"))
    persons = {key: (p.current, p.previous) for key, p in found.persons.items()}
    assert persons == {(blue.id, "UA", uk): (2, 0), (spouse.id, "SY", ar): (1, 0),
                       (None, "TR", tr): (0, 1)}


def test_needs_by_field_status_and_reason(counted):
    found = figures()
    fields = {c: code(FieldOfAction, c).id for c in ("housing", "language", "health", "work",
                                                     "registration")}
    needs = {(f, status, r): (p.current, p.previous) for (f, status, r), p in
             found.needs.items()}
    assert needs == {
        (fields["housing"], NeedStatus.UNMET, reason_code("unmet_waiting_list").id): (1, 0),
        (fields["housing"], NeedStatus.MET, None): (1, 0),
        (fields["language"], NeedStatus.REFERRED, None): (1, 0),
        (fields["health"], NeedStatus.MET, None): (1, 0),
        (fields["work"], NeedStatus.MET, None): (1, 0),
        (fields["housing"], NeedStatus.UNMET, reason_code("unmet_no_partner").id): (0, 1),
        (fields["health"], NeedStatus.REFERRED, None): (0, 1),
        (fields["registration"], NeedStatus.REFERRED, None): (0, 1),
    }


def test_the_monthly_trend(counted):
    found = figures()
    assert {m: n for m, n in found.case_months.items() if n} == {
        date(2025, 9, 1): 1, date(2025, 12, 1): 1, date(2026, 1, 1): 1, date(2026, 3, 1): 1}
    assert {m: n for m, n in found.need_months.items() if n[0]} == {
        date(2025, 12, 1): (3, 1), date(2026, 1, 1): (1, 1), date(2026, 2, 1): (2, 0),
        date(2026, 3, 1): (2, 0)}


def test_referrals_are_counted_by_the_local_day_of_the_handover(counted):
    found = figures()
    alpha, beta = counted["alpha"].id, counted["beta"].id
    rows = {(r.partner_id, r.status, r.reason_id): (r.count.current, r.count.previous,
                                                    r.overdue.current, r.overdue.previous)
            for r in found.referrals}
    assert rows == {
        (alpha, ReferralStatus.COMPLETED, None): (2, 0, 0, 0),
        (beta, ReferralStatus.FAILED, reason_code("referral_partner_full").id): (1, 0, 0, 0),
        (alpha, ReferralStatus.HANDED_OVER, None): (0, 1, 0, 1),
    }
    assert found.completion_days == {(10, True): 1, (9, True): 1}


def test_in_utc_the_same_records_fall_into_other_periods(counted):
    """The boundaries really are local: counted in UTC, the New Year's Eve handover at 23:30
    UTC belongs to 2025 and the one at 22:30 UTC on 31 March to the first quarter."""
    found = figures(zone=ZoneInfo("UTC"))
    current = {(r.status, r.count.current) for r in found.referrals if r.count.current}
    assert current == {(ReferralStatus.COMPLETED, 2), (ReferralStatus.HANDED_OVER, 1)}
    assert found.completion_days == {(10, True): 2}


def test_days_from_intake_to_first_consultation(counted):
    found = figures()
    assert found.intake_days == {(4, True): 1, (0, True): 1, (None, True): 1, (0, False): 1}


def test_consultations_by_channel_language_and_interpreter(counted):
    found = figures()
    uk, ar, de = (code(Language, c).id for c in ("uk", "ar", "de"))
    assert {k: (p.current, p.previous) for k, p in found.consultations.items()} == {
        (ContactChannel.IN_PERSON, uk, True): (1, 0),
        (ContactChannel.PHONE, ar, False): (1, 0),
        (ContactChannel.VIDEO, de, False): (0, 1),
    }


def test_languages_without_a_partner(counted):
    found = figures()
    uk, ar = code(Language, "uk").id, code(Language, "ar").id
    assert found.top_languages == [uk, ar]
    housing = code(FieldOfAction, "housing").id
    assert found.coverage[(housing, uk)] == 1
    assert found.coverage[(housing, ar)] == 1
    assert (code(FieldOfAction, "language").id, uk) not in found.coverage


def test_the_board_gets_only_languages_of_at_least_five_persons(counted):
    assert figures(protect=True).top_languages == []


def test_the_report_shows_the_hand_counted_figures(counted):
    report = build_report(figures(), protect=False)
    summary = {row.label: [cell.text for cell in row.cells]
               for row in report.table("summary").rows}
    assert summary["Neue Fälle"] == ["2", "1", "+1"]
    assert summary["Personen in neuen Fällen"] == ["3", "1", "+2"]
    assert summary["Angenommene Zuweisungen der Ämter"] == ["3", "1", "+2"]
    assert summary["Erfasste Handlungsbedarfe"] == ["5", "3", "+2"]
    assert summary["davon gedeckt"] == ["3", "0", "+3"]
    assert summary["davon offen"] == ["1", "2", "−1"]
    assert summary["davon nicht gedeckt"] == ["1", "1", "±0"]
    assert summary["Anteil nicht gedeckter Bedarfe"][0] == "20\xa0%"
    assert summary["Übergebene Überleitungen"] == ["3", "1", "+2"]
    assert summary["davon abgeschlossen"] == ["2", "0", "+2"]
    assert summary["davon gescheitert"] == ["1", "0", "+1"]
    assert summary["davon mit überfälliger Rückmeldung"] == ["0", "1", "−1"]
    assert summary["Beratungsgespräche"] == ["2", "1", "+1"]
    assert summary["davon mit Dolmetschung"] == ["1", "0", "+1"]
    durations = [[cell.text for cell in row.cells] for row in report.table("durations").rows]
    assert durations[0] == ["2", "2", "3,6", "1"]
    assert durations[2] == ["2", "9,5", "9,9", "–"]
    gap = report.table("needs_by_field").rows
    assert gap[0].label == "Wohnungssuche"
    assert [cell.text for cell in gap[0].cells] == ["2", "1", "0", "1", "50\xa0%", "1", "1"]
    partners = {row.label: [c.text for c in row.cells]
                for row in report.table("referrals_by_partner").rows}
    assert partners["Alpha"] == ["2", "2", "0", "0", "0", "0"]
    assert partners["Beta"] == ["1", "0", "1", "0", "0", "0"]


def test_every_declared_total_adds_up(counted):
    report = build_report(figures(), protect=False)
    assert report.disclosure.relations
    for total, parts in report.disclosure.relations:
        assert total.value == sum(part.value for part in parts)


def test_percentiles_are_interpolated_like_postgresql(app_context):
    histogram = {0: 3, 2: 1, 7: 2, 30: 1}
    values = sorted(v for v, n in histogram.items() for _ in range(n))
    assert monitoring.percentile(histogram, 0.5) == 2
    assert monitoring.percentile(histogram, 0.9) == pytest.approx(7 + 0.4 * 23)
    assert monitoring.percentile({}, 0.5) is None
    if db.engine.dialect.name == "postgresql":
        row = db.session.execute(text(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v), "
            "percentile_cont(0.9) WITHIN GROUP (ORDER BY v) FROM unnest(:v) AS v"),
            {"v": values}).one()
        assert row == pytest.approx((monitoring.percentile(histogram, 0.5),
                                     monitoring.percentile(histogram, 0.9)))


def test_the_page_takes_the_same_number_of_statements_however_many_cases(counted,
                                                                         count_queries):
    with count_queries() as few:
        figures()
    for day in range(1, 28):
        case = make_case(opened_on=date(2026, 2, day), source=CaseSource.OTHER)
        make_need(case, "bank_account", identified_on=date(2026, 2, day))
        consultation(case, date(2026, 2, day), ContactChannel.EMAIL, "en")
    with count_queries() as many:
        figures()
    assert len(many) == len(few) <= 16
