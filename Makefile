# Two commands a newcomer needs: `make demo` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DEMO   := demo/demo.rmws

.PHONY: demo test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Builds (once) and links a demo workspace from the bundled sample files, then opens
# the workstation on it.
demo: $(VENV)/.installed
	$(PY) -m app.demo $(DEMO)
	$(VENV)/bin/recordmatch gui $(DEMO)

# Runs the whole suite headless, plus lint and the layer contracts.
test: $(VENV)/.installed
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: $(VENV)/.installed
	$(PY) bench/bench_import.py

clean:
	rm -rf $(VENV) demo .pytest_cache
