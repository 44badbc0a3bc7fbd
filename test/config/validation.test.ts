// Table-driven validation: every message the config checker gives, with its
// file:line, section and option.
import t from 'tap';
import { formatProblem, parseConfig } from '../../src/config/index.js';

function problems(text: string): string[] {
  const r = parseConfig(text, 'mf');
  return [...(r.ok ? [] : r.errors), ...r.warnings]
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
    .map((p) => formatProblem(p));
}

const MODEM = "config modem 'm'\n\toption interface 'wwan0'\n";

const cases: Array<[string, string, string[]]> = [
  ['a minimal valid config', MODEM, []],
  ['an empty file', '', []],
  ['UCI syntax error', "config modem 'm'\n\toption interface 'wwan0' extra\n", [
    'mf:2: UCI syntax error at column 33: too many arguments',
  ]],
  ['unknown section type and option', `${MODEM}\toption colour 'red'\nconfig frobnicator\n`, [
    "mf:3: m.colour: warning: unknown option for a 'modem' section (ignored)",
    "mf:4: @frobnicator[0]: warning: unknown section type 'frobnicator' (ignored)",
  ]],
  ['missing interface', "config modem 'm'\n\toption tier 'backup'\n", [
    'mf:1: m.interface: missing; expected a netifd interface name (1-15 of A-Z a-z 0-9 _)',
  ]],
  ['bad interface names', "config modem 'a'\n\toption interface 'wwan0;rm'\nconfig modem 'b'\n\toption interface 'averyveryverylongname'\n", [
    'mf:2: a.interface: expected a netifd interface name (1-15 of A-Z a-z 0-9 _), got "wwan0;rm"',
    'mf:4: b.interface: expected a netifd interface name (1-15 of A-Z a-z 0-9 _), got "averyveryverylongname"',
  ]],
  ['duplicate interface', `${MODEM}config modem 'n'\n\toption interface 'wwan0'\n`, [
    "mf:4: n.interface: interface 'wwan0' is already used by modem m",
  ]],
  ['bad bool, enum, int and numbers', `${MODEM}\toption enabled 'maybe'\n\toption tier 'gold'\n\toption billing_day '29'\n\toption probe_interval '0.2'\n\toption price_per_gb '-1'\n\toption quota_gb '0'\n\toption min_rsrp '-20'\n`, [
    'mf:3: m.enabled: expected a boolean (1/0, yes/no, on/off, true/false), got "maybe"',
    'mf:4: m.tier: expected one of primary, overflow, backup, never, got "gold"',
    'mf:5: m.billing_day: expected an integer from 1 to 28, got "29"',
    'mf:6: m.probe_interval: expected a number >= 0.5 and <= 3600, got "0.2"',
    'mf:7: m.price_per_gb: expected a number >= 0, got "-1"',
    'mf:8: m.quota_gb: expected a number > 0, got "0"',
    'mf:9: m.min_rsrp: expected a number >= -160 and <= -30, got "-20"',
  ]],
  ['list where an option is expected', `${MODEM}\tlist tier 'primary'\n`, ['mf:3: m.tier: expected a single value (option), got a list']],
  ['bad probe targets', `${MODEM}\tlist probe '1.1.1.1'\n\tlist probe 'example.com'\n\tlist probe '1.2.3.4; reboot'\n`, [
    'mf:4: m.probe: expected an IPv4 or IPv6 address, got "example.com"',
    'mf:5: m.probe: expected an IPv4 or IPv6 address, got "1.2.3.4; reboot"',
  ]],
  ['overage without price', `${MODEM}\toption over_quota 'overage'\n`, ["mf:3: m.over_quota: 'overage' needs overage_price_per_gb"]],
  ['partial power model', `${MODEM}\toption power_base_mw '500'\n`, [
    'mf:3: m.power_base_mw: power_base_mw, power_tx_mw_per_mbps and power_rx_mw_per_mbps go together: set all three or none',
  ]],
  ['bad device handle', `${MODEM}\toption device '/dev/../etc/passwd'\n`, [
    'mf:3: m.device: expected a device handle (e.g. /dev/cdc-wdm0, a ModemManager index or path, a qmodem section), got "/dev/../etc/passwd"',
  ]],
  ['too many modems', Array.from({ length: 16 }, (_, i) => `config modem 'm${i}'\n\toption interface 'wwan${i}'\n`).join(''), [
    'mf:31: m15.enabled: at most 15 modems can be enabled (the mark holds 15 slots)',
  ]],
  ['sixteen modems with one disabled are fine',
    Array.from({ length: 16 }, (_, i) => `config modem 'm${i}'\n\toption interface 'wwan${i}'\n\toption enabled '${i === 3 ? 0 : 1}'\n`).join(''), []],
  ['globals: mark mask, priorities, tables', "config globals\n\toption mark_mask '0x0ff00000'\n\toption rule_priority_base '1000'\n\toption table_base '254'\n\toption hysteresis '1.5'\n\toption log_level 'loud'\n", [
    'mf:2: @globals[0].mark_mask: expected 12 contiguous bits (4 modem slot + 8 class bits) from the lowest set bit, got 0xff00000',
    "mf:3: @globals[0].rule_priority_base: priorities 1000-1063 overlap mwan3's 1001-1252; choose another base",
    'mf:4: @globals[0].table_base: expected an integer from 256 to 4294967040, got "254"',
    'mf:5: @globals[0].hysteresis: expected a number >= 0 and <= 1, got "1.5"',
    'mf:6: @globals[0].log_level: expected one of error, warn, info, debug, got "loud"',
  ]],
  ['priorities next to netifd', "config globals 'g'\n\toption rule_priority_base '9990'\n\toption mark_mask 'ff'\n", [
    "mf:2: g.rule_priority_base: priorities 9990-10053 overlap netifd's 10000-10000; choose another base",
    'mf:3: g.mark_mask: expected an integer from 1 to 4294967295 (decimal or 0x hex), got "ff"',
  ]],
  ['two globals sections', "config globals 'a'\nconfig globals 'b'\n", ["mf:2: b: only one 'globals' section is allowed (the first is a)"]],
  ['class matchers', `${MODEM}config class 'c'\n\tlist dscp 'EF'\n\tlist dscp '64'\n\tlist dest_port '0'\n\tlist dest_port '20-10'\n\tlist src_port '70000'\n\tlist src_ip '10.0.0.0/33'\n\tlist dest_ip 'fe80::1%eth0'\n\tlist src_mac 'aa:bb:cc:dd:ee'\n\tlist domain 'bad_domain.com'\n\toption qos 'X'\n`, [
    'mf:5: c.dscp: expected a DSCP value 0-63 or a name (EF, VA, LE, BE, CS0-CS7, AF11-AF43), got "64"',
    'mf:6: c.dest_port: expected a port or port range (1-65535, e.g. 443 or 10000-20000), got "0"',
    'mf:7: c.dest_port: expected a port or port range (1-65535, e.g. 443 or 10000-20000), got "20-10"',
    'mf:8: c.src_port: expected a port or port range (1-65535, e.g. 443 or 10000-20000), got "70000"',
    'mf:9: c.src_ip: expected an IPv4 or IPv6 address or CIDR (e.g. 192.168.1.0/24, fd00::/64), got "10.0.0.0/33"',
    'mf:10: c.dest_ip: expected an IPv4 or IPv6 address or CIDR (e.g. 192.168.1.0/24, fd00::/64), got "fe80::1%eth0"',
    'mf:11: c.src_mac: expected a MAC address (aa:bb:cc:dd:ee:ff), got "aa:bb:cc:dd:ee"',
    'mf:12: c.domain: expected a domain name (e.g. example.com), got "bad_domain.com"',
    'mf:13: c.qos: expected one of C, S, I, B, got "X"',
  ]],
  ['class without qos, with ports on esp, and one without matchers', `config class 'a'\n\toption proto 'esp'\n\tlist dest_port '500'\n\toption qos 'I'\nconfig class 'b'\n\toption up_kbps '10'\nconfig class 'c'\n\toption qos 'B'\n`, [
    "mf:2: a.proto: 'esp' has no ports; drop dest_port/src_port or use tcp, udp or sctp",
    'mf:5: b.qos: missing; expected one of C, S, I, B',
    'mf:5: b: warning: no matcher given: this rule matches all traffic and hides every rule after it',
    'mf:7: c: warning: no matcher given: this rule matches all traffic and hides every rule after it',
  ]],
  ['duplicate class names do not arise, anonymous classes are named by position', "config class\n\toption proto 'udp'\n\toption qos 'C'\nconfig class\n\toption proto 'tcp'\n\toption qos 'C'\n", []],
  ['too many classes', Array.from({ length: 256 }, (_, i) => `config class 'c${i}'\n\tlist dscp '${i % 64}'\n\toption qos 'B'\n`).join(''), [
    'mf:766: c255: at most 255 classes can be enabled (the mark holds 255)',
  ]],
  ['power', "config power\n\toption source 'battery'\n\toption reserve '120'\nconfig power 'p2'\n", [
    "mf:2: @power[0].source: 'battery' needs limit_w, battery or ubus_object to know the power budget",
    'mf:3: @power[0].reserve: expected a number >= 0 and <= 100, got "120"',
    "mf:4: p2: only one 'power' section is allowed (the first is @power[0])",
  ]],
  ['power paths', "config power 'p'\n\toption source 'solar'\n\toption battery '/etc/shadow'\nconfig power 'q'\n", [
    'mf:3: p.battery: expected a directory under /sys/ (e.g. /sys/class/power_supply/BAT0), got "/etc/shadow"',
    "mf:4: q: only one 'power' section is allowed (the first is p)",
  ]],
  ['battery and ubus object together', "config power 'p'\n\toption source 'vehicle'\n\toption battery '/sys/class/power_supply/BAT0'\n\toption ubus_object 'battery'\n", [
    'mf:4: p.ubus_object: give either battery (sysfs) or ubus_object, not both',
  ]],
  ['telemetry', "config telemetry 't'\n\toption enabled '1'\n\toption device_id 'dev/+#'\n\toption topic_root 'a//b'\n\toption cert_file '/etc/c.pem'\n\toption username 'x\ty'\n", [
    "mf:1: t.broker: telemetry is enabled but no broker is set",
    'mf:3: t.device_id: expected an MQTT device id (1-64 of A-Z a-z 0-9 _ -), got "dev/+#"',
    "mf:4: t.topic_root: expected an MQTT topic root (parts of A-Z a-z 0-9 _ . - separated by '/', no + or #), got \"a//b\"",
    'mf:5: t.cert_file: cert_file and key_file go together',
    'mf:6: t.username: expected text without control characters (at most 256 bytes), got "x\\ty"',
  ]],
  ['telemetry broker URL and TLS files', "config telemetry 't'\n\toption broker 'http://example.com'\n\toption ca_file 'relative.pem'\nconfig telemetry 'u'\n\toption broker 'mqtt://b.example'\n\toption ca_file '/etc/ca.pem'\n", [
    'mf:2: t.broker: expected an mqtt://, mqtts://, ws:// or wss:// URL with a host, got "http://example.com"',
    "mf:3: t.ca_file: expected an absolute file path without '.' or '..' parts or control characters, got \"relative.pem\"",
    "mf:4: u: only one 'telemetry' section is allowed (the first is t)",
  ]],
  ['TLS files with a plain broker', "config telemetry 't'\n\toption broker 'mqtt://b.example'\n\toption ca_file '/etc/ca.pem'\n", [
    'mf:3: t.ca_file: warning: TLS files are only used with mqtts:// or wss:// brokers',
  ]],
];

