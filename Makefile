# Two commands: `make run` serves the demo on 127.0.0.1:5000, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
# The embedded database and the generated signing key live in instance/ (never committed).
SECRET_FILE := instance/secret_key

.PHONY: run test install install-dev migrate demo serve bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

$(SECRET_FILE):
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@
	chmod 600 $@

# SECRET_KEY from the environment wins; otherwise the generated one.
WITH_SECRET = SECRET_KEY="$${SECRET_KEY:-$$(cat $(SECRET_FILE))}"

migrate: $(VENV)/.runtime $(SECRET_FILE)
	$(WITH_SECRET) $(FLASK) db upgrade

demo: migrate
	$(WITH_SECRET) $(FLASK) demo-data

run: demo
	$(WITH_SECRET) $(FLASK) run --host 127.0.0.1 --port 5000

test: $(VENV)/.dev
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

bench: $(VENV)/.dev
	$(BIN)/python bench/bench_trends.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
