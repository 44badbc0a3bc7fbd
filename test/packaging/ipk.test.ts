// The two .ipk files as OpenWrt 24.10's opkg reads them: outer gzip'd tar
// (not ar), every control field in the SDK's order, contents, modes,
// owners, conffiles, maintainer scripts; same tree, same bytes.
import t from 'tap';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildAll } from '../../scripts/ipk/main.js';
import { IpkError } from '../../scripts/ipk/ipk.js';
import { EPOCH, OPENWRT_FILES, REPO, buildPackages, bundleDir, controlFields, hasBusybox, run, tempDir, unpackIpk } from './fixtures/helpers.js';

const pkgs = await buildPackages(t);
const daemon = unpackIpk(pkgs.daemon);
const luci = unpackIpk(pkgs.luci);
const makefile = readFileSync(join(REPO, 'openwrt/Makefile'), 'utf8');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

t.test('file names are <name>_<version>_all.ipk with an apk-compatible version', async (t) => {
  t.same(
    pkgs.files.map((f) => f.split('/').pop()),
    ['modemflow_0.2.0-r1_all.ipk', 'luci-app-modemflow_0.2.0-r1_all.ipk'],
  );
  t.match(makefile, /^PKG_VERSION:=0\.2\.0$/m);
  t.match(makefile, /^PKG_RELEASE:=1$/m);
});

t.test('outer archive: gzip without timestamp around a tar of debian-binary, data, control', async (t) => {
  for (const [name, bytes, ipk] of [['modemflow', pkgs.daemon, daemon], ['luci', pkgs.luci, luci]] as const) {
    t.equal(bytes[0], 0x1f, `${name}: gzip magic`);
    t.equal(bytes[1], 0x8b, `${name}: gzip magic`);
    t.equal(bytes.readUInt32LE(4), 0, `${name}: gzip mtime 0`);
    t.equal(bytes[3]! & 0x08, 0, `${name}: no file name in the gzip header`);
    t.not(bytes.subarray(0, 7).toString('latin1'), '!<arch>', `${name}: not an ar archive`);
    t.same(ipk.outer.map((e) => e.name), ['./debian-binary', './data.tar.gz', './control.tar.gz'], `${name}: outer members in ipkg-build's order`);
    t.equal(ipk.file('control', './control').data.length > 0, true);
    t.equal(ipk.outer[0]!.data.toString(), '2.0\n', `${name}: debian-binary`);
    for (const e of [...ipk.outer, ...ipk.control, ...ipk.data]) {
      t.equal(e.uid, 0, `${name}: ${e.name} uid 0`);
      t.equal(e.gid, 0, `${name}: ${e.name} gid 0`);
      t.equal(e.uname + e.gname, '', `${name}: ${e.name} numeric owner only`);
      t.equal(e.mtime, EPOCH, `${name}: ${e.name} mtime is SOURCE_DATE_EPOCH`);
      t.equal(e.magic, 'ustar  \0', `${name}: ${e.name} GNU tar header`);
    }
  }
});

t.test('modemflow control: every field, in the SDK order', async (t) => {
  const text = daemon.file('control', './control').data.toString();
  const fields = controlFields(text);
  t.same(
    fields.map(([k]) => k),
    ['Package', 'Version', 'Depends', 'Source', 'SourceName', 'License', 'Section', 'SourceDateEpoch', 'Maintainer', 'Architecture', 'Installed-Size', 'Description'],
  );
  const f = Object.fromEntries(fields);
  t.equal(f.Package, 'modemflow');
  t.equal(f.Version, '0.2.0-r1');
  const deps = f.Depends!.split(', ');
  t.equal(deps[0], 'libc', 'libc first, as the SDK adds it');
  for (const d of ['node', 'nftables-json', 'ip-full', 'conntrack', 'kmod-nft-core', 'kmod-nf-conntrack', 'kmod-nft-fib', 'kmod-nf-conntrack6', 'kmod-nf-conntrack-netlink']) {
    t.ok(deps.includes(d), `depends on ${d}`);
  }
  const mkDeps = /DEPENDS:=(.*)/.exec(makefile)![1]!.split(/\s+/).map((d) => d.replace(/^\+/, ''));
  t.same(deps.slice(1), mkDeps, 'Depends is the Makefile DEPENDS');
  t.equal(f.Source, 'feeds/modemflow/modemflow');
  t.equal(f.SourceName, 'modemflow');
  t.equal(f.License, 'GPL-2.0-only');
  t.equal(f.Section, 'net');
  t.equal(f.SourceDateEpoch, String(EPOCH));
  t.match(f.Maintainer, /^.+ <[^@\s]+@example\.(org|com|net)>$/, 'a placeholder address');
  t.equal(f.Architecture, 'all');
  t.equal(f['Installed-Size'], String(daemon.dataTarLength), 'Installed-Size is the uncompressed data tar, as ipkg-build counts it');
  t.match(text, /\nDescription:  modemflow decides which modem carries which traffic/);
  t.ok(text.endsWith('power budget.\n'), 'control ends with the description and a newline');
});

