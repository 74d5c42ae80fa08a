"""How long the duplicate check of one intake takes with many persons and intakes on record.

    .venv/bin/python bench/intake_duplicates.py [--persons 50000] [--url postgresql+psycopg://…]

Builds a throw-away database (SQLite file by default), fills it with persons and open intakes,
and prints the median time of ``find_duplicates`` for an intake that matches by name and date
of birth, and for one that matches nothing. Figures only; nothing is asserted.
"""

import argparse
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert

from welcome import MIGRATIONS_DIR, create_app
from welcome.extensions import db
from welcome.models import Intake, IntakeOffice, IntakeStatus, Person
from welcome.models.types import utcnow
from welcome.services import catalogues
from welcome.services.duplicates import find_duplicates

FAMILY = ("Müller", "Yılmaz", "Kovalenko", "Nguyen", "Popescu", "García", "Schmidt", "Haddad")
GIVEN = ("Anna", "José", "Olena", "Minh", "Ioana", "Omar", "Elif", "Jonas")


def fill(persons: int) -> None:
    rng = random.Random(7)
    start = date(1950, 1, 1)
    rows = [{
        "given_name": rng.choice(GIVEN), "family_name": f"{rng.choice(FAMILY)}{n % 997}",
        "date_of_birth": start + timedelta(days=rng.randint(0, 20000)),
        "phone": f"+49 171 {3000000 + n}", "email": f"p{n}@example.org", "version": 1,
        "created_at": utcnow(), "updated_at": utcnow(),
    } for n in range(persons)]
    for offset in range(0, len(rows), 5000):
        db.session.execute(insert(Person), rows[offset:offset + 5000])
    intakes = [{
        "given_name": rng.choice(GIVEN), "family_name": rng.choice(FAMILY),
        "phone": f"+49 172 {4000000 + n}", "household_size": 1, "consent_to_contact": True,
        "office": IntakeOffice.OTHER, "status": IntakeStatus.NEW, "possible_duplicate": False,
        "created_at": utcnow(), "updated_at": utcnow(),
    } for n in range(persons // 10)]
    db.session.execute(insert(Intake), intakes)
    db.session.commit()


def median_ms(intake: Intake, runs: int = 25) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(runs):
        began = time.perf_counter()
        found = len(find_duplicates(db.session, intake))
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = create_app({"WELCOME_DATABASE_URL": url, "WELCOME_SECRET_KEY": "bench",
                          "TESTING": True})
        with app.test_request_context():
            upgrade(directory=str(MIGRATIONS_DIR))
            catalogues.seed_catalogues(db.session)
            fill(args.persons)
            known = db.session.get(Person, args.persons // 2)
            twin = Intake(given_name=known.given_name, family_name=known.family_name.upper(),
                          date_of_birth=known.date_of_birth, phone="+49 160 1234567")
            stranger = Intake(given_name="Zora", family_name="Quist",
                              date_of_birth=date(1970, 1, 1), email="zora@example.org",
                              phone="+49 160 7654321")
            for label, intake in (("match by name and birth", twin), ("no match", stranger)):
                ms, found = median_ms(intake)
                print(f"{db.engine.dialect.name}, {args.persons} persons, "
                      f"{args.persons // 10} intakes — {label}: {ms:.1f} ms median, "
                      f"{found} found")
            db.engine.dispose()


if __name__ == "__main__":
    main()
