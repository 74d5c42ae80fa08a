"""Arrival lists: a CSV export of the registration software, read into intakes.

Reading happens twice: once for the preview (every row checked, errors per row and column),
and again on import, from the checked values the preview handed back — the file itself is
never stored. Every row gets a stable key from the person's name, date of birth and contact,
so the same list (or the same rows in a later list) imported again adds nothing.

The columns are documented in README.md ("Arrival lists").
"""

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from welcome.models import Intake, IntakeOffice, IntakeStatus, Language, ResidencePurpose, User
from welcome.services.database import take_turn
from welcome.services.duplicates import email_key, flag_duplicates_many, name_keys, phone_key
from welcome.services.errors import DomainError
from welcome.services.intakes import MAX_HOUSEHOLD, MAX_NOTE, check_intake, clean_name
from welcome.validation import normalise_phone

#: Largest file accepted (a list of some thousand arrivals is far smaller).
MAX_IMPORT_BYTES = 2 * 1024 * 1024
#: Most data rows one file may hold.
MAX_IMPORT_ROWS = 5000

#: Intake field → column names a registration-office export may use (compared without case).
COLUMNS: dict[str, tuple[str, ...]] = {
    "family_name": ("familienname", "nachname", "name"),
    "given_name": ("vorname", "vornamen"),
    "date_of_birth": ("geburtsdatum", "geb.-datum", "geburtstag"),
    "phone": ("telefon", "telefonnummer", "mobil", "mobilnummer", "handy"),
    "email": ("e-mail", "email", "e-mail-adresse", "mail"),
    "preferred_language": ("sprache", "bevorzugte sprache", "kontaktsprache"),
    "residence_purpose": ("aufenthaltszweck", "anlass der zuwanderung", "aufenthaltstitel"),
    "household_size": ("haushaltsgröße", "haushaltsgroesse", "personen im haushalt"),
    "office": ("behörde", "behoerde", "dienststelle"),
    "consent_to_contact": ("einwilligung kontakt", "einwilligung", "einverständnis",
                           "kontakt erwünscht"),
    "note": ("bemerkung", "bemerkungen", "hinweis"),
}
#: The column name the README and the messages use for each field.
COLUMN_TITLES = {field_name: names[0].title() for field_name, names in COLUMNS.items()}
COLUMN_TITLES.update({"email": "E-Mail", "consent_to_contact": "Einwilligung Kontakt",
                      "household_size": "Haushaltsgröße"})
REQUIRED = ("family_name", "given_name", "consent_to_contact")
YES = {"ja", "j", "yes", "y", "x", "1", "true", "wahr"}
NO = {"nein", "n", "no", "0", "false", "falsch", ""}
OFFICE_WORDS = {
    IntakeOffice.REGISTRATION_OFFICE: {"einwohneramt", "meldebehörde", "meldeamt", "bürgerbüro",
                                       "bürgeramt", "registration_office"},
    IntakeOffice.FOREIGNERS_AUTHORITY: {"ausländerbehörde", "auslaenderbehoerde",
                                        "foreigners_authority"},
    IntakeOffice.OTHER: {"sonstige", "andere", "other"},
}
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
SIGNATURE_SALT = "intake-import"
#: Intakes saved per flush on import.
IMPORT_BATCH = 500
#: The name imports take turns under.
IMPORT_LOCK = "welcome.intake-import"
#: The first line Excel writes to name the separator (``sep=;``).
EXCEL_SEPARATOR = re.compile(r'^"?sep=([;,])"?\s*$', re.IGNORECASE)


class ImportFileError(DomainError):
    """The file as a whole cannot be read (wrong kind of file, columns missing …)."""

    status_code = 400


