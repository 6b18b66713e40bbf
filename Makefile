# Setup, the two README commands, and the CI steps. Every install goes through constraints.txt
# (CPU torch).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed
QUESTION ?= does vitamin D help MS bone loss?
ARCHIVE ?= ../shared/archive/posts
BENCH_INDEX ?= index/archive

.PHONY: setup demo test test-fast lint typecheck bench-quality bench-speed

$(STAMP): pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/vdwbot ask "$(QUESTION)"

# Everything, as CI runs it (the README's test command).
test: setup
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# What needs no index of real posts, model export or fresh clone: under a minute.
test-fast: setup
	$(VENV)/bin/pytest -m "not slow" $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy

# Dev-set quality over the whole archive (updates BENCH_INDEX from ARCHIVE first).
bench-quality: setup
	$(VENV)/bin/python benchmarks/quality.py --archive $(ARCHIVE) --index $(BENCH_INDEX)

# Build, update, query, cold-start and memory figures (one JSON object).
bench-speed: setup
	$(VENV)/bin/python benchmarks/speed.py --archive $(ARCHIVE) --index $(BENCH_INDEX)
