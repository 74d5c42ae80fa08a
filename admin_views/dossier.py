"""The welcome folder's export screen: choose language and parts, preview, download.

``/admin/dossier/<case id>/`` shows the choice beside an HTML preview of exactly what will be
printed; "Download PDF" renders it, records the export and hands over the file. The rules
(what goes in, which languages exist, the export record) live in
``welcome.services.dossiers``.
"""

import re
from typing import Any

from flask import Response, abort, redirect, request, url_for
from flask_admin import BaseView, expose
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from admin_views.base import INT_MAX
from admin_views.dashboard import RoleGuardMixin
from welcome.auth.roles import CASEWORK
from welcome.extensions import db
from welcome.i18n import DOCUMENT_LANGUAGES
from welcome.models import Case, DossierSection, Language
from welcome.security import allow_same_origin_frames
from welcome.services import audit, dossiers
from welcome.services.errors import DomainError


class DossierView(RoleGuardMixin, BaseView):
    """Reached from a case page; not a menu entry of its own."""

    roles = CASEWORK

    def is_visible(self) -> bool:
        return False

    def _case(self, case_id: int) -> Case:
        case = dossiers.load_case(db.session, case_id) if case_id <= INT_MAX else None
        if case is None:
            abort(404)
        return case

    def _choice(self, case: Case, values: MultiDict,
                defaults: bool) -> tuple[dict[str, Any], dict[str, str]]:
        """The language and sections asked for, and a message per field that is wrong.

        :param defaults: fill in what is missing (the person's language, every section), as
            when the screen is opened from the case page.
        """
        code = values.get("language") or (dossiers.default_language(case) if defaults else "")
        sections = values.getlist("section") or (
            [s.value for s in DossierSection] if defaults else [])
        choice: dict[str, Any] = {"code": code, "sections": sections}
        errors: dict[str, str] = {}
        try:
            choice["language"] = dossiers.folder_language(db.session, code)
        except DomainError as error:
            errors["language"] = error.message
        try:
            choice["sections"] = dossiers.parse_sections(sections)
        except DomainError as error:
            errors["sections"] = error.message
        return choice, errors

    def _screen(self, case: Case, choice: dict[str, Any], errors: dict[str, str],
                status: int = 200) -> Any:
        languages = {language.code: language for language in db.session.scalars(
            select(Language).where(Language.code.in_(DOCUMENT_LANGUAGES)))}
        chosen = [s.value if isinstance(s, DossierSection) else s for s in choice["sections"]]
        preview_url = None
        if not errors:
            preview_url = url_for(".preview", case_id=case.id, language=choice["code"],
                                  section=chosen)
        page = self.render(
            "admin/dossier.html", case=case, errors=errors, code=choice["code"],
            chosen=chosen, sections=list(DossierSection), preview_url=preview_url,
            languages=[languages[code] for code in DOCUMENT_LANGUAGES if code in languages],
            exports=dossiers.recent_exports(db.session, case))
        return page, status

    @expose("/")
    def index(self) -> Any:
        return redirect(url_for("case.index_view"))

    @expose("/<int:case_id>/", methods=("GET", "POST"))
    def screen(self, case_id: int) -> Any:
        """GET: the person's language and every section; POST: the preview of a new choice."""
        case = self._case(case_id)
        if request.method == "POST":
            choice, errors = self._choice(case, request.form, defaults=False)
            return self._screen(case, choice, errors, 422 if errors else 200)
        choice, errors = self._choice(case, request.args, defaults=True)
        return self._screen(case, choice, errors, 400 if errors else 200)

    @expose("/<int:case_id>/preview/")
    def preview(self, case_id: int) -> Any:
        """The folder as HTML, shown in the screen's frame (no scripts, own styles)."""
        case = self._case(case_id)
        choice, errors = self._choice(case, request.args, defaults=True)
        if errors:
            abort(400, " ".join(errors.values()))
        html = dossiers.preview_folder(db.session, case, choice["language"], choice["sections"])
        actor = audit.current_actor()
        dossiers.record_preview(db.session, case_id, choice["code"], actor)
        db.session.commit()
        allow_same_origin_frames()
        return Response(html, mimetype="text/html")

    @expose("/<int:case_id>/pdf/", methods=("POST",))
    def download(self, case_id: int) -> Any:
        """Render, record and hand over the PDF; a wrong choice shows the screen again."""
        case = self._case(case_id)
        choice, errors = self._choice(case, request.form, defaults=False)
        if errors:
            return self._screen(case, choice, errors, 422)
        language, reference = choice["language"], case.reference
        pdf = dossiers.render_export(db.session, case, language, choice["sections"])
        language_id, code = language.id, language.code
        actor = audit.current_actor()
        export = dossiers.record_export(db.session, case_id, language_id, code,
                                        choice["sections"], pdf, actor)
        db.session.commit()
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", f"Willkommensmappe-{reference}-{code}.pdf")
        return Response(pdf.data, mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-SHA256": export.sha256,
        })
