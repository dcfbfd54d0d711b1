# The README's two promises: `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app fitcheck
HOST ?= 127.0.0.1
PORT ?= 5000
# The suite runs on both cores (pytest-xdist); `make test PYTEST_ARGS=` runs it in one.
PYTEST_ARGS ?= -n 2
CATALOGS := $(wildcard fitcheck/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test lint typecheck translations extract-messages update-catalogs plotly-bundle clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "fitcheck needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

translations: $(COMPILED)

# The worker (mail, deadlines, reminders) runs beside the web server and stops with it.
run: $(STAMP) translations
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "Serving fitcheck on http://$(HOST):$(PORT)/ with its worker"
	@export BASE_URL="$${BASE_URL:-http://$(HOST):$(PORT)}"; \
	$(FLASK) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) translations lint typecheck
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Maintenance: refresh the catalogs after changing user-facing text.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs '.*' -k _l -k lazy_gettext -k ngettext:1,2 \
		--no-location --sort-output -o fitcheck/translations/messages.pot .

update-catalogs: extract-messages
	$(BIN)/pybabel update -i fitcheck/translations/messages.pot -d fitcheck/translations \
		--no-fuzzy-matching --ignore-obsolete

# Maintenance: rebuild the plotly.js bundles (fitcheck/static/vendor/plotly-*.min.js and their
# .gz/.br) after changing js/plotly or upgrading plotly; needs Node and npm. The output is
# committed, so `make run` and `make test` need neither.
plotly-bundle:
	cd js/plotly && npm ci --ignore-scripts --no-audit --no-fund && node build.mjs

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(COMPILED)
