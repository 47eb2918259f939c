# Dual Power: `make run` starts the app with demo data; `make test` runs every test.
# Both install what they need (uv, the Python environment, translations, Chromium for
# the browser tests) on a fresh machine.

SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := $(UV) run --frozen python
# The suite runs in one process per core (pytest-xdist); each gets its own test database and Redis
# database. Tests of one module or class stay together, so a world built once per class is built once.
PYTEST_WORKERS ?= --numprocesses=auto --dist=loadscope
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: run test setup messages chromium check clean

run: setup
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	@echo "Sign in at http://127.0.0.1:8000/accounts/login/ with any demo login above."
	DJANGO_DEBUG=1 $(PY) manage.py up

test: setup chromium
	$(UV) run --frozen pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

setup: $(UV)
	$(UV) sync --frozen
	@$(MAKE) --no-print-directory messages

# uv itself, in a small private environment, when it is not installed already.
.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

messages:
	@command -v msgfmt >/dev/null || { echo "Installing gettext (msgfmt) to compile translations"; \
		apt-get update -qq && apt-get install -y -qq gettext >/dev/null; }
	@DUALPOWER_TESTING=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=.tools -v0

chromium:
	@test -x /usr/bin/chromium || { echo "Installing Chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf var .tools
