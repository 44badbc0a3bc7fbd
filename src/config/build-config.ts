import type { UciPackage, UciSection } from '../uci/index.js';
import type {
  ClassRule,
  GlobalsConfig,
  L4Proto,
  ModemConfig,
  ModemflowConfig,
  PowerConfig,
  TelemetryConfig,
} from '../model/config.js';
import type { LogLevel } from '../model/ports.js';
import type { QosClass } from '../model/qos.js';
import type { ConfigProblem, ConfigResult } from './problems.js';
import { MAX_CLASSES, MAX_MODEM_SLOTS, markLayout } from '../model/mark-layout.js';
import { RULE_PRIORITY_SPAN, SCHEMA, sectionSchema } from './schema.js';
import { SectionReader } from './section-reader.js';
import { dscpValue, portRange } from './formats.js';
import type { MarkUser } from './mark-users.js';
import { KNOWN_MARK_USERS, markOverlaps } from './mark-users.js';

/** Priorities other policy routing on OpenWrt uses: mwan3 (id + 1000/2000/3000, 2253/2254) and netifd. */
const FOREIGN_PRIORITIES: ReadonlyArray<[number, number, string]> = [
  [1001, 1252, 'mwan3'],
  [2001, 2254, 'mwan3'],
  [3001, 3252, 'mwan3'],
  [10000, 10000, 'netifd'],
  [20000, 20000, 'netifd'],
];

/** Section references as `uci show` prints them: the name, or @type[N] for anonymous ones. */
function sectionRefs(pkg: UciPackage): Map<UciSection, string> {
  const counters = new Map<string, number>();
  const refs = new Map<UciSection, string>();
  for (const s of pkg.sections) {
    const idx = counters.get(s.type) ?? 0;
    counters.set(s.type, idx + 1);
    refs.set(s, s.anonymous ? `@${s.type}[${idx}]` : s.name);
  }
  return refs;
}

function globalsFrom(r: SectionReader | null, defaults: SectionReader): GlobalsConfig {
  const g = r ?? defaults;
  const maskValue = g.values.get('mark_mask');
  const mask = typeof maskValue === 'number' ? maskValue : parseInt(String(maskValue).slice(2), 16);
  if (r && r.present.has('mark_mask') && markLayout(mask) === null) {
    r.error(null, 'mark_mask', `expected 12 contiguous bits (4 modem slot + 8 class bits) from the lowest set bit, got 0x${mask.toString(16)}`);
  }
  const priority = g.num('rule_priority_base');
  if (r && r.present.has('rule_priority_base')) {
    const top = priority + RULE_PRIORITY_SPAN - 1;
    for (const [lo, hi, who] of FOREIGN_PRIORITIES) {
      if (priority <= hi && top >= lo) {
        r.error(null, 'rule_priority_base', `priorities ${priority}-${top} overlap ${who}'s ${lo}-${hi}; choose another base`);
        break;
      }
    }
  }
  return {
    enabled: g.bool('enabled'),
    logLevel: g.str('log_level') as LogLevel,
    markMask: mask >>> 0,
    tableBase: g.num('table_base'),
    rulePriorityBase: priority,
    solveIntervalS: g.num('solve_interval'),
    hysteresis: g.num('hysteresis'),
    spreadBulk: g.bool('spread_bulk'),
    lanInterfaces: g.list('lan'),
    lanPrefixes: g.list('lan_prefix'),
  };
}

function modemFrom(r: SectionReader): ModemConfig {
  const overQuota = r.str('over_quota') as 'stop' | 'overage';
  const overagePrice = r.numOrNull('overage_price_per_gb');
  if (overQuota === 'overage' && overagePrice === null) {
    r.error(null, 'over_quota', "'overage' needs overage_price_per_gb");
  }
  const powerNames = ['power_base_mw', 'power_tx_mw_per_mbps', 'power_rx_mw_per_mbps'];
  const powerSet = powerNames.filter((n) => r.present.has(n));
  if (powerSet.length !== 0 && powerSet.length !== 3) {
    r.error(null, powerSet[0]!, 'power_base_mw, power_tx_mw_per_mbps and power_rx_mw_per_mbps go together: set all three or none');
  }
  const iface = r.str('interface');
  return {
    name: r.section.anonymous ? iface || r.ref : r.section.name,
    interface: iface,
    enabled: r.bool('enabled'),
    metrics: r.str('metrics') as ModemConfig['metrics'],
    device: r.strOrNull('device'),
    tier: r.str('tier') as ModemConfig['tier'],
    plan: {
      pricePerGb: r.num('price_per_gb'),
      quotaGb: r.numOrNull('quota_gb'),
      billingDay: r.num('billing_day'),
      overQuota,
      overagePricePerGb: overagePrice,
    },
    thresholds: {
      minRsrpDbm: r.numOrNull('min_rsrp'),
      minSinrDb: r.numOrNull('min_sinr'),
      maxLossPct: r.numOrNull('max_loss'),
      maxRttMs: r.numOrNull('max_rtt'),
      minDownKbps: r.numOrNull('min_down_kbps'),
    },
    probeTargets: r.list('probe'),
    probeIntervalS: r.num('probe_interval'),
    upKbpsCap: r.numOrNull('up_kbps'),
    downKbpsCap: r.numOrNull('down_kbps'),
    // UCI holds mW and mW/Mbps; the model wants W and W/kbps.
    power:
      powerSet.length === 3
        ? {
            baseW: r.num('power_base_mw') / 1000,
            txWPerKbps: r.num('power_tx_mw_per_mbps') / 1e6,
            rxWPerKbps: r.num('power_rx_mw_per_mbps') / 1e6,
          }
        : null,
    allowSimSwitch: r.bool('allow_sim_switch'),
  };
}

