"""Server time of the big list pages, searches, deep pages, edit forms and pickers (DESIGN §9).

    .venv/bin/python bench/list_pages.py [--cases 200000] [--runs 9] [--server postgresql+psycopg://…]

Creates a PostgreSQL database with a random name on the server (default: the local one the
tests use), builds the schema with the migrations, fills it with INSERT … SELECT (200 000 cases,
300 000 persons, 600 000 needs, 250 000 referrals by default), signs a coordinator in through the
Flask test client and prints the median time and the number of SQL statements of each page,
beside its budget. The database is dropped at the end. Figures only; nothing is asserted.
"""

import argparse
import os
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from welcome import MIGRATIONS_DIR, create_app
from welcome.extensions import db
from welcome.models import Role
from welcome.services import audit, catalogues, users

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "benchmark password"
GIVEN = ("Olena", "Iryna", "Andrij", "Taras", "Elif", "Emre", "Ayşe", "Murat", "Priya", "Arjun",
         "Ioana", "Andrei", "Rana", "Omar", "Lina", "Karim", "Ana", "Lucas", "Mai", "Minh",
         "Arta", "Besnik", "Amra", "Emir", "Piotr", "Magda", "Sara", "Reza", "Wei", "Mei",
         "Grace", "Jose", "Sofia", "Diego", "Noah", "Emma", "Yusuf", "Nora", "Elias", "Mila")
#: Family names are built from three parts: 40 × 25 × 40 = 40 000 names, about 8 persons each.
STARTS = ("Kov", "Bond", "Mel", "Pop", "Ion", "Yıld", "Dem", "Aks", "Ram", "Iy", "Had", "Khour",
          "Nass", "Ferr", "Cost", "Alm", "Nguy", "Tr", "Kras", "Ber", "Gash", "Hodž", "Meh",
          "Now", "Wiś", "Ziel", "Ahm", "Kar", "Hoss", "Zh", "Li", "Ch", "Sant", "Rey", "Cr",
          "Hern", "Garc", "Mor", "Schm", "Müll")
MIDDLES = ("", "a", "e", "i", "o", "u", "ar", "el", "in", "or", "an", "is", "ul", "et", "om",
           "ir", "ab", "ed", "im", "os", "un", "ag", "ek", "il", "oz")
ENDS = ("enko", "ar", "nyk", "escu", "ovic", "maz", "ir", "oy", "an", "er", "ad", "ury", "er",
        "eira", "ta", "eida", "en", "an", "niqi", "isha", "i", "ić", "edović", "ak", "niewska",
        "ińska", "adi", "imi", "eini", "ang", "u", "en", "os", "es", "uz", "ández", "ía", "ales",
        "idt", "ler")
DISTRICTS = ("Altstadt", "Nordost", "Süd", "Weststadt", "Bahnhofsviertel", "Am Bergsteig")
COUNTRIES = ("UA", "TR", "IN", "RO", "SY", "BR", "VN", "XK", "BA", "PL", "IR", "CN")
PHRASES = ("Integrationskurs mit Kinderbetreuung", "Wohnung in der Nähe der Arbeit",
           "Kita-Platz für die Tochter", "Anerkennung des Pflegediploms", "Basiskonto eröffnen",
           "Krankenkasse wählen", "Handyvertrag kündigen", "Hausarzt finden", "Sprachcafé",
           "Lebenslauf übersetzen", "Führerschein umschreiben", "Schulanmeldung des Sohnes",
           "Berufssprachkurs B2", "Mülltrennung erklären", "Sportverein für die Kinder",
           "Steuer-ID beantragen", "Kaution zurückfordern", "Termin Ausländerbehörde",
           "Ehrenamt im Stadtteil", "Haftpflichtversicherung", "")


