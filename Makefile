# Two commands do everything on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The CPU build of torch; override (e.g. TORCH_SPEC='torch>=2.2') to pick another build.
TORCH_SPEC ?= torch==2.13.0
OUT ?= out/demo

.PHONY: install demo test bench clean

$(BIN)/vner: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "$(TORCH_SPEC)"
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

install: $(BIN)/vner

test: install
	$(BIN)/python -m pytest -q -ra

demo: install
	OUT=$(OUT) VNER=$(BIN)/vner bash scripts/demo.sh

clean:
	rm -rf out .pytest_cache .hypothesis
