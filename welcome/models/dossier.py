"""Welcome folders (Willkommensmappen) handed out: which one, to whom, by whom, and its hash.

The PDF itself is not kept (it holds nothing the case does not); the SHA-256 proves later
which file a person was given.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.models.base import LabelledEnum, enum_type, replace_enum_rows
from welcome.models.catalogue import Language
from welcome.models.types import UTCDateTime, utcnow
from welcome.models.user import User

if TYPE_CHECKING:
    from collections.abc import Iterable

    from welcome.models.case import Case


class DossierSection(LabelledEnum):
    """The parts of a folder, in the order they are printed."""

    COVER = "cover", _l("Cover page (name, case reference, the center's contact)")
    NEXT_STEPS = "next_steps", _l("My next steps")
    CONTACTS = "contacts", _l("Contacts and links per need")
    ACTIVITY_LOG = "activity_log", _l("Worksheet: what I have done")
    APPOINTMENT_PREPARATION = "appointment_preparation", _l(
        "Worksheets: preparing each appointment")
    APPOINTMENTS = "appointments", _l("Worksheet: my appointments")
    DATA_PROTECTION = "data_protection", _l("Data protection")


class DossierExportSection(db.Model):
    """One section that was part of an exported folder."""

    __tablename__ = "dossier_export_sections"

    export_id: Mapped[int] = mapped_column(
        ForeignKey("dossier_exports.id", ondelete="CASCADE"), primary_key=True
    )
    section: Mapped[DossierSection] = mapped_column(
        enum_type(DossierSection, "dossier_section"), primary_key=True
    )

    def __repr__(self) -> str:
        return f"<DossierExportSection {self.export_id} {self.section}>"


class DossierExport(db.Model):
    """One folder PDF made for a case (by ``welcome.services.dossiers``; no screen edits it)."""

    __tablename__ = "dossier_exports"
    __table_args__ = (
        CheckConstraint("page_count > 0", name="has_pages"),
        CheckConstraint("length(sha256) = 64", name="sha256_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    exported_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow,
                                                  index=True)
    #: Users with history are deactivated, not deleted, so this keeps pointing somewhere.
    exported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    #: The name as it was at the time (or the CLI actor).
    exported_by_name: Mapped[str] = mapped_column(String(64), nullable=False)
    language_id: Mapped[int] = mapped_column(
        ForeignKey("languages.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    page_count: Mapped[int] = mapped_column(Integer, nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    #: Hex SHA-256 of the PDF exactly as it was handed out.
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)

    case: Mapped["Case"] = relationship()
    exported_by: Mapped[User | None] = relationship()
    language: Mapped[Language] = relationship()
    section_rows: Mapped[list[DossierExportSection]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def sections(self) -> list[DossierSection]:
        return sorted((row.section for row in self.section_rows), key=list(DossierSection).index)

    @sections.setter
    def sections(self, values: "Iterable[str]") -> None:
        self.section_rows = replace_enum_rows(
            self.section_rows, "section", {DossierSection(value) for value in values},
            lambda section: DossierExportSection(section=section),
        )

    def __repr__(self) -> str:
        return f"<DossierExport {self.id} case={self.case_id} {self.sha256[:12]}>"