def _array(values: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def fill(cases: int) -> dict[str, str]:
    """Bulk data in the proportions of DESIGN §9; returns terms the searches look for."""
    persons, needs, referrals = cases * 3 // 2, cases * 3, cases * 5 // 4
    years = 10
    per_year = -(-cases // years)
    statements = [
        f"""INSERT INTO partners (name, partner_type_id, district, phone, email,
            accepts_email_handover, active, created_at, updated_at)
            SELECT 'Beratungsstelle ' || g, (SELECT min(id) FROM partner_types) + g % 10,
                   ({_array(DISTRICTS)})[1 + g % 6], '+49 89 99998' || lpad(g::text, 3, '0'),
                   'partner' || g || '@example.org', g % 2 = 0, g % 17 <> 0, now(), now()
            FROM generate_series(1, 200) g""",
        f"""INSERT INTO persons (given_name, family_name, date_of_birth, nationality,
            preferred_language_id, phone, email, district, arrival_date, residence_purpose_id,
            version, created_at, updated_at)
            SELECT ({_array(GIVEN)})[1 + (g * 7) % 40],
                   ({_array(STARTS)})[1 + g % 40] || ({_array(MIDDLES)})[1 + (g / 40) % 25]
                   || ({_array(ENDS)})[1 + (g / 1000) % 40],
                   DATE '1950-01-01' + (g * 37) % 20000, ({_array(COUNTRIES)})[1 + g % 12],
                   (SELECT min(id) FROM languages) + g % 16, '+49 171 ' || (3000000 + g),
                   'p' || g || '@example.org', ({_array(DISTRICTS)})[1 + g % 6],
                   DATE '2016-01-01' + (g * 13) % 3980,
                   (SELECT min(id) FROM residence_purposes) + g % 16, 1, now(), now()
            FROM generate_series(1, {persons}) g""",
        f"""INSERT INTO cases (reference, main_person_id, status, source, opened_on, closed_on,
            closure_reason_id, responsible_id, follow_up_on, version, created_at, updated_at)
            SELECT 'WC-' || y || '-' || CASE WHEN n < 10000 THEN lpad(n::text, 4, '0')
                                             ELSE n::text END,
                   g, CASE WHEN y < 2025 THEN 'closed' WHEN g % 3 = 0 THEN 'new' ELSE 'active' END,
                   (ARRAY['registration_office', 'foreigners_authority', 'employer', 'partner',
                          'self', 'other'])[1 + g % 6],
                   make_date(y, 1, 1) + (n * 360 / {per_year}),
                   CASE WHEN y < 2025 THEN make_date(y, 1, 1) + (n * 360 / {per_year}) + 90 END,
                   CASE WHEN y < 2025 THEN (SELECT min(id) FROM reasons
                                            WHERE kind = 'case_closed') END,
                   (SELECT min(id) FROM users) + g % 10,
                   make_date(y, 1, 1) + (n * 360 / {per_year}) + 30, 1, now(), now()
            FROM (SELECT g, 2026 - {years} + 1 + (g - 1) / {per_year} AS y,
                         (g - 1) % {per_year} + 1 AS n
                  FROM generate_series(1, {cases}) g) numbered""",
        f"""INSERT INTO case_members (case_id, person_id, relation, created_at, updated_at)
            SELECT g - {cases}, g, CASE WHEN g % 2 = 0 THEN 'child' ELSE 'spouse' END, now(), now()
            FROM generate_series({cases} + 1, {persons}) g""",
        f"""INSERT INTO needs (case_id, field_of_action_id, description, priority, status,
            unmet_reason_id, identified_on, resolved_on, created_at, updated_at)
            SELECT c.id, (SELECT min(id) FROM fields_of_action) + g % 14,
                   NULLIF(({_array(PHRASES)})[1 + (g / 3) % {len(PHRASES)}], ''),
                   (ARRAY['high', 'medium', 'low'])[1 + g % 3],
                   (ARRAY['identified', 'in_progress', 'referred', 'met', 'unmet'])[1 + g % 5],
                   CASE WHEN g % 5 = 4 THEN (SELECT min(id) FROM reasons
                                             WHERE kind = 'need_unmet') END,
                   c.opened_on, CASE WHEN g % 5 >= 3 THEN c.opened_on + 40 END, now(), now()
            FROM generate_series(1, {needs}) g JOIN cases c ON c.id = 1 + (g - 1) % {cases}""",
        f"""INSERT INTO referrals (case_id, need_id, partner_id, channel, status, planned_on,
            needs_attention, version, created_at, updated_at)
            SELECT n.case_id, n.id, (SELECT min(id) FROM partners) + n.id % 200, 'email',
                   'planned', n.identified_on, FALSE, 1, now(), now()
            FROM needs n WHERE n.id <= {referrals}""",
        """INSERT INTO case_reference_counters (year, last_number)
            SELECT CAST(split_part(reference, '-', 2) AS integer),
                   max(CAST(split_part(reference, '-', 3) AS integer))
            FROM cases GROUP BY 1""",
    ]
    for statement in statements:
        db.session.execute(text(statement))
    db.session.commit()
    middle = cases // 2
    row = db.session.execute(text(
        "SELECT c.reference, p.family_name FROM cases c JOIN persons p ON p.id = c.main_person_id "
        "WHERE c.id >= :id AND length(p.family_name) >= 8 ORDER BY c.id LIMIT 1"),
        {"id": middle}).one()
    return {"reference": row.reference, "family_name": row.family_name,
            "reference_prefix": row.reference[:-1], "word": "Kinderbetreuung",
            "name_part": STARTS[1],
            "case": str(middle), "need": str(middle * 3), "referral": str(middle),
            "person": str(middle)}


@contextmanager
def bench_database(server: str) -> Iterator[str]:
    """A new database on ``server`` with a random name; dropped afterwards."""
    url = make_url(server)
    name = f"welcome_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(client, engine, url: str, runs: int) -> tuple[float, int, int]:
    """Median milliseconds, SQL statements of the last run, and the HTTP status.

    Each request runs in an application context of its own, as in production, so nothing
    loaded by one request (the signed-in user, say) is reused by the next.
    """
    statements: list[str] = []

    def record(*args) -> None:
        statements.append(args[2])

    for _ in range(2):
        client.get(url)
    times = []
    status = 0
    for _ in range(runs):
        statements.clear()
        event.listen(engine, "after_cursor_execute", record)
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        event.remove(engine, "after_cursor_execute", record)
        status = response.status_code
    return statistics.median(times), len(statements), status


def pages(terms: dict[str, str]) -> list[tuple[str, str, int]]:
    """(what, URL, budget in ms)."""
    return [
        ("case list, page 1", "/admin/case/", 20),
        ("case list, page 1 of status 'active'", "/admin/case/?flt0_status_equals=active", 20),
        ("case search by reference", f"/admin/case/?search={terms['reference']}", 50),
        ("case search by reference prefix",
         f"/admin/case/?search={terms['reference_prefix']}", 50),
        ("case search by family name", f"/admin/case/?search={terms['family_name']}", 50),
        ("case search by a common name part (1 in 40)",
         f"/admin/case/?search={terms['name_part']}", 50),
        ("case list, page 500 (20 rows)", "/admin/case/?page=499", 50),
        ("case list, page 500 (100 rows)", "/admin/case/?page=499&page_size=100", 50),
        ("case list sorted by name, page 500", "/admin/case/?sort=1&page=499", 50),
        ("person search by family name", f"/admin/person/?search={terms['family_name']}", 50),
        ("need list, page 1", "/admin/need/", 20),
        ("need search by word", f"/admin/need/?search={terms['word']}", 50),
        ("need search by case reference", f"/admin/need/?search={terms['reference']}", 50),
        ("referral list, page 1", "/admin/referral/", 20),
        ("referral search by case reference",
         f"/admin/referral/?search={terms['reference']}", 50),
        ("case edit form", f"/admin/case/edit/?id={terms['case']}", 30),
        ("person edit form", f"/admin/person/edit/?id={terms['person']}", 30),
        ("need edit form", f"/admin/need/edit/?id={terms['need']}", 30),
        ("referral edit form", f"/admin/referral/edit/?id={terms['referral']}", 30),
        ("case picker by reference",
         f"/admin/need/ajax/lookup/?name=case&query={terms['reference_prefix']}", 30),
        ("case picker by family name",
         f"/admin/need/ajax/lookup/?name=case&query={terms['family_name']}", 30),
        ("need picker by case reference",
         f"/admin/referral/ajax/lookup/?name=need&query={terms['reference']}", 30),
        ("person picker by family name",
         f"/admin/case/ajax/lookup/?name=main_person&query={terms['family_name']}", 30),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--server", default=os.environ.get("WELCOME_BENCH_SERVER", DEFAULT_SERVER),
                        help="PostgreSQL server URL; a database is created and dropped there")
    args = parser.parse_args()
    with bench_database(args.server) as url:
        app = create_app({"WELCOME_DATABASE_URL": url, "WELCOME_SECRET_KEY": "bench",
                          "TESTING": True, "WTF_CSRF_ENABLED": False,
                          "WELCOME_LOGIN_RATE_LIMIT": "1000 per minute"})
        try:
            with app.app_context():
                began = time.perf_counter()
                upgrade(directory=str(MIGRATIONS_DIR))
                with audit.acting_as(None, "bench"):
                    catalogues.seed_catalogues(db.session)
                    for number in range(10):
                        users.create_user(db.session, f"staff{number}", Role.COORDINATOR,
                                          PASSWORD, f"Staff {number}")
                    db.session.commit()
                terms = fill(args.cases)
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.execute(text("VACUUM ANALYZE"))
                engine = db.engine
                db.session.remove()
            print(f"data built in {time.perf_counter() - began:.0f} s: {args.cases} cases, "
                  f"{args.cases * 3 // 2} persons, {args.cases * 3} needs, "
                  f"{args.cases * 5 // 4} referrals; median of {args.runs} runs")
            client = app.test_client()
            client.post("/login", data={"username": "staff0", "password": PASSWORD})
            print(f"{'page':<44} {'median':>9} {'SQL':>4} {'budget':>7}")
            for label, page_url, budget in pages(terms):
                ms, count, status = measure(client, engine, page_url, args.runs)
                verdict = "ok" if ms <= budget and status == 200 else "OVER"
                if status != 200:
                    verdict = f"HTTP {status}"
                print(f"{label:<44} {ms:7.1f} ms {count:>4} {budget:>4} ms  {verdict}")
        finally:
            with app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
