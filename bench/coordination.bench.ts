// How long one coordination step takes for 2..15 modems (15 = the most the mark layout allows).
// Run: node build.mjs bench && node dist/bench/coordination.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { coordinate } from '../src/coordination/coordinate.js';
import { DEFAULT_COORDINATION_SETTINGS, INITIAL_COORDINATION_STATE } from '../src/coordination/types.js';
import type { CoordinationInput, CoordinationState } from '../src/coordination/types.js';
import type { ModemConfig } from '../src/model/config.js';
import type { ModemView } from '../src/model/modem.js';
import type { InterfaceSpec } from '../src/model/tfap.js';

function modem(i: number): { config: ModemConfig; view: ModemView; spec: InterfaceSpec } {
  const name = `m${i}`;
  const iface = `wwan${i}`;
  const w = { rttMs: 40 + i, jitterMs: 5, lossPct: 0.5, samples: 20 };
  return {
    config: {
      name, interface: iface, enabled: true, metrics: 'auto', device: null, tier: i % 5 === 4 ? 'overflow' : 'primary',
      plan: { pricePerGb: i, quotaGb: null, billingDay: 1, overQuota: 'stop', overagePricePerGb: null },
      thresholds: { minRsrpDbm: -115, minSinrDb: -5, maxLossPct: 5, maxRttMs: 500, minDownKbps: 500 },
      probeTargets: [], probeIntervalS: 1, upKbpsCap: null, downKbpsCap: null, power: null, allowSimSwitch: i % 3 === 0,
    },
    view: {
      name,
      link: {
        interface: iface, up: true, sinceMs: 0, l3Device: null, ipv4: [], ipv6: [], gatewayV4: null, gatewayV6: null, dns: [],
        rxBytes: null, txBytes: null, rxKbps: null, txKbps: null, rxErrors: null, txErrors: null, rxDropped: null, txDropped: null,
      },
      radio: {
        mcc: '262', mnc: `0${i % 3}`, operatorName: null, rat: 'lte', band: null, cellId: `c${i % 4}`,
        signal: { rssiDbm: null, rsrpDbm: -90 - i, rsrqDb: null, sinrDb: 8 }, nrSignal: null, registration: 'home', simIccid: null, simSlot: 1,
        state: 'connected', signalQualityPct: null, homeMcc: null, homeMnc: null, homeOperatorName: null,
      },
      path: { alive: true, lastReplyMs: 0, short: w, long: w },
      capacity: { upKbps: 10_000, downKbps: 40_000, confidence: 1, source: 'active' },
      health: 'ok', problem: null, cycleBytes: null,
    },
    spec: {
      id: iface,
      bearers: [{ id: `${name}/b`, qos: 'C', upKbps: 10_000, downKbps: 40_000, costPerKbit: i * 1e-6, baseW: 1 + i / 10, txWPerKbps: 1e-4, rxWPerKbps: 5e-5 }],
    },
  };
}

function bench(n: number, steps: number): { medianUs: number; p99Us: number } {
  const ms = Array.from({ length: n }, (_, i) => modem(i));
  let state: CoordinationState = INITIAL_COORDINATION_STATE;
  const times: number[] = [];
  for (let s = 0; s < steps; s++) {
    // Demand sweeps 0..(n x 40 Mbps) and back, so modems join and leave.
    const phase = (s % 200) / 100;
    const downKbps = (phase <= 1 ? phase : 2 - phase) * n * 40_000;
    const input: CoordinationInput = {
      nowMs: 600_000 + s * 10_000,
      views: ms.map((m) => m.view),
      configs: ms.map((m) => m.config),
      candidates: { interfaces: ms.map((m) => m.spec), excluded: [] },
      demand: { upKbps: downKbps / 10, downKbps, strictestQos: s % 2 ? 'C' : 'I' },
      powerLimitW: null,
      carrierOptions: [{ modem: 'm0', mcc: '262', mnc: '09', operatorName: null, simSlot: 2, profile: null }],
      settings: DEFAULT_COORDINATION_SETTINGS,
    };
    const t0 = performance.now();
    const out = coordinate(input, state);
    times.push(performance.now() - t0);
    // Transitions complete at once here: take the state as is, the bench measures the decision.
    state = { ...out.state, transition: null };
  }
  times.sort((a, b) => a - b);
  return { medianUs: times[Math.floor(times.length / 2)]! * 1000, p99Us: times[Math.floor(times.length * 0.99)]! * 1000 };
}

const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version}`;
const steps = 5000;
bench(4, 500); // warm-up
const rows = [2, 4, 8, 15].map((n) => ({ n, ...bench(n, steps) }));
const table = [
  '| modems | median µs/step | p99 µs/step |',
  '|---:|---:|---:|',
  ...rows.map((r) => `| ${r.n} | ${r.medianUs.toFixed(1)} | ${r.p99Us.toFixed(1)} |`),
].join('\n');
const text = `# coordination step time\n\nMachine: ${machine}\n\n${steps} steps per row, demand sweeping from 0 to all modems' capacity.\nCommand: \`node build.mjs bench && node dist/bench/coordination.js\`\np99 includes garbage collection and, on a shared machine, other processes.\n\n${table}\n`;
console.log(text);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/coordination.md', text);
