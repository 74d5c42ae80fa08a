"""Cases: one per household arriving together."""

from datetime import date
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from welcome.extensions import db
from welcome.models.base import (
    LabelledEnum,
    TimestampMixin,
    VersionedMixin,
    enum_type,
    trigram_index,
)
from welcome.models.catalogue import Reason
from welcome.models.need import Need, NeedStatus
from welcome.models.person import Person
from welcome.models.user import User

if TYPE_CHECKING:
    from welcome.models.consultation import Consultation
    from welcome.models.dossier import DossierExport
    from welcome.models.intake import Intake
    from welcome.models.interview import Interview
    from welcome.models.referral import Referral


class CaseStatus(LabelledEnum):
    NEW = "new", _l("new")
    ACTIVE = "active", _l("active")
    CLOSED = "closed", _l("closed")


class CaseSource(LabelledEnum):
    REGISTRATION_OFFICE = "registration_office", _l("registration office")
    FOREIGNERS_AUTHORITY = "foreigners_authority", _l("foreigners' authority")
    EMPLOYER = "employer", _l("employer")
    PARTNER = "partner", _l("network partner")
    SELF = "self", _l("came on their own")
    OTHER = "other", _l("other")


class MemberRelation(LabelledEnum):
    SPOUSE = "spouse", _l("spouse or partner")
    CHILD = "child", _l("child")
    PARENT = "parent", _l("parent")
    SIBLING = "sibling", _l("sibling")
    OTHER = "other", _l("other relative")


class CaseReferenceCounter(db.Model):
    """The last case number handed out per year.

    References are counted here rather than derived from existing cases, so that a deleted
    case's reference is never handed out again.
    """

    __tablename__ = "case_reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, nullable=False)

    def __repr__(self) -> str:
        return f"<CaseReferenceCounter {self.year} {self.last_number}>"


class Case(VersionedMixin, TimestampMixin, db.Model):
    """A Beratungsfall. The main person is the household's contact; the others are members."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(
            "(status = 'closed' AND closed_on IS NOT NULL)"
            " OR (status <> 'closed' AND closed_on IS NULL)",
            name="closed_on_iff_closed",
        ),
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closed_after_opened"),
        Index("ix_cases_opened_on_id", "opened_on", "id"),
        #: Monitoring counts new cases by day and source, and their main persons.
        Index("ix_cases_opened_on_source_person", "opened_on", "source", "main_person_id"),
        trigram_index("cases", "reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: WC-<year>-<number>, assigned on first flush (``welcome.services.cases``), never reused.
    reference: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    main_person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    status: Mapped[CaseStatus] = mapped_column(
        enum_type(CaseStatus, "case_status"), nullable=False, default=CaseStatus.NEW, index=True
    )
    source: Mapped[CaseSource] = mapped_column(
        enum_type(CaseSource, "case_source"), nullable=False, index=True
    )
    opened_on: Mapped[date] = mapped_column(Date, nullable=False, default=date.today, index=True)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    closure_reason_id: Mapped[int | None] = mapped_column(
        ForeignKey("reasons.id", ondelete="RESTRICT"), index=True
    )
    responsible_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    notes: Mapped[str | None] = mapped_column(Text)

    main_person: Mapped[Person] = relationship()
    closure_reason: Mapped[Reason | None] = relationship()
    responsible: Mapped[User | None] = relationship()
    # The collections below are deleted (or unlinked) by the ORM, row by row, rather than by
    # the database's ON DELETE rule, so the audit log records every row a case takes with it.
    members: Mapped[list["CaseMember"]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )
    needs: Mapped[list[Need]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by=Need.id
    )
    consultations: Mapped[list["Consultation"]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="Consultation.held_on.desc()",
    )
    referrals: Mapped[list["Referral"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Referral.id"
    )
    #: One-way (no back-reference), so a new interview is not added before it is in the
    #: session.
    interviews: Mapped[list["Interview"]] = relationship(
        cascade="all, delete", overlaps="case"
    )
    #: The welcome folders printed for the case (one-way, like the interviews).
    dossier_exports: Mapped[list["DossierExport"]] = relationship(
        cascade="all, delete", overlaps="case"
    )
    #: The intake(s) this case came from or absorbed; they stay, without the case.
    intakes: Mapped[list["Intake"]] = relationship(back_populates="case")

    #: Needs still waiting for an outcome; deferred so only the case list pays for it.
    open_needs_count: Mapped[int] = column_property(
        select(func.count(Need.id))
        .where(Need.case_id == id, Need.status.in_(NeedStatus.open_statuses()))
        .correlate_except(Need)
        .scalar_subquery(),
        deferred=True,
    )

    @property
    def household(self) -> list[Person]:
        """Main person first, then the members in the order they were added."""
        return [self.main_person, *(member.person for member in self.members)]

    def __str__(self) -> str:
        return self.reference or str(_l("new case"))

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.reference!r} {self.status}>"


class CaseMember(TimestampMixin, db.Model):
    """A household member other than the main person, with their relation to the main person."""

    __tablename__ = "case_members"
    __table_args__ = (UniqueConstraint("case_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    relation: Mapped[MemberRelation] = mapped_column(
        enum_type(MemberRelation, "member_relation"), nullable=False
    )

    case: Mapped[Case] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()

    def __str__(self) -> str:
        return f"{self.person} ({self.relation.label})" if self.relation else str(self.person)

    def __repr__(self) -> str:
        return f"<CaseMember {self.id} case={self.case_id} person={self.person_id}>"
