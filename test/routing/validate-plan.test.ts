import t from 'tap';
import { validatePlan } from '../../src/routing/validate-plan.js';
import { basePlan, modem, rule } from './fixtures/plans.js';

t.test('a good plan comes back canonical', async (t) => {
  const v = validatePlan(basePlan({ modems: [modem(1, { gatewayV6: 'FD64:1:0::1', addressesV6: ['fd64:1:0:0:0:0:0:2'] })], lan: { interfaces: ['lan0', 'lan0'], prefixes: ['192.168.77.9/24'] } }));
  t.ok(v.ok);
  if (!v.ok) return;
  t.equal(v.value.modems[0]!.gatewayV6, 'fd64:1::1');
  t.same(v.value.modems[0]!.addressesV6, ['fd64:1::2']);
  t.same(v.value.lanInterfaces, ['lan0']);
  t.same(v.value.exempt4, ['192.168.77.0/24']);
});

t.test('every problem is reported with where it is and what was expected', async (t) => {
  const v = validatePlan(
    basePlan({
      modems: [
        modem(1, { device: 'wan1; reboot' }),
        modem(1, { name: 'dup', gatewayV4: 'fd64::1' }),
        modem(16, { name: 'big' }),
        modem(4, { name: 'same-dev', device: 'wan1', addressesV4: ['100.64.4.999'] }),
        modem(5, { name: 'twin', device: 'wan5' }),
        modem(6, { name: 'twin2', device: 'wan5' }),
      ],
      classes: [
        rule({ name: 'bad', dscp: [64], destPorts: [{ from: 9, to: 1 }], srcIps: ['10.0.0.0/40'], srcMacs: ['zz'], domains: ['a/b'] }),
        rule({ name: 'icmp-ports', proto: 'icmp', destPorts: [{ from: 1, to: 1 }] }),
      ],
      lan: { interfaces: ['br lan'], prefixes: ['nope'] },
      exemptDestinations: ['1.2.3.4/33'],
      placements: [
        { host: '192.168.77.300', classIndex: 3, target: { kind: 'slot', slot: 9 } },
        { host: null, classIndex: 1, target: { kind: 'share', shares: [] } },
        { host: null, classIndex: 1, target: { kind: 'share', shares: [{ slot: 1, weight: -1 }, { slot: 1, weight: 1 }] } },
      ],
      defaultTarget: { kind: 'slot', slot: 12 },
      pins: [
        { tuple: { family: 4, proto: 'icmp', src: '192.168.77.2', dst: '1.1.1.1', sport: null, dport: null }, slot: 1 },
        { tuple: { family: 4, proto: 'tcp', src: 'fd77::2', dst: '1.1.1.1', sport: 1, dport: 70000 }, slot: 1 },
        { tuple: { family: 4, proto: 'udp', src: '192.168.77.2', dst: '1.1.1.1', sport: 5, dport: 6 }, slot: 1 },
        { tuple: { family: 4, proto: 'udp', src: '192.168.77.2', dst: '1.1.1.1', sport: 5, dport: 6 }, slot: 5 },
      ],
    }),
  );
  t.notOk(v.ok);
  if (v.ok) return;
  t.same(v.errors, [
    "modems[0] 'm1': device 'wan1; reboot' is not an interface name",
    "modems[1] 'dup': slot 1 is used twice",
    "modems[1] 'dup': gatewayV4 'fd64::1' is not an IPv4 address",
    "modems[2] 'big': slot must be 1..15, got 16",
    "modems[3] 'same-dev': address '100.64.4.999' is not an IPv4 address",
    "modems 'dup' and 'same-dev' are both up on device wan1",
    "modems 'twin' and 'twin2' are both up on device wan5",
    "classes[0] 'bad': dscp 64 is not 0-63",
    "classes[0] 'bad': port range 9-1 is not within 0-65535 in order",
    "classes[0] 'bad': '10.0.0.0/40' is not an IP address or CIDR",
    "classes[0] 'bad': 'zz' is not a MAC address",
    "classes[0] 'bad': 'a/b' is not a domain name",
    "classes[1] 'icmp-ports': ports need proto tcp, udp or sctp, not icmp",
    "lan.interfaces: 'br lan' is not an interface name",
    "lan.prefixes: 'nope' is not a CIDR",
    "exemptDestinations: '1.2.3.4/33' is not a CIDR",
    'placements[0]: classIndex must be 1..2, got 3',
    "placements[0]: host '192.168.77.300' is not an IP address",
    'placements[0]: slot 9 is not a modem of the plan',
    'placements[1]: a share needs at least one slot',
    'placements[2]: class 1 host (all) is placed twice',
    'placements[2]: share weight of slot 1 must be a finite number >= 0, got -1',
    'placements[2]: slot 1 appears twice in one share',
    'defaultTarget: slot 12 is not a modem of the plan',
    "pins[0]: proto must be tcp, udp, sctp or udplite, got 'icmp'",
    'pins[0]: ports must be 0-65535',
    'pins[1]: src/dst must be IPv4 addresses',
    'pins[1]: ports must be 0-65535',
    'pins[3]: connection 192.168.77.2 . udp . 1.1.1.1 . 5 . 6 is pinned to slots 1 and 5',
  ]);
});
