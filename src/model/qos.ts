/**
 * 3GPP traffic classes, as the thesis uses them (002, section 3.2.1):
 * Background < Interactive < Streaming < Conversational. A bearer that meets
 * class Q can carry any flow whose class is at most Q (eq. 3.3).
 */
export type QosClass = 'C' | 'S' | 'I' | 'B';

export const QOS_CLASSES: readonly QosClass[] = ['C', 'S', 'I', 'B'];

/** Numeric rank, higher = stricter requirements. */
export const QOS_RANK: Readonly<Record<QosClass, number>> = { B: 0, I: 1, S: 2, C: 3 };

export const QOS_NAMES: Readonly<Record<QosClass, string>> = {
  C: 'conversational',
  S: 'streaming',
  I: 'interactive',
  B: 'background',
};

export function isQosClass(value: unknown): value is QosClass {
  return value === 'C' || value === 'S' || value === 'I' || value === 'B';
}

/** True when a bearer meeting `bearerQos` satisfies a flow requiring `flowQos`. */
export function meetsQos(bearerQos: QosClass, flowQos: QosClass): boolean {
  return QOS_RANK[flowQos] <= QOS_RANK[bearerQos];
}
