"""Resources: links and short texts for the welcome folder."""

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.models.base import TimestampMixin
from welcome.models.catalogue import FieldOfAction, Language


class Resource(TimestampMixin, db.Model):
    """One piece of material in one language; the folder picks those matching a case's needs."""

    __tablename__ = "resources"
    __table_args__ = (CheckConstraint("url IS NOT NULL OR text IS NOT NULL", name="url_or_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    url: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str | None] = mapped_column(Text)
    #: Empty for material that belongs in every folder.
    field_of_action_id: Mapped[int | None] = mapped_column(
        ForeignKey("fields_of_action.id", ondelete="RESTRICT"), index=True
    )
    language_id: Mapped[int] = mapped_column(
        ForeignKey("languages.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, index=True)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    field_of_action: Mapped[FieldOfAction | None] = relationship()
    language: Mapped[Language] = relationship()

    def __str__(self) -> str:
        return self.title

    def __repr__(self) -> str:
        return f"<Resource {self.id} {self.title!r}>"
