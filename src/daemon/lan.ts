import { formatIp, parsePrefix } from '../model/ip-address.js';
import type { UbusCaller } from '../model/ports.js';
import type { LanSpec } from '../routing/plan.js';
import { isNetifdInterfaceName } from '../model/names.js';

/**
 * The LAN as netifd knows it: for each configured LAN interface, its l3
 * device and its prefixes (`ipv4-address` and `ipv6-address` entries with
 * their masks, and delegated `ipv6-prefix-assignment`s), from
 * `ubus call network.interface.<name> status`. A string says what is missing.
 */
export async function lanFromNetifd(ubus: UbusCaller, interfaces: readonly string[], timeoutMs = 3000): Promise<LanSpec | string> {
  const devices: string[] = [];
  const prefixes = new Set<string>();
  const problems: string[] = [];
  for (const name of interfaces) {
    if (!isNetifdInterfaceName(name)) {
      problems.push(`'${name}' is not a netifd interface name`);
      continue;
    }
    let st: Record<string, unknown>;
    try {
      st = await ubus.call(`network.interface.${name}`, 'status', {}, { timeoutMs });
    } catch (e) {
      problems.push(`network.interface.${name} status: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const dev = typeof st['l3_device'] === 'string' ? st['l3_device'] : typeof st['device'] === 'string' ? st['device'] : null;
    if (dev) devices.push(dev);
    else problems.push(`${name} has no l3_device (is it up?)`);
    for (const key of ['ipv4-address', 'ipv6-address', 'ipv6-prefix-assignment']) {
      const list = st[key];
      if (!Array.isArray(list)) continue;
      for (const a of list) {
        const rec = a as { address?: unknown; mask?: unknown };
        if (typeof rec.address !== 'string' || typeof rec.mask !== 'number') continue;
        const p = parsePrefix(`${rec.address}/${rec.mask}`);
        if (p) prefixes.add(`${formatIp({ family: p.family, bytes: p.bytes })}/${p.bits}`);
      }
    }
  }
  if (devices.length === 0) return problems.join('; ') || 'no LAN interface configured (globals.lan)';
  return { interfaces: devices, prefixes: [...prefixes] };
}

/**
 * Whether mwan3 runs (procd's `service list` names its instances): two
 * balancers on one router fight over the same traffic. null = cannot tell
 * (no procd: not OpenWrt).
 */
export async function mwan3Running(ubus: UbusCaller): Promise<boolean | null> {
  let reply: Record<string, unknown>;
  try {
    reply = await ubus.call('service', 'list', { name: 'mwan3' }, { timeoutMs: 3000 });
  } catch {
    return null;
  }
  const svc = reply['mwan3'] as { instances?: Record<string, { running?: unknown }> } | undefined;
  if (!svc || typeof svc !== 'object' || !svc.instances) return false;
  return Object.values(svc.instances).some((i) => i && i.running === true);
}
