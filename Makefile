# The README's commands. Everything runs from the project's own virtualenv.
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_PASSWORD ?= listen-to-the-artists

.PHONY: install run test bench lint format up audit

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --password $(DEMO_PASSWORD)
	$(PY) manage.py runserver 127.0.0.1:8000

# One test process per core (pytest-xdist); each is a run of its own (database, queues,
# cache prefix), so they never see each other's data. PYTEST_ARGS for anything more.
test: install
	$(VENV)/bin/pytest -n auto $(PYTEST_ARGS)

# wrk drives the API load; as root it is installed if missing, else a Python load
# generator stands in (named in the output).
bench: install
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1; } \
		|| echo "wrk is not installed (apt-get install wrk): the API load falls back to Python"
	$(PY) -m benchmarks

# Known vulnerabilities in the installed dependencies (the project itself is skipped):
# pip-audit, or where its databases cannot be reached, PyPI's project JSON for what it
# covers. Fails on a known one; warns loudly, naming them, about packages it could not
# check (AUDIT_FLAGS=--strict fails then too). docs/operations.md has the details.
audit: install
	$(PY) -m portal.ops.audit $(AUDIT_FLAGS)

# mypy with django-stubs loads config.settings.test, which needs no database or Redis.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Web, worker and beat from the Procfile, against the local PostgreSQL and Redis.
up: export DJANGO_SETTINGS_MODULE = config.settings.local
up: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/consent
up: export REDIS_URL ?= redis://127.0.0.1:6379/0
up: install
	createdb -h 127.0.0.1 -U postgres $(notdir $(DATABASE_URL)) 2>/dev/null || true
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --password $(DEMO_PASSWORD)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho start
