"""Who may reach what: every URL the app registers, for every role and for anonymous visitors.

The rights below are written out from DESIGN §1 and the access issue, independently of the
code, and the URL list comes from the app's URL map: a new view without an entry here fails.
"""

from datetime import date

import pytest
from sqlalchemy import select

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
    FieldTopic,
    Interview,
    Language,
    PartnerType,
    Reason,
    ResidencePurpose,
    Resource,
    Role,
    User,
)
from welcome.models.types import utcnow

C, A, K, IT, B = Role.COORDINATOR, Role.ASSISTANT, Role.CLERK, Role.IT_ADMIN, Role.BOARD
CASEWORK = {"case", "person", "need", "referral", "consultation", "consent", "intakes",
            "partner", "resource"}
CATALOGUES = {"field_of_action", "field_topic", "residence_purpose", "partner_type", "language",
              "reason"}

#: blueprint → (may open it, may create/edit, may delete, may export)
RIGHTS: dict[str, tuple[set[Role], set[Role], set[Role], set[Role]]] = {
    **{name: ({C, A}, {C, A}, {C}, {C}) for name in CASEWORK},
    **{name: ({C, A, IT}, {C, A, IT}, {C, IT}, {C, IT}) for name in CATALOGUES},
    "user": ({IT}, {IT}, {IT}, set()),
    "audit": ({C, IT}, set(), set(), set()),
    "admin": ({C, A, IT}, set(), set(), set()),
    "interview": ({C, A}, {C, A}, set(), set()),
    "dossier": ({C, A}, {C, A}, set(), set()),
    "intake": ({K}, set(), set(), set()),
    # anonymous figures: staff and the board read and export them (the board's suppressed)
    "monitoring": ({C, A, B}, set(), set(), {C, A, B}),
}
ROLES = [None, *Role]
#: Pages that are public or tested elsewhere (sign-in, language switch, static files).
PUBLIC = {"static", "admin.static", "auth.login", "auth.logout", "auth.set_language",
          "auth.home", "auth.keepalive", "feedback.answer"}
#: Pages that show one record and take its id.
RECORD_PAGES = {"details_view", "edit_view", "password_view", "handover_view", "form_view",
                "scan_view", "consent_form_view"}
#: What an allowed user gets from a page when the matrix sends no usable record or data.
ALLOWED_ANSWER = {"delete_view": 404, "ajax_update": 404, "action_view": 302,
                  "outcome_view": 404, "feedback_link_view": 404, "revoke_link_view": 404,
                  "withdraw_view": 404, "scan_view": 404, "refer_view": 404,
                  "interview.index": 302, "interview.start": 302, "interview.new": 302,
                  "dossier.index": 302, "dossier.download": 422,
                  "import_confirm_view": 400, "confirm_access": 404}


#: A lookup each screen offers, for the ajax URLs of the matrix.
AJAX_NAMES = {"case": "main_person", "need": "case", "referral": "partner",
              "consultation": "case", "consent": "person", "intakes": "person"}


#: Pages of the intake queue that act on one intake (given by ``?id=``).
TRIAGE_PAGES = ("accept_view", "contacted_view", "reject_view", "merge_view",
                "merge_confirm_view")


def _records() -> dict[str, int]:
    """One record of every kind, so detail and edit pages have something to show."""
    case = make_case()
    db.session.add(Interview(case=case))
    consultation = Consultation(case=case, channel=ContactChannel.PHONE)
    resource = Resource(title="Link", url="https://example.org/")
    db.session.add_all([consultation, resource])
    db.session.add(AuditEvent(at=utcnow(), action=AuditAction.VIEW, username="x"))
    db.session.commit()
    return {
        "case": case.id, "person": case.main_person_id, "need": make_need(case).id,
        "referral": make_referral().id, "consultation": consultation.id,
        "consent": make_consent(make_person()).id, "intakes": make_intake().id,
        "intake": make_intake(phone="+49 171 3920002").id,
        "partner": make_partner().id, "resource": resource.id,
        "user": make_user(Role.ASSISTANT).id,
        "field_of_action": catalogue(FieldOfAction, "housing").id,
        "field_topic": catalogue(FieldTopic, "housing.deposit").id,
        "residence_purpose": catalogue(ResidencePurpose, "blue_card").id,
        "partner_type": catalogue(PartnerType, "mbe").id,
        "language": catalogue(Language, "de").id,
        "reason": db.session.scalar(select(Reason.id).limit(1)),
    }


def _admin_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC or rule.endpoint.endswith(".static"):
            continue
        yield rule


