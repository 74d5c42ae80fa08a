"""Resources for the welcome folder: German title and text, translations, links."""

from flask_babel import gettext as _
from sqlalchemy import inspect

from welcome.i18n import DOCUMENT_LANGUAGES
from welcome.models import Resource, ResourceTranslation
from welcome.services.errors import DomainError


def current_translations(resource: Resource) -> list[ResourceTranslation]:
    """The translations that stay after this save (a form may have marked some for deletion)."""
    kept = []
    for translation in resource.translations:
        state = inspect(translation)
        if state.session is not None and translation in state.session.deleted:
            continue
        kept.append(translation)
    return kept


def check_resource(resource: Resource) -> None:
    """:raises DomainError: when the resource has neither a link nor a text, or its
    translations name a language twice, German, or a language no folder is printed in."""
    if not resource.url and not resource.text:
        raise DomainError(_("Enter a link or a text."), "url")
    seen: set[int] = set()
    for translation in current_translations(resource):
        language = translation.language
        if language is None:
            raise DomainError(_("Choose the language of each translation."), "translations")
        if language.code == "de":
            raise DomainError(_("The German title and text are entered above, not as a "
                                "translation."), "translations")
        if language.code not in DOCUMENT_LANGUAGES:
            raise DomainError(_("Welcome folders are not printed in %(language)s.",
                                language=language.label), "translations")
        if language.id in seen:
            raise DomainError(_("Each language can be translated only once (%(language)s).",
                                language=language.label), "translations")
        seen.add(language.id)