const PORTLESS: ReadonlySet<string> = new Set(['icmp', 'icmpv6', 'gre', 'esp']);

function classFrom(r: SectionReader): ClassRule {
  const proto = r.strOrNull('proto') as L4Proto | null;
  const destPorts = r.list('dest_port').map((p) => portRange(p)!);
  const srcPorts = r.list('src_port').map((p) => portRange(p)!);
  if (proto && PORTLESS.has(proto) && (destPorts.length || srcPorts.length)) {
    r.error(null, 'proto', `'${proto}' has no ports; drop dest_port/src_port or use tcp, udp or sctp`);
  }
  const rule: ClassRule = {
    name: r.section.anonymous ? r.ref : r.section.name,
    dscp: r.list('dscp').map((d) => dscpValue(d)!),
    proto,
    destPorts,
    srcPorts,
    srcIps: r.list('src_ip'),
    srcMacs: r.list('src_mac').map((m) => m.toLowerCase()),
    destIps: r.list('dest_ip'),
    domains: r.list('domain').map((d) => d.toLowerCase()),
    qos: (r.strOrNull('qos') ?? 'B') as QosClass,
    upKbps: r.num('up_kbps'),
    downKbps: r.num('down_kbps'),
  };
  // Judged on what the file says, so an invalid matcher does not also count as a missing one.
  const matcherNames = ['dscp', 'proto', 'dest_port', 'src_port', 'src_ip', 'src_mac', 'dest_ip', 'domain'];
  if (!r.section.options.some((o) => matcherNames.includes(o.name))) r.warn(null, null, 'no matcher given: this rule matches all traffic and hides every rule after it');
  return rule;
}

function powerFrom(r: SectionReader): PowerConfig {
  const source = r.str('source') as PowerConfig['source'];
  const limitW = r.numOrNull('limit_w');
  const batteryPath = r.strOrNull('battery');
  const ubusObject = r.strOrNull('ubus_object');
  const budgetGiven = r.section.options.some((o) => ['limit_w', 'battery', 'ubus_object'].includes(o.name));
  if (source !== 'mains' && !budgetGiven) {
    r.error(null, 'source', `'${source}' needs limit_w, battery or ubus_object to know the power budget`);
  }
  if (batteryPath !== null && ubusObject !== null) {
    r.error(null, 'ubus_object', 'give either battery (sysfs) or ubus_object, not both');
  }
  return {
    source,
    limitW,
    batteryPath,
    ubusObject,
    reservePct: r.num('reserve'),
    autonomyH: r.numOrNull('autonomy'),
    baseLoadW: r.num('base_load_w'),
  };
}

function telemetryFrom(r: SectionReader): TelemetryConfig {
  const t: TelemetryConfig = {
    enabled: r.bool('enabled'),
    brokerUrl: r.strOrNull('broker'),
    caFile: r.strOrNull('ca_file'),
    certFile: r.strOrNull('cert_file'),
    keyFile: r.strOrNull('key_file'),
    username: r.strOrNull('username'),
    password: r.strOrNull('password'),
    deviceId: r.strOrNull('device_id'),
    topicRoot: r.str('topic_root'),
    stateIntervalS: r.num('state_interval'),
    metricsIntervalS: r.num('metrics_interval'),
    allowCommands: r.bool('allow_commands'),
    commands: r.list('command'),
    mqttVersion: r.str('mqtt_version') as TelemetryConfig['mqttVersion'],
    keepaliveS: r.num('keepalive'),
    maxRatePerS: r.num('max_rate'),
    plainCredentials: r.bool('plain_credentials'),
    bindUplink: r.bool('bind_uplink'),
    haDiscovery: r.bool('ha_discovery'),
    haPrefix: r.str('ha_prefix'),
    queueFile: r.strOrNull('queue_file'),
    queueSize: r.num('queue_size'),
    queueMaxBytes: Math.round(r.num('queue_max_kb') * 1024),
    queueFlushIntervalS: r.num('queue_flush_interval'),
  };
  if (t.enabled && t.brokerUrl === null && !r.present.has('broker')) r.error(null, 'broker', 'telemetry is enabled but no broker is set');
  if ((t.certFile === null) !== (t.keyFile === null)) {
    r.error(null, t.certFile === null ? 'key_file' : 'cert_file', 'cert_file and key_file go together');
  }
  const tls = t.brokerUrl !== null && /^(mqtts|wss):/.test(t.brokerUrl);
  if (t.brokerUrl !== null && !tls && (t.caFile || t.certFile)) {
    r.warn(null, t.caFile ? 'ca_file' : 'cert_file', 'TLS files are only used with mqtts:// or wss:// brokers');
  }
  if (t.brokerUrl !== null && !tls && (t.username !== null || t.password !== null) && !t.plainCredentials) {
    r.warn(null, t.username !== null ? 'username' : 'password', 'credentials are not sent over an unencrypted broker URL unless plain_credentials is 1');
  }
  return t;
}

