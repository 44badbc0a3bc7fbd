/**
 * The demo's network: test/netns/testbed.sh with three uplinks shaped like
 * the scenario's modems, a second LAN host address, and the run directory
 * (config, ubus socket, state, logs). `teardown` removes all of it and is
 * safe to run any number of times, also when nothing is there.
 */
import { rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './processes.js';
import { LAN_HOSTS, MODEMS } from './scenario.js';

/**
 * Packets an uplink may queue: about 75 ms at the cheap SIM's 8 Mbit/s. A
 * veth's default 1000 packets would add seconds of delay under load.
 */
export const QUEUE_PACKETS = 50;

export interface DemoPaths {
  root: string;
  runDir: string;
  confDir: string;
  socket: string;
  stateDir: string;
  testbed: string;
}

export function demoPaths(root: string, prefix: string): DemoPaths {
  const runDir = `/tmp/modemflow-demo-${prefix}`;
  return {
    root,
    runDir,
    confDir: join(runDir, 'config'),
    socket: join(runDir, 'ubus.sock'),
    stateDir: join(runDir, 'state'),
    testbed: join(root, 'test/netns/testbed.sh'),
  };
}

/** Why the full demo cannot run here, or null. */
export async function whyNotHere(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'it needs root (network namespaces)';
  for (const tool of ['ip', 'nft', 'tc', 'conntrack', 'ping']) {
    try {
      await run('sh', ['-c', 'command -v "$1"', 'sh', tool]);
    } catch {
      return `${tool} is not installed (scripts/sysdeps.sh demo)`;
    }
  }
  return null;
}

export async function teardown(p: DemoPaths, prefix: string): Promise<void> {
  await run(p.testbed, ['--prefix', prefix, 'down']).catch(() => undefined);
  await rm(p.runDir, { recursive: true, force: true });
}

export interface BedResult {
  /** Whether the uplinks have their delay (the kernel has sch_netem). */
  delay: boolean;
}

export async function buildBed(p: DemoPaths, prefix: string): Promise<BedResult> {
  await teardown(p, prefix);
  await mkdir(p.confDir, { recursive: true });
  await mkdir(p.stateDir, { recursive: true });
  await run(p.testbed, ['--prefix', prefix, '--uplinks', String(MODEMS.length), 'up']);
  const lan = `${prefix}-lan`;
  for (const h of LAN_HOSTS.slice(1)) {
    await run('ip', ['-n', lan, 'addr', 'add', `${h.v4}/24`, 'dev', 'eth0']);
    await run('ip', ['-n', lan, 'addr', 'add', `${h.v6}/64`, 'dev', 'eth0', 'nodad']);
  }
  let delay = true;
  for (const m of MODEMS) {
    const args = ['--prefix', prefix, 'shape', '--uplink', String(m.uplink), '--rate', `${m.rateMbit}mbit`, '--queue', String(QUEUE_PACKETS)];
    try {
      if (!delay) throw new Error('no netem');
      await run(p.testbed, [...args, '--delay', `${m.delayMs}ms`]);
    } catch {
      // No sch_netem in this kernel: the rate alone (htb) still shapes the uplink.
      delay = false;
      await run(p.testbed, args);
    }
  }
  return { delay };
}
