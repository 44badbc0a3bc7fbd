import t from 'tap';
import { parseInstanceText } from '../../src/assignment/instance-text.js';
import { INSTANCE_LIMITS, MAX_ERRORS_SHOWN, parseInstance } from '../../src/assignment/parse-instance.js';
import { fixture } from './helpers.js';

t.test('a valid instance parses unchanged', async (t) => {
  const inst = fixture('small.json');
  const r = parseInstance(inst);
  t.ok(r.ok);
  if (r.ok) t.same(r.value, inst);
});

t.test('field errors name the path and what was expected', async (t) => {
  const inst = fixture('small.json') as unknown as { interfaces: { bearers: Record<string, unknown>[] }[]; flows: Record<string, unknown>[] };
  inst.interfaces[1]!.bearers[1]!.upKbps = 'x';
  inst.flows[0]!.qos = 'Z';
  inst.flows[2]!.downKbps = -5;
  const r = parseInstance(inst);
  t.notOk(r.ok);
  if (!r.ok) {
    t.ok(r.errors.includes('interfaces[1].bearers[1].upKbps: expected a number >= 0, got "x"'), r.errors.join('\n'));
    t.ok(r.errors.includes('flows[0].qos: expected one of "C", "S", "I", "B", got "Z"'));
    t.ok(r.errors.includes('flows[2].downKbps: expected a number >= 0, got -5'));
    t.equal(r.errors.length, 3);
  }
});

t.test('duplicates, unknown pins, unknown fields and bad shapes are rejected', async (t) => {
  const inst = fixture('small.json') as unknown as Record<string, unknown> & { interfaces: Record<string, unknown>[]; flows: Record<string, unknown>[] };
  inst.interfaces[1]!.id = 'wwan0';
  inst.flows[1]!.id = 'f1';
  inst.flows[2]!.pinned = 'wwan9';
  inst.flows[0]!.colour = 'red';
  const r = parseInstance(inst);
  t.notOk(r.ok);
  if (!r.ok) {
    t.match(r.errors.join('\n'), /interfaces\[1\]\.id: duplicate interface id "wwan0"/);
    t.match(r.errors.join('\n'), /flows\[1\]\.id: duplicate flow id "f1"/);
    t.match(r.errors.join('\n'), /flows\[2\]\.pinned: expected one of the interface ids, got "wwan9"/);
    t.match(r.errors.join('\n'), /flows\[0\]\.colour: unknown field/);
  }
  t.same(parseInstance([]), { ok: false, errors: ['instance: expected an object, got []'] });
  const r2 = parseInstance({ powerLimitW: 'lots', interfaces: [], flows: {} });
  t.notOk(r2.ok);
  if (!r2.ok) {
    t.same(r2.errors, [
      'powerLimitW: expected a number >= 0 or null, got "lots"',
      'interfaces: expected a non-empty array of interfaces, got []',
      'flows: expected an array of flows, got {}',
    ]);
  }
  const r3 = parseInstance({ powerLimitW: null, interfaces: [{ id: 'bad id; rm', bearers: [] }], flows: [] });
  t.notOk(r3.ok);
  if (!r3.ok) t.match(r3.errors[0], /interfaces\[0\]\.id: expected an id/);
});

t.test('values outside the sane ranges are refused with the field named (no overflow to null)', async (t) => {
  const inst = fixture('small.json') as unknown as Record<string, unknown> & { interfaces: { bearers: Record<string, unknown>[] }[]; flows: Record<string, unknown>[] };
  inst.interfaces[0]!.bearers[0]!.costPerKbit = 1e300;
  inst.interfaces[0]!.bearers[0]!.baseW = 1e300;
  inst.interfaces[1]!.bearers[0]!.txWPerKbps = 1e300;
  inst.flows[0]!.downKbps = 1e300;
  inst.powerLimitW = 1e300;
  const r = parseInstance(inst);
  t.notOk(r.ok);
  if (!r.ok) {
    t.same(r.errors, [
      'powerLimitW: expected at most 1000000 W or null, got 1e+300',
      'interfaces[0].bearers[0].costPerKbit: expected at most 1000000 per kbit, got 1e+300',
      'interfaces[0].bearers[0].baseW: expected at most 1000000 W, got 1e+300',
      'interfaces[1].bearers[0].txWPerKbps: expected at most 1000 W per kbps, got 1e+300',
      'flows[0].downKbps: expected at most 100000000 kbps, got 1e+300',
    ]);
  }
  // The largest values allowed still give finite figures on the biggest instance allowed.
  const L = INSTANCE_LIMITS;
  t.ok(Number.isFinite(L.maxFlows * 2 * L.maxKbps * L.maxCostPerKbit), 'cost bound is finite');
  t.ok(Number.isFinite(L.maxInterfaces * (L.maxPowerW + 2 * L.maxWPerKbps * L.maxKbps)), 'power bound is finite');
});

