"""The duplicate check of intakes: is this new resident already known to the center?

Registration offices and counsellors spell the same name differently ("Müller", "Mueller",
"MULLER"; "José", "Jose"; "Yıldız", "Yildiz"), so names are compared by keys that ignore
case, accents and the German transliteration of umlauts, and family names also by their
Kölner Phonetik code ("Meier"/"Mayer"). A name only counts together with the date of birth;
an e-mail address or phone number counts on its own.

The result is stored on the intake for the coordinator. The clerk never learns it.
"""

import unicodedata
from dataclasses import dataclass, field
from typing import Any

import cologne_phonetics
import phonenumbers
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from unidecode import unidecode

from welcome.models import Intake, IntakeStatus, Person
from welcome.validation import DEFAULT_REGION

#: Intakes still waiting for a decision; decided ones are no longer compared with.
OPEN_STATUSES = (IntakeStatus.NEW, IntakeStatus.CONTACTED)
#: More matches than this say nothing more to the coordinator.
MAX_MATCHES = 10
#: What a match rests on, in the order the coordinator reads them.
NAME_AND_BIRTH, EMAIL, PHONE = "name_birth", "email", "phone"

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def _ascii(text: str) -> str:
    return "".join(ch for ch in unidecode(text).lower() if ch.isalnum())


def name_keys(name: str | None) -> set[str]:
    """Spellings of a name that count as the same: with umlauts as "ae" and as plain "a".

    >>> sorted(name_keys("Müller"))
    ['mueller', 'muller']
    """
    text = unicodedata.normalize("NFC", name or "").casefold()
    keys = {_ascii(text.translate(_GERMAN)), _ascii(text)}
    return {key for key in keys if key}


def phonetic_code(name: str | None) -> str:
    """The Kölner Phonetik code of a (family) name, over all its parts."""
    text = unicodedata.normalize("NFC", name or "").casefold().translate(_GERMAN)
    words = unidecode(text)
    if not any(ch.isalpha() for ch in words):
        return ""
    return " ".join(code for _word, code in cologne_phonetics.encode(words) if code)


def phone_key(raw: str | None) -> str | None:
    """The number in E.164 form (+4917139200…), or None when it is no phone number."""
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email_key(raw: str | None) -> str | None:
    return raw.strip().lower() if raw and raw.strip() else None


def same_name(given_a: str, family_a: str, given_b: str, family_b: str) -> bool:
    """Whether two names are the same person's, also when given and family name were swapped."""
    def match(given_1: str, family_1: str, given_2: str, family_2: str) -> bool:
        if not name_keys(given_1) & name_keys(given_2):
            return False
        if name_keys(family_1) & name_keys(family_2):
            return True
        code = phonetic_code(family_1)
        return bool(code) and code == phonetic_code(family_2)

    return match(given_a, family_a, given_b, family_b) or match(given_a, family_a, family_b,
                                                                given_b)


@dataclass
class Match:
    """One existing record the intake may duplicate, and what it matched on."""

    kind: str
    id: int
    on: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "on": self.on}


def _phone_column(column: Any) -> Any:
    """The stored number without the spaces, hyphens and slashes of its display format."""
    return func.replace(func.replace(func.replace(column, " ", ""), "-", ""), "/", "")


def _criteria(model: Any, intake: Intake, email: str | None, phone: str | None) -> list[Any]:
    criteria = []
    if intake.date_of_birth is not None:
        criteria.append(model.date_of_birth == intake.date_of_birth)
    if email:
        criteria.append(func.lower(model.email) == email)
    if phone:
        criteria.append(_phone_column(model.phone) == phone)
    return criteria


def _match_on(record: Any, intake: Intake, email: str | None, phone: str | None) -> list[str]:
    on = []
    if (intake.date_of_birth is not None and record.date_of_birth == intake.date_of_birth
            and same_name(intake.given_name, intake.family_name, record.given_name,
                          record.family_name)):
        on.append(NAME_AND_BIRTH)
    if email and email_key(record.email) == email:
        on.append(EMAIL)
    if phone and phone_key(record.phone) == phone:
        on.append(PHONE)
    return on


def find_duplicates(session: Session, intake: Intake) -> list[Match]:
    """Persons and open intakes that may be the same resident as ``intake``.

    Two statements: candidates are read by date of birth, e-mail or phone, and the names of
    those with the same date of birth are compared here, where transliteration is possible.
    """
    email, phone = email_key(intake.email), phone_key(intake.phone)
    matches: list[Match] = []
    person_criteria = _criteria(Person, intake, email, phone)
    if not person_criteria:
        return matches
    persons = session.scalars(
        select(Person).where(or_(*person_criteria)).order_by(Person.id).limit(200)
    )
    for person in persons:
        on = _match_on(person, intake, email, phone)
        if on:
            matches.append(Match("person", person.id, on))
    open_others = [Intake.status.in_(OPEN_STATUSES)]
    if intake.id is not None:
        open_others.append(Intake.id != intake.id)
    others = session.scalars(
        select(Intake).where(or_(*_criteria(Intake, intake, email, phone)), *open_others)
        .order_by(Intake.id).limit(200)
    )
    for other in others:
        on = _match_on(other, intake, email, phone)
        if on:
            matches.append(Match("intake", other.id, on))
    return matches[:MAX_MATCHES]


def flag_duplicates(session: Session, intake: Intake) -> list[Match]:
    """Run the duplicate check and record its result on ``intake`` for the coordinator."""
    session.flush()
    matches = find_duplicates(session, intake)
    intake.possible_duplicate = bool(matches)
    intake.duplicate_matches = [match.as_dict() for match in matches] or None
    session.flush()
    return matches
