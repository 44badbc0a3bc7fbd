# modemflow — the two commands are `make demo` and `make test`.
SHELL := /bin/bash
NODE_MODULES := node_modules/.package-lock.json

.PHONY: all deps sysdeps build typecheck test test-unit demo demo-quick bench bench-solver bench-eval ipk clean

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

# The emulated three-modem router with the real daemon (about 2 minutes;
# DEMO_SECONDS=N to change, DEMO_PREFIX for the namespaces). Without root:
# the solver-only demo. Missing packages do not stop it: it says what it lacks.
demo: deps build
	scripts/sysdeps.sh demo || true
	node build.mjs demo
	node dist/demo/main.js $(if $(DEMO_SECONDS),--seconds $(DEMO_SECONDS))

demo-quick: deps build
	scripts/sysdeps.sh demo || true
	node build.mjs demo
	node dist/demo/main.js --seconds 30

# Every benchmark but the evaluation (hours at full size: make bench-eval).
bench: deps
	node build.mjs bench
	@for b in dist/bench/*.js; do case "$$b" in dist/bench/eval.js|dist/bench/eval-bed.js) continue ;; esac; echo "== $$b"; node $$b || exit 1; done

bench-solver: deps
	node build.mjs bench
	node dist/bench/solver.js

# Issue 15's evaluation (bench/results/eval-*.md, *.svg): the simulation, then the netns test bed
# (root; says why and skips without it). QUICK=1 takes under 5 minutes each.
bench-eval: deps
	node build.mjs bench
	node dist/bench/eval.js $(if $(filter 1,$(QUICK)),--quick)
	node build.mjs router
	node dist/bench/eval-bed.js $(if $(filter 1,$(QUICK)),--quick)

# The two OpenWrt packages (dist/ipk/*.ipk) without the SDK; see openwrt/Makefile.
ipk: deps build
	node_modules/.bin/esbuild scripts/ipk/main.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning --outfile=dist/ipk/build-ipk.mjs
	node dist/ipk/build-ipk.mjs --out dist/ipk

clean:
	rm -rf dist .tap
