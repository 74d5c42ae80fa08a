"""Needs (Handlungsbedarfe) recorded for a case."""

from datetime import date
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.models.base import LabelledEnum, TimestampMixin, enum_type, trigram_index
from welcome.models.catalogue import FieldOfAction, Reason
from welcome.models.person import Person

if TYPE_CHECKING:
    from welcome.models.case import Case


class NeedStatus(LabelledEnum):
    IDENTIFIED = "identified", _l("identified")
    IN_PROGRESS = "in_progress", _l("in progress")
    REFERRED = "referred", _l("referred")
    MET = "met", _l("met")
    UNMET = "unmet", _l("unmet")

    @classmethod
    def open_statuses(cls) -> tuple["NeedStatus", ...]:
        """Statuses of needs that still wait for an outcome."""
        return (cls.IDENTIFIED, cls.IN_PROGRESS, cls.REFERRED)


class Priority(LabelledEnum):
    HIGH = "high", _l("high")
    MEDIUM = "medium", _l("medium")
    LOW = "low", _l("low")


class Need(TimestampMixin, db.Model):
    """What a household needs in one field of action; an unmet need is a gap in the offer."""

    __tablename__ = "needs"
    __table_args__ = (
        CheckConstraint(
            "(status = 'unmet' AND unmet_reason_id IS NOT NULL)"
            " OR (status <> 'unmet' AND unmet_reason_id IS NULL)",
            name="unmet_reason_iff_unmet",
        ),
        CheckConstraint(
            "resolved_on IS NULL OR resolved_on >= identified_on", name="resolved_after_identified"
        ),
        Index("ix_needs_case_id_status", "case_id", "status"),
        Index("ix_needs_field_status", "field_of_action_id", "status"),
        trigram_index("needs", "description"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: The household member concerned; empty when the need is the whole household's.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )
    field_of_action_id: Mapped[int] = mapped_column(
        ForeignKey("fields_of_action.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    description: Mapped[str | None] = mapped_column(String(500))
    priority: Mapped[Priority] = mapped_column(
        enum_type(Priority, "need_priority"), nullable=False, default=Priority.MEDIUM, index=True
    )
    status: Mapped[NeedStatus] = mapped_column(
        enum_type(NeedStatus, "need_status"),
        nullable=False,
        default=NeedStatus.IDENTIFIED,
        index=True,
    )
    unmet_reason_id: Mapped[int | None] = mapped_column(
        ForeignKey("reasons.id", ondelete="RESTRICT"), index=True
    )
    identified_on: Mapped[date] = mapped_column(
        Date, nullable=False, default=date.today, index=True
    )
    #: Set when the need became met or unmet.
    resolved_on: Mapped[date | None] = mapped_column(Date, index=True)
    notes: Mapped[str | None] = mapped_column(Text)

    case: Mapped["Case"] = relationship(back_populates="needs")
    person: Mapped[Person | None] = relationship()
    field_of_action: Mapped[FieldOfAction] = relationship()
    unmet_reason: Mapped[Reason | None] = relationship()

    def __str__(self) -> str:
        field = self.field_of_action.label if self.field_of_action else ""
        case = self.case.reference if self.case else ""
        return f"{case} · {field}" + (f": {self.description}" if self.description else "")

    def __repr__(self) -> str:
        return f"<Need {self.id} case={self.case_id} {self.status}>"
