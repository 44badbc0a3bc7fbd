import t from 'tap';
import { parseInstance } from '../../src/assignment/parse-instance.js';
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
