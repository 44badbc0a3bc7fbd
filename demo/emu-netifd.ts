/**
 * The emulator's netifd: `network.interface.<name>` objects (status, up,
 * down) and `network.device status`, in netifd's reply format (ubus.c
 * netifd_handle_status / device dump; field names and order as the
 * recorded replies in test/metrics/fixtures/netifd-*.json). `up`/`down`
 * really set the uplink's link in the router namespace, as netifd's proto
 * teardown/setup would, and netifd's `network.interface` events follow.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { UbusClient } from '../src/ubus/index.js';
import type { DemoModem } from './scenario.js';

const run = promisify(execFile);

/** How long an emulated modem takes to connect after `up` (netifd shows pending meanwhile). */
export const CONNECT_MS = 1500;

export interface IfaceState {
  modem: DemoModem;
  /** The link is up with its addresses and routes. */
  up: boolean;
  /** netifd is setting it up (or retrying while there is no radio). */
  pending: boolean;
  /** netifd's wish: `up` sets it, `down` clears it (as ifup/ifdown do). */
  adminUp: boolean;
  /** The script's radio: false while the modem has lost its network. */
  radioOk: boolean;
  /** monotonic seconds when it came up. */
  sinceS: number;
  timer: NodeJS.Timeout | null;
}

const nowS = (): number => Math.floor(performance.now() / 1000);

export class NetifdEmulator {
  private readonly ifaces = new Map<string, IfaceState>();
  /** Called on every link change (the ModemManager view follows it). */
  onChange: (modem: DemoModem, s: Readonly<IfaceState>) => void = () => undefined;

  constructor(
    private readonly bus: UbusClient,
    modems: readonly DemoModem[],
    private readonly log: (line: string) => void,
  ) {
    for (const m of modems) this.ifaces.set(m.iface, { modem: m, up: true, pending: false, adminUp: true, radioOk: true, sinceS: nowS(), timer: null });
  }

  async publish(): Promise<void> {
    for (const [name, s] of this.ifaces) {
      await this.bus.addObject({
        path: `network.interface.${name}`,
        methods: {
          status: { handler: () => interfaceStatus(s) },
          up: { handler: () => void this.set(name, { adminUp: true }) },
          down: { handler: () => void this.set(name, { adminUp: false }) },
        },
      });
    }
    await this.bus.addObject({ path: 'network.interface.lan', methods: { status: { handler: () => lanStatus() } } });
    await this.bus.addObject({
      path: 'network.device',
      methods: { status: { args: { name: 'string' }, handler: (args) => deviceStatus(String(args['name'] ?? '')) } },
    });
  }

  isUp(iface: string): boolean {
    return this.ifaces.get(iface)?.up ?? false;
  }

  /**
   * The link follows netifd's wish and the radio: down at once (ifdown
   * event), up CONNECT_MS after both allow it (pending meanwhile, ifup).
   */
  async set(iface: string, change: { adminUp?: boolean; radioOk?: boolean }): Promise<void> {
    const s = this.ifaces.get(iface);
    if (!s) return;
    if (change.adminUp !== undefined) s.adminUp = change.adminUp;
    if (change.radioOk !== undefined) s.radioOk = change.radioOk;
    const want = s.adminUp && s.radioOk;
    if (!want) {
      if (s.timer) clearTimeout(s.timer);
      s.timer = null;
      s.pending = s.adminUp; // netifd keeps retrying an interface it was asked to bring up
      if (s.up) {
        s.up = false;
        await linkDown(s.modem);
        this.log(`netifd: ${iface} down (${s.radioOk ? 'ifdown' : 'no radio'})`);
        await this.event('ifdown', iface);
        this.onChange(s.modem, s);
      }
      return;
    }
    if (s.up || s.timer) return;
    s.pending = true;
    s.timer = setTimeout(() => {
      s.timer = null;
      void (async () => {
        await linkUp(s.modem);
        s.up = true;
        s.pending = false;
        s.sinceS = nowS();
        this.log(`netifd: ${iface} up`);
        await this.event('ifup', iface);
        this.onChange(s.modem, s);
      })();
    }, CONNECT_MS);
  }

  private async event(action: 'ifup' | 'ifdown', iface: string): Promise<void> {
    await this.bus.sendEvent('network.interface', { action, interface: iface }).catch(() => undefined);
  }

  stop(): void {
    for (const s of this.ifaces.values()) if (s.timer) clearTimeout(s.timer);
  }
}

async function linkDown(m: DemoModem): Promise<void> {
  await run('ip', ['link', 'set', 'dev', m.device, 'down']);
}

