# The verbs people expect. `make run` and `make test` work on a fresh clone with Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Settings default to production's (DEBUG off); every verb here is for development. PORT also sets
# the links in emails (SITE_URL's default) unless SITE_URL is given.
export PORT ?= 8000
export DEBUG ?= true

.PHONY: reset-demo install run migrate test test-future smoke lint k8s-validate lock lock-check security format bench fuzz load clean eval-import

# Python packages exactly as the lock file pins them, hashes checked (pyproject.toml holds the ranges;
# `make lock` resolves them into requirements/*.txt). pip installs uv first, from requirements/uv.txt
# (dev.txt's pin, hashes checked), then uv installs the rest: the same packages, hashes checked, in about
# a quarter of pip's time (CI installs on every run). The image does the same with requirements/runtime.txt.
# uv also compiles every installed module to bytecode (--compile-bytecode): where PYTHONDONTWRITEBYTECODE
# is set (CI's machine sets it) nothing else would, and every Python process the suite starts would
# compile its ~1,400 modules again (a Django start: 3.4 s of CPU from source, 1.0 s from bytecode).
$(VENV)/.installed: requirements/dev.txt requirements/uv.txt
	@$(PYTHON) -c 'import sys; sys.exit("orderctl needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/uv.txt
	$(VENV)/bin/uv pip install --quiet --python $(PY) --require-hashes --compile-bytecode -r requirements/dev.txt
	touch $@

# USWDS, Chart.js and axe-core, exactly as package-lock.json pins them; redone only when the lock file changes.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed node_modules/.installed

migrate: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_order

run: migrate
	$(PY) manage.py seed_demo
	@echo "orderctl on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@echo "Sign in as admin, reviewer or cisa-editor (password: $${DEMO_PASSWORD:-demo}); Ctrl-C stops everything."
	@echo "Web, Celery worker and beat start together; beat flags what is overdue at once, emails land in data/mail."
	$(PY) scripts/devserver.py --port $(PORT)

# The whole suite on every core (pytest-xdist), two workers a core: many tests wait on servers they
# start (gunicorn, Celery, Redis, Chromium), so one worker a core leaves the cores idle half the time
# (2 cores: the PostgreSQL pass 10.8 min with 2 workers, 8 min with 4, slower again with 6). Each
# worker has its own test database, Redis database and DATA_DIR (tests/environment.py); a module
# sharing a module-scoped fixture, and the browser tests (one Chromium), stay on one worker
# (tests/conftest.py). The 20 slowest tests are listed at the end; at most 8 workers (each takes a
# Redis database: 16 in all). TEST_WORKERS=0 runs it in this one process (what `pytest` alone does).
# The suite's processes write the project's bytecode (and pytest its rewritten tests) into __pycache__/
# even where PYTHONDONTWRITEBYTECODE is set (an empty value is unset to Python): the first process compiles
# a module, the hundreds the suite starts after it read it (about 2.4 s of CPU saved per Django process).
test test-future smoke: export PYTHONDONTWRITEBYTECODE =
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(min(8, 2 * len(os.sched_getaffinity(0))))' 2>/dev/null || echo auto)
PYTEST_PARALLEL = -n $(TEST_WORKERS) $(if $(filter 0,$(TEST_WORKERS)),,--dist loadgroup)
test: install
	$(PY) -m pytest $(PYTEST_PARALLEL) --durations=20

# The production smoke test alone (it also runs in `make test`): the image's steps outside Docker, then
# every route as every persona over HTTP from gunicorn (docs/image.md). Needs DATABASE_URL
# (PostgreSQL: it creates and drops a scratch database beside it) and REDIS_URL.
smoke: install
	$(PY) -m pytest -q tests/test_production_smoke.py

# The whole suite with the clock of pytest and of every process it starts moved ahead (Debian's
# faketime, LD_PRELOAD): a test that depends on the day it runs fails here first.
FUTURE_DAYS ?= 400
test-future: install
	faketime -f +$(FUTURE_DAYS)d $(PY) -m pytest -q $(PYTEST_PARALLEL)

