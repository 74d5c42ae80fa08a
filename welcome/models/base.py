"""Shared mixins and the labelled enumerations of the data model."""

from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Enum, Index, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from welcome.models.types import UTCDateTime, utcnow

R = TypeVar("R")

class LabelledEnum(StrEnum):
    """An enumeration whose members carry a translatable label.

    Members are declared as ``CODE = "stored value", _l("Label")``. The stored value is what the
    database holds (and checks); the label is what a user reads, in their language.
    """

    def __new__(cls, value: str, label: Any) -> "LabelledEnum":
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        return str(self._label)

    @classmethod
    def choices(cls) -> list[tuple["LabelledEnum", str]]:
        """(member, label) pairs for selects and filters, in declaration order."""
        return [(member, member.label) for member in cls]


def enum_type(enum_class: type[LabelledEnum], name: str) -> Enum:
    """A portable enum column type: a VARCHAR with a CHECK constraint listing the values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
    )


def trigram_index(table: str, column: str) -> Index:
    """A trigram index, so a substring search (``ILIKE '%term%'``) on ``column`` uses an index.

    PostgreSQL only (the pg_trgm extension); SQLite, for one office's data, scans instead.
    """
    return Index(
        f"ix_{table}_{column}_trgm", column,
        postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"},
        info={"dialects": ("postgresql",)},
    ).ddl_if(dialect="postgresql")


def schema_filter(dialect: str) -> Any:
    """Alembic's ``include_object`` hook: leave out what the models keep for other databases,
    so that comparing models and migrations on SQLite ignores PostgreSQL-only indexes."""

    def include_object(obj: Any, name: Any, type_: str, reflected: bool, compare_to: Any) -> bool:
        dialects = getattr(obj, "info", {}).get("dialects")
        return not dialects or dialect in dialects

    return include_object


class TimestampMixin:
    """When a row was created and last changed, in UTC."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


class VersionedMixin:
    """An optimistic version counter.

    SQLAlchemy adds ``WHERE version = :old`` to every UPDATE and raises ``StaleDataError`` when a
    colleague's commit got there first; edit forms carry the version they were rendered with so
    a stale form is refused before it is even applied (see ``welcome.services.versioning``).
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


def replace_enum_rows(rows: list[R], key: str, wanted: set[Any], make: Any) -> list[R]:
    """The child rows for a set of enum values: rows still wanted are kept, missing ones made.

    Used by models that keep a set of enum values (a consent's data categories, say) as rows of
    a child table, so that the database can check every value.
    """
    kept = [row for row in rows if getattr(row, key) in wanted]
    present = {getattr(row, key) for row in kept}
    return kept + [make(value) for value in sorted(wanted - present)]
