# Two commands on a fresh clone: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
FLASK := $(BIN)/flask --app timeline

.PHONY: run serve test test-fast lint migrate seed dev clean browser bench eval-extract axe cairo

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# setuptools' "Editable installation... folders with the same name as your package" notice: templates/,
# migrations/ and seed/ install inside the package (pyproject's package-dir), which needs its meta-path
# finder; no folder here shadows the package, so the notice says nothing for this checkout.
PIP_INSTALL := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet

$(VENV)/.installed: pyproject.toml | $(BIN)/activate cairo
	$(PIP_INSTALL) -e .
	touch $@

# Debian's libcairo2 for cairosvg (chart PNGs). Installed only when running as root; elsewhere it says
# which package to install (without it chart PNGs answer 503 naming it; everything else works).
cairo:
	@ldconfig -p 2>/dev/null | grep -q 'libcairo\.so\.2' || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libcairo2 >/dev/null) \
	      || echo "Could not install Debian's libcairo2: chart PNGs will not render"; \
	  else echo "No libcairo2 (install Debian's libcairo2 package): chart PNGs will not render"; fi; }

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP_INSTALL) -e '.[test]'
	touch $@

migrate: $(VENV)/.installed
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed

# Ctrl-C ends a server: its exit status 130 is the expected end, not an error for make to report.
CTRL_C_OK := || [ $$? -eq 130 ]
SERVER_ENV := TIMELINE_PORT=$(PORT) TIMELINE_WORKERS=$(WORKERS) TIMELINE_LOG_LEVEL=warning

# The web server (gunicorn, not the development server) and the one scheduler process, side by side
# under honcho (Procfile); Ctrl-C stops both cleanly. On the first start, the admin's one-time password
# is the last thing printed before serving.
run: seed
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl-C stops the web server and the scheduler)"
	@trap true INT; $(SERVER_ENV) $(BIN)/honcho --no-prefix start -f Procfile $(CTRL_C_OK)

# The web server alone, without the scheduler.
serve: seed
	@$(FLASK) users bootstrap
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl-C stops it)"
	@trap true INT; $(SERVER_ENV) $(BIN)/gunicorn -c gunicorn.conf.py $(CTRL_C_OK)

dev: seed
	@$(FLASK) users bootstrap
	@trap true INT; $(FLASK) run --debug --port $(PORT) $(CTRL_C_OK)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check timeline tests migrations
	$(BIN)/ruff format --check timeline tests migrations
	$(BIN)/mypy timeline tests migrations

# Debian's Chromium for the browser tests, never a downloaded browser build. Installed only when
# running as root (CI); elsewhere the browser tests skip with a reason (and fail when CI=true).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "Could not install Debian's chromium: browser tests will not run"; \
	  else echo "No chromium (install Debian's chromium package): browser tests will skip"; fi; }

# axe-core for the accessibility browser test (tests/test_browser_layout.py), from the npm registry
# into .venv/axe (ignored by git); needs npm.
axe: $(VENV)/axe/node_modules/axe-core/axe.min.js
$(VENV)/axe/node_modules/axe-core/axe.min.js:
	npm install --no-audit --no-fund --prefix $(VENV)/axe axe-core@4

# The edit-test loop: unit and page tests on SQLite, no servers, browsers or long runs, spread over
# TEST_WORKERS processes (pytest-xdist; 0 runs them in the one pytest process).
TEST_WORKERS ?= 2
test-fast: $(VENV)/.installed-test
	TIMELINE_TEST_BACKEND=sqlite $(BIN)/python -m pytest -q -x -p no:cacheprovider -n $(TEST_WORKERS) \
		-m "not server and not browser and not slow"

# The suite runs twice: on SQLite, then on a PostgreSQL server the tests start themselves
# (skipped with a loud reason where PostgreSQL is not installed; required when CI=true).
test: $(VENV)/.installed-test lint browser axe
	TIMELINE_ARTIFACTS=$(CURDIR)/artifacts/sqlite TIMELINE_TEST_BACKEND=sqlite $(BIN)/python -m pytest -q
	TIMELINE_ARTIFACTS=$(CURDIR)/artifacts/postgresql TIMELINE_TEST_BACKEND=postgresql $(BIN)/python -m pytest -q

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed
	$(PIP_INSTALL) -e '.[bench]'
	touch $@

# The benchmark of issues 8 and 17 (not part of `make test`): 1,000,000 events on SQLite and on PostgreSQL
# (its own server), every target a ratio to references measured in the same run, each figure the median
# of 3 runs; writes bench-results.json and the table in docs/performance.md.
# Quick run: make bench BENCH_ARGS="--events 100000 --duration 5"
bench: $(VENV)/.installed-bench
	$(BIN)/python tests/bench/run_bench.py $(BENCH_ARGS)

# The extractor scored on the article against the seed's quotes (issue 16): found, speaker, dates, scare quotes.
ARTICLE ?= ../shared/article/russia-iran-biden-era.txt
eval-extract: $(VENV)/.installed
	$(BIN)/python -m timeline.services.extraction.evaluate $(ARTICLE) seed/russia-iran-biden-era.json \
		--published 2020-12-20/2021-01-20 --min-right 12

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
