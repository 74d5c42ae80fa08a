"""The PDF renderer reads the app's own static files and nothing else."""

import io

import pytest
from pypdf import PdfReader
from weasyprint.urls import URLFetchingError, fetch

from welcome.pdf import STATIC_PREFIX, StaticFilesOnly, render_document, render_pdf


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("url", [
    "http://example.org/x.png",
    "https://welcome.invalid/admin/case/",
    "file:///etc/passwd",
    STATIC_PREFIX + "../../config.py",
    STATIC_PREFIX + "fonts/../../__init__.py",
    STATIC_PREFIX + "fonts/missing.ttf",
])
def test_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(URLFetchingError), fetch(StaticFilesOnly(), url):
        pass


def test_fetcher_serves_bundled_fonts():
    with fetch(StaticFilesOnly(), STATIC_PREFIX + "fonts/NotoSans-Regular.ttf") as response:
        assert response.content_type == "font/ttf"
        assert len(response.read()) > 100_000


def test_user_text_cannot_make_the_renderer_fetch(caplog):
    pdf = render_pdf('<p>Hallo</p><img src="http://127.0.0.1:9/track.png">'
                     '<link rel="stylesheet" href="file:///etc/passwd">')
    assert pdf.pages == 1
    assert "Hallo" in _text(pdf.data)


def test_document_in_arabic_with_german_alongside(app_context):
    pdf = render_document("documents/base.html", "ar", reviewed=False, right_to_left=True)
    text = _text(pdf.data)
    assert "Übersetzung noch nicht geprüft" in text
    assert "الترجمة لم تُراجع بعد" in text
    assert pdf.pages == 1
