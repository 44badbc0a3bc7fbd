import type { ModemConfig } from '../../model/config.js';
import type { UbusCaller } from '../../model/ports.js';
import { fail, isInterfaceName, ok, ubusFailure } from '../provider.js';
import type { LinkCounters, LinkProvider, LinkSnapshot, ReadResult } from '../provider.js';
import { arr, bool, isRecord, num, str } from '../values.js';
import type { JsonRecord } from '../values.js';

/**
 * The link side of every modem, from netifd over ubus:
 * `network.interface.<name> status` (up, uptime, l3_device, addresses,
 * routes, dns) and `network.device status {name}` (statistics).
 * The qmi/mbim/ncm protos put the addresses on dynamic sub-interfaces
 * `<name>_4` / `<name>_6`; those are read when the parent has none.
 */
export class NetifdProvider implements LinkProvider {
  constructor(private readonly ubus: UbusCaller) {}

  async readLink(modem: ModemConfig, timeoutMs: number): Promise<ReadResult<LinkSnapshot>> {
    const name = modem.interface;
    if (!isInterfaceName(name)) return fail('malformed', `interface name '${name}' is not a valid netifd interface name`);
    const main = await this.status(name, timeoutMs);
    if (!main.ok) return main;
    const link = parseInterfaceStatus(name, main.value);
    if (!link.ok) return link;
    const snap = link.value;
    if (snap.up && snap.ipv4.length === 0 && snap.ipv6.length === 0) {
      for (const suffix of ['_4', '_6']) {
        const sub = await this.status(name + suffix, timeoutMs);
        if (!sub.ok) continue; // no such sub-interface: nothing to merge
        const parsed = parseInterfaceStatus(name + suffix, sub.value);
        if (!parsed.ok || !parsed.value.up) continue;
        mergeAddresses(snap, parsed.value);
      }
    }
    const device = snap.l3Device;
    if (device !== null && /^[A-Za-z0-9_.@-]{1,15}$/.test(device)) {
      try {
        const dev = await this.ubus.call('network.device', 'status', { name: device }, { timeoutMs });
        snap.counters = parseDeviceStatistics(dev);
      } catch {
        // The device can go away between the two calls; the link is still known.
        snap.counters = null;
      }
    }
    return ok(snap);
  }

  private async status(name: string, timeoutMs: number): Promise<ReadResult<JsonRecord>> {
    try {
      return ok(await this.ubus.call(`network.interface.${name}`, 'status', {}, { timeoutMs }));
    } catch (err) {
      return ubusFailure(err, `netifd interface '${name}'`);
    }
  }
}

function mergeAddresses(into: LinkSnapshot, from: LinkSnapshot): void {
  into.ipv4.push(...from.ipv4);
  into.ipv6.push(...from.ipv6);
  into.gatewayV4 ??= from.gatewayV4;
  into.gatewayV6 ??= from.gatewayV6;
  for (const d of from.dns) if (!into.dns.includes(d)) into.dns.push(d);
  into.l3Device ??= from.l3Device;
}

/** `network.interface.<name> status` -> LinkSnapshot (counters filled in separately). */
export function parseInterfaceStatus(name: string, status: unknown): ReadResult<LinkSnapshot> {
  if (!isRecord(status)) return fail('malformed', `netifd status of '${name}' is not an object`);
  const up = bool(status, 'up');
  if (up === null) return fail('malformed', `netifd status of '${name}' has no boolean 'up'`);
  const ipv4 = addresses(status['ipv4-address']);
  const ipv6 = addresses(status['ipv6-address']);
  let gatewayV4: string | null = null;
  let gatewayV6: string | null = null;
  for (const r of arr(status, 'route')) {
    if (!isRecord(r) || num(r, 'mask') !== 0) continue;
    const target = str(r, 'target');
    const hop = str(r, 'nexthop');
    if (target === '0.0.0.0' && hop !== null && hop !== '0.0.0.0') gatewayV4 ??= hop;
    if (target === '::' && hop !== null && hop !== '::') gatewayV6 ??= hop;
  }
  const dns = arr(status, 'dns-server').filter((d): d is string => typeof d === 'string' && d.length > 0);
  const uptime = num(status, 'uptime');
  return ok({
    interface: name,
    up,
    uptimeS: up && uptime !== null && uptime >= 0 ? uptime : null,
    l3Device: str(status, 'l3_device') ?? str(status, 'device'),
    ipv4,
    ipv6,
    gatewayV4,
    gatewayV6,
    dns,
    counters: null,
  });
}

function addresses(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const a of list) {
    const address = str(a, 'address');
    if (address !== null) out.push(address);
  }
  return out;
}

/** `network.device status {name}` -> counters, null when the statistics are missing or not numbers. */
export function parseDeviceStatistics(status: unknown): LinkCounters | null {
  const s = isRecord(status) && isRecord(status['statistics']) ? status['statistics'] : null;
  if (!s) return null;
  const rxBytes = num(s, 'rx_bytes');
  const txBytes = num(s, 'tx_bytes');
  if (rxBytes === null || txBytes === null || rxBytes < 0 || txBytes < 0) return null;
  return {
    rxBytes,
    txBytes,
    rxErrors: num(s, 'rx_errors'),
    txErrors: num(s, 'tx_errors'),
    rxDropped: num(s, 'rx_dropped'),
    txDropped: num(s, 'tx_dropped'),
  };
}
