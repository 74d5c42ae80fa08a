"""Entry point for gunicorn and ``flask``: the only module that builds an app at import."""

from welcome import create_app

app = create_app()
