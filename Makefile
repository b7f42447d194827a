# hienfeld-serve: `make run` installs and serves, `make test` installs and tests.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export RAY_USAGE_STATS_ENABLED := 0
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, from its pinned CPU wheel, so nothing pulls a CUDA build
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: install
	@$(PY) -m deployments.dashboard_info || true
	$(VENV)/bin/serve run serve_config.yaml

test: install
	$(PY) -m pytest -q

bench: install
	$(PY) -m benchmarks.bench

clean:
	rm -rf $(VENV) data bench_out
