"""How long the monitoring page and its exports take with 200 000 cases on PostgreSQL.

    .venv/bin/python bench/monitoring.py [--cases 200000] [--runs 15]
        [--server postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--keep | --database welcome_bench_…]

Creates a PostgreSQL database with a random name on the server, builds the schema with the
migrations, fills it in bulk with INSERT … SELECT over generate_series (cases over five years,
1.5 persons per case, 3 needs, 1.25 referrals, 1.25 consultations and 0.5 intakes per case),
and prints the median time of the monitoring page and of each export, requested through the
Flask test client by a signed-in coordinator and a board member. The database is dropped at the
end, unless ``--keep`` asks to keep it: ``--database`` then measures in it again without the
minutes of filling (drop it by hand when done). Figures only; nothing is asserted (budget:
500 ms median for the page, DESIGN §9).
"""

import argparse
import statistics
import time
import uuid
from collections.abc import Callable

from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from welcome import MIGRATIONS_DIR, create_app
from welcome.extensions import db
from welcome.models import (
    FieldOfAction,
    Language,
    Partner,
    PartnerType,
    Reason,
    ReasonKind,
    ResidencePurpose,
    Role,
)
from welcome.services import audit, catalogues, users

PASSWORD = "bench password 2026"
FIRST_DAY = "2021-12-01"
DAYS = 5 * 365


def fill(cases: int) -> None:
    """Everything in bulk SQL; ids are consecutive, so rows refer to each other by arithmetic."""
    ids = {
        "fields": [f.id for f in db.session.scalars(select(FieldOfAction))],
        "purposes": [p.id for p in db.session.scalars(select(ResidencePurpose))],
        "languages": [lang.id for lang in db.session.scalars(select(Language))],
        "unmet": [r.id for r in db.session.scalars(
            select(Reason).where(Reason.kind == ReasonKind.NEED_UNMET))],
        "failed": [r.id for r in db.session.scalars(
            select(Reason).where(Reason.kind == ReasonKind.REFERRAL_FAILED))],
    }
    types = list(db.session.scalars(select(PartnerType)))
    languages = list(db.session.scalars(select(Language)))
    fields = list(db.session.scalars(select(FieldOfAction)))
    for n in range(100):
        db.session.add(Partner(
            name=f"Partner {n:03d}", partner_type=types[n % len(types)], active=n % 10 != 0,
            fields_of_action=[fields[(n + k) % len(fields)] for k in range(3)],
            languages=[languages[0], languages[(n % (len(languages) - 1)) + 1]]))
    db.session.flush()
    persons = cases * 3 // 2
    sql = {
        "persons": f"""
            INSERT INTO persons (given_name, family_name, nationality, preferred_language_id,
                residence_purpose_id, version, created_at, updated_at)
            SELECT 'Vorname', 'Name ' || n,
                (ARRAY['UA','SY','TR','RO','IN','AF','IQ','PL','BG','VN','CN','BR','XK','IR',
                       'US','FR','IT','ES','HR','RS'])
                    [1 + floor(sqrt((n % 400) * 7919 % 400))::int],
                (:languages)[1 + (n * 13) % cardinality(:languages)],
                CASE WHEN n % 17 = 0 THEN NULL
                     ELSE (:purposes)[1 + (n * 11) % cardinality(:purposes)] END,
                1, now(), now()
            FROM generate_series(1, {persons}) AS n""",
        "cases": f"""
            INSERT INTO cases (reference, main_person_id, status, source, opened_on, version,
                created_at, updated_at)
            SELECT 'B-' || n, n, CASE WHEN n % 5 = 0 THEN 'new' ELSE 'active' END,
                (ARRAY['registration_office','foreigners_authority','employer','partner',
                       'self','other'])[1 + n % 6],
                DATE '{FIRST_DAY}' + (n % {DAYS}) * 7919 % {DAYS}, 1, now(), now()
            FROM generate_series(1, {cases}) AS n""",
        "case_members": f"""
            INSERT INTO case_members (case_id, person_id, relation, created_at, updated_at)
            SELECT n, {cases} + n, CASE WHEN n % 2 = 0 THEN 'spouse' ELSE 'child' END,
                now(), now()
            FROM generate_series(1, {persons - cases}) AS n""",
        "needs": f"""
            INSERT INTO needs (case_id, field_of_action_id, priority, status, unmet_reason_id,
                identified_on, resolved_on, version, created_at, updated_at)
            SELECT c.id, (:fields)[1 + (n * 5 + n / 7) % cardinality(:fields)], 'medium',
                s.status, CASE WHEN s.status = 'unmet'
                    THEN (:unmet)[1 + n % cardinality(:unmet)] END,
                c.opened_on + n % 20,
                CASE WHEN s.status IN ('met', 'unmet') THEN c.opened_on + n % 20 + n % 40 END,
                1, now(), now()
            FROM generate_series(1, {cases * 3}) AS n
            JOIN cases c ON c.id = 1 + (n - 1) % {cases}
            CROSS JOIN LATERAL (SELECT (ARRAY['identified','in_progress','referred','referred',
                'met','met','met','unmet','unmet','in_progress'])[1 + (n * 3) % 10] AS status)
                AS s""",
        "referrals": f"""
            INSERT INTO referrals (case_id, need_id, partner_id, channel, status, planned_on,
                handed_over_at, feedback_due_on, completed_on, outcome_reason_id,
                needs_attention, version, created_at, updated_at)
            SELECT nd.case_id, nd.id, 1 + n % 100, 'information_only', s.status,
                nd.identified_on,
                CASE WHEN s.status <> 'planned'
                     THEN (nd.identified_on + 1 + n % 5)::timestamp + interval '9 hours'
                          + (n % 600) * interval '1 minute' END,
                CASE WHEN s.status <> 'planned' THEN nd.identified_on + 15 END,
                CASE WHEN s.status = 'completed' THEN nd.identified_on + 5 + n % 60 END,
                CASE WHEN s.status IN ('failed', 'cancelled')
                     THEN (:failed)[1 + n % cardinality(:failed)] END,
                FALSE, 1, now(), now()
            FROM generate_series(1, {cases * 5 // 4}) AS n
            JOIN needs nd ON nd.id = 1 + (n * 2 - 1) % {cases * 3}
            CROSS JOIN LATERAL (SELECT (ARRAY['planned','handed_over','appointment_made',
                'completed','completed','completed','failed','cancelled'])[1 + n / 100 % 8]
                AS status) AS s""",
        "consultations": f"""
            INSERT INTO consultations (case_id, kind, held_on, channel, language_id,
                interpreter_used, created_at, updated_at)
            SELECT c.id, CASE WHEN n <= {cases} THEN 'orientation' ELSE 'follow_up' END,
                c.opened_on + CASE WHEN n <= {cases} THEN 0 ELSE n % 50 END,
                (ARRAY['in_person','in_person','phone','video','email'])[1 + n % 5],
                CASE WHEN n % 9 = 0 THEN NULL
                     ELSE (:languages)[1 + n % cardinality(:languages)] END,
                n % 4 = 0, now(), now()
            FROM generate_series(1, {cases * 5 // 4}) AS n
            JOIN cases c ON c.id = 1 + (n - 1) % {cases}""",
        "intakes": """
            INSERT INTO intakes (given_name, family_name, phone, household_size, office,
                consent_to_contact, status, possible_duplicate, case_id, person_id,
                created_at, updated_at)
            SELECT 'Vorname', 'Name ' || c.main_person_id, '+49 171 ' || (3000000 + c.id), 1,
                'registration_office', TRUE, 'accepted', FALSE, c.id, c.main_person_id,
                (c.opened_on - 1 - c.id % 10)::timestamp + interval '7 hours'
                    + (c.id % 700) * interval '1 minute', now()
            FROM cases c WHERE c.id % 2 = 0""",
    }
    for table, statement in sql.items():
        began = time.perf_counter()
        db.session.execute(text(statement), ids)
        print(f"  {table}: {time.perf_counter() - began:.1f} s")
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def median_ms(request: Callable[[], object], runs: int) -> float:
    request()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = request()
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(times)