def _expected(blueprint: str, page: str, role: Role | None) -> int:
    assert blueprint in RIGHTS, f"no access rule written down for {blueprint}"
    may_open, may_change, may_delete, may_export = RIGHTS[blueprint]
    if role is None:
        return 302
    if role not in may_open:
        return 403
    needs = {
        "index_view": may_open, "index": may_open, "details_view": may_open,
        "ajax_lookup": may_open, "create_view": may_change, "edit_view": may_change,
        "password_view": may_change, "ajax_update": may_change, "delete_view": may_delete,
        "export": may_export, "action_view": may_delete,
        # referrals: the warm handover and its outcome change the record
        "handover_view": may_change, "outcome_view": may_change,
        "feedback_link_view": may_change, "revoke_link_view": may_change,
        # consents: printing and reading the scan are reads, withdrawing is a change
        "form_view": may_open, "scan_view": may_open, "consent_form_view": may_open,
        "withdraw_view": may_change,
        # the orientation interview writes into the case at every step
        "new": may_change, "start": may_change, "step": may_change,
        # planning a referral from a need's suggestions
        "refer_view": may_change,
        # the coordinator's triage of intakes and the arrival-list import (issue 7)
        "accept_view": may_change, "contacted_view": may_change, "reject_view": may_change,
        "merge_view": may_change, "merge_confirm_view": may_change, "import_view": may_change,
        "import_confirm_view": may_change,
        # separation of duties: casework access given by IT is confirmed by a coordinator
        "confirm_access": {C},
        # the welcome folder: choosing and previewing read the case, downloading records an export
        "screen": may_open, "preview": may_open, "download": may_change,
    }
    assert page in needs, f"no access rule written down for page {page}"
    if role not in needs[page]:
        return 403
    if blueprint == "intake" and page == "details_view":
        return 404  # the record was logged by somebody else: a clerk sees only their own
    return ALLOWED_ANSWER.get(f"{blueprint}.{page}", ALLOWED_ANSWER.get(page, 200))


def test_every_url_is_in_the_rights_table(app):
    """A new view must be given rights here before the matrix below can pass."""
    for rule in _admin_rules(app):
        blueprint, page = rule.endpoint.split(".", 1)
        _expected(blueprint, page, Role.COORDINATOR)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_role_endpoint_matrix(app, client, role):
    ids = _records()
    if role is not None:
        login_as(client, role)
    failures = []
    for rule in _admin_rules(app):
        blueprint, page = rule.endpoint.split(".", 1)
        path = (rule.rule.replace("<export_type>", "csv")
                .replace("<int:case_id>", str(ids["case"])).replace("<step_name>", "household"))
        record_id = ids.get(blueprint, 1)
        if page in RECORD_PAGES or page in TRIAGE_PAGES:
            path += f"?id={record_id}"
        if page == "merge_confirm_view":
            path += f"&person={ids['person']}"
        if page == "ajax_lookup":
            path += f"?name={AJAX_NAMES.get(blueprint, 'nothing')}&query=a"
        if "POST" in rule.methods and "GET" not in rule.methods:
            data = {"id": "999999", "list_form_pk": "999999"}
            if page == "action_view":
                data = {"action": "delete", "rowid": "999999"}
            response = client.post(path, data=data)
        else:
            response = client.get(path)
        expected = _expected(blueprint, page, role)
        if expected == 200 and ((page == "ajax_lookup" and blueprint not in AJAX_NAMES)
                                or (page == "details_view" and blueprint == "audit")):
            expected = 404
        if response.status_code != expected:
            failures.append(f"{rule.endpoint} {path}: {response.status_code} != {expected}")
        if role is None and response.status_code == 302:
            assert "/login" in response.headers["Location"]
    assert not failures, "\n".join(failures)


def test_assistant_sees_no_delete_or_export_buttons(client):
    login_as(client, Role.ASSISTANT)
    make_case()
    page = client.get("/admin/case/").get_data(as_text=True)
    assert "/admin/case/delete/" not in page
    assert "/admin/case/export/" not in page


def test_clerk_and_board_land_on_their_screen(client):
    login_as(client, Role.CLERK)
    assert client.get("/").headers["Location"].endswith("/intake/")
    login_as(client, Role.BOARD)
    assert client.get("/").headers["Location"].endswith("/monitoring/")


def test_menu_shows_only_what_the_role_may_open(client):
    login_as(client, Role.IT_ADMIN)
    page = client.get("/admin/").get_data(as_text=True)
    assert "/admin/user/" in page
    assert "/admin/case/" not in page
    assert "/admin/person/" not in page


def test_forbidden_page_speaks_the_users_language(client):
    user = login_as(client, Role.CLERK)
    response = client.get("/admin/case/")
    assert response.status_code == 403
    assert "Kein Zugriff" in response.get_data(as_text=True)
    db.session.get(User, user.id).locale = "en"
    db.session.commit()
    response = client.get("/admin/case/")
    assert "Not allowed" in response.get_data(as_text=True)


def test_it_admin_reads_no_case_content_through_lookups(client):
    make_case(main_person=make_person(family_name="Geheim", date_of_birth=date(1990, 1, 1)))
    login_as(client, Role.IT_ADMIN)
    response = client.get("/admin/case/ajax/lookup/?name=main_person&query=Geheim")
    assert response.status_code == 403
    assert b"Geheim" not in response.data
