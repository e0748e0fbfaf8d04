# MPP case management. The two commands that matter: `make run` and `make test`.
# Everything else is a piece of those two, for running one part on its own.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# The steps of `run` and `test` depend on each other's order (venv → services → migrate → serve).
.NOTPARALLEL:

VENV ?= .venv
export VENV
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: help run test lint typecheck fmt clean lock venv venv-test services system-deps runtime-deps migrate seed web worker beat bench

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# `make run` serves like production: DEBUG off (the settings' default), so real 404/403/500 pages, and
# static files served by WhiteNoise from the collectstatic output. `DEBUG=true make run` for tracebacks.
# The settings' ALLOWED_HOSTS default is 127.0.0.1 and localhost, the address make run binds (BIND=host:port).
run: venv services runtime-deps ## Set up everything, load demo data, serve on 127.0.0.1:8000 with a Celery worker and beat
	$(PY) manage.py migrate --noinput
	scripts/collectstatic
	$(PY) manage.py seed_demo
	scripts/run-all

test: venv-test system-deps services ## Lint, checks, compose validation and the whole test suite (what CI runs)
	scripts/test-all $(PYTEST_ARGS)

lint: venv-test ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv-test ## mypy with the Django and DRF plugins (configured in pyproject.toml)
	$(VENV)/bin/mypy

fmt: venv-test ## Format the code and apply ruff's safe fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

venv: ## Create .venv with the runtime lock (requirements/base.txt); skipped when up to date
	@scripts/bootstrap-venv base

venv-test: ## Create .venv with the test lock (requirements/test.txt); skipped when up to date
	@scripts/bootstrap-venv test

services: ## Make sure PostgreSQL and Redis answer (start, or install them with apt) and the database exists
	@[[ -x $(PY) ]] || scripts/bootstrap-venv base
	@scripts/ensure-services

system-deps: ## Install the Debian packages the tests need (Pango and fonts for PDFs, chromium, poppler-utils)
	@scripts/ensure-system-deps

runtime-deps: ## Install the Debian packages the app needs to draw PDFs (Pango, DejaVu fonts, libharfbuzz-subset0)
	@scripts/ensure-system-deps runtime

# Not part of `make test`: builds (about 6 min) or reuses the 500k-case database BENCH_DATABASE
# (mpp_bench_scale), times every page and endpoint a role uses beside raw SQL and the admin, runs wrk against
# gunicorn, writes docs/performance.md and fails if a budget is missed. Options: see scripts/bench.py.
bench: venv services ## Measure speed at program scale (500k cases); writes docs/performance.md, fails on a missed budget
	@scripts/ensure-bench-deps
	scripts/collectstatic
	$(PY) scripts/bench.py

migrate: venv services ## Apply migrations
	$(PY) manage.py migrate --noinput

seed: venv services ## Load the demo users and cases (idempotent)
	$(PY) manage.py seed_demo

web: venv services ## Only the web server (gunicorn on 127.0.0.1:8000)
	scripts/collectstatic
	$(VENV)/bin/gunicorn mpp.wsgi:application --bind 127.0.0.1:8000 --workers 2 --access-logfile -

worker: venv services ## Only a Celery worker
	$(VENV)/bin/celery -A mpp worker --loglevel INFO

beat: venv services ## Only Celery beat (the schedule that re-runs the outbox relay)
	@mkdir -p var
	$(VENV)/bin/celery -A mpp beat --loglevel INFO --schedule var/celerybeat-schedule

# Regenerates the hash-checked locks from pyproject.toml. pip-tools lives in a venv of its own inside
# .venv, so it is neither a dependency of the app nor of the tests.
LOCK_TOOLS := $(VENV)/lock-tools
PIP_COMPILE := $(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links
lock: venv ## Regenerate requirements/base.txt and requirements/test.txt from pyproject.toml
	@[[ -x $(LOCK_TOOLS)/bin/pip-compile ]] || { $(PY) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/pip install -q pip-tools==7.6.2; }
	$(PIP_COMPILE) --output-file requirements/base.txt pyproject.toml
	$(PIP_COMPILE) --extra test --output-file requirements/test.txt pyproject.toml
	$(PY) scripts/check-lock.py

clean: ## Remove the venv, collected static files and caches
	rm -rf $(VENV) staticfiles var .pytest_cache .ruff_cache .hypothesis .mypy_cache test-results
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