@dataclass
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ImportRow:
    """A checked row, in plain values that survive the round trip through the preview form."""

    line: int
    key: str
    given_name: str
    family_name: str
    date_of_birth: str | None
    phone: str | None
    email: str | None
    preferred_language_id: int | None
    residence_purpose_id: int | None
    household_size: int
    office: str
    note: str | None
    already_imported: bool = False

    @property
    def birth_date(self) -> date | None:
        return date.fromisoformat(self.date_of_birth) if self.date_of_birth else None

    def to_intake(self) -> Intake:
        return Intake(
            given_name=self.given_name,
            family_name=self.family_name,
            date_of_birth=self.birth_date,
            phone=self.phone,
            email=self.email,
            preferred_language_id=self.preferred_language_id,
            residence_purpose_id=self.residence_purpose_id,
            household_size=self.household_size,
            office=IntakeOffice(self.office),
            consent_to_contact=True,
            note=self.note,
            import_key=self.key,
            status=IntakeStatus.NEW,
        )


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""

    @property
    def new_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.already_imported]

    @property
    def lines_with_errors(self) -> int:
        return len({error.line for error in self.errors})


def row_key(given_name: str, family_name: str, born: date | None, email: str | None,
            phone: str | None) -> str:
    """A key that stays the same for the same person and contact, however they are spelt."""
    parts = [min(name_keys(given_name) or {""}), min(name_keys(family_name) or {""}),
             born.isoformat() if born else "", email_key(email) or "", phone_key(phone) or ""]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


# --- reading the file ---------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was in: UTF-8 (with or without BOM) or
    Windows-1252, the two encodings registration software exports in.

    :raises ImportFileError: for an empty file, a binary file or another encoding.
    """
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if b"\x00" in data:
        raise ImportFileError(_("This is not a CSV text file. Please export the list as CSV "
                                "(UTF-8 or Windows-1252) and upload that file."))
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as error:
        raise ImportFileError(_("The file is neither UTF-8 nor Windows-1252 text. Please "
                                "export the list again as CSV.")) from error


def _header_name(raw: str) -> str:
    return " ".join(unicodedata.normalize("NFC", raw).replace("_", " ").casefold().split())


def read_table(text: str) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """Header, data rows with their line numbers, and the separator (``;`` or ``,``).

    A first line ``sep=;`` (which Excel writes and reads) names the separator and is skipped.

    :raises ImportFileError: when the file has no usable header or too many rows.
    """
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    skipped_lines = 0
    excel = EXCEL_SEPARATOR.match(first_line)
    if excel:
        text = text.split("\n", 1)[1] if "\n" in text else ""
        first_line = text.split("\n", 1)[0]
        skipped_lines = 1
        delimiter = excel.group(1)
    else:
        delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    if first_line.count(delimiter) == 0:
        raise ImportFileError(_("The first line must name the columns, separated by “;” or "
                                "“,”. See the list of columns below."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        rows = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                raise ImportFileError(_("The file has more than %(n)d rows. Please split it.",
                                        n=MAX_IMPORT_ROWS))
            rows.append((reader.line_num + skipped_lines, values))
    except csv.Error as error:
        raise ImportFileError(_("The file could not be read as CSV (line %(line)d).",
                                line=reader.line_num + skipped_lines)) from error
    return header, rows, delimiter


def map_columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Which position holds which intake field; and the columns that are ignored.

    :raises ImportFileError: when a required column is missing or named twice.
    """
    known = {_header_name(name): field_name for field_name, names in COLUMNS.items()
             for name in names}
    positions: dict[str, int] = {}
    ignored = []
    for position, raw in enumerate(header):
        field_name = known.get(_header_name(raw))
        if field_name is None:
            if raw.strip():
                ignored.append(raw.strip())
            continue
        if field_name in positions:
            raise ImportFileError(_("The column “%(column)s” appears twice.",
                                    column=raw.strip()))
        positions[field_name] = position
    missing = [COLUMN_TITLES[name] for name in REQUIRED if name not in positions]
    if "phone" not in positions and "email" not in positions:
        missing.append(_("%(a)s or %(b)s", a=COLUMN_TITLES["phone"], b=COLUMN_TITLES["email"]))
    if missing:
        raise ImportFileError(_("Columns missing: %(columns)s. See the list of columns below.",
                                columns=", ".join(missing)))
    return positions, ignored


