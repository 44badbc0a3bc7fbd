// Random and mutated input (seeded, so failures reproduce): the parser never
// throws, every error has a position inside the input, and whatever parses
// survives export -> parse unchanged.
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { exportUci, parseUci, stripPositions } from '../../src/uci/index.js';
import type { ParseResult } from '../../src/uci/index.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  'config', 'option', 'list', 'package', 'c', 'o', 'l', 'p', ' ', ' ', '\t', '\n', '\n', '\r\n', "'", '"', '\\',
  '#', ';', 'a', 'b_1', 'x-y', '@', '[0]', 'é', '\0', '\\\n', "'\\''", 'cfg01e63d', '=', '.',
];

const DIR = join(import.meta.dirname, 'fixtures');
const SEEDS = readdirSync(DIR)
  .filter((f) => f.endsWith('.uci'))
  .map((f) => readFileSync(join(DIR, f)));

/** Types are written unquoted on export, so only these survive a round trip (as in libuci). */
const SAFE_TYPE = /^[^'"#;\\]+$/;

function check(t: { fail(message: string): unknown }, input: Uint8Array, label: string): void {
  let strict: ParseResult;
  let loose: ParseResult;
  try {
    strict = parseUci(input, 'fz', { packageName: 'fz' });
    loose = parseUci(input, 'fz', { packageName: 'fz', strict: false });
  } catch (e) {
    t.fail(`${label}: parser threw ${String(e)}`);
    return;
  }
  const lines = input.filter((b) => b === 10).length + 1;
  for (const e of [...strict.errors, ...loose.errors]) {
    if (!(e.pos.line >= 1 && e.pos.line <= lines && e.pos.column >= 1 && e.uciByte >= 0 && e.uciLine >= 0)) {
      t.fail(`${label}: error without a valid position: ${JSON.stringify(e)}`);
      return;
    }
  }
  if (strict.ok !== (strict.errors.length === 0)) t.fail(`${label}: ok flag disagrees with errors`);
  if (!strict.ok || !strict.package.sections.every((s) => SAFE_TYPE.test(s.type))) return;
  const again = parseUci(exportUci(strict.package, { header: false }), 'fz', { packageName: 'fz' });
  if (!again.ok) t.fail(`${label}: export does not parse: ${JSON.stringify(again.errors)}`);
  else if (JSON.stringify(stripPositions(again.package)) !== JSON.stringify(stripPositions(strict.package))) {
    t.fail(`${label}: round trip changed the tree`);
  }
}

t.test('random token soup', async (t) => {
  const rnd = mulberry32(0x5eed);
  for (let i = 0; i < 1500; i++) {
    const n = 1 + Math.floor(rnd() * 40);
    let s = '';
    for (let k = 0; k < n; k++) s += TOKENS[Math.floor(rnd() * TOKENS.length)];
    check(t, Buffer.from(s, 'utf8'), `soup #${i} ${JSON.stringify(s)}`);
  }
  t.pass('1500 random inputs checked');
});

t.test('mutated corpus files', async (t) => {
  const rnd = mulberry32(0xc0ffee);
  for (let i = 0; i < 1500; i++) {
    const base = SEEDS[i % SEEDS.length]!;
    const bytes = [...base];
    const edits = 1 + Math.floor(rnd() * 4);
    for (let k = 0; k < edits; k++) {
      const at = Math.floor(rnd() * (bytes.length + 1));
      const b = Math.floor(rnd() * 256);
      const op = rnd();
      if (op < 0.4) bytes.splice(at, 0, b);
      else if (op < 0.7) bytes.splice(at, 1);
      else bytes[Math.min(at, bytes.length - 1)] = b;
    }
    check(t, Uint8Array.from(bytes), `mutation #${i}`);
  }
  t.pass('1500 mutations checked');
});