# mypy reads [tool.mypy] in pyproject.toml; its django-stubs plugin loads the settings (DEBUG from above).
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m mypy
	$(PY) manage.py makemigrations --check --dry-run

# The Kubernetes manifests (deploy/, docs/operations.md) against the schemas of a pinned Kubernetes
# version, strictly (an unknown field is an error). kustomization.yaml is kustomize's, not a resource.
K8S_VERSION ?= 1.34.0
K8S_MANIFESTS ?= $(filter-out deploy/kustomization.yaml,$(wildcard deploy/*.yaml))
k8s-validate: install
	$(VENV)/bin/kubernetes-validate --strict --quiet --kubernetes-version $(K8S_VERSION) $(K8S_MANIFESTS)

# Resolve requirements/*.txt again from pyproject.toml, keeping the current pins where they still fit
# (`make lock LOCK_ARGS=--upgrade` moves every package on); lock-check fails when they are out of date.
lock: install
	scripts/lock

lock-check: install
	scripts/lock --check

# Static security scan of our code (docs/security.md): medium and higher findings are listed for
# review; any high one fails. A `# nosec` needs its reason on the same line.
security: install
	$(PY) -m bandit -r orderctl ledger agencies directives -ll --exit-zero -q
	$(PY) -m bandit -r orderctl ledger agencies directives -lll -q

# Benchmarks against the configured database: set DATABASE_URL to PostgreSQL for figures worth
# recording (docs/benchmarks.md). The first run seeds a 100,000-directive data set, later runs reuse it.
# The settings load as development's (the data set is signed with its history key), and every script
# turns DEBUG off before its first query (bench/runtime.py): nothing is timed with the query log on.
bench: migrate
	$(PY) bench/api.py
	$(PY) bench/pages.py
	$(PY) bench/sweep.py
	$(PY) bench/verify.py
	$(PY) bench/directive_page.py
	$(PY) bench/drafting.py

# schemathesis over the whole API with a larger budget than `make test` (500 cases per operation,
# about 4,500 in all, the same fixed seed): no server error, every response as the schema says, and
# nothing written by a rejected POST. Set DATABASE_URL to run it on PostgreSQL.
FUZZ_CASES_PER_OPERATION ?= 500
fuzz: install
	FUZZ_CASES_PER_OPERATION=$(FUZZ_CASES_PER_OPERATION) $(PY) -m pytest tests/api/test_schema.py \
		-q --hypothesis-show-statistics

# 60 s of 50 concurrent clients against gunicorn (4 workers) on DATABASE_URL (PostgreSQL, a scratch
# database: each run adds its events) and REDIS_URL; figures in docs/benchmarks.md. Locust is
# installed here only, not by `make install`.
$(VENV)/.installed-load: $(VENV)/.installed requirements/load.txt
	$(VENV)/bin/uv pip install --quiet --python $(PY) --require-hashes -r requirements/load.txt
	touch $@

load: $(VENV)/.installed-load
	$(PY) load/run.py

# The order drafter against hand-written answer keys (eval/keys/) over eval/corpus/ and the corpus beside
# the project (../shared/eo-corpus, or EO_CORPUS): per text, shape and source, re-renderings, speed.
# Figures and how the keys were made: docs/drafting.md. Exits 1 when a goal is missed.
eval-import: install
	$(PY) eval/run.py --verbose

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Start the demo again from the Order as shipped: the embedded SQLite database, the broker's folders
# and the mail under data/ go, and the next `make run` loads and seeds them again. It never touches a
# database server: with DATABASE_URL set, drop and create that database yourself.
reset-demo:
	@test -z "$${DATABASE_URL:-}" || { echo "reset-demo removes only the embedded data/ folder; DATABASE_URL is set" >&2; exit 1; }
	rm -rf data

clean:
	rm -rf $(VENV) data staticfiles .pytest_cache .ruff_cache .mypy_cache
