# modemflow — the two commands are `make demo` and `make test`.
SHELL := /bin/bash
NODE_MODULES := node_modules/.package-lock.json

.PHONY: all deps sysdeps build typecheck test test-unit demo bench bench-solver clean

all: build

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NODE_MODULES)

sysdeps:
	scripts/sysdeps.sh test

build: deps
	node build.mjs router

typecheck: deps
	npx tsc --noEmit -p .

# Everything: unit, integration (network namespaces, needs root), browser.
test: deps sysdeps typecheck build
	npx tap

# Only what runs without root or system packages.
test-unit: deps
	MODEMFLOW_SKIP_ROOT=1 npx tap

demo: deps build
	scripts/sysdeps.sh demo
	node dist/modemflow.js demo

bench: deps
	node build.mjs bench
	@for b in dist/bench/*.js; do echo "== $$b"; node $$b || exit 1; done

bench-solver: deps
	node build.mjs bench
	node dist/bench/solver.js

clean:
	rm -rf dist .tap
