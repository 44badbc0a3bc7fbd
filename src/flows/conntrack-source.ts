import type { Result } from '../model/errors.js';
import type { CommandRunner, SysfsReader } from '../model/ports.js';

/**
 * Where a listing of the conntrack table comes from. `conntrack -L` (package
 * conntrack on OpenWrt) gives conntrack ids; /proc/net/nf_conntrack
 * (kmod-nf-conntrack with procfs, present on stock OpenWrt) needs no extra
 * package and prints the same fields without ids.
 */
export interface ConntrackSource {
  readonly name: string;
  read(): Promise<Result<string>>;
}

const SYSCTL_ACCT = 'net.netfilter.nf_conntrack_acct';

function exitText(code: number | null, timedOut: boolean): string {
  return timedOut ? 'timed out' : code === null ? 'killed by a signal' : `exit ${code}`;
}

/** `conntrack -L -o extended,id`: IPv4 and IPv6 in one dump (conntrack-tools 1.4.6 and later). */
export function conntrackToolSource(runner: CommandRunner, options: { netns?: string; timeoutMs?: number } = {}): ConntrackSource {
  return {
    name: 'conntrack -L',
    async read() {
      const r = await runner.run('conntrack', ['-L', '-o', 'extended,id'], { timeoutMs: options.timeoutMs ?? 10_000, ...(options.netns ? { netns: options.netns } : {}) });
      if (r.code === 0) return { ok: true, value: r.stdout };
      const hint = r.code === 127 ? ' (is the conntrack package installed?)' : '';
      return { ok: false, errors: [`conntrack -L failed (${exitText(r.code, r.timedOut)})${hint}: ${r.stderr.trim()}`] };
    },
  };
}

/** /proc/net/nf_conntrack read through a SysfsReader. */
export function procfsSource(reader: SysfsReader, path = '/proc/net/nf_conntrack'): ConntrackSource {
  return {
    name: path,
    async read() {
      const text = await reader.read(path);
      if (text === null) return { ok: false, errors: [`${path} is missing (kernel without CONFIG_NF_CONNTRACK_PROCFS, or conntrack not loaded)`] };
      return { ok: true, value: text };
    },
  };
}

export type AccountingState = 'on' | 'off' | 'unknown';

export interface AccountingResult {
  state: AccountingState;
  /** True when this call turned it on. */
  changed: boolean;
  /** Why it is not on, for the log and the status page. */
  problem: string | null;
}

/**
 * Byte counters exist only with net.netfilter.nf_conntrack_acct=1 (per
 * network namespace), and only for connections created after it was set.
 * Reads it and, when `enable`, turns it on with `sysctl -w` (busybox and
 * procps both take these arguments).
 */
export async function ensureAccounting(runner: CommandRunner, enable: boolean, netns?: string): Promise<AccountingResult> {
  const opts = { timeoutMs: 5000, ...(netns ? { netns } : {}) };
  const read = await runner.run('sysctl', ['-n', SYSCTL_ACCT], opts);
  const value = read.stdout.trim();
  if (read.code !== 0 || (value !== '0' && value !== '1')) {
    return { state: 'unknown', changed: false, problem: `cannot read ${SYSCTL_ACCT} (${exitText(read.code, read.timedOut)}): ${read.stderr.trim() || value}` };
  }
  if (value === '1') return { state: 'on', changed: false, problem: null };
  if (!enable) return { state: 'off', changed: false, problem: `${SYSCTL_ACCT}=0: no byte counters, demand comes from the class defaults` };
  const set = await runner.run('sysctl', ['-w', `${SYSCTL_ACCT}=1`], opts);
  if (set.code !== 0) {
    return { state: 'off', changed: false, problem: `could not set ${SYSCTL_ACCT}=1 (${exitText(set.code, set.timedOut)}): ${set.stderr.trim()}; demand comes from the class defaults` };
  }
  return { state: 'on', changed: true, problem: null };
}
