import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFlowsCommand } from '../../src/cli/flows-command.js';
import { memoryIo } from '../cli/memory-io.js';
import { ManualClock } from '../../src/os/clock.js';
import { RecordingRunner } from '../../src/os/recording-runner.js';
import { FsSysfsReader } from '../../src/os/sysfs.js';
import { ctLine, ScriptedSpawner } from './helpers.js';

const io = (): ReturnType<typeof memoryIo> => memoryIo();

function command(runner: RecordingRunner) {
  const clock = new ManualClock();
  return makeFlowsCommand(() => ({
    runner,
    spawner: new ScriptedSpawner(),
    clock,
    sysfs: new FsSysfsReader('/nonexistent'),
    sleep: async (ms) => clock.advance(ms),
  }));
}

t.test('two readings an interval apart: groups with measured demand', async (t) => {
  let reading = 0;
  const runner = new RecordingRunner()
    .on('sysctl -n', { stdout: '1\n' })
    .on('conntrack -L', () => {
      reading++;
      return {
        stdout: [
          ctLine({ src: '192.168.1.20', dst: '203.0.113.1', upBytes: 1000 * reading, downBytes: 500_000 * reading, natTo: '100.64.0.2', mark: 0x00b30000, id: 1 }),
          ctLine({ proto: 'udp', src: '192.168.1.1', dst: '192.168.1.20', dport: 53, id: 2 }),
        ].join('\n'),
      };
    });
  const out = io();
  const code = await command(runner)(['--lan', '192.168.1.0/24', '--interval-ms', '2000', '--connections'], out);
  t.equal(code, 0, out.err);
  t.equal(reading, 2);
  t.match(out.out, /source conntrack -L, accounting on/);
  t.match(out.out, /2 connections: 1 in 1 groups; not placed: 0 not from the LAN, 1 inside the LAN/);
  // 500 000 bytes in 2 s = 2000 kbit/s; mark 0x00b30000 = class 11 (web) on slot 3.
  t.match(out.out, /h:192\.168\.1\.20:web\s+I\s+4k\s+2000k measured\s+1\s+3 no/);
  t.match(out.out, /tcp\s+192\.168\.1\.20:40000 > 203\.0\.113\.1:443\s+web\s+mark/);

  const json = io();
  await command(runner)(['--lan', '192.168.1.0/24', '--json'], json);
  const parsed = JSON.parse(json.out) as { groups: Array<{ id: string }>; status: { accounting: string } };
  t.equal(parsed.groups[0]!.id, 'h:192.168.1.20:web');
  t.equal(parsed.status.accounting, 'on');
});

t.test('usage errors, failures and the config file', async (t) => {
  const runner = new RecordingRunner().on('sysctl -n', { stdout: '1\n' }).on('conntrack -L', { code: 1, stderr: 'Operation not permitted' });
  const noLan = io();
  t.equal(await command(runner)([], noLan), 2);
  t.match(noLan.err, /--lan is required/);
  const badLan = io();
  t.equal(await command(runner)(['--lan', '10.0.0.0/40'], badLan), 2);
  t.match(badLan.err, /LAN prefix '10\.0\.0\.0\/40'/);
  const badInterval = io();
  t.equal(await command(runner)(['--lan', '10.0.0.0/8', '--interval-ms', 'soon'], badInterval), 2);
  const failing = io();
  t.equal(await command(runner)(['--lan', '10.0.0.0/8'], failing), 1);
  t.match(failing.err, /conntrack -L failed \(exit 1\): Operation not permitted/);
  const dir = mkdtempSync(join(tmpdir(), 'mff-cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const missing = io();
  t.equal(await command(runner)(['--lan', '10.0.0.0/8', '--config', dir], missing), 1);
  t.match(missing.err, /modemflow: cannot read the file/);
  writeFileSync(join(dir, 'modemflow'), "config class 'tv'\n\toption qos 'S'\n\tlist dest_ip '198.51.100.0/24'\n\toption up_kbps '100'\n\toption down_kbps '8000'\n");
  const ok = new RecordingRunner().on('sysctl -n', { stdout: '1\n' }).on('conntrack -L', { stdout: ctLine({ src: '10.1.1.1', dst: '198.51.100.7' }) });
  const withConfig = io();
  t.equal(await command(ok)(['--lan', '10.0.0.0/8', '--config', dir], withConfig), 0, withConfig.err);
  t.match(withConfig.out, /h:10\.1\.1\.1:tv\s+S/);
  const help = io();
  t.equal(await command(runner)(['--help'], help), 0);
  t.match(help.out, /usage: modemflow flows/);
});
