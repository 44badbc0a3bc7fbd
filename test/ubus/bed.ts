// Test bed: a broker on a unix socket in a fresh mf-ubus-* temp dir, and
// clients that are closed (and the dir removed) when the test ends, pass or fail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UbusBroker, UbusClient } from '../../src/ubus/index.js';
import type { UbusBrokerOptions, UbusClientOptions, UbusLogFields, UbusLogger } from '../../src/ubus/index.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export class RecordingLogger implements UbusLogger {
  readonly lines: { level: string; msg: string; fields: UbusLogFields }[] = [];
  error(msg: string, fields: UbusLogFields = {}): void { this.lines.push({ level: 'error', msg, fields }); }
  warn(msg: string, fields: UbusLogFields = {}): void { this.lines.push({ level: 'warn', msg, fields }); }
  info(msg: string, fields: UbusLogFields = {}): void { this.lines.push({ level: 'info', msg, fields }); }
  debug(msg: string, fields: UbusLogFields = {}): void { this.lines.push({ level: 'debug', msg, fields }); }
}

export interface Bed {
  dir: string;
  socketPath: string;
  broker: UbusBroker;
  client(options?: UbusClientOptions): Promise<UbusClient>;
}

export async function ubusBed(t: Teardown, brokerOptions: Omit<UbusBrokerOptions, 'socketPath'> = {}): Promise<Bed> {
  const dir = mkdtempSync(join(tmpdir(), 'mf-ubus-'));
  const socketPath = join(dir, 'ubus.sock');
  const broker = new UbusBroker({ ...brokerOptions, socketPath });
  const clients: UbusClient[] = [];
  t.teardown(async () => {
    for (const c of clients) await c.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await broker.start();
  return {
    dir,
    socketPath,
    broker,
    async client(options: UbusClientOptions = {}) {
      const c = new UbusClient({ socketPath, defaultTimeoutMs: 5000, ...options });
      clients.push(c);
      await c.connect();
      return c;
    },
  };
}

/** Polls cond every 5 ms; rejects after timeoutMs (a test-harness guard, not an assertion on time). */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const started = performance.now();
  while (!cond()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
