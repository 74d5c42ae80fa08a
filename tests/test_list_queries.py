"""Every list screen runs a constant, small number of SQL statements, however many rows it shows."""

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tests.helpers import (
    catalogue,
    login_as,
    make_case,
    make_consent,
    make_intake,
    make_need,
    make_partner,
    make_person,
    make_referral,
    make_user,
)
from welcome.extensions import db
from welcome.models import (
    AuditAction,
    AuditEvent,
    Consultation,
    ContactChannel,
    FieldOfAction,
    Language,
    Resource,
    ResourceTranslation,
    Role,
)

#: DESIGN §9: SQL statements for any list page, whatever the number of rows.
MAX_STATEMENTS = 6


def _cases(n: int) -> None:
    for _ in range(n):
        make_case(responsible=make_user(Role.COORDINATOR))


def _persons(n: int) -> None:
    for _ in range(n):
        make_person()


def _needs(n: int) -> None:
    case = make_case()
    for index in range(n):
        make_need(case, field=("housing", "language", "work")[index % 3], person=case.main_person)


def _referrals(n: int) -> None:
    partner = make_partner()
    for _ in range(n):
        make_referral(make_need(), partner)


def _consultations(n: int) -> None:
    for _ in range(n):
        db.session.add(Consultation(case=make_case(), channel=ContactChannel.PHONE,
                                    language=catalogue(Language, "de"),
                                    staff=make_user(Role.ASSISTANT)))
    db.session.commit()


def _consents(n: int) -> None:
    partner = make_partner()
    for _ in range(n):
        make_consent(make_person(), [partner])


def _intakes(n: int) -> None:
    for _ in range(n):
        make_intake(case=make_case())


def _partners(n: int) -> None:
    for _ in range(n):
        make_partner()


def _resources(n: int) -> None:
    for index in range(n):
        db.session.add(Resource(title=f"Link {index}", url="https://example.org/",
                                field_of_action=catalogue(FieldOfAction, "work"),
                                translations=[ResourceTranslation(
                                    language=catalogue(Language, "en"), title=f"Link {index}")]))
    db.session.commit()


def _users(n: int) -> None:
    for _ in range(n):
        make_user(Role.ASSISTANT)


def _audit(n: int) -> None:
    db.session.add_all(
        AuditEvent(at=datetime.now(UTC), username="someone", action=AuditAction.VIEW,
                   entity="Case", entity_id=str(index))
        for index in range(n)
    )
    db.session.commit()


#: endpoint, role that reads it, builder of n rows
LISTS: list[tuple[str, Role, Callable[[int], None]]] = [
    ("case", Role.COORDINATOR, _cases),
    ("person", Role.COORDINATOR, _persons),
    ("need", Role.COORDINATOR, _needs),
    ("referral", Role.COORDINATOR, _referrals),
    ("consultation", Role.COORDINATOR, _consultations),
    ("consent", Role.COORDINATOR, _consents),
    ("intakes", Role.COORDINATOR, _intakes),
    ("partner", Role.COORDINATOR, _partners),
    ("resource", Role.COORDINATOR, _resources),
    ("field_of_action", Role.IT_ADMIN, lambda n: None),
    ("language", Role.IT_ADMIN, lambda n: None),
    ("user", Role.IT_ADMIN, _users),
    ("audit", Role.IT_ADMIN, _audit),
]


@pytest.mark.parametrize(("endpoint", "role", "build"), LISTS, ids=[e[0] for e in LISTS])
def test_list_statements_are_few_and_constant(client, count_queries, endpoint, role, build):
    """Does the list run the same handful of statements for 5 rows as for 50?"""
    login_as(client, role)
    build(5)
    client.get(f"/admin/{endpoint}/?page_size=50")
    with count_queries() as few:
        response = client.get(f"/admin/{endpoint}/")
    assert response.status_code == 200
    build(45)
    with count_queries() as many:
        response = client.get(f"/admin/{endpoint}/?page_size=50")
    assert response.status_code == 200
    assert len(many) == len(few), "\n".join(many)
    assert len(many) <= MAX_STATEMENTS, "\n".join(many)


def test_case_list_shows_fifty_rows_in_few_statements(client, count_queries):
    login_as(client, Role.COORDINATOR)
    _cases(50)
    client.get("/admin/case/")
    with count_queries() as statements:
        response = client.get("/admin/case/?page_size=50")
    body = response.get_data(as_text=True)
    assert body.count("WC-2026-") >= 50
    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements)