for (const [name, text, expected] of cases) {
  t.test(name, async (t) => {
    t.same(problems(text), expected);
  });
}

t.test('defaults and conversions', async (t) => {
  const r = parseConfig(
    `${MODEM}\toption power_base_mw '1500'\n\toption power_tx_mw_per_mbps '300'\n\toption power_rx_mw_per_mbps '100'\n` +
      "config class\n\tlist dscp 'AF41'\n\tlist dscp 'cs1'\n\tlist dest_port '10000-20000'\n\tlist src_mac 'AA:BB:CC:DD:EE:FF'\n\toption qos 'S'\n",
    'mf',
  );
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const c = r.value;
  t.same(c.globals, { enabled: true, logLevel: 'info', markMask: 0x0fff0000, tableBase: 3100, rulePriorityBase: 5000, solveIntervalS: 60, hysteresis: 0.05, spreadBulk: true, lanInterfaces: ['lan'], lanPrefixes: [] });
  t.same(c.modems[0]!.power, { baseW: 1.5, txWPerKbps: 0.0003, rxWPerKbps: 0.0001 });
  t.same(c.modems[0]!.probeTargets, ['1.1.1.1', '8.8.8.8']);
  t.same(c.modems[0]!.plan, { pricePerGb: 0, quotaGb: null, billingDay: 1, overQuota: 'stop', overagePricePerGb: null });
  t.same(c.classes[0], {
    name: '@class[0]',
    dscp: [34, 8],
    proto: null,
    destPorts: [{ from: 10000, to: 20000 }],
    srcPorts: [],
    srcIps: [],
    srcMacs: ['aa:bb:cc:dd:ee:ff'],
    destIps: [],
    domains: [],
    qos: 'S',
    upKbps: 100,
    downKbps: 1000,
  });
  t.same(c.power, { source: 'mains', limitW: null, batteryPath: null, ubusObject: null, reservePct: 20, autonomyH: null, baseLoadW: 0 });
  t.equal(c.telemetry.topicRoot, 'modemflow');
  t.equal(c.telemetry.enabled, false);
});

t.test('disabled classes are left out, anonymous modems are named by interface', async (t) => {
  const r = parseConfig("config modem\n\toption interface 'wwan3'\nconfig class 'x'\n\toption enabled '0'\n\toption qos 'B'\n", 'mf');
  if (!r.ok) throw new Error('unexpected errors');
  t.equal(r.value.modems[0]!.name, 'wwan3');
  t.same(r.value.classes, []);
});
