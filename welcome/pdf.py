"""PDF documents: HTML rendered by WeasyPrint with the app's own files and nothing else.

Documents handed to people (consent form, welcome folder, annual report) are rendered from
templates. The renderer may read only the app's static files (fonts, stylesheets, images):
no network, no other file on the server, so user-entered text can never make it fetch
anything.
"""

import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from welcome.i18n import DOCUMENT_LANGUAGES, document_text

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: The made-up origin templates' relative URLs resolve against; only its /static/ is served.
BASE_URL = "https://welcome.invalid/"
STATIC_PREFIX = BASE_URL + "static/"


class StaticFilesOnly(URLFetcher):
    """Serves ``/static/…`` from the package and refuses every other URL."""

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if not url.startswith(STATIC_PREFIX):
            raise ValueError(f"refused to fetch {url!r}: only the app's static files")
        relative = url.removeprefix(STATIC_PREFIX).split("?", 1)[0].split("#", 1)[0]
        path = (STATIC_DIR / relative).resolve()
        if not path.is_relative_to(STATIC_DIR) or not path.is_file():
            raise ValueError(f"refused to fetch {url!r}: not a static file")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})


@dataclass(frozen=True)
class Pdf:
    data: bytes
    pages: int


def render_pdf(html: str) -> Pdf:
    """Render an HTML document (from a template; user text already escaped) to PDF."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).render()
    return Pdf(document.write_pdf(), len(document.pages))


class DocumentTexts:
    """``dt("…")`` in document templates: the text in the document's language.

    ``dt("…", lang="de")`` gives the German text printed alongside, for staff and partners.
    """

    def __init__(self, language: str) -> None:
        self.language = language if language in DOCUMENT_LANGUAGES else "de"

    def __call__(self, message: str, /, lang: str | None = None, **variables: Any) -> str:
        return document_text(lang or self.language, message, **variables)


def render_document(template: str, language: str, reviewed: bool, right_to_left: bool,
                    **context: Any) -> Pdf:
    """Render a template under ``templates/documents/`` as a PDF in ``language``.

    :param reviewed: whether the translation into ``language`` was reviewed; if not, the
        document says so.
    """
    html = render_template(
        template,
        dt=DocumentTexts(language),
        language=language,
        direction="rtl" if right_to_left else "ltr",
        reviewed=reviewed,
        **context,
    )
    return render_pdf(html)
