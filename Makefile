# Two commands on a fresh machine (only Python 3.11+ needed):
#   make dev    - the BFF on its embedded default at http://127.0.0.1:8000 (docs at /docs)
#   make test   - the whole test suite (embedded default; real services when BFF_TEST_* are set)

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PROJECT_ENVIRONMENT := $(VENV)
PYTEST_ARGS ?=

.PHONY: dev test test-real lint format typecheck openapi serve worker sandbox clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

dev: $(VENV)/.synced
	$(VENV)/bin/bff dev

test: $(VENV)/.synced
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The suite against the PostgreSQL and Redis on this machine (as CI runs it).
test-real: $(VENV)/.synced
	BFF_TEST_DATABASE_URL=$${BFF_TEST_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/postgres} \
	BFF_TEST_REDIS_URL=$${BFF_TEST_REDIS_URL:-redis://127.0.0.1:6379/15} \
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.synced
	$(UV) lock --check --quiet
	$(VENV)/bin/ruff check src tests migrations
	$(VENV)/bin/ruff format --check src tests migrations
	$(VENV)/bin/mypy

format: $(VENV)/.synced
	$(VENV)/bin/ruff check --fix src tests migrations
	$(VENV)/bin/ruff format src tests migrations

openapi: $(VENV)/.synced
	$(VENV)/bin/bff openapi

serve worker: $(VENV)/.synced
	$(VENV)/bin/bff $@

clean:
	rm -rf $(VENV) $(TOOLS) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
