# The two set-up commands (see README): `make demo` and `make test`.
# Both install what they need first (scripts/install-deps: apt packages and .venv).

SHELL := /bin/bash
PYTHON := .venv/bin/python

.PHONY: deps build demo test bench clean

deps:
	@scripts/install-deps

build: deps
	swift build

demo: build
	$(PYTHON) scripts/demo.py

# Swift unit and integration tests, the slixmpp interop tests against the built binary, then
# the shipping tests (man pages, units, CLI). Stray sandbox servers are reaped whatever happens.
test: deps
	@trap 'python3 scripts/prosody_sandbox.py reap >/dev/null 2>&1 || true' EXIT; \
	set -e; \
	swift build --build-tests; \
	swift test; \
	$(PYTHON) -m pytest -q Tests/interop; \
	$(PYTHON) -m pytest -q Tests/packaging

bench: deps
	bench/run

clean:
	rm -rf .build .venv
