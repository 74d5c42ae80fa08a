"""Referrals (Überleitungen): handing a person over to a partner for one need."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.models.base import (
    LabelledEnum,
    TimestampMixin,
    VersionedMixin,
    enum_type,
    replace_enum_rows,
)
from welcome.models.catalogue import Reason
from welcome.models.consent import Consent, DataCategory, HandoverChannel
from welcome.models.need import Need
from welcome.models.partner import Partner
from welcome.models.types import UTCDateTime
from welcome.models.user import User

if TYPE_CHECKING:
    from collections.abc import Iterable

    from welcome.models.case import Case
    from welcome.models.feedback import FeedbackLink


class ReferralStatus(LabelledEnum):
    PLANNED = "planned", _l("planned")
    HANDED_OVER = "handed_over", _l("handed over")
    APPOINTMENT_MADE = "appointment_made", _l("appointment made")
    COMPLETED = "completed", _l("completed")
    FAILED = "failed", _l("failed")
    CANCELLED = "cancelled", _l("cancelled")

    @classmethod
    def open_statuses(cls) -> tuple["ReferralStatus", ...]:
        return (cls.PLANNED, cls.HANDED_OVER, cls.APPOINTMENT_MADE)


class PartnerAnswer(LabelledEnum):
    """What a partner can report through a feedback link."""

    APPOINTMENT = "appointment", _l("appointment made")
    COMPLETED = "completed", _l("completed")
    NOT_HELPED = "not_helped", _l("could not help")


class ReferralCategory(db.Model):
    """One data category that was actually passed to the partner at handover."""

    __tablename__ = "referral_categories"

    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[DataCategory] = mapped_column(
        enum_type(DataCategory, "data_category"), primary_key=True
    )

    def __repr__(self) -> str:
        return f"<ReferralCategory {self.referral_id} {self.category}>"


class Referral(VersionedMixin, TimestampMixin, db.Model):
    """A (planned) warm handover of one need to one partner.

    The database itself refuses a handover that passed data without naming the consent it
    relied on; ``welcome.services.referrals`` checks that the consent actually covers it.
    """

    __tablename__ = "referrals"
    __table_args__ = (
        CheckConstraint(
            "status IN ('planned', 'cancelled') OR handed_over_at IS NOT NULL",
            name="handed_over_at_after_handover",
        ),
        CheckConstraint(
            "channel = 'information_only' OR handed_over_at IS NULL OR consent_id IS NOT NULL",
            name="handover_names_consent",
        ),
        CheckConstraint(
            "status NOT IN ('failed', 'cancelled') OR outcome_reason_id IS NOT NULL",
            name="outcome_reason_when_ended",
        ),
        Index("ix_referrals_partner_status", "partner_id", "status"),
        #: Monitoring counts handed-over referrals by partner and outcome from this index alone.
        Index("ix_referrals_handed_over_outcome", "handed_over_at", "partner_id", "status",
              "outcome_reason_id", "feedback_due_on", "completed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    need_id: Mapped[int] = mapped_column(
        ForeignKey("needs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    channel: Mapped[HandoverChannel] = mapped_column(
        enum_type(HandoverChannel, "handover_channel"), nullable=False
    )
    status: Mapped[ReferralStatus] = mapped_column(
        enum_type(ReferralStatus, "referral_status"),
        nullable=False,
        default=ReferralStatus.PLANNED,
        index=True,
    )
    planned_on: Mapped[date] = mapped_column(Date, nullable=False, default=date.today, index=True)
    #: The consent the handover relied on (none for information-only referrals).
    consent_id: Mapped[int | None] = mapped_column(
        ForeignKey("consents.id", ondelete="RESTRICT"), index=True
    )
    #: The text exactly as it went to the partner.
    handover_text: Mapped[str | None] = mapped_column(Text)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    handed_over_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    feedback_due_on: Mapped[date | None] = mapped_column(Date, index=True)
    appointment_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date, index=True)
    outcome_reason_id: Mapped[int | None] = mapped_column(
        ForeignKey("reasons.id", ondelete="RESTRICT"), index=True
    )
    outcome_note: Mapped[str | None] = mapped_column(Text)
    #: Set when something the referral relied on changed (a consent was withdrawn, say).
    needs_attention: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    notes: Mapped[str | None] = mapped_column(Text)

    case: Mapped["Case"] = relationship(back_populates="referrals")
    need: Mapped[Need] = relationship(overlaps="referrals")
    partner: Mapped[Partner] = relationship()
    consent: Mapped[Consent | None] = relationship()
    handed_over_by: Mapped[User | None] = relationship()
    outcome_reason: Mapped[Reason | None] = relationship(foreign_keys=[outcome_reason_id])
    category_rows: Mapped[list[ReferralCategory]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    feedback_links: Mapped[list["FeedbackLink"]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="FeedbackLink.id"
    )
    #: What the partner reported through a feedback link, kept as they said it (the answer,
    #: the appointment date, the reason they could not help, their note) and when, so that
    #: each reader sees it in their own language and later edits of the referral leave it be.
    partner_answer: Mapped[PartnerAnswer | None] = mapped_column(
        enum_type(PartnerAnswer, "partner_answer")
    )
    partner_answer_on: Mapped[date | None] = mapped_column(Date)
    partner_answer_reason_id: Mapped[int | None] = mapped_column(
        ForeignKey("reasons.id", ondelete="RESTRICT"), index=True
    )
    partner_answer_reason: Mapped[Reason | None] = relationship(
        foreign_keys=[partner_answer_reason_id]
    )
    partner_note: Mapped[str | None] = mapped_column(Text)
    partner_feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def passed_categories(self) -> list[DataCategory]:
        return sorted((row.category for row in self.category_rows), key=list(DataCategory).index)

    @passed_categories.setter
    def passed_categories(self, values: "Iterable[str]") -> None:
        self.category_rows = replace_enum_rows(
            self.category_rows,
            "category",
            {DataCategory(value) for value in values},
            lambda category: ReferralCategory(category=category),
        )

    def __str__(self) -> str:
        partner = self.partner.name if self.partner else ""
        return f"{partner} ({self.status.label})" if self.status else partner

    def __repr__(self) -> str:
        return f"<Referral {self.id} case={self.case_id} {self.status}>"
