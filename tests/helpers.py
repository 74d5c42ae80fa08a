"""Builders and client helpers shared by the tests (CTFd's tests/helpers.py, done our way)."""

import re
import secrets
from datetime import date
from functools import cache
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from welcome.extensions import db
from welcome.models import (
    Case,
    CaseSource,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    DataCategory,
    FieldOfAction,
    HandoverChannel,
    Intake,
    IntakeOffice,
    Language,
    Need,
    Partner,
    PartnerType,
    Person,
    Reason,
    ReasonKind,
    Referral,
    ResidencePurpose,
    Role,
    UiLocale,
    User,
)
from welcome.services import cases, consents, referrals

PASSWORD = "correct horse battery"


class CsrfClient(FlaskClient):
    """A test client that sends a valid CSRF token with every form POST, unless told not to.

    Pass ``csrf=False`` to send a POST without a token (to test that it is refused).
    """

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)

    def post(self, *args: Any, csrf: bool = True, **kwargs: Any) -> Any:
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)) and "json" not in kwargs:
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


def login_as(client: FlaskClient, role: Role | str, username: str | None = None) -> User:
    """Create a user of ``role`` and sign the client in through the real login form."""
    role = Role(role)
    user = make_user(role, username=username)
    client.post("/logout")
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return user


def flashes(response: Any) -> str:
    """The visible text of a page, tags removed, for asserting on messages."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


class _FormReader(HTMLParser):
    """Collects what a browser would send for a form: inputs, checked boxes, chosen options."""

    def __init__(self, form_class: str) -> None:
        super().__init__()
        self.form_class = form_class
        self._inside = False
        self.values: dict[str, list[str]] = {}
        self.options: dict[str, list[tuple[str, str]]] = {}
        self._select: str | None = None
        self._option: tuple[str, bool] | None = None
        self._text: list[str] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._inside = self.form_class in attr.get("class", "").split()
        if not self._inside:
            return
        name = attr.get("name")
        if tag == "input" and name:
            kind = attr.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attr:
                return
            if kind not in ("submit", "button", "file"):
                self.values.setdefault(name, []).append(attr.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self.options[name] = []
        elif tag == "option" and self._select:
            self._option = (attr.get("value", ""), "selected" in attr)
            self._text = []
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        if tag == "option" and self._select and self._option:
            value, selected = self._option
            self.options[self._select].append((value, "".join(self._text).strip()))
            if selected:
                self.values.setdefault(self._select, []).append(value)
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.values[self._textarea] = ["".join(self._text).lstrip("\n")]
            self._textarea = None


def form_values(response: Any, form_class: str = "admin-form") -> dict[str, list[str]]:
    """The fields a browser would submit, unchanged, from the page's form of ``form_class``."""
    reader = _FormReader(form_class)
    reader.feed(response.get_data(as_text=True))
    return reader.values


def form_options(response: Any, name: str,
                 form_class: str = "admin-form") -> list[tuple[str, str]]:
    """(value, label) of every option of the select called ``name``."""
    reader = _FormReader(form_class)
    reader.feed(response.get_data(as_text=True))
    return reader.options.get(name, [])


def catalogue(model: type, code: str) -> Any:
    return db.session.scalar(select(model).where(model.code == code))


@cache
def password_hash() -> str:
    """scrypt is slow on purpose; the tests hash the shared password once."""
    return generate_password_hash(PASSWORD)


def make_user(role: Role = Role.COORDINATOR, username: str | None = None, **kw: Any) -> User:
    username = username or f"{Role(role).value}-{secrets.token_hex(3)}"
    values = {"display_name": username.title(), "locale": UiLocale.DE, "active": True}
    values.update(kw)
    user = User(username=username, role=Role(role), password_hash=password_hash(), **values)
    db.session.add(user)
    db.session.commit()
    return user


def make_person(**kw: Any) -> Person:
    values = {
        "given_name": "Olena",
        "family_name": f"Testenko-{secrets.token_hex(2)}",
        "date_of_birth": date(1990, 4, 1),
        "preferred_language": catalogue(Language, "uk"),
        "phone": "+49 89 99998123",
        "email": "olena@example.org",
        "district": "Altstadt",
        "residence_purpose": catalogue(ResidencePurpose, "blue_card"),
    }
    values.update(kw)
    person = Person(**values)
    db.session.add(person)
    db.session.commit()
    return person


def make_case(main_person: Person | None = None, **kw: Any) -> Case:
    values = {"source": CaseSource.REGISTRATION_OFFICE, "opened_on": date(2026, 3, 2)}
    values.update(kw)
    case = cases.open_case(db.session, main_person or make_person(), **values)
    db.session.commit()
    return case


def make_need(case: Case | None = None, field: str = "housing", **kw: Any) -> Need:
    need = Need(case=case or make_case(), field_of_action=catalogue(FieldOfAction, field),
                identified_on=kw.pop("identified_on", date(2026, 3, 2)), **kw)
    db.session.add(need)
    db.session.commit()
    return need


def make_partner(name: str | None = None, type_code: str = "mbe", **kw: Any) -> Partner:
    values = {
        "name": name or f"Beratungsstelle {secrets.token_hex(2)}",
        "partner_type": catalogue(PartnerType, type_code),
        "phone": "+49 89 99998001",
        "email": "beratung@example.org",
        "district": "Altstadt",
        "fields_of_action": [catalogue(FieldOfAction, "housing")],
        "accepts_email_handover": True,
    }
    values.update(kw)
    partner = Partner(**values)
    db.session.add(partner)
    db.session.commit()
    return partner


def make_consent(person: Person, partners: list[Partner] | None = None, **kw: Any) -> Consent:
    values = {
        "purpose": ConsentPurpose.SHARE_WITH_PARTNERS,
        "given_how": ConsentMethod.SIGNED_PAPER,
        "form_version": "2026-1",
        "form_language": catalogue(Language, "de"),
        "given_on": date(2026, 3, 2),
        "partners": partners if partners is not None else [make_partner()],
        "categories": [DataCategory.NAME, DataCategory.CONTACT, DataCategory.NEED],
        "channels": [HandoverChannel.EMAIL, HandoverChannel.PHONE],
    }
    values.update(kw)
    consent = consents.give_consent(db.session, person, **values)
    db.session.commit()
    return consent


def make_referral(need: Need | None = None, partner: Partner | None = None,
                  channel: HandoverChannel = HandoverChannel.EMAIL, **kw: Any) -> Referral:
    need = need or make_need()
    referral = referrals.plan_referral(db.session, need, partner or make_partner(), channel,
                                       **kw)
    db.session.commit()
    return referral


def make_intake(**kw: Any) -> Intake:
    values = {
        "given_name": "Yusuf",
        "family_name": "Çelik",
        "phone": "+49 171 3920001",
        "office": IntakeOffice.REGISTRATION_OFFICE,
        "consent_to_contact": True,
        "household_size": 2,
    }
    values.update(kw)
    intake = Intake(**values)
    db.session.add(intake)
    db.session.commit()
    return intake


def reason(kind: ReasonKind) -> Reason:
    return db.session.scalar(select(Reason).where(Reason.kind == kind).order_by(Reason.id))