# --- checking the rows --------------------------------------------------------------------------


class _Catalogue:
    """Languages and residence purposes, found by code or by their German or English label."""

    def __init__(self, session: Session) -> None:
        self.languages = self._index(session.scalars(select(Language)), ())
        self.purposes = self._index(session.scalars(select(ResidencePurpose)), ("legal_basis",))

    @staticmethod
    def _index(entries: Iterable[Any], extra: tuple[str, ...]) -> dict[str, int]:
        index: dict[str, int] = {}
        for entry in entries:
            for name in ("code", "label_de", "label_en", *extra):
                value = getattr(entry, name)
                if value:
                    index.setdefault(_header_name(value), entry.id)
        return index


def parse_date(raw: str) -> date:
    """:raises ValueError: for anything but TT.MM.JJJJ, JJJJ-MM-TT and similar."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError(raw)


def _office(raw: str, default: IntakeOffice) -> IntakeOffice | None:
    word = _header_name(raw)
    if not word:
        return default
    for office, words in OFFICE_WORDS.items():
        if word in {_header_name(w) for w in words} or word == _header_name(office.label):
            return office
    return None


def check_row(line: int, values: dict[str, str], catalogue: _Catalogue,
              default_office: IntakeOffice) -> tuple[ImportRow | None, list[RowError]]:
    """Check one row; every problem is reported with the column it is in."""
    errors: list[RowError] = []

    def fail(field_name: str, message: str) -> None:
        errors.append(RowError(line, COLUMN_TITLES[field_name], message))

    given, family = clean_name(values.get("given_name")), clean_name(values.get("family_name"))
    born = None
    if values.get("date_of_birth"):
        try:
            born = parse_date(values["date_of_birth"])
        except ValueError:
            fail("date_of_birth", _("Not a date; write it as DD.MM.YYYY."))
    phone = values.get("phone") or None
    if phone:
        try:
            phone = normalise_phone(phone)
        except ValueError:
            fail("phone", _("Not a phone number."))
    email = values.get("email") or None
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            fail("email", _("Not an e-mail address."))
        else:
            if len(email) > 254:
                fail("email", _("Not an e-mail address."))
    language_id = purpose_id = None
    if values.get("preferred_language"):
        language_id = catalogue.languages.get(_header_name(values["preferred_language"]))
        if language_id is None:
            fail("preferred_language", _("Unknown language “%(value)s”.",
                                         value=values["preferred_language"]))
    if values.get("residence_purpose"):
        purpose_id = catalogue.purposes.get(_header_name(values["residence_purpose"]))
        if purpose_id is None:
            fail("residence_purpose", _("Unknown residence purpose “%(value)s”.",
                                        value=values["residence_purpose"]))
    household = 1
    if values.get("household_size"):
        try:
            household = int(values["household_size"])
        except ValueError:
            household = 0
        if not 1 <= household <= MAX_HOUSEHOLD:
            fail("household_size", _("Enter a number from 1 to %(n)d.", n=MAX_HOUSEHOLD))
    office = _office(values.get("office", ""), default_office)
    if office is None:
        fail("office", _("Unknown office; use Einwohneramt, Ausländerbehörde or Sonstige."))
    consent_word = _header_name(values.get("consent_to_contact", ""))
    if consent_word not in YES | NO:
        fail("consent_to_contact", _("Write “ja” or “nein”."))
    note = values.get("note") or None
    if note and len(note) > MAX_NOTE:
        fail("note", _("At most %(n)d characters.", n=MAX_NOTE))
    if errors:
        return None, errors
    intake = Intake(given_name=given, family_name=family, date_of_birth=born, phone=phone,
                    email=email, household_size=household, office=office,
                    consent_to_contact=consent_word in YES, note=note)
    try:
        check_intake(intake)
    except DomainError as error:
        column = error.field if error.field in COLUMN_TITLES else "family_name"
        fail(column, error.message)
        return None, errors
    row = ImportRow(
        line=line, key=row_key(given, family, born, email, phone), given_name=given,
        family_name=family, date_of_birth=born.isoformat() if born else None, phone=phone,
        email=email, preferred_language_id=language_id, residence_purpose_id=purpose_id,
        household_size=household, office=office.value, note=note,
    )
    return row, errors


def preview(session: Session, data: bytes, default_office: IntakeOffice) -> ImportPreview:
    """Read and check an uploaded arrival list without saving anything.

    :raises ImportFileError: when the file as a whole cannot be used.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(_("The file is larger than %(n)d MB.",
                                n=MAX_IMPORT_BYTES // (1024 * 1024)))
    text, encoding = decode(data)
    header, table, delimiter = read_table(text)
    positions, ignored = map_columns(header)
    result = ImportPreview(ignored_columns=ignored, encoding=encoding, delimiter=delimiter)
    catalogue = _Catalogue(session)
    seen: dict[str, int] = {}
    for line, cells in table:
        values = {name: cells[pos].strip() if pos < len(cells) else ""
                  for name, pos in positions.items()}
        row, errors = check_row(line, values, catalogue, default_office)
        result.errors.extend(errors)
        if row is None:
            continue
        if row.key in seen:
            result.errors.append(RowError(line, COLUMN_TITLES["family_name"],
                                          _("Same person as in line %(line)d.",
                                            line=seen[row.key])))
            continue
        seen[row.key] = line
        result.rows.append(row)
    known = known_keys(session, list(seen))
    for row in result.rows:
        row.already_imported = row.key in known
    return result


# --- importing ----------------------------------------------------------------------------------


def rows_to_payload(rows: Iterable[ImportRow]) -> list[dict[str, Any]]:
    return [asdict(row) for row in rows]


def rows_from_payload(payload: Any) -> list[ImportRow]:
    """:raises ImportFileError: when the payload is not what :func:`rows_to_payload` made."""
    try:
        return [ImportRow(**item) for item in payload]
    except TypeError as error:
        raise ImportFileError(_("The preview could not be read. Please upload the file again.")
                              ) from error


def import_rows(session: Session, rows: Iterable[ImportRow], by: User) -> tuple[int, int]:
    """Save the checked rows as new intakes, each checked again and run through the duplicate
    check; rows imported before (by key) are skipped.

    Imports take turns (see :func:`take_turn`), so a list confirmed twice at the same moment
    is imported once and the second confirmation skips every row. The work does not grow
    statement by statement with the rows: known keys are read per thousand rows, rows are
    saved in batches, and the duplicate check runs over the whole list at once.

    :returns: (intakes created, rows skipped as already imported).
    :raises DomainError: when a row no longer passes the rules (nothing is saved then).
    """
    rows = list(rows)
    take_turn(session, IMPORT_LOCK)
    known = known_keys(session, [row.key for row in rows])
    created: list[Intake] = []
    skipped = 0
    for row in rows:
        if row.key in known:
            skipped += 1
            continue
        known.add(row.key)
        intake = row.to_intake()
        intake.created_by = by
        try:
            check_intake(intake)
        except DomainError as error:
            raise DomainError(_("Line %(line)d: %(message)s", line=row.line,
                                message=error.message)) from error
        created.append(intake)
    for start in range(0, len(created), IMPORT_BATCH):
        session.add_all(created[start:start + IMPORT_BATCH])
        session.flush()
    if created:
        flag_duplicates_many(session, created)
    return len(created), skipped


def known_keys(session: Session, keys: list[str]) -> set[str]:
    """Which of the row keys were imported before (one statement per thousand keys)."""
    found: set[str] = set()
    for start in range(0, len(keys), IMPORT_BATCH * 2):
        found.update(session.scalars(select(Intake.import_key).where(
            Intake.import_key.in_(keys[start:start + IMPORT_BATCH * 2]))))
    return found
