// Bundles each entry point into one minified file for the router, and the
// benchmarks into dist/bench/ for `make bench`, and the demo into dist/demo/.
// `highs` (exact MILP solver) stays external: it is a dev-machine reference,
// loaded with a dynamic import only by `modemflow solve --method exact`.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: { js: "import { createRequire as __mfCreateRequire } from 'node:module'; const require = __mfCreateRequire(import.meta.url);" },
  external: ['highs', 'playwright-core'],
  legalComments: 'none',
  logLevel: 'warning',
};

const what = process.argv[2] ?? 'router';

if (what === 'router') {
  await build({
    ...common,
    entryPoints: { modemflow: 'src/cli/main.ts', modemflowd: 'src/daemon/main.ts' },
    outdir: 'dist',
    minify: true,
    banner: { js: '#!/usr/bin/env node\n' + common.banner.js },
  });
} else if (what === 'bench') {
  const entries = readdirSync('bench').filter((f) => f.endsWith('.bench.ts'));
  await build({
    ...common,
    entryPoints: Object.fromEntries(entries.map((f) => [f.replace(/\.bench\.ts$/, ''), `bench/${f}`])),
    outdir: 'dist/bench',
    minify: false,
    sourcemap: 'inline',
  });
} else if (what === 'demo') {
  // `make demo`: the orchestrator and the programs it starts inside the namespaces.
  await build({
    ...common,
    entryPoints: Object.fromEntries(['main', 'emulator', 'servers', 'traffic'].map((n) => [n, `demo/${n}.ts`])),
    outdir: 'dist/demo',
    minify: false,
  });
} else {
  console.error(`build.mjs: unknown target '${what}' (router|bench|demo)`);
  process.exit(2);
}
