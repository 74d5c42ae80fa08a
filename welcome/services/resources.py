"""Resources for the welcome folder."""

from flask_babel import gettext as _

from welcome.models import Resource
from welcome.services.errors import DomainError


def check_resource(resource: Resource) -> None:
    """:raises DomainError: when the resource has neither a link nor a text."""
    if not resource.url and not resource.text:
        raise DomainError(_("Enter a link or a text."), "url")