/** A reader over no options: the defaults of a section type. */
function defaultsOf(type: string, file: string): SectionReader {
  const sink: ConfigProblem[] = [];
  return new SectionReader({ name: type, type, anonymous: false, options: [] }, type, sectionSchema(type)!, file, sink);
}

/**
 * The typed configuration from a parsed /etc/config/modemflow, or every
 * problem found. markUsers: the other users of the packet mark to keep clear
 * of (the known package defaults, plus what loadConfig finds configured).
 */
export function configFromUci(pkg: UciPackage, file: string, markUsers: readonly MarkUser[] = KNOWN_MARK_USERS): ConfigResult {
  const problems: ConfigProblem[] = [];
  const refs = sectionRefs(pkg);
  const singles = new Map<string, SectionReader>();
  const modems: Array<{ r: SectionReader; m: ModemConfig }> = [];
  const classes: Array<{ r: SectionReader; c: ClassRule }> = [];
  const readers: SectionReader[] = [];

  for (const section of pkg.sections) {
    const ref = refs.get(section)!;
    for (const again of section.redefinedAt ?? []) {
      problems.push({
        severity: 'warning',
        file,
        line: again.line,
        section: ref,
        option: null,
        message: `section '${section.name}' is defined again (first at line ${section.pos?.line ?? '?'}); UCI merges the two into one, later options replacing earlier ones`,
      });
    }
    const schema = SCHEMA.find((s) => s.type === section.type);
    if (!schema) {
      problems.push({ severity: 'warning', file, line: section.pos?.line ?? null, section: ref, option: null, message: `unknown section type '${section.type}' (ignored)` });
      continue;
    }
    const r = new SectionReader(section, ref, schema, file, problems);
    readers.push(r);
    if (!schema.multiple) {
      const first = singles.get(section.type);
      if (first) r.error(null, null, `only one '${section.type}' section is allowed (the first is ${first.ref})`);
      else singles.set(section.type, r);
    }
  }

  const globalsReader = singles.get('globals') ?? null;
  const globals = globalsFrom(globalsReader, defaultsOf('globals', file));
  const explicitMask = globalsReader !== null && globalsReader.present.has('mark_mask');
  for (const { user, bits } of markOverlaps(globals.markMask, explicitMask, markUsers)) {
    const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
    const message = `${hex(globals.markMask)} overlaps the mark bits of ${user.who} in ${hex(bits)}; choose bits clear of it`;
    if (globalsReader) globalsReader.warn(null, 'mark_mask', message);
    else problems.push({ severity: 'warning', file, line: null, section: 'globals', option: 'mark_mask', message });
  }
  for (const r of readers) {
    if (r.section.type === 'modem') modems.push({ r, m: modemFrom(r) });
    if (r.section.type === 'class' && r.bool('enabled')) classes.push({ r, c: classFrom(r) });
  }
  const power = powerFrom(singles.get('power') ?? defaultsOf('power', file));
  const telemetry = telemetryFrom(singles.get('telemetry') ?? defaultsOf('telemetry', file));

  const byInterface = new Map<string, string>();
  const byName = new Map<string, string>();
  let enabled = 0;
  for (const { r, m } of modems) {
    if (m.interface !== '') {
      const other = byInterface.get(m.interface);
      if (other) r.error(null, 'interface', `interface '${m.interface}' is already used by modem ${other}`);
      else byInterface.set(m.interface, r.ref);
    }
    const otherName = byName.get(m.name);
    if (otherName) r.error(null, null, `modem name '${m.name}' is used twice (also ${otherName})`);
    else byName.set(m.name, r.ref);
    if (m.enabled && ++enabled === MAX_MODEM_SLOTS + 1) {
      r.error(null, 'enabled', `at most ${MAX_MODEM_SLOTS} modems can be enabled (the mark holds ${MAX_MODEM_SLOTS} slots)`);
    }
  }
  const classNames = new Map<string, string>();
  classes.forEach(({ r, c }, i) => {
    const other = classNames.get(c.name);
    if (other) r.error(null, null, `class name '${c.name}' is used twice (also ${other})`);
    else classNames.set(c.name, r.ref);
    if (i === MAX_CLASSES) r.error(null, null, `at most ${MAX_CLASSES} classes can be enabled (the mark holds ${MAX_CLASSES})`);
  });

  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.filter((p) => p.severity === 'warning');
  if (errors.length > 0) return { ok: false, errors, warnings };
  const config: ModemflowConfig = {
    globals,
    modems: modems.map((x) => x.m),
    classes: classes.map((x) => x.c),
    power,
    telemetry,
  };
  return { ok: true, value: config, warnings };
}
