# Two commands do everything on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The CPU build of torch; override (e.g. TORCH_SPEC='torch>=2.2') to pick another build.
TORCH_SPEC ?= torch==2.13.0
OUT ?= out/demo

.PHONY: install demo test bench bench-long bench-studio clean

$(BIN)/vner: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "$(TORCH_SPEC)"
	$(BIN)/pip install -q -e '.[train,dev]'
	@touch $@

install: $(BIN)/vner

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -ra

demo: install
	OUT=$(OUT) VNER=$(BIN)/vner bash scripts/demo.sh

# CPU benchmarks, each printing its ratios measured side by side in one run (a few minutes on 2 cores).
bench: install
	mkdir -p out/bench
	$(BIN)/vner tiny-model -o out/bench/tiny
	$(BIN)/python benchmarks/preannotate.py
	$(BIN)/python benchmarks/preannotate_versions.py
	$(BIN)/python benchmarks/tokenizer.py
	$(BIN)/python benchmarks/dataset.py
	$(BIN)/python benchmarks/agreement.py
	$(BIN)/python benchmarks/train_speed.py
	$(BIN)/python benchmarks/predict_speed.py
	$(BIN)/python benchmarks/train_memory.py
	$(BIN)/python benchmarks/train_threads.py
	$(BIN)/python benchmarks/backend_latency.py

# The long ones (each 10-30 min on 2 cores): streaming pre-annotation at 5 and 50 MB against the code before it,
# and a simulated active-learning run (uncertainty vs random order).
bench-long: install
	$(BIN)/python benchmarks/preannotate_scale.py --sizes 5,50
	$(BIN)/python benchmarks/active_learning.py

# Push/pull 10,000 tasks against a real Label Studio (installs it into .studio/ on first use).
bench-studio: install
	$(BIN)/python benchmarks/studio.py

clean:
	rm -rf out .pytest_cache .hypothesis
