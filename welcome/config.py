"""Configuration defaults.

Order of precedence, lowest first: these defaults, ``instance/config.py``, ``WELCOME_*``
environment variables, and the mapping passed to ``create_app`` (tests use that).
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

#: The repository's top-level translations folder (de and en catalogues).
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


class DefaultConfig:
    """Settings every installation starts from. Values here are safe for production."""

    #: Production needs WELCOME_SECRET_KEY; a demo instance generates one into instance/.
    WELCOME_SECRET_KEY: str | None = None
    #: Empty means a SQLite file in the instance folder.
    WELCOME_DATABASE_URL: str = ""
    #: Demo instance: fictional data, a banner on every page, a generated secret key.
    WELCOME_DEMO: bool = False
    WELCOME_DEBUG: bool = False
    #: Serve cookies with the Secure flag (behind HTTPS).
    WELCOME_HTTPS: bool = False
    WELCOME_CITY_NAME: str = "Musterstadt"
    WELCOME_CENTER_NAME: str = "Welcome Center Musterstadt"
    #: The center's contact as printed on the welcome folder (one line each; hours may span
    #: lines). The defaults are the fictional Musterstadt's: set your own.
    WELCOME_CENTER_ADDRESS: str = "Rathausplatz 1, 92200 Musterstadt"
    WELCOME_CENTER_PHONE: str = "+49 89 99998000"
    WELCOME_CENTER_EMAIL: str = "welcome-center@example.org"
    WELCOME_CENTER_WEBSITE: str = "https://welcome.example.org/"
    WELCOME_CENTER_OPENING_HOURS: str = (
        "Mo, Di, Do 9–12 Uhr und 14–16 Uhr\nMi 9–12 Uhr, Fr nach Vereinbarung")
    #: The city's logo on printed documents: a PNG, JPEG or SVG file of at most 1 MB; empty
    #: means the bundled neutral emblem.
    WELCOME_LOGO_FILE: str = ""
    #: Whom a person asks about their data, and where they may complain (printed in the folder).
    WELCOME_DATA_PROTECTION_CONTACT: str = (
        "Behördlicher Datenschutzbeauftragter der Stadt Musterstadt, Rathausplatz 1, "
        "92200 Musterstadt, datenschutz@example.org")
    WELCOME_DATA_PROTECTION_AUTHORITY: str = (
        "Der Bayerische Landesbeauftragte für den Datenschutz, Wagmüllerstraße 18, "
        "80538 München, www.datenschutz-bayern.de")
    WELCOME_TIMEZONE: str = "Europe/Berlin"
    #: Months after a case is closed until its personal data is erased.
    WELCOME_RETENTION_MONTHS: int = 12
    #: Minutes of inactivity after which a login expires.
    WELCOME_IDLE_MINUTES: int = 30
    #: Failed sign-ins allowed per address and, separately, per user name.
    WELCOME_LOGIN_RATE_LIMIT: str = "10 per minute"
    #: Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto headers are
    #: trusted; 0 means the app is reached directly.
    WELCOME_PROXY_COUNT: int = 0
    #: Where rate-limit counters live; use redis://… when several processes serve the app.
    WELCOME_RATELIMIT_STORAGE_URI: str = "memory://"
    WELCOME_PAGE_SIZE: int = 20
    #: Largest scanned consent form accepted, in bytes.
    WELCOME_MAX_UPLOAD_BYTES: int = 5 * 1024 * 1024
    #: SMTP server for handover e-mails; empty means staff send them from their own mail
    #: program (the app offers the text and a mailto: link).
    WELCOME_MAIL_SERVER: str = ""
    WELCOME_MAIL_PORT: int = 25
    WELCOME_MAIL_USERNAME: str = ""
    WELCOME_MAIL_PASSWORD: str = ""
    WELCOME_MAIL_STARTTLS: bool = False
    WELCOME_MAIL_SSL: bool = False
    WELCOME_MAIL_SENDER: str = "welcome-center@example.org"
    #: Days a partner's feedback link stays valid.
    WELCOME_FEEDBACK_LINK_DAYS: int = 30
    #: Address of the app as partners reach it (for links in e-mails), e.g.
    #: https://welcome.musterstadt.de; empty means the address of the current request.
    WELCOME_BASE_URL: str = ""
    WELCOME_FEEDBACK_RATE_LIMIT: str = "30 per minute"
    #: Which districts neighbour each other, for the partner suggestions ("nearby" earns a
    #: point): "Altstadt: Süd, Weststadt; Nordost: Bahnhofsviertel". Empty: only the same
    #: district counts.
    WELCOME_NEIGHBOURING_DISTRICTS: str = ""

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_TRANSLATION_DIRECTORIES = str(TRANSLATIONS_DIR)
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    FLASK_ADMIN_SWATCH = "default"
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024


#: The neighbours of the demo data's fictional districts, used when a demo instance sets none.
DEMO_NEIGHBOURING_DISTRICTS = ("Altstadt: Bahnhofsviertel, Süd, Weststadt; "
                               "Nordost: Bahnhofsviertel, Am Bergsteig; Süd: Am Bergsteig")


def _parse(raw: str, default: Any) -> Any:
    """Read an environment value as the type of its default."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    return raw


def environment_overrides(defaults: dict[str, Any]) -> dict[str, Any]:
    """All ``WELCOME_*`` settings found in the environment, typed like their defaults."""
    overrides: dict[str, Any] = {}
    for key, value in os.environ.items():
        if key.startswith("WELCOME_") and not key.startswith("WELCOME_TEST_"):
            overrides[key] = _parse(value, defaults.get(key, ""))
    return overrides
