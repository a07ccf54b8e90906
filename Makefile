# Victims Assistance Fund tracker. `make run` and `make test` work from a clean
# clone on a machine with Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format keys migrate seed bench soak clean help

help:
	@echo "make run   - set up and serve the app with demo data on SQLite (http://$(HOST):$(PORT))"
	@echo "make test  - set up and run the whole test suite (PostgreSQL too when DATABASE_URL is set)"
	@echo "make lint  - ruff check and format check"
	@echo "make bench - run the benchmarks (ratios against same-run baselines; BENCH_ARGS=--json file)"
	@echo "make soak  - state-machine invariants with a large budget, then 8 threads of API traffic"

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
	$(PY) manage.py bench $(BENCH_ARGS)

# The hypothesis state machines with a large budget (the `soak` profile in
# tests/conftest.py), then mixed API traffic from 8 threads (PostgreSQL when
# DATABASE_URL is set). Both report steps executed and fail on any violation.
SOAK_SECONDS ?= 180
soak: $(VENV)/.dev keys
	$(PY) -m pytest tests/fund/test_invariants.py -p no:cacheprovider -q --hypothesis-profile=soak --hypothesis-show-statistics
	$(PY) manage.py soak --threads 8 --seconds $(SOAK_SECONDS)

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .ruff_cache
