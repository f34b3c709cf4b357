# The two commands: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := tracker

.PHONY: run test test-ahead crawls install lint static translations clean browser bench proofs

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	@for d in $$(find tracker -type d -name 'translations*'); do \
	  [ -d "$$d" ] && $(BIN)/pybabel compile -d "$$d" -f >/dev/null; \
	done; true

## Install, migrate the embedded SQLite database, load the demo data once, serve on :5000.
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	$(BIN)/flask attachments sweep
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# The browser tests drive Debian's chromium through Playwright (Playwright's own download does
# not work here) and the PDF tests read and render pages with poppler-utils (pdftotext,
# pdftoppm); install whichever is missing (needs root, as in CI).
browser:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian's$$missing for the browser and PDF tests"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; \
	fi

## Install and run the whole suite (SQLite; also PostgreSQL when TRACKER_TEST_DATABASE_URL is set).
## The browser crawls of every page (`crawl` marker) are `make crawls`: they alone take longer
## than the rest of the suite on both databases.
SUITE = $(BIN)/pytest -n 2 -m "not crawl"
test: install browser
	$(BIN)/ruff check .
	$(BIN)/mypy tracker
	@echo "== test suite on SQLite =="
	env -u TRACKER_TEST_DATABASE_URL $(SUITE)
	@if [ -n "$$TRACKER_TEST_DATABASE_URL" ]; then \
	  echo "== test suite on PostgreSQL =="; \
	  $(SUITE); \
	fi

## The SQLite suite again with the test clock 400 days ahead (tests/clock.py): a test that holds
## a date that will pass, or reads the real date, fails here first.
test-ahead: install browser
	@echo "== test suite on SQLite, clock 400 days ahead =="
	env -u TRACKER_TEST_DATABASE_URL TRACKER_TEST_CLOCK_SHIFT_DAYS=400 $(SUITE)

## The crawls of every page each demo login reaches (`crawl` marker): axe-core in chromium
## (Korean at 390 px, English at 1280 px), the phone-width crawl and the Korean and English
## wording walks, on SQLite, bounded in time; then the wording walks again with the clock 400
## days ahead (dates and "overdue" on the pages read differently then).
WALKS = tests/ui/test_speaks_human.py tests/ui/test_speaks_human_english.py tests/ui/test_korean_pages.py
crawls: install browser
	@echo "== crawls of every page =="
	timeout 1800 env -u TRACKER_TEST_DATABASE_URL $(BIN)/pytest -n 2 -m crawl
	@echo "== wording walks, clock 400 days ahead =="
	timeout 600 env -u TRACKER_TEST_DATABASE_URL TRACKER_TEST_CLOCK_SHIFT_DAYS=400 \
	  $(BIN)/pytest -n 2 -m crawl $(WALKS)

## Benchmarks (not part of `make test`): 1k and 10k projects on SQLite and PostgreSQL, web,
## audit, attachments; prints the tables (docs/performance.md). Needs PostgreSQL on 127.0.0.1.
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## The security proofs that take longer than the suite should (canary crawl, fuzzing, crash
## safety), each with its own time bound; each prints its figure. SQLite, or PostgreSQL when
## TRACKER_TEST_DATABASE_URL is set. The authorization sweep and the sessions proof run in `make test`.
## The crash-safety proof runs on SQLite, then also on PostgreSQL (the steps a lock can reach
## differ); CRASH_SEED seeds its operations and kill moments, CRASH_KILLS sets the random kills.
PROOF = timeout
proofs: install
	$(PROOF) 600 $(BIN)/pytest -p no:cacheprovider tests/security/proofs/test_canary_crawl.py
	$(PROOF) 1800 $(BIN)/pytest -p no:cacheprovider tests/security/proofs/test_fuzz_api.py
	$(PROOF) 600 env -u TRACKER_TEST_DATABASE_URL $(BIN)/pytest -p no:cacheprovider \
	  tests/security/proofs/test_crash_safety.py
	@if [ -n "$$TRACKER_TEST_DATABASE_URL" ]; then \
	  $(PROOF) 600 $(BIN)/pytest -p no:cacheprovider tests/security/proofs/test_crash_safety.py; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check tracker tests
	$(BIN)/mypy tracker

## Static and dependency checks: ruff, mypy, bandit, pip-audit and the CycloneDX SBOM
## (docs/sbom.cdx.json), each printing its figure (.ci/static).
static: install
	bash .ci/static

clean:
	rm -rf $(VENV) instance .pytest_cache
