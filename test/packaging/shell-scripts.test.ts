// Every shell script we ship parses under dash (`sh -n`) and busybox ash
// (OpenWrt's /bin/sh); the hotplug hook wakes a running daemon over ubus
// and does nothing at all when it is not running.
import t from 'tap';
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { HOTPLUG, OPENWRT_FILES, buildPackages, hasBusybox, records, run, tempDir, unpackIpk } from './fixtures/helpers.js';

const busybox = await hasBusybox();

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Shipped shell scripts: those starting with #!/bin/sh, plus the maintainer scripts of both packages. */
async function scripts(t: Parameters<typeof buildPackages>[0]): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const p of filesUnder(OPENWRT_FILES)) {
    const text = readFileSync(p, 'utf8');
    if (text.startsWith('#!/bin/sh')) out.push([`openwrt/files/${relative(OPENWRT_FILES, p)}`, p]);
  }
  const pkgs = await buildPackages(t);
  const dir = tempDir(t, 'ctl');
  for (const [name, bytes] of [['modemflow', pkgs.daemon], ['luci-app-modemflow', pkgs.luci]] as const) {
    for (const e of unpackIpk(bytes).control) {
      if (!/^\.\/(postinst|prerm|postrm)(-pkg)?$/.test(e.name)) continue;
      const p = join(dir, `${name}.${e.name.slice(2)}`);
      writeFileSync(p, e.data);
      out.push([`${name} ${e.name.slice(2)}`, p]);
    }
  }
  return out;
}

t.test('sh -n and busybox ash -n accept every script', async (t) => {
  const all = await scripts(t);
  t.ok(all.length >= 9, `found ${all.length} scripts`);
  for (const [name, path] of all) {
    await t.resolves(run('sh', ['-n', path]), `sh -n ${name}`);
    if (busybox) await t.resolves(run('busybox', ['ash', '-n', path]), `busybox ash -n ${name}`);
  }
  if (!busybox) t.comment('busybox is not installed (make sysdeps): ash -n skipped');
});

t.test('no bash-only syntax in the scripts', async (t) => {
  for (const [name, path] of await scripts(t)) {
    const text = readFileSync(path, 'utf8');
    t.notMatch(text, /\[\[|\bfunction\s+\w+|\$\{[A-Za-z_]+:[0-9]|<<<|\bsource\s|==/, `${name}: no [[, function, substrings, here-strings, source or ==`);
  }
});

t.test('the hotplug hook', { skip: busybox ? false : 'busybox is not installed (make sysdeps)' }, async (t) => {
  // A stand-in for OpenWrt's ubus CLI (not on this machine): records its
  // arguments and answers `list modemflow` as a running daemon would.
  const dir = tempDir(t, 'hotplug');
  const bin = join(dir, 'bin');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'ubus'),
    [
      '#!/bin/sh',
      "{ for a in \"$@\"; do printf '%s\\037' \"$a\"; done; echo; } >> \"$MF_UBUS_LOG\"",
      'for a in "$@"; do',
      '\tcase "$a" in',
      '\t\tlist) [ "$MF_DAEMON" = 1 ] && { echo modemflow; exit 0; }; echo "Command failed: Not found" >&2; exit 4 ;;',
      '\t\tcall) exit 0 ;;',
      '\tesac',
      'done',
      'exit 1',
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'ubus'), 0o755);

  let n = 0;
  // hotplug-call sources each hook in a subshell with ACTION and INTERFACE set.
  async function hook(env: Record<string, string>): Promise<string[][]> {
    const log = join(dir, `ubus-${++n}.log`);
    writeFileSync(log, '');
    await run('busybox', ['ash', '-c', '( . "$0" )', HOTPLUG], {
      env: { PATH: `${bin}:${process.env.PATH}`, MF_UBUS_LOG: log, ...env },
    });
    return records(readFileSync(log, 'utf8'));
  }

  t.same(await hook({ ACTION: 'ifup', INTERFACE: 'wwan0', MF_DAEMON: '0' }), [['-S', 'list', 'modemflow']], 'daemon not running: only the lookup, no call');

  for (const action of ['ifup', 'ifdown', 'ifupdate']) {
    const calls = await hook({ ACTION: action, INTERFACE: 'wwan_1', MF_DAEMON: '1' });
    t.equal(calls.length, 2, `${action}: lookup then call`);
    t.same(calls[1]!.slice(0, 5), ['-t', '2', 'call', 'modemflow', 'iface_event'], `${action}: ubus call modemflow iface_event`);
    t.same(JSON.parse(calls[1]![5]!), { interface: 'wwan_1', action }, `${action}: the arguments as JSON`);
  }

  t.same(await hook({ ACTION: 'ifup-failed', INTERFACE: 'wwan0', MF_DAEMON: '1' }), [], 'other actions: nothing');
  t.same(await hook({ ACTION: 'ifup', INTERFACE: 'wwan0","action":"x', MF_DAEMON: '1' }), [], 'an interface name that is not a name: nothing');
  t.same(await hook({ ACTION: 'ifup', INTERFACE: '', MF_DAEMON: '1' }), [], 'no interface: nothing');
});
