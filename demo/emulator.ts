/**
 * The router emulator, run inside the demo's router namespace:
 *   node dist/demo/emulator.js --socket PATH
 * Starts a ubusd-compatible broker on PATH and publishes what an OpenWrt
 * router's own daemons would: netifd (network.interface.*, network.device),
 * modemmanager-rpcd (modemmanager dump) and a battery (battery info). A
 * `demo` object lets the demo's script act as the radio: lose a link, bring
 * it back, change a signal. Prints "ready" when everything is published and
 * exits when its stdin closes (its parent is gone) or on SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { UbusBroker, UbusClient } from '../src/ubus/index.js';
import { BatteryModel, DEMO_BATTERY } from './emu-battery.js';
import { mmDump } from './emu-modemmanager.js';
import type { RadioState } from './emu-modemmanager.js';
import { NetifdEmulator } from './emu-netifd.js';
import { MODEMS } from './scenario.js';
import type { DemoModem } from './scenario.js';

const socketPath = argValue('--socket');
if (!socketPath) {
  process.stderr.write('emulator: --socket PATH is required\n');
  process.exit(2);
}

function argValue(flag: string): string | null {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] ?? null : null;
}

const log = (line: string): void => void process.stderr.write(`emulator: ${line}\n`);

const broker = new UbusBroker({ socketPath });
await broker.start();
const bus = new UbusClient({ socketPath, reconnect: false });
await bus.connect();

const radios = new Map<string, RadioState>(MODEMS.map((m) => [m.name, { state: 'connected', rsrpDbm: m.rsrpDbm, sinrDb: m.sinrDb }]));
const radioOf = (m: DemoModem): RadioState => radios.get(m.name)!;

const netifd = new NetifdEmulator(bus, MODEMS, log);
netifd.onChange = (m, s) => {
  radioOf(m).state = s.up ? 'connected' : !s.radioOk ? 'searching' : 'registered';
};
await netifd.publish();
await bus.addObject({ path: 'modemmanager', methods: { dump: { handler: () => mmDump(MODEMS, radioOf) } } });

const battery = new BatteryModel(DEMO_BATTERY);
await bus.addObject({ path: 'battery', methods: { info: { handler: () => battery.info() } } });

// The battery drains by a per-modem model (idle draw plus W per Mbit/s moved) of the modems that are up.
const lastBytes = new Map<string, number>();
let lastTick = performance.now();
async function bytesOf(m: DemoModem): Promise<number> {
  const read = (f: string): Promise<number> => readFile(`/sys/class/net/${m.device}/statistics/${f}`, 'utf8').then(Number, () => 0);
  return (await read('rx_bytes')) + (await read('tx_bytes'));
}
let modelledW = 0;
const tick = setInterval(() => {
  void (async () => {
    const now = performance.now();
    const dtS = (now - lastTick) / 1000;
    lastTick = now;
    let w = 0;
    for (const m of MODEMS) {
      const b = await bytesOf(m);
      const mbps = lastBytes.has(m.name) && dtS > 0 ? ((b - lastBytes.get(m.name)!) * 8) / 1e6 / dtS : 0;
      lastBytes.set(m.name, b);
      if (netifd.isUp(m.iface)) w += m.baseW + m.wPerMbps * mbps;
    }
    modelledW = w;
    battery.drain(w, dtS);
  })();
}, 1000);

await bus.addObject({
  path: 'demo',
  methods: {
    link: {
      args: { modem: { type: 'string', required: true }, up: { type: 'bool', required: true } },
      handler: async (args) => {
        const m = MODEMS.find((x) => x.name === args['modem']);
        if (!m) return { ok: false, error: `no modem '${String(args['modem'])}'` };
        // The radio state first, so a dump during the change already says 'searching'.
        radioOf(m).state = args['up'] ? 'registered' : 'searching';
        await netifd.set(m.iface, { radioOk: Boolean(args['up']) });
        return { ok: true };
      },
    },
    radio: {
      args: { modem: { type: 'string', required: true }, rsrp: 'double', sinr: 'double' },
      handler: (args) => {
        const r = radios.get(String(args['modem']));
        if (!r) return { ok: false };
        if (typeof args['rsrp'] === 'number') r.rsrpDbm = args['rsrp'];
        if (typeof args['sinr'] === 'number') r.sinrDb = args['sinr'];
        return { ok: true };
      },
    },
    state: {
      handler: () => ({
        modelledW,
        batteryPct: battery.pct,
        modems: MODEMS.map((m) => ({ name: m.name, up: netifd.isUp(m.iface), radio: radioOf(m).state, rsrpDbm: radioOf(m).rsrpDbm, sinrDb: radioOf(m).sinrDb })),
      }),
    },
  },
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(tick);
  netifd.stop();
  await bus.close().catch(() => undefined);
  await broker.stop().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.on('error', () => void stop());
process.stdin.resume();
process.stdout.write('ready\n');