t.test('luci-app-modemflow control', async (t) => {
  const f = Object.fromEntries(controlFields(luci.file('control', './control').data.toString()));
  t.equal(f.Package, 'luci-app-modemflow');
  t.equal(f.Architecture, 'all');
  t.equal(f.Section, 'luci');
  const deps = f.Depends!.split(', ');
  t.equal(deps[0], 'libc');
  t.ok(deps.includes('luci-base'), 'depends on luci-base');
  t.ok(deps.includes('modemflow'), 'depends on modemflow');
  t.equal(f['Installed-Size'], String(luci.dataTarLength));
});

t.test('modemflow contents: paths, modes and directories', async (t) => {
  const entries = daemon.data.map((e) => `${e.typeflag} ${e.mode.toString(8).padStart(4, '0')} ${e.name}`);
  t.same(entries, [
    '5 0755 ./',
    '5 0755 ./etc/',
    '5 0755 ./etc/config/',
    '0 0600 ./etc/config/modemflow',
    '5 0755 ./etc/hotplug.d/',
    '5 0755 ./etc/hotplug.d/iface/',
    '0 0755 ./etc/hotplug.d/iface/60-modemflow',
    '5 0755 ./etc/init.d/',
    '0 0755 ./etc/init.d/modemflow',
    '5 0755 ./etc/uci-defaults/',
    '0 0755 ./etc/uci-defaults/90-modemflow',
    '5 0755 ./lib/',
    '5 0755 ./lib/upgrade/',
    '5 0755 ./lib/upgrade/keep.d/',
    '0 0644 ./lib/upgrade/keep.d/modemflow',
    '5 0755 ./usr/',
    '5 0755 ./usr/bin/',
    '0 0755 ./usr/bin/modemflow',
    '5 0755 ./usr/lib/',
    '5 0755 ./usr/lib/modemflow/',
    '0 0644 ./usr/lib/modemflow/modemflow.js',
    '0 0644 ./usr/lib/modemflow/modemflowd.js',
    '5 0755 ./usr/sbin/',
    '0 0755 ./usr/sbin/modemflowd',
  ]);
  const dist = await bundleDir(t);
  t.ok(daemon.file('data', './usr/lib/modemflow/modemflowd.js').data.equals(readFileSync(join(dist, 'modemflowd.js'))), 'the daemon bundle as built');
  t.ok(daemon.file('data', './usr/lib/modemflow/modemflow.js').data.equals(readFileSync(join(dist, 'modemflow.js'))), 'the CLI bundle as built');
  for (const p of filesUnder(OPENWRT_FILES)) {
    const rel = relative(OPENWRT_FILES, p);
    t.ok(daemon.file('data', `./${rel}`).data.equals(readFileSync(p)), `${rel} packaged byte for byte`);
    t.ok(makefile.includes(`./files/${rel} $(1)/${rel}`), `openwrt/Makefile installs ${rel} to the same place`);
  }
});

t.test('conffiles: the list matches regular files of the tree', async (t) => {
  const conffiles = daemon.file('control', './conffiles').data.toString();
  t.equal(conffiles, '/etc/config/modemflow\n');
  for (const c of conffiles.trim().split('\n')) {
    const e = daemon.file('data', `.${c}`);
    t.equal(e.typeflag, '0', `${c} is a regular file in data.tar.gz`);
  }
  t.notOk(luci.control.some((e) => e.name === './conffiles'), 'the LuCI app has no conffiles');
});

