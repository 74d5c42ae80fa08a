"""How long one welcome folder takes, in a warm process: the demo cases and a case with 10 needs.

    .venv/bin/python bench/dossier.py [--runs 15] [--url postgresql+psycopg://…]

Builds a throw-away database (SQLite file by default) with the demo data, adds one household
with ten open needs (four of them referred, in different states), renders one folder to warm
the process up, and then times the whole export of each folder: loading the case, building
the content, rendering the PDF with WeasyPrint, hashing it and recording the export. Prints
the median and 95th percentile per folder (wall clock, and CPU time of this process, which
other processes on the machine disturb less), and the page counts. Figures only; nothing is
asserted.
"""

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from welcome import MIGRATIONS_DIR, create_app
from welcome.extensions import db
from welcome.i18n import DOCUMENT_LANGUAGES
from welcome.models import (
    Case,
    CaseSource,
    ConsentMethod,
    ConsentPurpose,
    DataCategory,
    DossierSection,
    FieldOfAction,
    HandoverChannel,
    Language,
    MemberRelation,
    Need,
    Partner,
    Person,
    Priority,
    ReferralStatus,
)
from welcome.services import audit, cases, catalogues, consents, demo, dossiers, referrals

FIELDS = ("residence", "registration", "housing", "recognition", "work", "language",
          "childcare_school", "bank_account", "insurance", "health")


def ten_needs_case() -> Case:
    """A family of three with ten open needs; four referred (planned, handed over,
    appointment made, information only), six left to the matching."""
    languages = {lang.code: lang for lang in db.session.scalars(select(Language))}
    fields = {f.code: f for f in db.session.scalars(select(FieldOfAction))}
    main = Person(given_name="Oksana", family_name="Hrytsenko", preferred_language=languages["uk"],
                  languages=[languages["uk"], languages["en"]], district="Süd",
                  phone="+49 171 3920077", email="oksana@example.org")
    child = Person(given_name="Taras", family_name="Hrytsenko", date_of_birth=date(2018, 5, 2),
                   preferred_language=languages["uk"])
    spouse = Person(given_name="Andrij", family_name="Hrytsenko",
                    preferred_language=languages["uk"])
    db.session.add_all([main, child, spouse])
    case = cases.open_case(db.session, main, source=CaseSource.SELF)
    cases.add_member(case, spouse, MemberRelation.SPOUSE)
    cases.add_member(case, child, MemberRelation.CHILD)
    notes = {code: fields[code].topics[0].label_de for code in FIELDS}
    needs = [Need(case=case, field_of_action=fields[code],
                  person=child if code == "childcare_school" else None,
                  priority=(Priority.HIGH, Priority.MEDIUM, Priority.LOW)[index % 3],
                  description=notes[code])
             for index, code in enumerate(FIELDS)]
    db.session.add_all(needs)
    db.session.flush()
    partners = db.session.scalars(select(Partner).order_by(Partner.id)).all()
    consents.give_consent(
        db.session, main, purpose=ConsentPurpose.SHARE_WITH_PARTNERS,
        given_how=ConsentMethod.SIGNED_PAPER, form_version="2026-1",
        form_language=languages["uk"], given_on=date.today(), partners=list(partners),
        categories=[DataCategory.NAME, DataCategory.CONTACT, DataCategory.NEED],
        channels=[HandoverChannel.EMAIL, HandoverChannel.PHONE])
    plans = [(0, HandoverChannel.PHONE, ReferralStatus.PLANNED),
             (2, HandoverChannel.EMAIL, ReferralStatus.HANDED_OVER),
             (4, HandoverChannel.PHONE, ReferralStatus.APPOINTMENT_MADE),
             (5, HandoverChannel.INFORMATION_ONLY, ReferralStatus.PLANNED)]
    for index, channel, status in plans:
        need = needs[index]
        partner = next(p for p in partners if need.field_of_action in p.fields_of_action
                       and (channel != HandoverChannel.EMAIL or p.accepts_email_handover))
        referral = referrals.plan_referral(db.session, need, partner, channel)
        if status != ReferralStatus.PLANNED:
            referrals.hand_over(db.session, referral, channel,
                                [DataCategory.NAME, DataCategory.CONTACT],
                                at=datetime.now(UTC))
        if status == ReferralStatus.APPOINTMENT_MADE:
            referrals.record_outcome(referral, status, date.today())
    db.session.flush()
    return case


#: The parts that grow with the case (the worksheets and the data-protection page do not).
CASE_PARTS = [DossierSection.COVER, DossierSection.NEXT_STEPS, DossierSection.CONTACTS]


def time_export(case_id: int, code: str | None = None,
                sections: list[DossierSection] | None = None) -> tuple[float, float, int]:
    """Wall-clock and CPU seconds for one export of the case's folder (all sections unless
    given), and its page count. CPU time shows what the export costs when other processes
    share the cores."""
    began, began_cpu = time.perf_counter(), time.process_time()
    case = dossiers.load_case(db.session, case_id)
    language = dossiers.folder_language(db.session, code or dossiers.default_language(case))
    pdf, _ = dossiers.export_folder(db.session, case, language,
                                    sections or list(DossierSection))
    return time.perf_counter() - began, time.process_time() - began_cpu, pdf.pages


def percentile_95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summary(label: str, results: list[tuple[float, float, int]]) -> str:
    wall = [r[0] * 1000 for r in results]
    cpu = [r[1] * 1000 for r in results]
    pages = [r[2] for r in results]
    span = f"{min(pages)}–{max(pages)}" if min(pages) != max(pages) else str(pages[0])
    return (f"{label}: {len(results)} folders, {span} pages — wall median "
            f"{statistics.median(wall):.0f} ms, p95 {percentile_95(wall):.0f} ms; CPU median "
            f"{statistics.median(cpu):.0f} ms, p95 {percentile_95(cpu):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="exports of the 10-needs case")
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = create_app({"WELCOME_DATABASE_URL": url, "WELCOME_SECRET_KEY": "bench",
                          "WELCOME_DEMO": True, "TESTING": True})
        with app.test_request_context(), audit.acting_as(None, "bench"):
            upgrade(directory=str(MIGRATIONS_DIR))
            catalogues.seed_catalogues(db.session)
            demo.seed_demo(db.session)
            big = ten_needs_case()
            db.session.commit()
            time_export(big.id)
            demo_ids = db.session.scalars(select(Case.id).where(Case.id != big.id)
                                          .order_by(Case.id)).all()
            results = [time_export(case_id) for case_id in demo_ids]
            load = os.getloadavg()[0]
            print(f"{db.engine.dialect.name}, all sections, each demo case in its default "
                  f"language; load average {load:.1f} on {os.cpu_count()} cores")
            print(summary("demo cases", results))
            for code in DOCUMENT_LANGUAGES:
                print(summary(f"case with 10 needs ({code})",
                              [time_export(big.id, code) for _ in range(args.runs)]))
            for code in ("uk", "ar"):
                print(summary(f"case with 10 needs ({code}), cover, next steps and contacts",
                              [time_export(big.id, code, CASE_PARTS) for _ in range(args.runs)]))
            db.session.rollback()
            db.engine.dispose()


if __name__ == "__main__":
    main()
