"""PDF documents: HTML rendered by WeasyPrint with the app's own files and nothing else.

Documents handed to people (consent form, welcome folder, annual report) are rendered from
templates. The renderer may read only the app's static files (fonts, stylesheets, images):
no network, no other file on the server, so user-entered text can never make it fetch
anything.
"""

import base64
import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import render_template
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from welcome.i18n import DOCUMENT_LANGUAGES, document_text

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: The made-up origin templates' relative URLs resolve against; only its /static/ is served.
BASE_URL = "https://welcome.invalid/"
STATIC_PREFIX = BASE_URL + "static/"


#: Where documents find the installation's logo (see :func:`logo_file`).
LOGO_URL = BASE_URL + "logo"
#: The emblem printed when the installation configured no logo of its own.
DEFAULT_LOGO = STATIC_DIR / "print" / "logo.svg"
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".svg": "image/svg+xml"}
MAX_LOGO_BYTES = 1024 * 1024


class StaticFilesOnly(URLFetcher):
    """Serves ``/static/…`` from the package, and the configured logo, and refuses every
    other URL.

    :param logo: the logo file served at :data:`LOGO_URL` (configured by IT, never taken
        from a document).
    """

    def __init__(self, logo: Path | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.logo = logo

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url == LOGO_URL and self.logo is not None:
            return URLFetcherResponse(url, self.logo.read_bytes(),
                                      {"Content-Type": LOGO_TYPES[self.logo.suffix.lower()]})
        if not url.startswith(STATIC_PREFIX):
            raise ValueError(f"refused to fetch {url!r}: only the app's static files")
        relative = url.removeprefix(STATIC_PREFIX).split("?", 1)[0].split("#", 1)[0]
        path = (STATIC_DIR / relative).resolve()
        if not path.is_relative_to(STATIC_DIR) or not path.is_file():
            raise ValueError(f"refused to fetch {url!r}: not a static file")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, static_bytes(path), {"Content-Type": mime_type})


#: The package's static files by path, read once per process: they change only with a release.
_static_files: dict[Path, bytes] = {}


def static_bytes(path: Path) -> bytes:
    """A static file's content, from memory after its first use.

    Every document reads the same stylesheets; threads may both read a file the first time,
    which does no harm.
    """
    data = _static_files.get(path)
    if data is None:
        data = _static_files[path] = path.read_bytes()
    return data


_thread_fonts = threading.local()


def font_configuration() -> FontConfiguration:
    """This thread's WeasyPrint font configuration, made on its first document.

    Making one loads the system's font list, and each new one loads the bundled fonts of
    ``@font-face`` again and starts Pango's font caches cold; reusing it saves that on every
    document. Pango and fontconfig objects must not be used by two threads at once, so each
    thread that renders keeps its own.
    """
    config = getattr(_thread_fonts, "config", None)
    if config is None:
        config = _thread_fonts.config = FontConfiguration()
    return config


@dataclass(frozen=True)
class Pdf:
    data: bytes
    pages: int


def render_pdf(html: str, logo: Path | None = None) -> Pdf:
    """Render an HTML document (from a template; user text already escaped) to PDF.

    :param logo: the file behind :data:`LOGO_URL`, when the document shows the logo.
    """
    document = HTML(string=html, base_url=BASE_URL,
                    url_fetcher=StaticFilesOnly(logo=logo)).render(font_config=font_configuration())
    return Pdf(document.write_pdf(), len(document.pages))


def logo_file(configured: str | None) -> Path:
    """The logo printed on documents: the configured file, else the bundled emblem.

    :raises RuntimeError: when the configured file is missing, too large or not a PNG, JPEG
        or SVG image (checked at start-up, so a typo shows at once and not on paper).
    """
    if not configured:
        return DEFAULT_LOGO
    path = Path(configured).expanduser().resolve()
    if not path.is_file():
        raise RuntimeError(f"WELCOME_LOGO_FILE {configured!r} is not a file.")
    if path.suffix.lower() not in LOGO_TYPES:
        raise RuntimeError(f"WELCOME_LOGO_FILE {configured!r} must be a PNG, JPEG or SVG image.")
    if path.stat().st_size > MAX_LOGO_BYTES:
        raise RuntimeError(f"WELCOME_LOGO_FILE {configured!r} is larger than 1 MB.")
    return path


def logo_data_uri(path: Path) -> str:
    """The logo inlined for the browser preview (the page's CSP allows data: images)."""
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{LOGO_TYPES[path.suffix.lower()]};base64,{encoded}"


class DocumentTexts:
    """``dt("…")`` in document templates: the text in the document's language.

    ``dt("…", lang="de")`` gives the German text printed alongside, for staff and partners.
    """

    def __init__(self, language: str) -> None:
        self.language = language if language in DOCUMENT_LANGUAGES else "de"
        #: A folder prints the same labels dozens of times; each is looked up once.
        self._translated: dict[tuple[str, str], str] = {}

    def __call__(self, message: str, /, lang: str | None = None, **variables: Any) -> str:
        key = (lang or self.language, message)
        text = self._translated.get(key)
        if text is None:
            text = self._translated[key] = document_text(*key)
        return text % variables if variables else text


def document_html(template: str, language: str, reviewed: bool, right_to_left: bool,
                  **context: Any) -> str:
    """A template under ``templates/documents/`` as HTML in ``language`` (also the preview).

    :param reviewed: whether the translation into ``language`` was reviewed; if not, the
        document says so.
    """
    return render_template(
        template,
        dt=DocumentTexts(language),
        language=language,
        direction="rtl" if right_to_left else "ltr",
        reviewed=reviewed,
        **context,
    )


def render_document(template: str, language: str, reviewed: bool, right_to_left: bool,
                    **context: Any) -> Pdf:
    """Render a template under ``templates/documents/`` as a PDF in ``language``."""
    return render_pdf(document_html(template, language, reviewed, right_to_left, **context))