def measure(app: object, runs: int) -> None:
    pages = {
        "year 2025": "period=year&year=2025",
        "quarter Q3 2025": "period=quarter&year=2025&quarter=3",
        "month 2025-06": "period=month&year=2025&month=6",
        "custom 365 days": "period=custom&start=2025-02-15&end=2026-02-14",
    }
    for role in (Role.COORDINATOR, Role.BOARD):
        client = app.test_client()
        response = client.post("/login", data={"username": f"bench-{role.value}",
                                               "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        for label, query in pages.items():
            ms = median_ms(lambda c=client, q=query: c.get(f"/monitoring/?{q}"), runs)
            print(f"{role.value:12} page, {label:16}: {ms:7.1f} ms median of {runs}")
        for kind in ("csv", "xlsx", "pdf"):
            ms = median_ms(lambda c=client, k=kind: c.get(
                f"/monitoring/export/{k}/?period=year&year=2025"), max(3, runs // 3))
            print(f"{role.value:12} export {kind:4}, year 2025  : {ms:7.1f} ms median of "
                  f"{max(3, runs // 3)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server on which the bench may create a database")
    parser.add_argument("--keep", action="store_true",
                        help="keep the database at the end, for later runs with --database")
    parser.add_argument("--database",
                        help="measure in this database of an earlier --keep run instead of "
                             "making one (migrations newer than it are applied; kept at the end)")
    args = parser.parse_args()
    server = make_url(args.server)
    name = args.database or f"welcome_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    if not args.database:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = server.set(database=name).render_as_string(hide_password=False)
        app = create_app({"WELCOME_DATABASE_URL": url, "WELCOME_SECRET_KEY": "bench",
                          "TESTING": True, "WTF_CSRF_ENABLED": False,
                          "WELCOME_LOGIN_RATE_LIMIT": "1000 per minute"})
        with app.app_context():
            upgrade(directory=str(MIGRATIONS_DIR))
            if not args.database:
                with audit.acting_as(None, "bench"):
                    catalogues.seed_catalogues(db.session)
                    for role in (Role.COORDINATOR, Role.BOARD):
                        users.create_user(db.session, f"bench-{role.value}", role, PASSWORD)
                    db.session.commit()
                    print(f"PostgreSQL database {name}: {args.cases} cases")
                    fill(args.cases)
            counts = {table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))
                      for table in ("cases", "persons", "needs", "referrals", "consultations",
                                    "intakes")}
            print(f"PostgreSQL database {name}: "
                  + ", ".join(f"{n} {table}" for table, n in counts.items()))
            db.session.remove()
        measure(app, args.runs)
        with app.app_context():
            db.engine.dispose()
    finally:
        if not (args.keep or args.database):
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
