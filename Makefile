# hienfeld-serve: `make run` installs and serves, `make test` installs and tests (`make test-unit` first).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export RAY_USAGE_STATS_ENABLED := 0
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test test-unit fuzz bench clean chromium

# What a test needs beyond Python (pyproject.toml's markers, set by fixture in tests/conftest.py).
# The unit run is the complement of NEEDS, so the two steps of `make test` run every test once.
NEEDS := serve or postgres or cluster or browser or slow

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, from its pinned CPU wheel, so nothing pulls a CUDA build
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/hienfeld serve

# The browser test drives Debian's headless Chromium (tests/test_web.py) and the business corpus lays
# its PDF out in DejaVu Sans (benchmarks/heldout_business): installed here when missing, as root
# with apt-get; otherwise the message says how.
SYSTEM_PACKAGES := chromium fonts-dejavu-core
chromium:
	@{ command -v chromium >/dev/null 2>&1 || [ -x "$${HIENFELD_CHROMIUM:-/usr/bin/chromium}" ]; } \
	  && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing $(SYSTEM_PACKAGES) for the tests (apt-get install)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	  else \
	    echo "The tests need Debian's $(SYSTEM_PACKAGES). Install them with" >&2; \
	    echo "    sudo apt-get install -y $(SYSTEM_PACKAGES)" >&2; \
	    echo "(or point HIENFELD_CHROMIUM at a Chromium binary) and run 'make test' again." >&2; \
	    exit 1; \
	  fi; }

# The library's tests: no Ray, no database, no browser (under 90 s).
test-unit: install chromium
	$(PY) -m pytest -q -m "not ($(NEEDS))"

# The whole suite: the unit tests first, so a failure there stops before Ray starts.
test: test-unit
	$(PY) -m pytest -q -m "$(NEEDS)"

# The damaged-upload property tests with a longer search than `make test` runs (40 per case).
FUZZ_EXAMPLES ?= 2000
fuzz: install
	HIENFELD_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q tests/test_upload_fuzz.py

# make bench BENCH_ARGS="--rows 10000,50000,200000" (or --cli-only, --cli-repeat 3): see --help
BENCH_ARGS ?=
bench: install
	$(PY) -m benchmarks.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data bench_out
