// A UbusCaller answering from recorded JSON fixtures of the real daemons'
// replies (netifd, modemmanager-rpcd, QModem's rpcd object). A fake of a
// port, not of a module: unknown objects reject the way ubus does (NOT_FOUND).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UbusCaller } from '../../src/model/ports.js';
import type { ModemConfig } from '../../src/model/config.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as unknown;
}

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export class UbusStatusError extends Error {
  constructor(readonly code: string, what: string) {
    super(`${what}: ${code}`);
  }
}

type Answer = Record<string, unknown> | 'hang' | 'not-found' | ((args: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>);

export class FixtureUbus implements UbusCaller {
  readonly calls: string[] = [];
  private readonly answers = new Map<string, Answer>();

  /** Answer `path method` with a fixture file, an object, a function, or 'hang' / 'not-found'. */
  on(path: string, method: string, answer: string | Answer): this {
    const a: Answer = typeof answer === 'string' && answer.endsWith('.json') ? (fixture(answer) as Record<string, unknown>) : (answer as Answer);
    this.answers.set(`${path} ${method}`, a);
    return this;
  }

  off(path: string, method: string): this {
    this.answers.delete(`${path} ${method}`);
    return this;
  }

  async call(path: string, method: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    this.calls.push(`${path} ${method} ${JSON.stringify(args)}`);
    const a = this.answers.get(`${path} ${method}`);
    if (a === undefined || a === 'not-found') throw new UbusStatusError('NOT_FOUND', `${path} ${method}`);
    if (a === 'hang') return new Promise<Record<string, unknown>>(() => undefined);
    if (typeof a === 'function') return a(args);
    return structuredClone(a);
  }
}

export function modemConfig(partial: Partial<ModemConfig> & Pick<ModemConfig, 'name' | 'interface'>): ModemConfig {
  return {
    enabled: true,
    metrics: 'auto',
    device: null,
    tier: 'primary',
    plan: { pricePerGb: 2, quotaGb: null, billingDay: 1, overQuota: 'stop', overagePricePerGb: null },
    thresholds: { minRsrpDbm: null, minSinrDb: null, maxLossPct: null, maxRttMs: null, minDownKbps: null },
    probeTargets: [],
    probeIntervalS: 1,
    upKbpsCap: null,
    downKbpsCap: null,
    power: null,
    allowSimSwitch: false,
    ...partial,
  };
}
