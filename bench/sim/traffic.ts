import type { QosClass } from '../../src/model/qos.js';
import type { SimRandom } from './random.js';

/**
 * The users of the thesis' vehicle router (002, lines 1426-1430): each user
 * holds video conferences (Poisson, 2 per hour, exponential duration of mean
 * 5 min; two 12 kbps audio and two 128 kbps video flows, class C, UDP) and
 * FTP and HTTP sessions (Poisson, 6 per hour per type; a geometric number of
 * packet calls of mean 5). Packet-call volumes and reading times follow the
 * models of 3GPP TR 25.892 (the thesis' [3GP04]) as we read them: FTP file
 * truncated lognormal (mean 2 MB, sd 0.722 MB, at most 5 MB), reading time
 * exponential (mean 180 s); HTTP page = main object (lognormal mean 10710 B,
 * sd 25032 B, 100 B..2 MB) + a truncated-Pareto number of embedded objects
 * (alpha 1.1, k 2, cut at 55, minus 2: mean about 5.6) of lognormal size
 * (mean 7758 B, sd 126168 B, 50 B..2 MB), reading time exponential (30 s).
 * A packet call is one flow at b = v / d_z for d_z seconds: d_z = 3 s for
 * HTTP; 45 s for FTP up to 2.5 MB, 120 s up to 5 MB, 240 s above. FTP goes
 * up or down with equal odds (class B); HTTP is a download (class I); both TCP.
 */

export type SessionKind = 'video' | 'ftp' | 'http';

export interface SimFlow {
  id: string;
  user: number;
  kind: SessionKind;
  /** Connections that die when moved behind NAT (DESIGN.md decision 1). */
  proto: 'tcp' | 'udp';
  qos: QosClass;
  upKbps: number;
  downKbps: number;
  startS: number;
  endS: number;
}

export interface TrafficOptions {
  users: number;
  horizonS: number;
  videoPerHour: number;
  videoMeanS: number;
  nrtPerHour: number;
  packetCallsMean: number;
}

export const THESIS_TRAFFIC: TrafficOptions = { users: 5, horizonS: 3 * 3600, videoPerHour: 2, videoMeanS: 300, nrtPerHour: 6, packetCallsMean: 5 };

const MB = 1e6;

/** d_z of the thesis for an FTP packet call of `bytes`. */
export function ftpToleratedS(bytes: number): number {
  return bytes <= 2.5 * MB ? 45 : bytes <= 5 * MB ? 120 : 240;
}

export const HTTP_TOLERATED_S = 3;

/** Bandwidth b_z = v_z / d_z in kbps (v in bytes). */
export function kbpsFor(bytes: number, toleratedS: number): number {
  return Math.ceil((bytes * 8) / 1000 / toleratedS);
}

function httpPageBytes(rnd: SimRandom): number {
  let bytes = rnd.truncatedLognormal(10710, 25032, 100, 2 * MB);
  const embedded = Math.floor(rnd.truncatedPareto(1.1, 2, 55)) - 2;
  for (let k = 0; k < embedded; k++) bytes += rnd.truncatedLognormal(7758, 126168, 50, 2 * MB);
  return bytes;
}

/** Every flow of every user over the horizon (flows still running at its end are cut there). */
export function generateFlows(rnd: SimRandom, o: TrafficOptions): SimFlow[] {
  const flows: SimFlow[] = [];
  const cut = (x: number) => Math.min(x, o.horizonS);
  for (let user = 1; user <= o.users; user++) {
    let n = 0;
    const id = (what: string) => `u${user}-${what}-${++n}`;
    for (let t = rnd.exponential(3600 / o.videoPerHour); t < o.horizonS; t += rnd.exponential(3600 / o.videoPerHour)) {
      const end = cut(t + rnd.exponential(o.videoMeanS));
      const base = { user, kind: 'video' as const, proto: 'udp' as const, qos: 'C' as const, startS: t, endS: end };
      flows.push({ ...base, id: id('audio-in'), upKbps: 0, downKbps: 12 });
      flows.push({ ...base, id: id('audio-out'), upKbps: 12, downKbps: 0 });
      flows.push({ ...base, id: id('video-in'), upKbps: 0, downKbps: 128 });
      flows.push({ ...base, id: id('video-out'), upKbps: 128, downKbps: 0 });
    }
    for (const kind of ['ftp', 'http'] as const) {
      const readingMeanS = kind === 'ftp' ? 180 : 30;
      for (let t = rnd.exponential(3600 / o.nrtPerHour); t < o.horizonS; t += rnd.exponential(3600 / o.nrtPerHour)) {
        const calls = rnd.geometric(o.packetCallsMean);
        let s = t;
        for (let c = 0; c < calls && s < o.horizonS; c++) {
          const bytes = kind === 'ftp' ? rnd.truncatedLognormal(2 * MB, 0.722 * MB, 1, 5 * MB) : httpPageBytes(rnd);
          const d = kind === 'ftp' ? ftpToleratedS(bytes) : HTTP_TOLERATED_S;
          const kbps = kbpsFor(bytes, d);
          const up = kind === 'ftp' && rnd.uniform() < 0.5;
          flows.push({
            id: id(kind === 'ftp' ? (up ? 'ftp-up' : 'ftp-down') : 'http'),
            user,
            kind,
            proto: 'tcp',
            qos: kind === 'ftp' ? 'B' : 'I',
            upKbps: up ? kbps : 0,
            downKbps: up ? 0 : kbps,
            startS: s,
            endS: cut(s + d),
          });
          s += d + rnd.exponential(readingMeanS);
        }
      }
    }
  }
  return flows.filter((f) => f.endS > f.startS);
}
