# welcome — two commands: `make run` (demo on SQLite) and `make test` (the test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := WELCOME_DEMO=1 $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install translations translations-update lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Compile the de/en catalogues to the .mo files the app reads.
translations: $(STAMP)
	$(BIN)/pybabel compile -D messages -d translations --statistics
	$(BIN)/pybabel compile -D admin -d translations
	$(BIN)/pybabel compile -D documents -d translations

## Extract new strings from the code into the catalogues (then translate them).
translations-update: $(STAMP)
	$(FLASK) translate update

## Serve the demo instance with fictional data on http://$(HOST):$(PORT)
run: $(STAMP) translations
	$(FLASK) db upgrade
	$(FLASK) welcome seed-catalogues
	$(FLASK) welcome seed-demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

## Run the tests (set WELCOME_TEST_DATABASE_URL for PostgreSQL, WELCOME_BROWSER_TESTS=1 for Chromium).
test: $(STAMP) translations
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Time the big lists on a throw-away PostgreSQL database (figures only; see README).
bench: $(STAMP) translations
	$(BIN)/python bench/list_pages.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
