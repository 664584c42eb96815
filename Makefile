# The two set-up commands (see README): `make demo` and `make test`.
# Both install what they need first (scripts/install-deps: apt packages and .venv).

SHELL := /bin/bash
PYTHON := .venv/bin/python

.PHONY: deps build demo test fuzz docs deb bench clean

deps:
	@scripts/install-deps

build: deps
	swift build

demo: build
	$(PYTHON) scripts/demo.py

# Swift unit and integration tests, the TOML reader against Python's tomllib, a short pass of
# every fuzz target, the slixmpp interop tests against the built binary, then the shipping
# tests (units, man pages, CLI) with the .deb built once for them (a release build in
# .build-deb), then that .deb installed in a Debian booted under a real systemd
# (Tests/systemd; its root file system is cached in /var/cache/adhocd-test-rootfs). Stray
# sandbox servers are reaped whatever happens; the container powers itself off.
# Everything a run creates lives in its own TMPDIR, and only its own servers are reaped, so two
# runs on one machine (worktrees) do not disturb each other.
test: deps
	@export TMPDIR="$$(mktemp -d /tmp/adhocd-test.XXXXXX)"; chmod 755 "$$TMPDIR"; \
	trap 'python3 scripts/prosody_sandbox.py reap --root "$$TMPDIR" >/dev/null 2>&1 || true; \
	      python3 scripts/ejabberd_sandbox.py reap --root "$$TMPDIR" >/dev/null 2>&1 || true; rm -rf "$$TMPDIR"' EXIT; \
	set -e; \
	swift build --build-tests; \
	swift test; \
	$(PYTHON) -m pytest -q Tests/toml; \
	FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) fuzz/run; \
	$(PYTHON) -m pytest -q Tests/interop; \
	deb="$$(packaging/build-deb --output .build-deb/dist)"; \
	ADHOCD_DEB="$$deb" $(PYTHON) -m pytest -q Tests/packaging; \
	ADHOCD_DEB="$$deb" $(PYTHON) -m pytest -q Tests/systemd

# libFuzzer on every hand-written parser (fuzz/run, docs/testing.md): FUZZ_SECONDS each, or
# until FUZZ_RUNS executions; a crash fails and leaves its reproducer in .build-fuzz/crashes/.
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 8
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run

# The generated parts of the reference: the key tables of docs/configuration.md and
# docs/commands-d.md and the key lists of adhocd.toml(5) and adhocd.commands(5), written from the
# keys the code declares (`adhocd reference`). The prose around them is written by hand.
docs:
	swift build --product adhocd
	"$$(swift build --show-bin-path)/adhocd" reference --update

# The Debian package, in dist/.
deb:
	packaging/build-deb

bench: deps
	bench/run

clean:
	rm -rf .build .build-deb .build-fuzz dist .venv
