# The README's commands. Each step is a file target, so running a command again
# skips what is already done.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
# Two workers, one per core of the machines we run on; a test file stays on one worker.
PYTEST := $(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2} --dist loadfile
STATIC := feedback_portal/static/.built
FRONTEND_SOURCES := $(wildcard frontend/src/*) frontend/build.mjs

.DEFAULT_GOAL := help
.PHONY: help run test lint format bench install install-dev assets clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.requirements: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.requirements-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
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
	$(FLASK) db upgrade
	$(FLASK) seed
	@if [ "$${PORTAL_ENV:-development}" = development ]; then $(FLASK) users dev-admin; fi
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install-dev ## Set up and run every test: on SQLite, then on PostgreSQL if TEST_DATABASE_URL is set
	@echo "== Tests on SQLite =="
	$(PYTEST)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== Tests on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(PYTEST) --database-url "$$TEST_DATABASE_URL"; \
	else \
		echo "TEST_DATABASE_URL is not set: the suite did not run on PostgreSQL."; \
	fi

lint: install-dev ## Check the code with ruff (lint and format)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-dev ## Measure throughput against a bare Flask page served the same way
	$(BIN)/python -m bench.run

clean: ## Remove the virtual environment, built assets and development database
	rm -rf $(VENV) frontend/node_modules feedback_portal/static instance/portal.sqlite3
