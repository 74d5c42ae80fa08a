"""The duplicate check of intakes: is this new resident already known to the center?

Registration offices and counsellors spell the same name differently ("Müller", "Mueller",
"MULLER"; "José", "Jose"; "Yıldız", "Yildiz"), so names are compared by keys that ignore
case, accents and the German transliteration of umlauts, and family names also by their
Kölner Phonetik code ("Meier"/"Mayer"). A name only counts together with the date of birth;
an e-mail address or phone number counts on its own.

The result is stored on the intake for the coordinator. The clerk never learns it.
"""

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
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

#: Names whose keys are kept in memory (a few thousand arrivals and their candidates).
CACHED_NAMES = 50_000

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def _ascii(text: str) -> str:
    return "".join(ch for ch in unidecode(text).lower() if ch.isalnum())


@lru_cache(maxsize=CACHED_NAMES)
def name_keys(name: str | None) -> frozenset[str]:
    """Spellings of a name that count as the same: with umlauts as "ae" and as plain "a".

    Cached, as an arrival list compares the same names many times.

    >>> sorted(name_keys("Müller"))
    ['mueller', 'muller']
    """
    text = unicodedata.normalize("NFC", name or "").casefold()
    keys = {_ascii(text.translate(_GERMAN)), _ascii(text)}
    return frozenset(key for key in keys if key)


@lru_cache(maxsize=CACHED_NAMES)
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
    """One existing record the intake may duplicate, and what it matched on.

    ``record`` holds the columns the coordinator's tables show (names, date of birth,
    contact; for intakes also status and date), so showing matches needs no further query.
    """

    kind: str
    id: int
    on: list[str] = field(default_factory=list)
    record: Any = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "on": self.on}


#: Intakes checked per pair of statements, so every IN list stays far below database limits.
GROUP_SIZE = 1000
_COLUMNS = ("id", "given_name", "family_name", "date_of_birth", "phone", "email")
_PERSON_COLUMNS = tuple(getattr(Person, name) for name in _COLUMNS)
_INTAKE_COLUMNS = (*(getattr(Intake, name) for name in _COLUMNS), Intake.status,
                   Intake.created_at)


def phone_digits(column: Any) -> Any:
    """The stored number without the spaces, hyphens and slashes of its display format."""
    return func.replace(func.replace(func.replace(column, " ", ""), "-", ""), "/", "")


@dataclass
class _Probe:
    """What an intake is compared by: date of birth, e-mail and phone in comparable form."""

    intake: Intake
    born: date | None
    email: str | None
    phone: str | None

    @classmethod
    def of(cls, intake: Intake) -> "_Probe":
        return cls(intake, intake.date_of_birth, email_key(intake.email), phone_key(intake.phone))


class _Candidates:
    """Records sharing a date of birth, an e-mail or a phone with one of a group of intakes,
    read in one statement and indexed by those three values."""

    def __init__(self, session: Session, model: Any, columns: tuple[Any, ...],
                 probes: list[_Probe], *where: Any) -> None:
        self.by_birth: dict[date, list[Any]] = defaultdict(list)
        self.by_email: dict[str, list[Any]] = defaultdict(list)
        self.by_phone: dict[str, list[Any]] = defaultdict(list)
        births = {p.born for p in probes if p.born is not None}
        emails = {p.email for p in probes if p.email}
        phones = {p.phone for p in probes if p.phone}
        criteria = []
        if births:
            criteria.append(model.date_of_birth.in_(sorted(births)))
        if emails:
            criteria.append(func.lower(model.email).in_(sorted(emails)))
        if phones:
            criteria.append(phone_digits(model.phone).in_(sorted(phones)))
        if not criteria:
            return
        digits = phone_digits(model.phone).label("phone_digits")
        for row in session.execute(select(*columns, digits).where(or_(*criteria), *where)
                                   .order_by(model.id)):
            if row.date_of_birth in births:
                self.by_birth[row.date_of_birth].append(row)
            key = email_key(row.email)
            if key in emails:
                self.by_email[key].append(row)
            if row.phone_digits in phones:
                self.by_phone[row.phone_digits].append(row)

    def matches(self, kind: str, probe: _Probe) -> list[Match]:
        rows = {}
        for found in (self.by_birth.get(probe.born, []) if probe.born else [],
                      self.by_email.get(probe.email, []) if probe.email else [],
                      self.by_phone.get(probe.phone, []) if probe.phone else []):
            rows.update((row.id, row) for row in found)
        result = []
        for row_id in sorted(rows):
            row = rows[row_id]
            if kind == "intake" and row_id == probe.intake.id:
                continue
            on = self._match_on(row, probe)
            if on:
                result.append(Match(kind, row_id, on, row))
        return result

    @staticmethod
    def _match_on(row: Any, probe: _Probe) -> list[str]:
        intake = probe.intake
        on = []
        if (probe.born is not None and row.date_of_birth == probe.born
                and same_name(intake.given_name, intake.family_name, row.given_name,
                              row.family_name)):
            on.append(NAME_AND_BIRTH)
        if probe.email and email_key(row.email) == probe.email:
            on.append(EMAIL)
        if probe.phone and row.phone_digits == probe.phone:
            on.append(PHONE)
        return on


