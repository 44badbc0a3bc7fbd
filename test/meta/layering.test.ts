// The layering of src/ (DEVELOPERS.md): imports go one way, towards the pure
// core, and the pure folders touch no OS, timers or wall clock.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '../../src');

const PURE = new Set(['model', 'assignment', 'coordination', 'power']);
const ADAPTER_DEPS = ['model', 'assignment', 'coordination', 'power', 'config', 'ubus', 'uci'];
const ALLOWED: Record<string, string[]> = {
  ubus: [],
  uci: [],
  model: [],
  assignment: ['model'],
  coordination: ['model', 'assignment'],
  power: ['model', 'assignment'],
  os: ['model'],
  config: ['model', 'uci'],
  metrics: ADAPTER_DEPS,
  flows: ADAPTER_DEPS,
  routing: ADAPTER_DEPS,
  telemetry: [...ADAPTER_DEPS, 'metrics', 'flows', 'routing'],
  api: [...ADAPTER_DEPS, 'metrics', 'flows', 'routing', 'ubus'],
  daemon: ['*'],
  cli: ['*'],
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const files = walk(SRC);

t.test('every top-level folder of src/ has a place in the layering', async (t) => {
  const folders = new Set(files.map((f) => relative(SRC, f).split('/')[0]!).filter((f) => !f.endsWith('.ts')));
  for (const f of folders) t.ok(f in ALLOWED, `src/${f}/ is listed in the layering rules`);
});

t.test('imports go one way, towards the pure core', async (t) => {
  for (const file of files) {
    const rel = relative(SRC, file);
    const layer = rel.split('/')[0]!;
    const allowed = ALLOWED[layer] ?? [];
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
      const spec = (m[1] ?? m[2])!;
      const target = relative(SRC, resolve(dirname(file), spec)).split('/')[0]!;
      if (target === layer || allowed.includes('*')) continue;
      t.ok(allowed.includes(target), `${rel} may not import from src/${target}/ (${spec})`);
    }
  }
});

t.test('pure folders use no OS, timers or wall clock', async (t) => {
  const forbidden = [
    /from\s+['"]node:(fs|net|child_process|dgram|os|fs\/promises|timers)['"]/,
    /\bDate\.now\(|\bnew Date\(\s*\)/,
    /(?<![.\w])(setTimeout|setInterval|setImmediate)\(/,
    /\bMath\.random\(/,
    /\bprocess\.(env|argv|exit|hrtime)/,
  ];
  for (const file of files) {
    const rel = relative(SRC, file);
    if (!PURE.has(rel.split('/')[0]!)) continue;
    const text = readFileSync(file, 'utf8').replace(/^\s*(\/\/|\*).*$/gm, '')
      // interface method signatures such as Clock.setTimeout(...): TimerHandle;
      .replace(/^\s*\w+\(.*\):\s*[\w<>[\]| ]+;\s*$/gm, '');
    for (const re of forbidden) t.notMatch(text, re, `${rel} is pure: no ${re.source}`);
  }
});
