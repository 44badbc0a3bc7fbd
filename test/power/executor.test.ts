import t from 'tap';
import type { UbusCaller } from '../../src/model/ports.js';
import { PowerActionExecutor } from '../../src/power/executor.js';
import type { LowPowerControl, ModemPowerAction, OperatorSwitcher } from '../../src/power/executor.js';
import { coordinate } from '../../src/coordination/coordinate.js';
import { INITIAL_COORDINATION_STATE } from '../../src/coordination/types.js';
import { input, MIN } from '../coordination/builders.js';

/** Records every call; replies with {} or rejects for the paths listed in `failing`. */
class RecordingUbus implements UbusCaller {
  readonly log: Array<{ path: string; method: string; args: Record<string, unknown> | undefined; timeoutMs: number | undefined }> = [];
  constructor(private readonly failing: Record<string, string> = {}) {}
  async call(path: string, method: string, args?: Record<string, unknown>, options?: { timeoutMs?: number }) {
    this.log.push({ path, method, args, timeoutMs: options?.timeoutMs });
    const f = this.failing[`${path} ${method}`];
    if (f) throw new Error(f);
    return {};
  }
  lines(): string[] {
    return this.log.map((c) => `${c.path} ${c.method}`);
  }
}

const sleep: ModemPowerAction = { kind: 'sleep', modem: 'm1', interface: 'wwan0', reason: 'idle' };
const wake: ModemPowerAction = { kind: 'wake', modem: 'm1', interface: 'wwan0', reason: 'demand' };
const target = { mcc: '262', mnc: '02', operatorName: null, simSlot: 2, profile: null };

t.test('sleep and wake are netifd ifdown/ifup over ubus', async (t) => {
  const ubus = new RecordingUbus();
  const ex = new PowerActionExecutor(ubus, { ubusTimeoutMs: 4000 });
  t.equal((await ex.apply(sleep)).code, 'ok');
  t.equal((await ex.apply(wake)).code, 'ok');
  t.same(ubus.log, [
    { path: 'network.interface.wwan0', method: 'down', args: {}, timeoutMs: 4000 },
    { path: 'network.interface.wwan0', method: 'up', args: {}, timeoutMs: 4000 },
  ]);
});

t.test('low-power mode goes through the provider around ifdown/ifup', async (t) => {
  const ubus = new RecordingUbus();
  const lp: string[] = [];
  const lowPower: LowPowerControl = { setLowPower: async (m, on) => (lp.push(`${m}:${on}`), { ok: true }) };
  const ex = new PowerActionExecutor(ubus, { sleepMode: 'low-power', lowPower });
  const s = await ex.apply(sleep);
  const w = await ex.apply(wake);
  t.same(s.steps, ['ubus call network.interface.wwan0 down', 'low-power on m1']);
  t.same(w.steps, ['low-power off m1', 'ubus call network.interface.wwan0 up']);
  t.same(lp, ['m1:true', 'm1:false']);
  const noControl = await new PowerActionExecutor(ubus, { sleepMode: 'low-power' }).apply(sleep);
  t.equal(noControl.code, 'unsupported');
});

t.test('failures are values with what was asked', async (t) => {
  const ubus = new RecordingUbus({ 'network.interface.wwan0 up': 'Not found' });
  const ex = new PowerActionExecutor(ubus);
  const r = await ex.apply(wake);
  t.equal(r.code, 'ubus-failed');
  t.equal(r.error, 'ubus call network.interface.wwan0 up failed: Not found');
  const all = await ex.applyAll([wake, sleep]);
  t.same(all.map((o) => o.code), ['ubus-failed'], 'stops at the first failure');
});

t.test('names that are not netifd interface names never reach ubus', async (t) => {
  const ubus = new RecordingUbus();
  const ex = new PowerActionExecutor(ubus);
  for (const bad of ['wwan0.foo', '', 'a b', 'x;reboot', 'network.interface.lan']) {
    const r = await ex.apply({ ...wake, interface: bad });
    t.equal(r.code, 'invalid-interface', JSON.stringify(bad));
  }
  t.same(ubus.log, []);
});

t.test('switch needs a provider; with one it switches and reconnects', async (t) => {
  const ubus = new RecordingUbus();
  const none = await new PowerActionExecutor(ubus).apply({ kind: 'switch', modem: 'm1', interface: 'wwan0', reason: 'diversity', target });
  t.equal(none.code, 'unsupported');
  const seen: string[] = [];
  const switcher: OperatorSwitcher = { switchOperator: async (m, tg) => (seen.push(`${m}->${tg.mcc}${tg.mnc}/${tg.simSlot}`), { ok: true }) };
  const ok = await new PowerActionExecutor(ubus, { switcher }).apply({ kind: 'switch', modem: 'm1', interface: 'wwan0', reason: 'diversity', target });
  t.equal(ok.code, 'ok');
  t.same(seen, ['m1->26202/2']);
  t.same(ubus.lines(), ['network.interface.wwan0 up']);
  const failing: OperatorSwitcher = { switchOperator: async () => ({ ok: false, error: 'SIM slot 2 empty' }) };
  const bad = await new PowerActionExecutor(ubus, { switcher: failing }).apply({ kind: 'switch', modem: 'm1', interface: 'wwan0', reason: 'x', target });
  t.same([bad.code, bad.error], ['provider-failed', 'SIM slot 2 empty']);
});

t.test('coordination actions feed the executor as they are', async (t) => {
  const out = coordinate(
    input({ nowMs: 10 * MIN, modems: [{ name: 'a', iface: 'wwan0', costPerKbit: 0.001 }, { name: 'b', iface: 'wwan1', costPerKbit: 0.002 }], demand: { downKbps: 100 } }),
    INITIAL_COORDINATION_STATE,
  );
  const ubus = new RecordingUbus();
  const results = await new PowerActionExecutor(ubus).applyAll(out.actions);
  t.same(results.map((r) => r.code), ['ok']);
  t.same(ubus.lines(), ['network.interface.wwan1 down']);
});
