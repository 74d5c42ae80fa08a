"""The search-as-you-type pickers find what their options show, in a constant few statements."""

import pytest

from tests.helpers import login_as, make_case, make_need, make_person
from welcome.models import Role


@pytest.fixture
def coordinator(client):
    return login_as(client, Role.COORDINATOR)


def _lookup(client, url: str) -> list[tuple[int, str]]:
    response = client.get(url)
    assert response.status_code == 200
    return [tuple(row) for row in response.get_json()]


def test_case_picker_finds_a_case_by_the_main_persons_name(client, coordinator):
    case = make_case(make_person(family_name="Nascimento", given_name="Rafael"))
    make_case(make_person(family_name="Almeida"))
    found = _lookup(client, "/admin/need/ajax/lookup/?name=case&query=nascimento rafa")
    assert found == [(case.id, f"{case.reference} · Nascimento, Rafael (01.04.1990)")]
    assert [row[0] for row in _lookup(
        client, f"/admin/need/ajax/lookup/?name=case&query={case.reference}")] == [case.id]


def test_need_picker_finds_what_the_option_shows(client, coordinator):
    case = make_case()
    housing = make_need(case, field="housing", description="Wohnung mit drei Zimmern")
    language = make_need(case, field="language")
    other = make_need(field="language")
    url = "/admin/referral/ajax/lookup/?name=need&query="
    assert {row[0] for row in _lookup(client, url + "zimmern")} == {housing.id}
    assert {row[0] for row in _lookup(client, url + "Integrationskurs")} == \
        {language.id, other.id}
    assert {row[0] for row in _lookup(client, url + "integration course")} == \
        {language.id, other.id}
    assert {row[0] for row in _lookup(client, url + case.reference)} == {housing.id, language.id}
    assert [row[0] for row in _lookup(client, url + f"Deutsch&case={case.id}")] == [language.id]


def test_need_picker_stays_with_the_chosen_case(client, coordinator):
    case, elsewhere = make_case(), make_case()
    mine = [make_need(case, field=code) for code in ("housing", "work")]
    make_need(elsewhere, field="housing")
    found = _lookup(client, f"/admin/referral/ajax/lookup/?name=need&query=a&case={case.id}")
    assert sorted(row[0] for row in found) == sorted(need.id for need in mine)


@pytest.mark.parametrize("case_argument", ["abc", "-4", "99999999999999", ""])
def test_need_picker_ignores_a_broken_case_argument(client, coordinator, case_argument):
    need = make_need(field="work")
    found = _lookup(client, f"/admin/referral/ajax/lookup/?name=need&query=arbeit"
                            f"&case={case_argument}")
    assert [row[0] for row in found] == [need.id]


@pytest.mark.parametrize(("url", "build"), [
    ("/admin/referral/ajax/lookup/?name=need&query=wohnung",
     lambda n: [make_need(field="housing") for _ in range(n)]),
    ("/admin/need/ajax/lookup/?name=case&query=testenko",
     lambda n: [make_case() for _ in range(n)]),
])
def test_pickers_run_a_constant_few_statements(client, coordinator, count_queries, url, build):
    build(1)
    client.get(url)
    with count_queries() as one:
        assert len(_lookup(client, url)) == 1
    build(12)
    with count_queries() as many:
        assert len(_lookup(client, url)) == 10
    assert len(many) == len(one) <= 4, "\n".join(many)
