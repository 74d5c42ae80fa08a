"""Settings of this installation that live in its database."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from welcome.extensions import db


class InstanceSetting(db.Model):
    """Facts about this installation, e.g. that its data is the fictional demo set."""

    __tablename__ = "instance_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(500), nullable=False)

    def __repr__(self) -> str:
        return f"<InstanceSetting {self.key}={self.value!r}>"
