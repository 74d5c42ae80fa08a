"""Resources: links and short texts for the welcome folder, in German and translated."""

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from welcome.extensions import db
from welcome.models.base import TimestampMixin
from welcome.models.catalogue import FieldOfAction, Language


class Resource(TimestampMixin, db.Model):
    """One piece of material: its German title and text, its link, and its translations.

    German is the resource's own language because the folder prints German beside the
    person's language; the folder picks the translation into the person's language when there
    is one and the German text otherwise.
    """

    __tablename__ = "resources"
    __table_args__ = (CheckConstraint("url IS NOT NULL OR text IS NOT NULL", name="url_or_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The German title (lists sort and search by it).
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    url: Mapped[str | None] = mapped_column(String(500))
    #: The German text.
    text: Mapped[str | None] = mapped_column(Text)
    #: Empty for material that belongs in every folder.
    field_of_action_id: Mapped[int | None] = mapped_column(
        ForeignKey("fields_of_action.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, index=True)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    field_of_action: Mapped[FieldOfAction | None] = relationship()
    translations: Mapped[list["ResourceTranslation"]] = relationship(
        back_populates="resource", cascade="all, delete-orphan",
        order_by="ResourceTranslation.id",
    )

    def in_language(self, code: str) -> "ResourceTranslation | None":
        """The translation into ``code``, if somebody wrote one."""
        return next((t for t in self.translations if t.language and t.language.code == code),
                    None)

    def __str__(self) -> str:
        return self.title

    def __repr__(self) -> str:
        return f"<Resource {self.id} {self.title!r}>"


class ResourceTranslation(TimestampMixin, db.Model):
    """A resource's title and text in one more language, and its link in that language."""

    __tablename__ = "resource_translations"
    __table_args__ = (UniqueConstraint("resource_id", "language_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), nullable=False, index=True
    )
    language_id: Mapped[int] = mapped_column(
        ForeignKey("languages.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    text: Mapped[str | None] = mapped_column(Text)
    #: The page in this language, when the site has one; otherwise the resource's link.
    url: Mapped[str | None] = mapped_column(String(500))

    resource: Mapped[Resource] = relationship(back_populates="translations")
    language: Mapped[Language] = relationship()

    def __str__(self) -> str:
        return self.title

    def __repr__(self) -> str:
        return f"<ResourceTranslation {self.id} resource={self.resource_id}>"
