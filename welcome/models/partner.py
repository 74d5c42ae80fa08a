"""Network partners (Netzwerkpartner) and what they offer."""

from sqlalchemy import Boolean, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.models.base import TimestampMixin
from welcome.models.catalogue import FieldOfAction, Language, PartnerType

partner_fields = Table(
    "partner_fields",
    db.metadata,
    Column("partner_id", ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "field_of_action_id",
        ForeignKey("fields_of_action.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)

partner_languages = Table(
    "partner_languages",
    db.metadata,
    Column("partner_id", ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "language_id", ForeignKey("languages.id", ondelete="RESTRICT"), primary_key=True, index=True
    ),
)


class Partner(TimestampMixin, db.Model):
    """An organisation the center refers people to; its fields of action are its offers."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    partner_type_id: Mapped[int] = mapped_column(
        ForeignKey("partner_types.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    contact_person: Mapped[str | None] = mapped_column(String(200))
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(500))
    appointment_url: Mapped[str | None] = mapped_column(String(500))
    opening_hours: Mapped[str | None] = mapped_column(Text)
    #: Language the handover text is written in; empty means German.
    working_language_id: Mapped[int | None] = mapped_column(
        ForeignKey("languages.id", ondelete="SET NULL"), index=True
    )
    accepts_email_handover: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, index=True)
    notes: Mapped[str | None] = mapped_column(Text)

    partner_type: Mapped[PartnerType] = relationship()
    fields_of_action: Mapped[list[FieldOfAction]] = relationship(
        secondary=partner_fields, order_by=FieldOfAction.sort_order
    )
    languages: Mapped[list[Language]] = relationship(
        secondary=partner_languages, order_by=Language.sort_order
    )
    working_language: Mapped[Language | None] = relationship()

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Partner {self.id} {self.name!r}>"
