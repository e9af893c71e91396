# The README's commands. Each step is a file target, so running a command again
# skips what is already done.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
# The development config reads PORT, so that links in emails point where the site is served.
export PORT
# Two workers, one per core of the machines we run on; a test file stays on one worker.
PYTEST := $(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2} --dist loadfile
STATIC := feedback_portal/static/.built
DEV_MAIL := instance/mail
FRONTEND_SOURCES := $(wildcard frontend/src/*) frontend/build.mjs

.DEFAULT_GOAL := help
.PHONY: help run test lint format bench lock audit install install-dev assets clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}' | sed 's/$$(PORT)/$(PORT)/g'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Every package, transitive ones included, is pinned with its hashes: pip refuses anything else.
$(VENV)/.requirements: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	@touch $@

$(VENV)/.requirements-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	@touch $(VENV)/.requirements $@

frontend/node_modules/.package-lock.json: frontend/package-lock.json frontend/package.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error

$(STATIC): frontend/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	cd frontend && npm run --silent build
	@touch $@

install: $(VENV)/.requirements $(STATIC)
install-dev: $(VENV)/.requirements-dev $(STATIC)
assets: $(STATIC)

run: install ## Set up and serve the site on http://127.0.0.1:$(PORT) (SQLite unless DATABASE_URL is set)
	@# One process, not one per step: each would start the app again, a second or more apiece.
	@# It upgrades the database and seeds it; in development it also opens the consultation
	@# (seeding makes a draft) and makes sure an admin can sign in.
	$(FLASK) setup
	@# In development a sender runs beside the server and stops with it. Without MAIL_SERVER
	@# it writes each email into $(DEV_MAIL): nothing to set up, and every email can be read.
	@# It starts at a lower priority, so that on a busy machine the server is up first.
	@if [ "$${PORTAL_ENV:-development}" = development ]; then \
		if [ -n "$$MAIL_SERVER" ]; then \
			to=""; echo "Emails the site sends go to the mail server at $$MAIL_SERVER."; \
		else \
			to="--to-folder $(DEV_MAIL)"; \
			echo "Emails the site sends are written to $(CURDIR)/$(DEV_MAIL)/ (a .eml file each), not sent."; \
		fi; \
		nice -n 10 $(FLASK) outbox send $$to --every 3 & sender=$$!; \
		trap 'kill $$sender 2>/dev/null' EXIT; \
	fi; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# With TEST_DATABASE_URL set, the SQLite and PostgreSQL runs go side by side: most of a test's
# time is spent waiting (for a browser, a server, a lock), so two runs share two cores well.
# The browser tests then run once: what they check does not depend on the database. The staff
# ones run on SQLite and the public ones on PostgreSQL, so that both runs take about as long.
BROWSER_ON_SQLITE := $(addprefix tests/browser/,test_staff_pages.py test_staff_journeys.py \
	test_export_and_figures.py test_summaries.py test_themes.py test_involvement.py test_privacy.py \
	test_document_versions.py)
BROWSER_ON_POSTGRESQL := $(filter-out $(BROWSER_ON_SQLITE),$(wildcard tests/browser/test_*.py))
# Each run counts rate limits in a Redis database of its own; each run's output is printed
# whole once both have finished, and kept in test-results/.
test: install-dev ## Set up and run every test: on SQLite, and on PostgreSQL if TEST_DATABASE_URL is set
	@mkdir -p test-results
	@if [ -z "$$TEST_DATABASE_URL" ]; then \
		echo "== Tests on SQLite =="; \
		$(PYTEST) || exit $$?; \
		echo "TEST_DATABASE_URL is not set: the suite did not run on PostgreSQL."; \
		exit 0; \
	fi; \
	echo "== Tests on SQLite and on PostgreSQL ($$TEST_DATABASE_URL), side by side, each with half the browser tests =="; \
	REDIS_TEST_URL=$${REDIS_TEST_URL:-redis://127.0.0.1:6379/15} \
		$(PYTEST) $(addprefix --ignore=,$(BROWSER_ON_POSTGRESQL)) > test-results/sqlite.log 2>&1 & sqlite=$$!; \
	REDIS_TEST_URL=$${REDIS_TEST_URL_POSTGRESQL:-redis://127.0.0.1:6379/14} \
		$(PYTEST) --database-url "$$TEST_DATABASE_URL" $(addprefix --ignore=,$(BROWSER_ON_SQLITE)) \
		> test-results/postgresql.log 2>&1; postgresql=$$?; \
	wait $$sqlite; sqlite=$$?; \
	echo "== Tests on SQLite =="; cat test-results/sqlite.log; \
	echo "== Tests on PostgreSQL =="; cat test-results/postgresql.log; \
	echo "SQLite: exit $$sqlite; PostgreSQL: exit $$postgresql"; \
	[ $$sqlite -eq 0 ] && [ $$postgresql -eq 0 ]

lint: install-dev ## Check the code: ruff (lint and format), the layer contracts, the type checker
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

lock: install-dev ## Compile requirements*.in into the hashed requirements*.txt after changing a pin
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --no-strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --no-strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements-dev.txt requirements-dev.in

audit: install-dev ## Look up every pinned package in PyPI's list of known vulnerabilities
	$(BIN)/pip-audit --require-hashes --disable-pip -r requirements.txt
	$(BIN)/pip-audit --require-hashes --disable-pip -r requirements-dev.txt

format: install-dev ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-dev ## Measure every figure of issue 15 beside its ceiling (BENCH_SECONDS, BENCH_DATABASE_URL)
	$(BIN)/python -m bench.run

clean: ## Remove the virtual environment, built assets and development database
	rm -rf $(VENV) frontend/node_modules feedback_portal/static instance/portal.sqlite3 instance/portal.sqlite3-wal instance/portal.sqlite3-shm
