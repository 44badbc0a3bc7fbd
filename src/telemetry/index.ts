export { Telemetry } from './telemetry.js';
export type { TelemetryDeps, TelemetryStatus } from './telemetry.js';
export { FileOutboxStore } from './outbox-store.js';
export type { OutboxStore } from './outbox-store.js';
export type { OutboxSnapshot } from './outbox.js';
export { tcpTransport } from './transport.js';
export type { TransportFactory, TransportRequest, TlsMaterial } from './transport.js';
export { deriveDeviceId } from './topics.js';
