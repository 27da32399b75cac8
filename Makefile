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

.PHONY: dev test test-real test-faults test-scaleout fuzz lint format typecheck openapi serve worker sandbox clean ts-check browser-deps browser-test bench-load bench-soak bench-peer

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

# Sandbox faults during a customer journey (tests/fault; also part of `make test`).
test-faults: $(VENV)/.synced
	$(VENV)/bin/pytest tests/fault $(PYTEST_ARGS)

# Two `bff serve`, two `bff worker` and one `bff events` on one PostgreSQL and one Redis.
test-scaleout: $(VENV)/.synced
	BFF_TEST_DATABASE_URL=$${BFF_TEST_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/postgres} \
	BFF_TEST_REDIS_URL=$${BFF_TEST_REDIS_URL:-redis://127.0.0.1:6379/15} \
	$(VENV)/bin/pytest tests/scaleout $(PYTEST_ARGS)

# Schemathesis over the committed spec with a bigger budget than CI's (see README).
FUZZ_EXAMPLES ?= 100
fuzz: $(VENV)/.synced
	BFF_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/pytest tests/contract -q -p no:cacheprovider $(PYTEST_ARGS)

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

# Our BFF side by side with the seed's NestJS stack (bench/README.md, "Peer comparison").
PEER_DIR ?= ../shared/peer/nest-catalog
bench-peer: $(VENV)/.synced
	$(VENV)/bin/python bench/peer_bench.py --peer-dir $(PEER_DIR)

serve worker: $(VENV)/.synced
	$(VENV)/bin/bff $@

SPA_CLIENT := examples/spa-client
BROWSER_TESTS := tests/browser

# npm ci only when a lock file changed (npm writes node_modules/.package-lock.json).
%/node_modules/.package-lock.json: %/package-lock.json
	npm ci --prefix $* --no-audit --no-fund --loglevel=error
	@touch $@

# The TypeScript client: types generated from the committed spec, then tsc --noEmit.
ts-check: $(SPA_CLIENT)/node_modules/.package-lock.json
	npm --prefix $(SPA_CLIENT) run --silent check

browser-deps: $(BROWSER_TESTS)/node_modules/.package-lock.json

# The demo SPA in headless Chromium and the compiled TS client in node, against a
# `bff dev` the test starts.
browser-test: $(VENV)/.synced browser-deps ts-check
	$(VENV)/bin/pytest $(BROWSER_TESTS) $(PYTEST_ARGS)

# Load and soak (bench/README.md): `bff serve` with 2 workers on the PostgreSQL and Redis of
# this machine; extra options in BENCH_ARGS, e.g. BENCH_ARGS="--concurrency 32".
BENCH_ENV = BFF_BENCH_DATABASE_URL=$${BFF_BENCH_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/postgres} \
	BFF_BENCH_REDIS_URL=$${BFF_BENCH_REDIS_URL:-redis://127.0.0.1:6379/12}
BENCH_ARGS ?=

bench-load: $(VENV)/.synced
	$(BENCH_ENV) $(VENV)/bin/python bench/load_bench.py --seconds 60 $(BENCH_ARGS)

bench-soak: $(VENV)/.synced
	$(BENCH_ENV) $(VENV)/bin/python bench/load_bench.py --seconds 600 --json var/soak.json $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) var .pytest_cache .mypy_cache .ruff_cache .hypothesis \
		$(SPA_CLIENT)/node_modules $(SPA_CLIENT)/src/api.d.ts $(SPA_CLIENT)/dist $(BROWSER_TESTS)/node_modules
