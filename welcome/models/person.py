"""People the center advises."""

from datetime import date
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.i18n import format_day
from welcome.models.base import (
    LabelledEnum,
    TimestampMixin,
    VersionedMixin,
    enum_type,
    trigram_index,
)
from welcome.models.catalogue import Language, ResidencePurpose

if TYPE_CHECKING:
    from welcome.models.consent import Consent
    from welcome.models.intake import Intake
    from welcome.models.need import Need


class Sex(LabelledEnum):
    FEMALE = "female", _l("female")
    MALE = "male", _l("male")
    DIVERSE = "diverse", _l("diverse")
    UNSPECIFIED = "unspecified", _l("not specified")


person_languages = Table(
    "person_languages",
    db.metadata,
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "language_id", ForeignKey("languages.id", ondelete="RESTRICT"), primary_key=True, index=True
    ),
)


class Person(VersionedMixin, TimestampMixin, db.Model):
    """A client (Ratsuchende/r). Holds no Art. 9 GDPR data: no health, religion or ethnicity."""

    __tablename__ = "persons"
    __table_args__ = (
        CheckConstraint("nationality IS NULL OR length(nationality) = 2", name="nationality_iso"),
        CheckConstraint(
            "date_of_birth IS NULL OR arrival_date IS NULL OR arrival_date >= date_of_birth",
            name="arrival_after_birth",
        ),
        *(trigram_index("persons", column)
          for column in ("family_name", "given_name", "email", "phone")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str] = mapped_column(String(100), nullable=False)
    family_name: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    #: Indexed for the duplicate check of intakes (same name and date of birth).
    date_of_birth: Mapped[date | None] = mapped_column(Date, index=True)
    sex: Mapped[Sex | None] = mapped_column(enum_type(Sex, "person_sex"))
    #: ISO 3166-1 alpha-2 code; the name is shown in the UI language via Babel.
    nationality: Mapped[str | None] = mapped_column(String(2), index=True)
    preferred_language_id: Mapped[int | None] = mapped_column(
        ForeignKey("languages.id", ondelete="SET NULL"), index=True
    )
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100), index=True)
    arrival_date: Mapped[date | None] = mapped_column(Date, index=True)
    residence_purpose_id: Mapped[int | None] = mapped_column(
        ForeignKey("residence_purposes.id", ondelete="RESTRICT"), index=True
    )
    employer: Mapped[str | None] = mapped_column(String(200))
    #: Free text; the form warns not to record health, religion or ethnicity here.
    notes: Mapped[str | None] = mapped_column(Text)

    preferred_language: Mapped[Language | None] = relationship()
    languages: Mapped[list[Language]] = relationship(
        secondary=person_languages, order_by=Language.sort_order
    )
    residence_purpose: Mapped[ResidencePurpose | None] = relationship()
    # Deleted (consents) or unlinked (needs, intakes) by the ORM, row by row, rather than by
    # the database's ON DELETE rule, so the audit log records each row a deletion touches.
    # One-way (no back-references), so a new consent or need is not added to them before it
    # is in the session.
    consents: Mapped[list["Consent"]] = relationship(
        cascade="all, delete", order_by="Consent.id", overlaps="person"
    )
    #: Needs recorded for this household member.
    needs: Mapped[list["Need"]] = relationship(overlaps="person")
    #: Intakes merged into or accepted as this person.
    intakes: Mapped[list["Intake"]] = relationship(overlaps="person")

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def __str__(self) -> str:
        born = f" ({format_day(self.date_of_birth)})" if self.date_of_birth else ""
        return f"{self.family_name}, {self.given_name}{born}"

    def __repr__(self) -> str:
        return f"<Person {self.id}>"
