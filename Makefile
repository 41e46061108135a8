# Partnerships KB: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The tests run on PostgreSQL; pytest-django creates (and drops) the test database itself.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/partnerships
TEST_ENV := SECRET_KEY=insecure-test-only-key

WORKERS ?= 4
# Threads per worker (gthread): a slow client holds one thread, not a whole worker.
THREADS ?= 8
# Seconds: a request's budget (the database's statement timeout is shorter), the drain on
# restart, and how long an idle keep-alive connection is kept.
TIMEOUT ?= 30

.PHONY: install run serve soak bench test test-postgres test-sqlite lint format clean

install: $(STAMP)

$(STAMP): requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $(STAMP)

## make run: install, migrate, load the curated data on first start, serve on SQLite.
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_knowledge --if-empty
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

## make serve: production. Needs SECRET_KEY and DATABASE_URL in the environment (README).
serve: install
	$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py load_knowledge --if-empty
	HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) THREADS=$(THREADS) TIMEOUT=$(TIMEOUT) \
		$(BIN)/gunicorn --config gunicorn.conf.py

## make soak: `make serve`'s gunicorn (gunicorn.conf.py), 50 clients for 60 s with curator
## writes alongside, then 30 s of abuse (expensive requests, slow clients) under a probe.
soak: install
	$(BIN)/python scripts/soak.py --clients 50 --seconds 60 --abuse-seconds 30

## make bench: the app vs the raw-psycopg floor vs Datasette at a million figures.
bench: install
	bench/run.sh

## make test: install, lint, then the whole suite on PostgreSQL.
test: install lint test-postgres

test-postgres: install
	$(TEST_ENV) DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest

## make test-sqlite: the same suite on the embedded default (SQLite, in memory).
test-sqlite: install
	env -u DATABASE_URL $(TEST_ENV) $(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
