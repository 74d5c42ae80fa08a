"""Needs (Handlungsbedarfe) recorded for a case."""

from datetime import date
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.models.base import (
    LabelledEnum,
    TimestampMixin,
    VersionedMixin,
    enum_type,
    trigram_index,
)
from welcome.models.catalogue import FieldOfAction, FieldTopic, Reason
from welcome.models.person import Person

if TYPE_CHECKING:
    from welcome.models.case import Case
    from welcome.models.referral import Referral


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


need_topics = Table(
    "need_topics",
    db.metadata,
    Column("need_id", ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "topic_id", ForeignKey("field_topics.id", ondelete="RESTRICT"), primary_key=True,
        index=True,
    ),
)


class Need(VersionedMixin, TimestampMixin, db.Model):
    """What a household needs in one field of action; an unmet need is a gap in the offer.

    Versioned, so that an interview step or need form opened before a colleague changed the
    need is refused instead of overwriting the change.
    """

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
        #: Monitoring counts needs by day, field, status and reason from this index alone.
        Index("ix_needs_identified_on_field_status", "identified_on", "field_of_action_id",
              "status", "unmet_reason_id"),
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
    #: A short note in the staff member's words (the ticked topics are kept in ``topics``).
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
    #: Deleted with the need, row by row, so the audit log records each. One-way (no
    #: back-reference), so a new referral is not added to it before it is in the session.
    referrals: Mapped[list["Referral"]] = relationship(
        cascade="all, delete", order_by="Referral.id", overlaps="need"
    )
    field_of_action: Mapped[FieldOfAction] = relationship()
    topics: Mapped[list[FieldTopic]] = relationship(
        secondary=need_topics, order_by=(FieldTopic.sort_order, FieldTopic.id)
    )
    unmet_reason: Mapped[Reason | None] = relationship()

    @property
    def details(self) -> str:
        """The ticked topics and the note as one line, for lists and handover texts."""
        topics = ", ".join(topic.label for topic in self.topics)
        return " – ".join(part for part in (topics, self.description or "") if part)

    def __str__(self) -> str:
        field = self.field_of_action.label if self.field_of_action else ""
        case = self.case.reference if self.case else ""
        return f"{case} · {field}" + (f": {self.description}" if self.description else "")

    def __repr__(self) -> str:
        return f"<Need {self.id} case={self.case_id} {self.status}>"
