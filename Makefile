# Victims Assistance Fund tracker. `make run` and `make test` work from a clean
# clone on a machine with Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format keys migrate seed bench clean help

help:
	@echo "make run   - set up and serve the app with demo data on SQLite (http://$(HOST):$(PORT))"
	@echo "make test  - set up and run the whole test suite (PostgreSQL too when DATABASE_URL is set)"
	@echo "make lint  - ruff check and format check"
	@echo "make bench - run the benchmarks"

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

var/dev.env: | $(VENV)/.runtime
	$(PY) manage.py generate_keys --dev-file var/dev.env

keys: var/dev.env

migrate: $(VENV)/.runtime keys
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C to stop). Demo logins are listed above."
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev keys
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo --no-cache

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(VENV)/.dev keys migrate
	$(PY) manage.py bench

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .ruff_cache
