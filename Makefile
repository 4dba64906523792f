# `make demo` and `make test` do everything on a fresh machine: a virtual environment, the package, Graphviz.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup test demo bench dot browser clean mutate

setup: $(VENV)/.installed dot

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("chainrule needs Python 3.10 or newer, found " + sys.version.split()[0]) if sys.version_info < (3, 10) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Graphviz's `dot` program draws the graphs: install it when we can, else say exactly how.
dot:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Graphviz (dot) with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  else \
	    echo "Graphviz's 'dot' program is missing. Install it with:"; \
	    if [ "$$(uname -s)" = Darwin ]; then echo "    brew install graphviz"; \
	    elif command -v apt-get >/dev/null 2>&1; then echo "    sudo apt-get install -y graphviz"; \
	    elif command -v dnf >/dev/null 2>&1; then echo "    sudo dnf install -y graphviz"; \
	    elif command -v pacman >/dev/null 2>&1; then echo "    sudo pacman -S graphviz"; \
	    else echo "    conda install -c conda-forge graphviz   (or see https://graphviz.org/download/)"; fi; \
	    exit 1; \
	  fi; }
	@dot -V

# The walkthrough pages are checked in headless Chromium (tests/test_viz_browser.py): installed when we can, else
# those tests are skipped, with the command that installs it.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium with apt-get, for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	      || echo "Could not install Chromium: the browser tests will be skipped"; \
	  else \
	    echo "Chromium is missing: the browser tests will be skipped. Install it with:"; \
	    if [ "$$(uname -s)" = Darwin ]; then echo "    brew install --cask chromium"; \
	    elif command -v apt-get >/dev/null 2>&1; then echo "    sudo apt-get install -y chromium"; \
	    elif command -v dnf >/dev/null 2>&1; then echo "    sudo dnf install -y chromium"; \
	    else echo "    your platform's chromium package"; fi; \
	  fi; }

test: setup browser
	$(PY) -m pytest -q

demo: setup
	$(PY) -m demos.computation_graph
	$(PY) -m demos.logistic_graph
	$(PY) -m demos.cat_classifier

# Peers (micrograd, PyTorch) live in their own environment: HIPS autograd's import name is also `autograd`.
bench: setup
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet numpy micrograd==0.1.0 torch==2.13.0
	.venv-bench/bin/python bench/run.py
	$(PY) bench/batched.py

# Mutation testing, not part of CI (README, "Developing"): tools/mutate.py lists the files and their tests.
# FILES=viz/_notation.py runs one of them.
mutate: setup $(VENV)/.mutate-installed
	$(PY) tools/mutate.py $(FILES)

$(VENV)/.mutate-installed: $(VENV)/.installed setup.cfg
	$(PY) -m pip install --quiet -e '.[test,mutate]'
	touch $@

clean:
	rm -rf $(VENV) .venv-bench .pytest_cache .hypothesis build *.egg-info
