"""How long an arrival list of 5,000 rows takes to preview and to import.

    .venv/bin/python bench/intake_import.py [--rows 5000] [--persons 50000] [--url postgresql+psycopg://…]

Builds a throw-away database (SQLite file by default) with persons and open intakes, writes a
CSV arrival list in which every tenth row is a person already on record, and prints the time
and the number of SQL statements of the preview and of the import (one request each in the
app). A second import of the same rows shows what a re-upload costs. Figures only; nothing is
asserted.
"""

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event, insert

from welcome import MIGRATIONS_DIR, create_app
from welcome.extensions import db
from welcome.models import Intake, IntakeOffice, IntakeStatus, Person, Role, User
from welcome.models.types import utcnow
from welcome.services import catalogues, intake_import

FAMILY = ("Müller", "Yılmaz", "Kovalenko", "Nguyen", "Popescu", "García", "Schmidt", "Haddad")
GIVEN = ("Anna", "José", "Olena", "Minh", "Ioana", "Omar", "Elif", "Jonas")
HEADER = "Familienname;Vorname;Geburtsdatum;Telefon;E-Mail;Haushaltsgröße;Einwilligung Kontakt"


def letters(number: int) -> str:
    """A number spelt in letters, since names may not hold digits: 305 → "dfa"."""
    return "".join("afkmoprstv"[int(digit)] for digit in str(number))


def fill(persons: int, rng: random.Random) -> list[dict]:
    start = date(1950, 1, 1)
    rows = [{
        "given_name": rng.choice(GIVEN),
        "family_name": f"{rng.choice(FAMILY)}-{letters(n % 997).title()}",
        "date_of_birth": start + timedelta(days=rng.randint(0, 20000)),
        "phone": f"+49 171 {3000000 + n}", "email": f"p{n}@example.org", "version": 1,
        "created_at": utcnow(), "updated_at": utcnow(),
    } for n in range(persons)]
    for offset in range(0, len(rows), 5000):
        db.session.execute(insert(Person), rows[offset:offset + 5000])
    db.session.execute(insert(Intake), [{
        "given_name": rng.choice(GIVEN), "family_name": rng.choice(FAMILY),
        "phone": f"+49 172 {4000000 + n}", "household_size": 1, "consent_to_contact": True,
        "office": IntakeOffice.OTHER, "status": IntakeStatus.NEW, "possible_duplicate": False,
        "created_at": utcnow(), "updated_at": utcnow(),
    } for n in range(persons // 10)])
    db.session.add(User(username="bench", display_name="Bench", role=Role.COORDINATOR,
                        password_hash="-"))
    db.session.commit()
    return rows


def arrival_list(count: int, known: list[dict], rng: random.Random) -> bytes:
    lines = [HEADER]
    for n in range(count):
        if n % 10 == 0:
            person = rng.choice(known)
            lines.append(f"{person['family_name']};{person['given_name']};"
                         f"{person['date_of_birth']:%d.%m.%Y};;{person['email']};1;ja")
        else:
            born = date(1960, 1, 1) + timedelta(days=rng.randint(0, 15000))
            lines.append(f"{rng.choice(FAMILY)}-{letters(n).title()};{rng.choice(GIVEN)};"
                         f"{born:%d.%m.%Y};"
                         f"0160 {5000000 + n};;{rng.randint(1, 6)};ja")
    return ("\r\n".join(lines) + "\r\n").encode()


def measured(label: str, work):
    statements = []

    def count(*args) -> None:
        statements.append(1)

    event.listen(db.engine, "after_cursor_execute", count)
    began = time.perf_counter()
    try:
        result = work()
    finally:
        event.remove(db.engine, "after_cursor_execute", count)
    print(f"{db.engine.dialect.name}: {label}: {time.perf_counter() - began:.2f} s, "
          f"{len(statements)} statements")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=intake_import.MAX_IMPORT_ROWS)
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = create_app({"WELCOME_DATABASE_URL": url, "WELCOME_SECRET_KEY": "bench",
                          "TESTING": True})
        with app.test_request_context():
            upgrade(directory=str(MIGRATIONS_DIR))
            catalogues.seed_catalogues(db.session)
            data = arrival_list(args.rows, fill(args.persons, rng), rng)
            user = db.session.query(User).filter_by(username="bench").one()
            print(f"{args.rows} rows ({len(data) // 1024} KiB), {args.persons} persons, "
                  f"{args.persons // 10} open intakes on record")
            preview = measured("preview", lambda: intake_import.preview(
                db.session, data, IntakeOffice.REGISTRATION_OFFICE))
            rows = preview.new_rows
            created, _skipped = measured("import", lambda: intake_import.import_rows(
                db.session, rows, user))
            db.session.commit()
            flagged = db.session.query(Intake).filter(Intake.possible_duplicate.is_(True),
                                                      Intake.import_key.is_not(None)).count()
            print(f"{created} intakes created, {flagged} marked as possible duplicates")
            measured("import again (all skipped)", lambda: intake_import.import_rows(
                db.session, rows, user))
            db.session.rollback()
            db.engine.dispose()


if __name__ == "__main__":
    main()
