# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app survey_app
# pip's "a new release of pip is available" notice is noise on a fresh set-up (pip is upgraded first anyway)
PIP := $(BIN)/python -m pip --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test setup db demo lint format test-sqlite test-postgres e2e-browser clean bench translations

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

db: setup
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo --responses 300

run: demo
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

e2e-browser:
	@sh tests/e2e/ensure_chromium.sh

# Two workers, each with its own SQLite file (and on PostgreSQL its own database) and browser.
test-sqlite: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2

# Runs the suite again on PostgreSQL when TEST_DATABASE_URL points at a reachable server.
test-postgres: setup
	@if [ -n "$$TEST_DATABASE_URL" ] && $(BIN)/python -m tests.pg_reachable; then \
		echo "== PostgreSQL: $$TEST_DATABASE_URL"; \
		SURVEY_TEST_DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/python -m pytest -q -p no:cacheprovider -n 2; \
	else \
		echo "== PostgreSQL not reachable (set TEST_DATABASE_URL); suite ran on SQLite only"; \
	fi

test: lint e2e-browser test-sqlite test-postgres

# Collect the Thai msgids from code and templates into the English catalogue (the app compiles the .mo on start).
translations: setup
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext --no-location --sort-output -o survey_app/translations/messages.pot survey_app
	$(BIN)/pybabel -q update -i survey_app/translations/messages.pot -d survey_app/translations -l en --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache

# Benchmarks (not part of `make test`): prints the table and writes docs/benchmarks.md. PostgreSQL runs too
# when TEST_DATABASE_URL (or BENCH_DATABASE_URL) points at a server.
bench: setup e2e-browser
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench.run $(BENCH_ARGS)
