# One command per task, the same locally and in CI. See README.md.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test lint bench bench-browser audit build validate clean system-deps test-system-deps

$(INSTALLED): pyproject.toml requirements.lock | system-deps
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

system-deps:
	@PY=$(PY) scripts/system-deps.sh

test-system-deps:
	@PY=$(PY) scripts/system-deps.sh test

# Rebuilt in place when content, mock inputs or the generator change; votes and members stay.
catalogue.db: $(INSTALLED) $(wildcard usecases/*.md) $(wildcard mockdata/*) katalog/mock/mockdata.py katalog/mock/cohort.py katalog/build.py
	$(BIN)/katalog build
	@touch $@

build: $(INSTALLED)
	$(BIN)/katalog build

validate: $(INSTALLED)
	$(BIN)/katalog validate

run: catalogue.db
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT)

test: $(INSTALLED) test-system-deps
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .

# Includes the browser figures (bench/browser.py), hence system Chromium.
bench: $(INSTALLED) test-system-deps
	$(BIN)/python -m bench

# The browser figures alone, on a database at scale 0.05 built into a temporary folder (SAMPLES=3 for a quick look).
SAMPLES ?= 15
bench-browser: $(INSTALLED) test-system-deps
	$(BIN)/python -m bench.browser --samples $(SAMPLES)

# The disclosure audit of every protected table at the build's scale (national by default; a national build
# runs it too, before writing): JSON, exit 1 on a finding. About a minute at national scale.
audit: $(INSTALLED)
	$(BIN)/katalog audit

clean:
	rm -rf $(VENV) .pytest_cache
