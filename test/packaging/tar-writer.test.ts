// The tar writer gives GNU tar's bytes for ipkg-build's flags, so our .ipk
// data is what the SDK would pack from the same tree.
import t from 'tap';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TarError, tarHeader, treeEntries, writeTar } from '../../scripts/ipk/tar-writer.js';
import { EPOCH, readTar, run, tempDir } from './fixtures/helpers.js';

const FILES = [
  { path: '/usr/bin/modemflow', mode: 0o755, data: Buffer.from('#!/bin/sh\nexec true\n') },
  { path: '/etc/config/modemflow', mode: 0o600, data: Buffer.alloc(1300, 0x61) },
  { path: '/etc/config/empty', mode: 0o644, data: Buffer.alloc(0) },
  { path: '/etc/a-b/exactly-512', mode: 0o644, data: Buffer.alloc(512, 0x62) },
  { path: '/www/luci-static/resources/view/modemflow/overview.js', mode: 0o644, data: Buffer.from('"use strict";\n') },
];

// --sort=name needs GNU tar 1.28 or later.
const gnuTar = await run('tar', ['--sort=name', '--version']).then(
  (r) => (/GNU tar/.test(r.stdout) ? false : 'tar is not GNU tar'),
  () => 'GNU tar with --sort is not installed',
);

t.test('same bytes as GNU tar --format=gnu --numeric-owner --sort=name --mtime', { skip: gnuTar }, async (t) => {
  const dir = tempDir(t, 'gnutar');
  const src = join(dir, 'src');
  for (const f of FILES) {
    mkdirSync(join(src, f.path, '..'), { recursive: true });
    writeFileSync(join(src, f.path), f.data);
    chmodSync(join(src, f.path), f.mode);
  }
  for (const d of ['', 'usr', 'usr/bin', 'etc', 'etc/config', 'etc/a-b', 'www', 'www/luci-static', 'www/luci-static/resources', 'www/luci-static/resources/view', 'www/luci-static/resources/view/modemflow']) {
    chmodSync(join(src, d), 0o755);
  }
  await run('tar', ['--format=gnu', '--numeric-owner', '--owner=0', '--group=0', '--sort=name', `--mtime=@${EPOCH}`, '-cf', join(dir, 'gnu.tar'), '.'], { cwd: src });
  const ours = writeTar(treeEntries(FILES), EPOCH);
  const gnu = readFileSync(join(dir, 'gnu.tar'));
  t.equal(ours.length, gnu.length, 'same length (10240-byte records)');
  t.ok(ours.equals(gnu), 'byte for byte');
});

t.test('entries: ./ first, each directory before its children, children in byte order', async (t) => {
  const names = readTar(writeTar(treeEntries(FILES), EPOCH)).map((e) => e.name);
  t.same(names, [
    './',
    './etc/',
    './etc/a-b/',
    './etc/a-b/exactly-512',
    './etc/config/',
    './etc/config/empty',
    './etc/config/modemflow',
    './usr/',
    './usr/bin/',
    './usr/bin/modemflow',
    './www/',
    './www/luci-static/',
    './www/luci-static/resources/',
    './www/luci-static/resources/view/',
    './www/luci-static/resources/view/modemflow/',
    './www/luci-static/resources/view/modemflow/overview.js',
  ]);
});

t.test('bad input is refused with the path named', async (t) => {
  t.throws(() => tarHeader({ name: `./${'x'.repeat(100)}`, type: 'file', mode: 0o644 }, EPOCH), TarError);
  t.throws(() => treeEntries([{ path: 'relative/x', mode: 0o644, data: Buffer.alloc(0) }]), { message: /not a clean absolute path: relative\/x/ });
  t.throws(() => treeEntries([{ path: '/a/../b', mode: 0o644, data: Buffer.alloc(0) }]), { message: /not a clean absolute path/ });
  t.throws(
    () => treeEntries([{ path: '/a', mode: 0o644, data: Buffer.alloc(0) }, { path: '/a', mode: 0o644, data: Buffer.alloc(0) }]),
    { message: /duplicate path: \/a/ },
  );
  t.throws(() => writeTar([], -1), { message: /mtime must be a non-negative integer/ });
});
