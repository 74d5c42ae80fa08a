"""Loading the catalogues from the data files shipped in ``welcome/catalogues/``."""

import json
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from welcome.models import (
    FieldOfAction,
    FieldTopic,
    Language,
    PartnerType,
    Reason,
    ResidencePurpose,
)
from welcome.services.database import referencing_tables
from welcome.services.errors import DomainError

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "catalogues"
#: File name → model, in the order they are loaded.
CATALOGUES: dict[str, type] = {
    "fields_of_action.json": FieldOfAction,
    "residence_purposes.json": ResidencePurpose,
    "partner_types.json": PartnerType,
    "languages.json": Language,
    "reasons.json": Reason,
}


def read_entries(file_name: str) -> list[dict[str, Any]]:
    with (CATALOGUE_DIR / file_name).open(encoding="utf-8") as handle:
        return json.load(handle)


def seed_catalogues(session: Session) -> dict[str, int]:
    """Add the entries that are missing; leave existing ones exactly as staff edited them.

    Running it again changes nothing. New entries are ordered as in the file.

    :return: the number of entries added per catalogue table.
    """
    added: dict[str, int] = {}
    for file_name, model in CATALOGUES.items():
        existing = set(session.scalars(select(model.code)))
        count = 0
        for position, entry in enumerate(read_entries(file_name), start=1):
            if entry["code"] in existing:
                continue
            session.add(model(sort_order=position * 10, active=True,
                              **{k: v for k, v in entry.items() if k != "topics"}))
            count += 1
        added[model.__tablename__] = count
    session.flush()
    added[FieldTopic.__tablename__] = _seed_topics(session)
    return added


def _seed_topics(session: Session) -> int:
    """The everyday topics listed under each field of action in its file, where missing."""
    fields = {field.code: field for field in session.scalars(select(FieldOfAction))}
    existing = set(session.scalars(select(FieldTopic.code)))
    count = 0
    for entry in read_entries("fields_of_action.json"):
        for position, topic in enumerate(entry.get("topics", []), start=1):
            if topic["code"] in existing:
                continue
            session.add(FieldTopic(field_of_action=fields[entry["code"]], active=True,
                                   sort_order=position * 10, **topic))
            count += 1
    session.flush()
    return count


def check_deletable(session: Session, entry: Any) -> None:
    """An entry still used by records is switched off instead of deleted: deleting it would
    blank the field in those records (unaudited, by the database) or fail.

    :raises DomainError: when a record still uses the entry.
    """
    if referencing_tables(session, entry):
        raise DomainError(_("%(label)s is still used by records. Switch it off (untick "
                            "Active) instead of deleting it.", label=entry.label))