t.test('maintainer scripts: default_postinst/default_prerm from /lib/functions.sh', async (t) => {
  for (const ipk of [daemon, luci]) {
    const post = ipk.file('control', './postinst');
    const pre = ipk.file('control', './prerm');
    t.equal(post.mode, 0o755);
    t.equal(pre.mode, 0o755);
    t.equal(
      post.data.toString(),
      '#!/bin/sh\n[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0\n[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\ndefault_postinst $0 $@\n',
    );
    t.equal(pre.data.toString(), '#!/bin/sh\n[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\ndefault_prerm $0 $@\n');
  }
  t.same(daemon.control.map((e) => e.name), ['./', './conffiles', './control', './postinst', './postrm', './prerm']);
  const postrm = daemon.file('control', './postrm');
  t.equal(postrm.mode, 0o755);
  t.match(postrm.data.toString(), /^#!\/bin\/sh\n\[ -n "\$\{IPKG_INSTROOT\}" \] && exit 0\n/, 'postrm: $$ of the Makefile became $');
  t.match(postrm.data.toString(), /\[ "\$\{PKG_UPGRADE\}" = "1" \] && exit 0\n/, 'postrm keeps the state on upgrade');
  t.match(postrm.data.toString(), /\nrm -rf \/etc\/modemflow\/state\n/, 'postrm removes the daemon state on removal');
  const luciPost = luci.file('control', './postinst-pkg').data.toString();
  t.match(luciPost, /^\[ -n "\$\{IPKG_INSTROOT\}" \] \|\| \{\n/, 'only on a live router, not into an image root');
  t.match(luciPost, /\trm -f \/tmp\/luci-indexcache\.\*\n/, "drops LuCI's menu index cache");
  t.match(luciPost, /\trm -rf \/tmp\/luci-modulecache\/\n/);
  t.match(luciPost, /\tkillall -HUP rpcd 2>\/dev\/null\n/, 'rpcd re-reads the ACLs');
});

t.test('luci-app-modemflow contents: luci-ui/htdocs under /www, luci-ui/root under /', async (t) => {
  const want = [
    ...(await listIfExists(join(REPO, 'luci-ui/htdocs'))).map((p) => `./www/${p}`),
    ...(await listIfExists(join(REPO, 'luci-ui/root'))).map((p) => `./${p}`),
  ].sort();
  const got = luci.data.filter((e) => e.typeflag === '0').map((e) => e.name).sort();
  t.same(got, want);
  for (const e of luci.data) t.ok(e.mode === 0o755 || e.mode === 0o644, `${e.name} mode ${e.mode.toString(8)}`);
});

async function listIfExists(dir: string): Promise<string[]> {
  try {
    return filesUnder(dir).map((p) => relative(dir, p)).filter((p) => !p.split('/').some((s) => s.endsWith('~') || s.startsWith('.#')));
  } catch {
    return [];
  }
}

const busybox = await hasBusybox();

t.test('GNU tar and busybox tar (what the router has) extract the package', async (t) => {
  const dir = tempDir(t, 'x');
  writeFileSync(join(dir, 'p.ipk'), pkgs.daemon);
  await run('tar', ['-xzf', 'p.ipk'], { cwd: dir });
  const { stdout } = await run('tar', ['-tzvf', 'data.tar.gz', '--numeric-owner'], { cwd: dir });
  t.match(stdout, /-rwxr-xr-x 0\/0 +\d+ \S+ \S+ \.\/etc\/init\.d\/modemflow/);
  t.test('busybox tar', { skip: busybox ? false : 'busybox is not installed (make sysdeps)' }, async (t) => {
    const { stdout: bb } = await run('busybox', ['tar', '-tzf', 'data.tar.gz'], { cwd: dir });
    t.ok(bb.split('\n').includes('./usr/sbin/modemflowd'), 'busybox tar lists the data');
  });
});

t.test('deterministic: the same tree gives the same bytes', async (t) => {
  const again = await buildPackages(t);
  t.ok(again.daemon.equals(pkgs.daemon), 'modemflow ipk identical');
  t.ok(again.luci.equals(pkgs.luci), 'luci-app-modemflow ipk identical');
});

t.test('a missing daemon bundle stops the build with a clear error', async (t) => {
  const dist = tempDir(t, 'nodaemon');
  writeFileSync(join(dist, 'modemflow.js'), '// cli\n');
  let caught: unknown = null;
  try {
    buildAll({ repoRoot: REPO, distDir: dist, luciDir: join(REPO, 'luci-ui'), outDir: tempDir(t, 'o'), sourceDateEpoch: EPOCH });
  } catch (e) {
    caught = e;
  }
  t.ok(caught instanceof IpkError, 'an IpkError');
  t.match((caught as Error).message, /modemflowd\.js is missing/, 'names the missing bundle');
  t.match((caught as Error).message, /node build\.mjs router/, 'says how to build it');
});