t.test('many bad elements: the first few errors, shortened, then the count', async (t) => {
  const longId = 'x'.repeat(1_000_000);
  const flows = Array.from({ length: 5000 }, (_, z) => ({ id: z === 0 ? longId : `f${z}`, upKbps: 'x', downKbps: 0, qos: 'B', [longId]: 1 }));
  const r = parseInstance({ powerLimitW: null, interfaces: fixture('small.json').interfaces, flows });
  t.notOk(r.ok);
  if (!r.ok) {
    t.equal(r.errors.length, MAX_ERRORS_SHOWN + 1);
    t.match(r.errors[0], /^flows\[0\]\.x{40}\.\.\.: unknown field/);
    t.match(r.errors[1], /^flows\[0\]\.id: expected an id of 1-64 characters \[A-Za-z0-9_.:@-\], got "x{40}"\.\.\. \(1000000 characters\)$/);
    t.equal(r.errors.at(-1), `... and ${2 * 5000 + 1 - MAX_ERRORS_SHOWN} more problems (${2 * 5000 + 1} in all)`);
    t.ok(r.errors.join('\n').length < 3000, 'a few KB at most');
  }
  // A big bad value is previewed, not serialised whole.
  const r2 = parseInstance({ powerLimitW: Array.from({ length: 1e5 }, () => ({ a: [1, 2, 3] })), interfaces: [], flows: [] });
  t.notOk(r2.ok);
  if (!r2.ok) t.match(r2.errors[0], /^powerLimitW: expected a number >= 0 or null, got \[\{"a":\[\.\.\.\]\},\{"a":\[\.\.\.\]\},.{0,40}\.\.\.\] \(100000 elements\)$/);
});

t.test('arrays over the element caps are refused without reading their elements', async (t) => {
  const L = INSTANCE_LIMITS;
  const r = parseInstance({ powerLimitW: null, interfaces: new Array(L.maxInterfaces + 1).fill(0), flows: new Array(L.maxFlows + 1).fill(0) });
  t.notOk(r.ok);
  if (!r.ok) t.same(r.errors, [`interfaces: ${L.maxInterfaces + 1} interfaces, at most ${L.maxInterfaces} allowed`, `flows: ${L.maxFlows + 1} flows, at most ${L.maxFlows} allowed`]);
  const bearer = { id: 'b', qos: 'B', upKbps: 1, downKbps: 1, costPerKbit: 1, baseW: 1, txWPerKbps: 0, rxWPerKbps: 0 };
  const many = Array.from({ length: L.maxBearersPerInterface + 1 }, (_, j) => ({ ...bearer, id: `b${j}` }));
  const r2 = parseInstance({ powerLimitW: null, interfaces: [{ id: 'a', bearers: many }], flows: [] });
  t.notOk(r2.ok);
  if (!r2.ok) t.same(r2.errors, [`interfaces[0].bearers: ${L.maxBearersPerInterface + 1} bearers, at most ${L.maxBearersPerInterface} allowed`]);
  const perIf = L.maxBearers / 200 + 1;
  const spread = Array.from({ length: 200 }, (_, i) => ({ id: `if${i}`, bearers: Array.from({ length: perIf }, (_, j) => ({ ...bearer, id: `b${j}` })) }));
  const r3 = parseInstance({ powerLimitW: null, interfaces: spread, flows: [] });
  t.notOk(r3.ok);
  if (!r3.ok) t.same(r3.errors, [`interfaces: ${200 * perIf} bearers in all, at most ${L.maxBearers} allowed`]);
});

t.test('instance text: size, depth and value count are checked before parsing', async (t) => {
  const deep = '['.repeat(10_000) + ']'.repeat(10_000);
  t.same(parseInstanceText(deep), { ok: false, errors: ['line 1: nesting deeper than 32 levels (an instance needs 5)'] });
  const deepObj = `{\n"flows":\n${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
  t.same(parseInstanceText(deepObj), { ok: false, errors: ['line 3: nesting deeper than 32 levels (an instance needs 5)'] });
  // Brackets inside strings do not count.
  const r = parseInstanceText(JSON.stringify({ ...fixture('small.json'), flows: [{ id: 'f', upKbps: 1, downKbps: 1, qos: 'B', note: '[[[[{{{{'.repeat(10) }] }));
  t.notOk(r.ok);
  if (!r.ok) t.same(r.errors, ['flows[0].note: unknown field (expected one of id, upKbps, downKbps, qos, pinned)']);
  const lim = { maxBytes: 1000, maxDepth: 32, maxValues: 50 };
  t.match(parseInstanceText(' '.repeat(1001), lim), { ok: false, errors: [/larger than 1000 bytes \(1001 bytes\)/] });
  t.match(parseInstanceText('é'.repeat(501), lim), { ok: false, errors: [/larger than 1000 bytes \(1002 bytes\)/] }, 'bytes, not characters');
  t.match(parseInstanceText(`[${'0,'.repeat(50)}0]`, lim), { ok: false, errors: [/more than 50 JSON values/] });
  t.match(parseInstanceText(`[${'-1.5e3,true,"a,b",'.repeat(17)}0]`, lim), { ok: false, errors: [/more than 50 JSON values/] });
  t.match(parseInstanceText(`[${'-1.5e3,true,"a,b",'.repeat(16)}0]`, lim), { ok: false, errors: ['instance: expected an object, got [-1500,true,"a,b",-1500,true,"a,b",-1500,...] (49 elements)'] });
  t.same(parseInstanceText('{ not json'), { ok: false, errors: [`not valid JSON: ${(() => { try { JSON.parse('{ not json'); } catch (e) { return (e as Error).message; } return ''; })()}`] });
  const ok = parseInstanceText(JSON.stringify(fixture('small.json')));
  t.ok(ok.ok);
});
