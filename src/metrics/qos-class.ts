import type { PathStats } from '../model/modem.js';
import type { QosClass } from '../model/qos.js';

/**
 * Which QoS class a bearer currently meets, from its measured path.
 *
 * In the spirit of the 3GPP delay budgets (TS 23.203, Table 6.1.7, standardized
 * QCI characteristics). There the packet delay budget (PDB) is one-way, UE to
 * the PCEF at the operator's gateway, and the packet error loss rate (PELR)
 * counts link-layer losses:
 *
 *   QCI 1  conversational voice            PDB 100 ms  PELR 1e-2
 *   QCI 2  conversational video (live)     PDB 150 ms  PELR 1e-3
 *   QCI 3  real-time gaming                PDB  50 ms  PELR 1e-3
 *   QCI 4  buffered streaming video        PDB 300 ms  PELR 1e-6
 *   QCI 6-9 TCP-based: web, email, ftp...  PDB 100-300 ms  PELR 1e-6
 *
 * modemflow measures round trips from the router to an internet target, so
 * the budgets are doubled (there and back) and widened by what lies beyond
 * the operator's gateway; ICMP loss cannot resolve 1e-6, so the loss limits
 * are what the applications of each class still tolerate end to end.
 *
 *   class            RTT (short window)  jitter     loss (long window)
 *   C conversational <= 200 ms  (2x100)  <= 30 ms   <= 1 %   (QCI 1 PELR)
 *   S streaming      <= 300 ms  (2x150)  <= 60 ms   <= 2 %
 *   I interactive    <= 600 ms  (2x300)  —          <= 5 %
 *   B background     anything that still answers
 *
 * RTT and jitter come from the short window (react fast), loss from the long
 * window once it has 20 samples (one lost probe in a 10-probe short window
 * would read as 10 %).
 */
export interface QosThreshold {
  qos: QosClass;
  maxRttMs: number;
  maxJitterMs: number | null;
  maxLossPct: number;
}

export const QOS_THRESHOLDS: readonly QosThreshold[] = Object.freeze([
  { qos: 'C', maxRttMs: 200, maxJitterMs: 30, maxLossPct: 1 },
  { qos: 'S', maxRttMs: 300, maxJitterMs: 60, maxLossPct: 2 },
  { qos: 'I', maxRttMs: 600, maxJitterMs: null, maxLossPct: 5 },
]);

/** The best class the path meets; null when it is dead or has no answered probe yet (nothing is known). */
export function qosFromPath(path: PathStats | null, thresholds: readonly QosThreshold[] = QOS_THRESHOLDS): QosClass | null {
  if (!path || !path.alive || path.short.rttMs === null) return null;
  const rtt = path.short.rttMs;
  const jitter = path.short.jitterMs ?? 0;
  const loss = (path.long.samples >= 20 ? path.long.lossPct : path.short.lossPct) ?? 0;
  for (const th of thresholds) {
    if (rtt <= th.maxRttMs && (th.maxJitterMs === null || jitter <= th.maxJitterMs) && loss <= th.maxLossPct) return th.qos;
  }
  return 'B';
}
