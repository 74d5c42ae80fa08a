"""Several folders previewed and printed at the same moment, through a real threaded server."""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

from sqlalchemy import func, select
from werkzeug.serving import make_server

from tests.conftest import fresh_database, prepare_schema, separate_app
from tests.helpers import PASSWORD
from welcome.extensions import db
from welcome.models import (
    AuditAction,
    AuditEvent,
    CaseSource,
    DossierExport,
    FieldOfAction,
    Need,
    Partner,
    PartnerType,
    Person,
    Role,
)
from welcome.services import audit, cases, users


class Browser:
    """A signed-in HTTP client with its own cookies."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def open(self, path: str, data: dict | None = None) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def token(self, path: str) -> str:
        page = self.open(path)[1].decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def sign_in(self, username: str) -> None:
        token = self.token("/login")
        self.open("/login", {"username": username, "password": PASSWORD, "csrf_token": token})


def test_concurrent_previews_and_downloads_all_succeed(database_url, tmp_path):
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    with fresh_database(kind, tmp_path) as url, separate_app(url) as app:
        prepare_schema(app)
        with app.app_context(), audit.acting_as(None, "tests"):
            users.create_user(db.session, "koordination", Role.COORDINATOR, PASSWORD)
            person = Person(given_name="Nour", family_name="Haddad")
            case = cases.open_case(db.session, person, source=CaseSource.SELF)
            for code in ("housing", "language", "work"):
                field = db.session.scalar(select(FieldOfAction).where(FieldOfAction.code == code))
                db.session.add(Need(case=case, field_of_action=field))
                db.session.add(Partner(name=f"Beratung {code}", fields_of_action=[field],
                                       partner_type=db.session.scalar(select(PartnerType))))
            db.session.commit()
            case_id = case.id
            db.session.remove()

        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            browser = Browser(f"http://127.0.0.1:{server.server_port}")
            browser.sign_in("koordination")
            token = browser.token(f"/admin/dossier/{case_id}/")
            answers: list[int] = []

            def preview(code: str) -> None:
                answers.append(browser.open(
                    f"/admin/dossier/{case_id}/preview/?language={code}&section=contacts")[0])

            def download() -> None:
                answers.append(browser.open(f"/admin/dossier/{case_id}/pdf/", {
                    "language": "ar", "section": ["cover", "contacts"], "csrf_token": token})[0])

            workers = [threading.Thread(target=preview, args=(code,))
                       for code in ("de", "en", "tr", "ru", "uk", "ro")]
            workers += [threading.Thread(target=download) for _ in range(2)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
        finally:
            server.shutdown()
            thread.join()

        assert answers == [200] * 8
        with app.app_context():
            assert db.session.scalar(select(func.count(DossierExport.id))) == 2
            assert db.session.scalar(select(func.count(AuditEvent.id)).where(
                AuditEvent.action == AuditAction.VIEW,
                AuditEvent.detail.like("welcome folder preview%"))) == 6
            db.session.remove()
