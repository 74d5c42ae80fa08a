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
    """The visible text of a page, tags and scripts removed, for asserting on messages."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


class _FormReader(HTMLParser):
    """Collects what a browser would send for a form of a page (buttons aside), and the
    (value, label) pairs each of its selects offers."""

    def __init__(self, css_class: str | None) -> None:
        super().__init__()
        self.css_class = css_class
        self.values: dict[str, list[str]] = {}
        self.labels: dict[str, list[tuple[str, str]]] = {}
        self.depth = 0
        self.done = False
        self.select: str | None = None
        self.multiple = False
        self.options: list[tuple[str, bool]] = []
        self.option_text: list[str] | None = None
        self.textarea: str | None = None

    def add(self, name: str | None, value: str) -> None:
        if name:
            self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        attributes = dict(attrs)
        if tag == "form" and not self.done and (
                self.depth or self.css_class is None
                or self.css_class in (attributes.get("class") or "").split()):
            self.depth += 1
        if not self.depth:
            return
        name = attributes.get("name")
        if tag == "input" and "disabled" not in attributes:
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.add(name, attributes.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self.add(name, attributes.get("value", ""))
        elif tag == "select":
            self.select, self.options = name, []
            self.multiple = "multiple" in attributes
            self.labels[name or ""] = []
        elif tag == "option" and self.select is not None:
            self.options.append((attributes.get("value", ""), "selected" in attributes))
            self.option_text = []
        elif tag == "textarea":
            self.textarea = name
            self.add(name, "")

    def handle_data(self, data: str) -> None:
        if self.option_text is not None:
            self.option_text.append(data)
        if self.textarea is not None:
            self.values[self.textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self.option_text is not None:
            self.labels[self.select or ""].append(
                (self.options[-1][0], "".join(self.option_text).strip()))
            self.option_text = None
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.options if selected]
            if not chosen and not self.multiple:
                chosen = [value for value, _selected in self.options[:1]]
            for value in chosen:
                self.add(self.select, value)
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.depth:
            self.depth -= 1
            self.done = True


def _read_form(response: Any, css_class: str | None) -> _FormReader:
    reader = _FormReader(css_class)
    reader.feed(response.get_data(as_text=True))
    return reader


def form_values(response: Any, css_class: str | None = "admin-form") -> dict[str, list[str]]:
    """The values a form of the page would send as it stands, as a browser would send them.

    :param css_class: a class of the form meant (the admin's edit form by default); None
        means the page's first form.
    """
    return _read_form(response, css_class).values


def form_options(response: Any, name: str,
                 css_class: str | None = "admin-form") -> list[tuple[str, str]]:
    """(value, label) of every option of the select called ``name``."""
    return _read_form(response, css_class).labels.get(name, [])


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
