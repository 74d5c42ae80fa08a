"""Orientation interviews in progress: where a coordinator stopped, so nothing gets lost."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.models.base import LabelledEnum, enum_type
from welcome.models.types import UTCDateTime, utcnow
from welcome.models.user import User

if TYPE_CHECKING:
    from welcome.models.case import Case
    from welcome.models.consultation import Consultation


class InterviewStep(LabelledEnum):
    HOUSEHOLD = "household", _l("Household")
    ARRIVAL = "arrival", _l("Arrival")
    NEEDS = "needs", _l("Needs")
    PARTNERS = "partners", _l("Partners")
    CONSENT = "consent", _l("Consent")
    SUMMARY = "summary", _l("Summary")

    @property
    def number(self) -> int:
        return list(InterviewStep).index(self) + 1


class Interview(db.Model):
    """One orientation interview of a case. Each step saves into the case's own records; this
    row only remembers where the interview stands, until it is finished as a consultation."""

    __tablename__ = "interviews"
    __table_args__ = (
        Index("ix_interviews_open_per_case", "case_id", unique=True,
              sqlite_where=text("finished_at IS NULL"),
              postgresql_where=text("finished_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    step: Mapped[InterviewStep] = mapped_column(
        enum_type(InterviewStep, "interview_step"), nullable=False,
        default=InterviewStep.HOUSEHOLD,
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="SET NULL"), index=True
    )

    case: Mapped["Case"] = relationship()
    started_by: Mapped[User | None] = relationship()
    consultation: Mapped["Consultation | None"] = relationship()

    def __repr__(self) -> str:
        return f"<Interview {self.id} case={self.case_id} {self.step}>"


class InterviewKey(db.Model):
    """A one-time key of a form the interview rendered, remembered once the form was saved.

    The same form sent again (a double click, the browser's back button, a network retry)
    carries the same key and the same content, so it is recognised instead of saved twice
    or refused as a colleague's stale form. The key is the primary key, so of two identical
    sendings racing each other only one can be saved.
    """

    __tablename__ = "interview_keys"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False, index=True
    )
    #: SHA-256 of what the form sent, to tell a repetition from a changed form.
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    #: The step the form belonged to.
    step: Mapped[InterviewStep] = mapped_column(
        enum_type(InterviewStep, "interview_key_step"), nullable=False
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    interview: Mapped[Interview] = relationship()

    def __repr__(self) -> str:
        return f"<InterviewKey {self.key!r} interview={self.interview_id} {self.step}>"