def find_duplicates_many(session: Session, intakes: Sequence[Intake]) -> list[list[Match]]:
    """For each intake, the persons and other open intakes that may be the same resident.

    Two statements per group of :data:`GROUP_SIZE` intakes: candidates are read by date of
    birth, e-mail or phone, and the names of those with the same date of birth are compared
    here, where transliteration is possible. Intakes already flushed find each other too.
    """
    results: list[list[Match]] = []
    probes = [_Probe.of(intake) for intake in intakes]
    for start in range(0, len(probes), GROUP_SIZE):
        group = probes[start:start + GROUP_SIZE]
        persons = _Candidates(session, Person, _PERSON_COLUMNS, group)
        others = _Candidates(session, Intake, _INTAKE_COLUMNS, group,
                             Intake.status.in_(OPEN_STATUSES))
        for probe in group:
            matches = persons.matches("person", probe) + others.matches("intake", probe)
            results.append(matches[:MAX_MATCHES])
    return results


def find_duplicates(session: Session, intake: Intake) -> list[Match]:
    """Persons and open intakes that may be the same resident as ``intake`` (two statements)."""
    return find_duplicates_many(session, [intake])[0]


def flag_duplicates(session: Session, intake: Intake) -> list[Match]:
    """Run the duplicate check and record its result on ``intake`` for the coordinator."""
    return flag_duplicates_many(session, [intake])[0]


def record(intake: Intake, matches: list[Match]) -> None:
    """Store the result of the check on the intake (changing nothing that stays the same, so
    a long list of intakes without matches costs no updates)."""
    stored = [match.as_dict() for match in matches] or None
    if intake.possible_duplicate is not bool(matches):
        intake.possible_duplicate = bool(matches)
    if intake.duplicate_matches != stored:
        intake.duplicate_matches = stored


def flag_duplicates_many(session: Session, intakes: Sequence[Intake],
                         reciprocal: bool = True) -> list[list[Match]]:
    """Run the duplicate check for ``intakes`` and record the result on both sides.

    An open intake that a new one matches is marked too (unless ``reciprocal`` is off): the
    queue shows the oldest intake first, and the coordinator must see the warning there as
    well. Those intakes are locked in one statement in id order, so two sessions cannot
    deadlock, before their list of matches is extended.
    """
    session.flush()
    found = find_duplicates_many(session, intakes)
    checked = {intake.id for intake in intakes}
    back: dict[int, list[Match]] = defaultdict(list)
    for intake, matches in zip(intakes, found, strict=True):
        record(intake, matches)
        for match in matches:
            if reciprocal and match.kind == "intake" and match.id not in checked:
                back[match.id].append(Match("intake", intake.id, match.on))
    ids = sorted(back)
    for start in range(0, len(ids), GROUP_SIZE):
        others = session.scalars(
            select(Intake).where(Intake.id.in_(ids[start:start + GROUP_SIZE]))
            .order_by(Intake.id).with_for_update()
            .execution_options(populate_existing=True)
        )
        for other in others:
            listed = list(other.duplicate_matches or [])
            known = {(entry.get("kind"), entry.get("id")) for entry in listed}
            listed += [match.as_dict() for match in back[other.id]
                       if (match.kind, match.id) not in known]
            other.duplicate_matches = listed[:MAX_MATCHES]
            other.possible_duplicate = True
    session.flush()
    return found
