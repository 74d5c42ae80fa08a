"""Consents (Einverständniserklärungen): who may receive what, by which channel, until when."""

from datetime import date
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    LargeBinary,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from welcome.extensions import db
from welcome.models.base import (
    LabelledEnum,
    TimestampMixin,
    VersionedMixin,
    enum_type,
    replace_enum_rows,
)
from welcome.models.catalogue import Language, PartnerType
from welcome.models.partner import Partner
from welcome.models.person import Person
from welcome.models.user import User

if TYPE_CHECKING:
    from collections.abc import Iterable


class ConsentPurpose(LabelledEnum):
    SHARE_WITH_PARTNERS = "share_with_partners", _l("pass data to network partners")
    CONTACT_BY_CENTER = "contact_by_center", _l("be contacted by the Welcome Center")


class ConsentMethod(LabelledEnum):
    SIGNED_PAPER = "signed_paper", _l("signed paper form")
    VERBAL_WITH_WITNESS = "verbal_with_witness", _l("verbally, with a witness")
    ELECTRONIC = "electronic", _l("electronically")


class WithdrawalMethod(LabelledEnum):
    IN_WRITING = "in_writing", _l("in writing")
    VERBAL = "verbal", _l("verbally")
    EMAIL = "email", _l("by e-mail")


class HandoverChannel(LabelledEnum):
    ACCOMPANIED = "accompanied", _l("accompanied in person")
    PHONE = "phone", _l("by phone")
    EMAIL = "email", _l("by e-mail")
    INFORMATION_ONLY = "information_only", _l("information only (person gets in touch)")

    @classmethod
    def passing_data(cls) -> tuple["HandoverChannel", ...]:
        """Channels on which the center itself passes data, and which therefore need consent."""
        return (cls.ACCOMPANIED, cls.PHONE, cls.EMAIL)


class DataCategory(LabelledEnum):
    NAME = "name", _l("name")
    CONTACT = "contact", _l("phone and e-mail")
    ADDRESS = "address", _l("address")
    DATE_OF_BIRTH = "date_of_birth", _l("date of birth")
    PREFERRED_LANGUAGE = "preferred_language", _l("preferred language")
    HOUSEHOLD = "household", _l("household members")
    RESIDENCE_PURPOSE = "residence_purpose", _l("residence purpose")
    NEED = "need", _l("the need and its status")


consent_partners = Table(
    "consent_partners",
    db.metadata,
    Column("consent_id", ForeignKey("consents.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "partner_id", ForeignKey("partners.id", ondelete="RESTRICT"), primary_key=True, index=True
    ),
)

consent_partner_types = Table(
    "consent_partner_types",
    db.metadata,
    Column("consent_id", ForeignKey("consents.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "partner_type_id",
        ForeignKey("partner_types.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class ConsentCategory(db.Model):
    """One data category a consent covers."""

    __tablename__ = "consent_categories"

    consent_id: Mapped[int] = mapped_column(
        ForeignKey("consents.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[DataCategory] = mapped_column(
        enum_type(DataCategory, "data_category"), primary_key=True
    )

    def __repr__(self) -> str:
        return f"<ConsentCategory {self.consent_id} {self.category}>"


class ConsentChannel(db.Model):
    """One handover channel a consent allows."""

    __tablename__ = "consent_channels"

    consent_id: Mapped[int] = mapped_column(
        ForeignKey("consents.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[HandoverChannel] = mapped_column(
        enum_type(HandoverChannel, "handover_channel"), primary_key=True
    )

    def __repr__(self) -> str:
        return f"<ConsentChannel {self.consent_id} {self.channel}>"


class Consent(VersionedMixin, TimestampMixin, db.Model):
    """A person's consent for one purpose. Withdrawn or expired consents cover nothing."""

    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until >= given_on", name="valid_after_given"),
        CheckConstraint(
            "withdrawn_on IS NULL OR withdrawn_on >= given_on", name="withdrawn_after_given"
        ),
        CheckConstraint(
            "(withdrawn_on IS NULL AND withdrawn_how IS NULL)"
            " OR (withdrawn_on IS NOT NULL AND withdrawn_how IS NOT NULL)",
            name="withdrawal_complete",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), nullable=False, index=True
    )
    purpose: Mapped[ConsentPurpose] = mapped_column(
        enum_type(ConsentPurpose, "consent_purpose"), nullable=False, index=True
    )
    given_on: Mapped[date] = mapped_column(Date, nullable=False, default=date.today)
    given_how: Mapped[ConsentMethod] = mapped_column(
        enum_type(ConsentMethod, "consent_method"), nullable=False
    )
    witness: Mapped[str | None] = mapped_column(String(200))
    form_version: Mapped[str] = mapped_column(String(20), nullable=False)
    form_language_id: Mapped[int] = mapped_column(
        ForeignKey("languages.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    withdrawn_on: Mapped[date | None] = mapped_column(Date, index=True)
    withdrawn_how: Mapped[WithdrawalMethod | None] = mapped_column(
        enum_type(WithdrawalMethod, "withdrawal_method")
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The signed form as scanned; deferred so lists never load it.
    scan: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    scan_filename: Mapped[str | None] = mapped_column(String(200))
    scan_mimetype: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship()
    form_language: Mapped[Language] = relationship()
    recorded_by: Mapped[User | None] = relationship()
    partners: Mapped[list[Partner]] = relationship(
        secondary=consent_partners, order_by=Partner.name
    )
    partner_types: Mapped[list[PartnerType]] = relationship(secondary=consent_partner_types)
    #: Loaded when used; code that reads them for many consents preloads them.
    category_rows: Mapped[list[ConsentCategory]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    channel_rows: Mapped[list[ConsentChannel]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def categories(self) -> list[DataCategory]:
        return sorted((row.category for row in self.category_rows), key=list(DataCategory).index)

    @categories.setter
    def categories(self, values: "Iterable[str]") -> None:
        self.category_rows = replace_enum_rows(
            self.category_rows,
            "category",
            {DataCategory(value) for value in values},
            lambda category: ConsentCategory(category=category),
        )

    @property
    def channels(self) -> list[HandoverChannel]:
        return sorted((row.channel for row in self.channel_rows), key=list(HandoverChannel).index)

    @channels.setter
    def channels(self, values: "Iterable[str]") -> None:
        self.channel_rows = replace_enum_rows(
            self.channel_rows,
            "channel",
            {HandoverChannel(value) for value in values},
            lambda channel: ConsentChannel(channel=channel),
        )

    def __str__(self) -> str:
        purpose = self.purpose.label if self.purpose else ""
        return f"{purpose} ({self.given_on:%d.%m.%Y})" if self.given_on else purpose

    def __repr__(self) -> str:
        return f"<Consent {self.id} person={self.person_id} {self.purpose}>"
