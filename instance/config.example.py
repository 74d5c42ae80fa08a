# Copy to instance/config.py and adjust. Environment variables (WELCOME_*) override these.

# PostgreSQL in production; without it the app uses instance/welcome.db (SQLite).
# WELCOME_DATABASE_URL = "postgresql+psycopg://welcome:secret@db.example.org/welcome"

# Required outside the demo, at least 32 characters:
# python -c 'import secrets; print(secrets.token_hex(32))'
# WELCOME_SECRET_KEY = "..."

# Serve cookies only over HTTPS (set when the app runs behind TLS).
# WELCOME_HTTPS = True

# Behind a reverse proxy (nginx, Apache) that sets X-Forwarded-For and X-Forwarded-Proto:
# WELCOME_PROXY_COUNT = 1

WELCOME_CITY_NAME = "Musterstadt"
WELCOME_CENTER_NAME = "Welcome Center Musterstadt"

# Printed on the welcome folder: the center's contact, the city's logo (PNG, JPEG or SVG,
# at most 1 MB; empty: a neutral emblem) and whom to ask about data protection.
# WELCOME_CENTER_ADDRESS = "Rathausplatz 1, 92200 Musterstadt"
# WELCOME_CENTER_PHONE = "+49 89 99998000"
# WELCOME_CENTER_EMAIL = "welcome-center@example.org"
# WELCOME_CENTER_WEBSITE = "https://welcome.example.org/"
# WELCOME_CENTER_OPENING_HOURS = "Mo, Di, Do 9–12 Uhr und 14–16 Uhr\nMi 9–12 Uhr"
# WELCOME_LOGO_FILE = "/etc/welcome/stadtwappen.svg"
# WELCOME_DATA_PROTECTION_CONTACT = "Datenschutzbeauftragte der Stadt, datenschutz@example.org"
# WELCOME_DATA_PROTECTION_AUTHORITY = "Der Bayerische Landesbeauftragte für den Datenschutz, …"
WELCOME_TIMEZONE = "Europe/Berlin"
WELCOME_IDLE_MINUTES = 30
WELCOME_RETENTION_MONTHS = 12

# Neighbouring districts for the partner suggestions (each pair once; it works both ways).
# WELCOME_NEIGHBOURING_DISTRICTS = "Altstadt: Süd, Weststadt; Nordost: Bahnhofsviertel"

# With several gunicorn workers, keep rate-limit counters in a shared store:
# WELCOME_RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"
