"""Every list screen runs a constant, small number of SQL statements, however many rows it shows."""

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

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
    CaseStatus,
    Consultation,
    ContactChannel,
    FieldOfAction,
    Language,
    PartnerType,
    Reason,
    ReasonKind,
    ResidencePurpose,
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


def _catalogue_entries(model: type, **extra: object) -> Callable[[int], None]:
    """Catalogue rows with codes of their own, beyond what the seed files load."""

    def build(n: int) -> None:
        start = db.session.scalar(select(func.count()).select_from(model))
        db.session.add_all(
            model(code=f"test_{start + index}", label_de=f"Eintrag {start + index}",
                  label_en=f"Entry {start + index}", sort_order=900 + index, **extra)
            for index in range(n)
        )
        db.session.commit()

    return build


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
    ("field_of_action", Role.IT_ADMIN, _catalogue_entries(FieldOfAction)),
    ("residence_purpose", Role.IT_ADMIN, _catalogue_entries(ResidencePurpose)),
    ("partner_type", Role.IT_ADMIN, _catalogue_entries(PartnerType)),
    ("language", Role.IT_ADMIN, _catalogue_entries(Language)),
    ("reason", Role.IT_ADMIN, _catalogue_entries(Reason, kind=ReasonKind.NEED_UNMET)),
    ("user", Role.IT_ADMIN, _users),
    ("audit", Role.IT_ADMIN, _audit),
]


def _rows_shown(response) -> int:
    """Table rows of the list below its header (an empty list shows one "no items" row)."""
    body = response.get_data(as_text=True)
    return body.split("</thead>", 1)[1].split("</table>", 1)[0].count("<tr")


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
    assert _rows_shown(response) == 50
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


@pytest.mark.parametrize(("endpoint", "sort", "table"), [
    ("case", 2, "cases"), ("person", 3, "persons"), ("need", 4, "needs"),
    ("referral", 4, "referrals"), ("intakes", 5, "intakes"),
])
def test_a_clicked_column_is_sorted_with_the_id_last(client, count_queries, endpoint, sort,
                                                     table):
    """Rows that share the clicked column's value keep one order, so pages never overlap."""
    login_as(client, Role.COORDINATOR)
    for desc in ("0", "1"):
        with count_queries() as statements:
            response = client.get(f"/admin/{endpoint}/?sort={sort}&desc={desc}")
        assert response.status_code == 200
        page_query = next(s for s in statements if "ORDER BY" in s and "LIMIT" in s)
        direction = " DESC" if desc == "1" else ""
        assert page_query.split("ORDER BY")[1].split("LIMIT")[0].strip().endswith(
            f"{table}.id{direction}"), page_query


def test_pages_of_a_sorted_list_do_not_overlap(client):
    login_as(client, Role.COORDINATOR)
    made = {make_case(status=CaseStatus.ACTIVE).id for _ in range(25)}
    seen: list[str] = []
    for page in (0, 1):
        body = client.get(f"/admin/case/?sort=2&page={page}").get_data(as_text=True)
        seen += re.findall(r'name="rowid" class="action-checkbox" value="(\d+)"', body)
    assert len(seen) == len(set(seen)) == 25
    assert {int(row) for row in seen} == made


def test_case_list_filters_by_partner_once_per_case(client):
    """Cases referred to a partner, each listed once however many referrals it has."""
    login_as(client, Role.COORDINATOR)
    partner, other = make_partner(), make_partner()
    referred = make_case()
    for field in ("housing", "work"):
        make_referral(make_need(referred, field=field), partner)
    make_referral(make_need(), other)
    make_case()
    assert '"arg": "partner_has"' in client.get("/admin/case/").get_data(as_text=True)
    response = client.get(f"/admin/case/?flt0_partner_has={partner.id}")
    assert response.status_code == 200
    assert _rows_shown(response) == 1
    assert referred.reference in response.get_data(as_text=True)
