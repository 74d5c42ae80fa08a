"""Catalogues: the lists staff choose from, seeded from files and editable by IT.

Labels live in the database in German and English (not in templates), so the center can
rename an entry without a release. Entries are deactivated rather than deleted once in use.
"""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.models.base import LabelledEnum, TimestampMixin, enum_type


class CatalogueMixin(TimestampMixin):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable key used by the seed files and in code; never shown to users.
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    label_de: Mapped[str] = mapped_column(String(200), nullable=False)
    label_en: Mapped[str] = mapped_column(String(200), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, index=True)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0, index=True)

    @property
    def label(self) -> str:
        """The label in the current UI language (German when there is no request)."""
        locale = get_locale()
        if locale is not None and locale.language == "en":
            return self.label_en
        return self.label_de

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.code!r}>"


class FieldOfAction(CatalogueMixin, db.Model):
    """A Handlungsfeld: an area of life where newcomers need help (housing, language, …)."""

    __tablename__ = "fields_of_action"

    #: Everyday sub-topics offered as prompts in the orientation interview.
    topics: Mapped[list["FieldTopic"]] = relationship(
        back_populates="field_of_action", order_by="(FieldTopic.sort_order, FieldTopic.id)"
    )

    @property
    def active_topics(self) -> list["FieldTopic"]:
        return [topic for topic in self.topics if topic.active]


class FieldTopic(CatalogueMixin, db.Model):
    """An everyday sub-topic of a field of action ("broker fees" under housing).

    A need keeps the topics ticked for it by their row, so renaming a topic, or reading the
    case in another language, shows the same ticks.
    """

    __tablename__ = "field_topics"

    #: Longer than other catalogue codes: the field's code, a dot and the topic's own key.
    code: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    field_of_action_id: Mapped[int] = mapped_column(
        ForeignKey("fields_of_action.id", ondelete="CASCADE"), nullable=False, index=True
    )

    field_of_action: Mapped[FieldOfAction] = relationship(back_populates="topics")

    def __str__(self) -> str:
        return f"{self.field_of_action.label}: {self.label}" if self.field_of_action \
            else self.label


class ResidencePurpose(CatalogueMixin, db.Model):
    """Anlass der Zuwanderung, with the legal basis it rests on."""

    __tablename__ = "residence_purposes"

    legal_basis: Mapped[str] = mapped_column(String(100), nullable=False, default="")


class PartnerType(CatalogueMixin, db.Model):
    """Kind of network partner (migration counselling, Jobcenter, chamber, …)."""

    __tablename__ = "partner_types"


class Language(CatalogueMixin, db.Model):
    """A language a person speaks or a partner offers; ``code`` is ISO 639 (1 or 3 letters)."""

    __tablename__ = "languages"

    right_to_left: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Whether a reviewer has checked the documents' translation into this language; until
    #: then printed documents say "translation not yet reviewed".
    documents_reviewed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class ReasonKind(LabelledEnum):
    NEED_UNMET = "need_unmet", _l("Need unmet")
    REFERRAL_FAILED = "referral_failed", _l("Referral failed or cancelled")
    CASE_CLOSED = "case_closed", _l("Case closed")
    INTAKE_REJECTED = "intake_rejected", _l("Intake rejected")


class Reason(CatalogueMixin, db.Model):
    """A reason from a fixed list, so monitoring can count why needs stay unmet or cases close."""

    __tablename__ = "reasons"

    kind: Mapped[ReasonKind] = mapped_column(
        enum_type(ReasonKind, "reason_kind"), nullable=False, index=True
    )
