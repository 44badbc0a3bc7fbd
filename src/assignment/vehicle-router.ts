import type { BearerSpec, FlowSpec, TfapInstance } from '../model/tfap.js';

/**
 * The vehicle-router case of thesis 002, section 3.4.2: a mobile router in a
 * sightseeing bus with 2 UMTS and 2 WLAN (802.11a/b) interfaces, in reach of
 * 4 UMTS networks (6-9 units per kbit), 5 802.11a and 5 802.11b networks
 * (1-5 units per kbit), serving 5 users who browse, use FTP and hold video
 * conferences (12 kbps audio and 128 kbps video each way). The thesis gives
 * no per-network capacities or classes, so those below are one plausible
 * snapshot; power per RAT is Table 3.1 read as mW (see generate-thesis.ts).
 */

const UMTS = { baseW: 0.1072, txWPerKbps: 0.0083, rxWPerKbps: 0.0049 };
const W11A = { baseW: 0.368, txWPerKbps: 0.00032, rxWPerKbps: 0.00014 };
const W11B = { baseW: 0.2627, txWPerKbps: 0.00122, rxWPerKbps: 0.00122 };

function umtsBearers(): BearerSpec[] {
  return [
    { id: 'umts-1', qos: 'C', upKbps: 384, downKbps: 384, costPerKbit: 9, ...UMTS },
    { id: 'umts-2', qos: 'C', upKbps: 256, downKbps: 384, costPerKbit: 8, ...UMTS },
    { id: 'umts-3', qos: 'S', upKbps: 128, downKbps: 384, costPerKbit: 7, ...UMTS },
    { id: 'umts-4', qos: 'I', upKbps: 64, downKbps: 256, costPerKbit: 6, ...UMTS },
  ];
}

function wlanBearers(): BearerSpec[] {
  return [
    { id: 'wlan-a1', qos: 'S', upKbps: 512, downKbps: 1024, costPerKbit: 5, ...W11A },
    { id: 'wlan-a2', qos: 'I', upKbps: 512, downKbps: 768, costPerKbit: 4, ...W11A },
    { id: 'wlan-a3', qos: 'I', upKbps: 256, downKbps: 512, costPerKbit: 3, ...W11A },
    { id: 'wlan-a4', qos: 'B', upKbps: 256, downKbps: 512, costPerKbit: 2, ...W11A },
    { id: 'wlan-a5', qos: 'B', upKbps: 128, downKbps: 384, costPerKbit: 1, ...W11A },
    { id: 'wlan-b1', qos: 'S', upKbps: 384, downKbps: 768, costPerKbit: 4, ...W11B },
    { id: 'wlan-b2', qos: 'I', upKbps: 384, downKbps: 512, costPerKbit: 3, ...W11B },
    { id: 'wlan-b3', qos: 'I', upKbps: 256, downKbps: 384, costPerKbit: 2, ...W11B },
    { id: 'wlan-b4', qos: 'B', upKbps: 256, downKbps: 512, costPerKbit: 1.5, ...W11B },
    { id: 'wlan-b5', qos: 'B', upKbps: 128, downKbps: 256, costPerKbit: 1, ...W11B },
  ];
}

const FLOWS: FlowSpec[] = [
  // user 1 and user 2: video conferences
  { id: 'u1-conf-audio-in', upKbps: 0, downKbps: 12, qos: 'C' },
  { id: 'u1-conf-audio-out', upKbps: 12, downKbps: 0, qos: 'C' },
  { id: 'u1-conf-video-in', upKbps: 0, downKbps: 128, qos: 'C' },
  { id: 'u1-conf-video-out', upKbps: 128, downKbps: 0, qos: 'C' },
  { id: 'u2-conf-audio-in', upKbps: 0, downKbps: 12, qos: 'C' },
  { id: 'u2-conf-audio-out', upKbps: 12, downKbps: 0, qos: 'C' },
  { id: 'u2-conf-video-in', upKbps: 0, downKbps: 128, qos: 'C' },
  { id: 'u2-conf-video-out', upKbps: 128, downKbps: 0, qos: 'C' },
  // user 3: FTP download; user 4: browsing; user 5: FTP upload and browsing
  { id: 'u3-ftp-down', upKbps: 0, downKbps: 384, qos: 'B' },
  { id: 'u4-web', upKbps: 32, downKbps: 256, qos: 'I' },
  { id: 'u5-ftp-up', upKbps: 256, downKbps: 0, qos: 'B' },
  { id: 'u5-web', upKbps: 16, downKbps: 128, qos: 'I' },
];

/** P_max of the demo: between the least-power (4.376 W) and the least-cost (5.744 W) assignments, so it binds. */
export const VEHICLE_POWER_LIMIT_W = 5;

export function vehicleRouterInstance(powerLimitW: number | null = VEHICLE_POWER_LIMIT_W): TfapInstance {
  return {
    powerLimitW,
    interfaces: [
      { id: 'umts0', bearers: umtsBearers() },
      { id: 'umts1', bearers: umtsBearers() },
      { id: 'wlan0', bearers: wlanBearers() },
      { id: 'wlan1', bearers: wlanBearers() },
    ],
    flows: FLOWS.map((f) => ({ ...f })),
  };
}
