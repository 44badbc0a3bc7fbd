/**
 * What the demo router is: three emulated modems with their SIM plans, the
 * LAN hosts and the traffic, and the script it plays. Pure data and pure
 * functions of the run length, so the live view, the summary and the tests
 * agree on one description.
 */

export interface DemoModem {
  /** UCI section name (the modem's name in the daemon). */
  name: string;
  /** 1-based uplink of the test bed (device wanN, operator namespace opN). */
  uplink: number;
  /** netifd interface. */
  iface: string;
  /** l3 device in the router namespace. */
  device: string;
  tier: 'primary' | 'overflow' | 'backup';
  /** Shaped rate of the uplink, each direction. */
  rateMbit: number;
  /** Delay each direction when the kernel has netem. */
  delayMs: number;
  pricePerGb: number;
  /** Set at run time (see quotaForRun); null = unlimited. */
  quotaGb: number | null;
  overagePricePerGb: number | null;
  /** ModemManager view. */
  mmIndex: number;
  operatorName: string;
  operatorCode: string;
  rat: 'lte' | 'nr5g-nsa';
  rsrpDbm: number;
  rsrqDb: number;
  sinrDb: number;
  cellId: string;
  /** Modelled draw when idle (W) and per Mbit/s (W), for the battery. */
  baseW: number;
  wPerMbps: number;
}

export const MODEMS: readonly DemoModem[] = Object.freeze([
  {
    name: 'cheap', uplink: 1, iface: 'wwan1', device: 'wan1', tier: 'primary', rateMbit: 8, delayMs: 40,
    pricePerGb: 0.5, quotaGb: null, overagePricePerGb: 10, mmIndex: 0, operatorName: 'o2 - de', operatorCode: '26203',
    rat: 'lte', rsrpDbm: -101, rsrqDb: -12, sinrDb: 6.5, cellId: '0162A03C', baseW: 1.2, wPerMbps: 0.06,
  },
  {
    name: 'fast5g', uplink: 2, iface: 'wwan2', device: 'wan2', tier: 'primary', rateMbit: 40, delayMs: 12,
    pricePerGb: 6, quotaGb: null, overagePricePerGb: null, mmIndex: 1, operatorName: 'Telekom.de', operatorCode: '26201',
    rat: 'nr5g-nsa', rsrpDbm: -88, rsrqDb: -9, sinrDb: 18.2, cellId: '01A2B3C4', baseW: 2.4, wPerMbps: 0.03,
  },
  {
    name: 'backup', uplink: 3, iface: 'wwan3', device: 'wan3', tier: 'backup', rateMbit: 5, delayMs: 35,
    pricePerGb: 3, quotaGb: null, overagePricePerGb: null, mmIndex: 2, operatorName: 'Vodafone.de', operatorCode: '26202',
    rat: 'lte', rsrpDbm: -97, rsrqDb: -11, sinrDb: 9.0, cellId: '00F1E2D3', baseW: 1.2, wPerMbps: 0.06,
  },
]);

export interface LanHost {
  name: string;
  v4: string;
  v6: string;
}

/** Two LAN hosts: the bed's client and a second address on the same LAN namespace. */
export const LAN_HOSTS: readonly LanHost[] = Object.freeze([
  { name: 'laptop', v4: '192.168.77.2', v6: 'fd77::2' },
  { name: 'tv', v4: '192.168.77.3', v6: 'fd77::3' },
]);

export const SERVER_V4 = '203.0.113.10';

/** Server ports, chosen so the built-in classes classify them (src/model/default-classes.ts). */
export const PORTS = Object.freeze({
  /** UDP 10000-20000: realtime-media, conversational. */
  call: 16400,
  /** TCP 554: rtsp-rtmp, streaming. */
  video: 554,
  /** TCP 80: web, interactive. */
  web: 80,
  /** TCP 9000: nothing matches, the fallback class (background). */
  bulk: 9000,
});

export type TrafficKind = 'call' | 'video' | 'web' | 'bulk';

/**
 * Which LAN host runs which traffic, and when it starts (s after the
 * traffic begins): staggered as people start things, so the daemon has seen
 * the first load before the bulk download asks for more.
 */
export const TRAFFIC: readonly { kind: TrafficKind; host: string; startS: number }[] = Object.freeze([
  { kind: 'call', host: 'laptop', startS: 0 },
  { kind: 'web', host: 'laptop', startS: 1 },
  { kind: 'video', host: 'tv', startS: 2 },
  { kind: 'bulk', host: 'tv', startS: 6 },
]);

export const CALL_PACKET_BYTES = 125;
export const CALL_INTERVAL_MS = 10; // 125 B every 10 ms = 100 kbit/s each way
export const VIDEO_KBPS = 5000;
/** The bulk download is paced so that a 2-core machine keeps up; still the largest flow. */
export const BULK_KBPS = 6000;
/** The bulk download fetches files of this size one after another (about 10 s each at BULK_KBPS). */
export const BULK_FILE_BYTES = 7_500_000;

export type ScriptAction =
  | { kind: 'link'; modem: string; up: boolean }
  | { kind: 'quota'; modem: string; usedShare: number }
  | { kind: 'power' }
  | { kind: 'signal'; modem: string; rsrpDbm: number; sinrDb: number };

export interface ScriptStep {
  atS: number;
  action: ScriptAction;
  say: string;
}

/**
 * The script over a run of `seconds`: first a quiet phase (the daemon
 * settles), then the 5G link drops and returns, the cheap SIM nears its
 * quota, the power limit is lowered. Times are fractions of the run so the
 * quick demo plays the same story.
 */
export function scriptFor(seconds: number): ScriptStep[] {
  const at = (f: number): number => Math.round(seconds * f * 10) / 10;
  return [
    { atS: at(0.25), action: { kind: 'signal', modem: 'backup', rsrpDbm: -109, sinrDb: 1.5 }, say: 'backup SIM: signal weakens (RSRP -109 dBm)' },
    { atS: at(0.35), action: { kind: 'link', modem: 'fast5g', up: false }, say: '5G modem: radio link lost (netifd ifdown)' },
    { atS: at(0.5), action: { kind: 'link', modem: 'fast5g', up: true }, say: '5G modem: link back (netifd ifup)' },
    { atS: at(0.62), action: { kind: 'quota', modem: 'cheap', usedShare: 0.7 }, say: 'cheap SIM: 70 % of its quota used early in the billing cycle, its price rises' },
    { atS: at(0.8), action: { kind: 'power' }, say: 'power limit lowered below what the active modems draw' },
  ];
}

export function modemByName(name: string): DemoModem {
  const m = MODEMS.find((x) => x.name === name);
  if (!m) throw new Error(`demo: no modem '${name}'`);
  return m;
}