async function linkUp(m: DemoModem): Promise<void> {
  await run('ip', ['link', 'set', 'dev', m.device, 'up']);
  // The kernel dropped the routes through the downed device; netifd puts its own back.
  await run('ip', ['route', 'replace', 'default', 'via', gw4(m), 'dev', m.device, 'metric', String(m.uplink * 10)]);
  await run('ip', ['-6', 'route', 'replace', 'default', 'via', gw6(m), 'dev', m.device, 'metric', String(m.uplink * 10)]).catch(() => undefined);
}

const gw4 = (m: DemoModem): string => `100.64.${m.uplink}.1`;
const gw6 = (m: DemoModem): string => `fd64:${m.uplink}::1`;

export function interfaceStatus(s: IfaceState): Record<string, unknown> {
  const m = s.modem;
  const base: Record<string, unknown> = { up: s.up, pending: s.pending, available: true, autostart: true, dynamic: false };
  if (!s.up) {
    return { ...base, proto: 'modemmanager', device: sysfsDevice(m), data: {}, ...(!s.radioOk ? { errors: [{ subsystem: 'modemmanager', code: 'CALL_FAILED' }] } : {}) };
  }
  const empty = { 'ipv4-address': [], 'ipv6-address': [], route: [], 'dns-server': [], 'dns-search': [], neighbors: [] };
  return {
    ...base,
    uptime: Math.max(0, nowS() - s.sinceS),
    l3_device: m.device,
    proto: 'modemmanager',
    device: sysfsDevice(m),
    metric: m.uplink * 10,
    dns_metric: 0,
    delegation: true,
    'ipv4-address': [{ address: `100.64.${m.uplink}.2`, mask: 24 }],
    'ipv6-address': [{ address: `fd64:${m.uplink}::2`, mask: 64 }],
    'ipv6-prefix': [],
    'ipv6-prefix-assignment': [],
    route: [
      { target: '0.0.0.0', mask: 0, nexthop: gw4(m), source: `100.64.${m.uplink}.2/32` },
      { target: '::', mask: 0, nexthop: gw6(m), source: '::/0' },
    ],
    'dns-server': [gw4(m)],
    'dns-search': [],
    neighbors: [],
    inactive: empty,
    data: {},
  };
}

/** The modem's USB device, as ModemManager and the modemmanager proto name it. */
export function sysfsDevice(m: DemoModem): string {
  return `/sys/devices/platform/demo-xhci/usb1/1-${m.uplink}`;
}

function lanStatus(): Record<string, unknown> {
  return {
    up: true,
    pending: false,
    available: true,
    autostart: true,
    dynamic: false,
    uptime: Math.floor(performance.now() / 1000),
    l3_device: 'lan0',
    proto: 'static',
    device: 'lan0',
    metric: 0,
    dns_metric: 0,
    delegation: true,
    'ipv4-address': [{ address: '192.168.77.1', mask: 24 }],
    'ipv6-address': [{ address: 'fd77::1', mask: 64 }],
    'ipv6-prefix': [],
    'ipv6-prefix-assignment': [],
    route: [],
    'dns-server': [],
    'dns-search': [],
    neighbors: [],
    inactive: { 'ipv4-address': [], 'ipv6-address': [], route: [], 'dns-server': [], 'dns-search': [], neighbors: [] },
    data: {},
  };
}

const DEVICE_NAME = /^[A-Za-z0-9_.-]{1,15}$/;

/** `network.device status {name}`: the kernel's view of the netdev, statistics from sysfs. */
export async function deviceStatus(name: string): Promise<Record<string, unknown>> {
  if (!DEVICE_NAME.test(name)) return {};
  const dir = `/sys/class/net/${name}`;
  const text = (f: string): Promise<string | null> => readFile(`${dir}/${f}`, 'utf8').then((t) => t.trim(), () => null);
  const operstate = await text('operstate');
  if (operstate === null) return { present: false };
  const statistics: Record<string, number> = {};
  for (const f of await readdir(`${dir}/statistics`).catch(() => [] as string[])) {
    const v = Number(await text(`statistics/${f}`));
    if (Number.isFinite(v)) statistics[f] = v;
  }
  const flags = Number(await text('flags'));
  return {
    external: false,
    present: true,
    type: 'Network device',
    up: (flags & 1) === 1,
    carrier: (await text('carrier')) === '1',
    mtu: Number(await text('mtu')),
    mtu6: Number(await text('mtu')),
    macaddr: (await text('address')) ?? '',
    txqueuelen: Number(await text('tx_queue_len')),
    ipv6: true,
    statistics,
  };
}
