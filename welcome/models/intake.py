"""Intakes: a registration-office clerk tells the center about a new resident."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.models.base import LabelledEnum, TimestampMixin, enum_type, trigram_index
from welcome.models.case import Case
from welcome.models.catalogue import Language, Reason, ResidencePurpose
from welcome.models.consultation import ContactChannel
from welcome.models.person import Person
from welcome.models.user import User


class IntakeStatus(LabelledEnum):
    NEW = "new", _l("new")
    CONTACTED = "contacted", _l("contacted")
    ACCEPTED = "accepted", _l("accepted")
    REJECTED = "rejected", _l("rejected")
    DUPLICATE = "duplicate", _l("duplicate")


class IntakeOffice(LabelledEnum):
    REGISTRATION_OFFICE = "registration_office", _l("registration office (Einwohneramt)")
    FOREIGNERS_AUTHORITY = "foreigners_authority", _l("foreigners' authority (Ausländerbehörde)")
    OTHER = "other", _l("other office")


class Intake(TimestampMixin, db.Model):
    """What a clerk logged. It holds only what the person agreed to pass to the center."""

    __tablename__ = "intakes"
    __table_args__ = (
        CheckConstraint("phone IS NOT NULL OR email IS NOT NULL", name="phone_or_email"),
        CheckConstraint("household_size BETWEEN 1 AND 30", name="household_size_plausible"),
        CheckConstraint("consent_to_contact", name="consent_to_contact_given"),
        Index("ix_intakes_status_created", "status", "created_at", "id"),
        #: Monitoring finds the accepted intakes of a period and their cases.
        Index("ix_intakes_status_created_case", "status", "created_at", "case_id"),
        *(trigram_index("intakes", column)
          for column in ("family_name", "given_name", "email", "phone")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str] = mapped_column(String(100), nullable=False)
    family_name: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date, index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    preferred_language_id: Mapped[int | None] = mapped_column(
        ForeignKey("languages.id", ondelete="SET NULL"), index=True
    )
    residence_purpose_id: Mapped[int | None] = mapped_column(
        ForeignKey("residence_purposes.id", ondelete="RESTRICT"), index=True
    )
    household_size: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    office: Mapped[IntakeOffice] = mapped_column(
        enum_type(IntakeOffice, "intake_office"), nullable=False, index=True
    )
    #: Without it nothing may be stored: the clerk hands over the flyer instead.
    consent_to_contact: Mapped[bool] = mapped_column(Boolean, nullable=False)
    note: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[IntakeStatus] = mapped_column(
        enum_type(IntakeStatus, "intake_status"),
        nullable=False,
        default=IntakeStatus.NEW,
        index=True,
    )
    #: Set by the duplicate check; shown to the coordinator only, never to the clerk.
    possible_duplicate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: What the duplicate check found: ``[{"kind": "person"|"intake", "id": 12,
    #: "on": ["name_birth", "email", "phone"]}]``; for the coordinator only.
    duplicate_matches: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    #: One-time key of the clerk's form, so a repeated POST does not log the person twice.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Stable key of an imported CSV row, so a re-upload of the same list adds nothing.
    import_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    contacted_on: Mapped[date | None] = mapped_column(Date)
    contacted_channel: Mapped[ContactChannel | None] = mapped_column(
        enum_type(ContactChannel, "intake_contact_channel")
    )
    decision_reason_id: Mapped[int | None] = mapped_column(
        ForeignKey("reasons.id", ondelete="RESTRICT"), index=True
    )
    decision_note: Mapped[str | None] = mapped_column(Text)
    #: The case the intake became, or was merged into.
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )

    preferred_language: Mapped[Language | None] = relationship()
    residence_purpose: Mapped[ResidencePurpose | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    decision_reason: Mapped[Reason | None] = relationship()
    case: Mapped[Case | None] = relationship(back_populates="intakes")
    person: Mapped[Person | None] = relationship(overlaps="intakes")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name}"

    def __repr__(self) -> str:
        return f"<Intake {self.id} {self.status}>"
