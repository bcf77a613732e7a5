# Arrow's everyday commands. `make run` and `make test` are the README's first two commands.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# PostgreSQL for the test suite unless DATABASE_URL says otherwise, then SQLite (`make test-sqlite`: SQLite only).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/arrow
RUN_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}

.PHONY: run test test-sqlite lint format postgres clean

$(PY):
	@python=$$(scripts/find-python) && echo "Using $$python" && "$$python" -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-test.txt
	@touch $@ $(VENV)/.installed

## run: the site on the embedded SQLite default with the sample data, at http://127.0.0.1:8000
run: $(VENV)/.installed
	$(RUN_ENV) $(PY) manage.py migrate --no-input
	$(RUN_ENV) $(PY) manage.py import_papers sample_data/*.jsonl
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

## test: the whole suite on PostgreSQL (started here if it is not running), then again on SQLite
test: $(VENV)/.installed-test postgres
	scripts/ensure-browser-tools
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} scripts/run-tests --and-sqlite

## test-sqlite: the whole suite on the embedded SQLite default
test-sqlite: $(VENV)/.installed-test
	DATABASE_URL= scripts/run-tests

postgres:
	@scripts/ensure-postgres

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
