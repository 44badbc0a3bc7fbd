// openwrt/Makefile, run through a stand-in of the SDK's rules.mk and
// package.mk, installs exactly the tree `make ipk` packs (paths, modes,
// bytes), and its Build/Prepare stops when a bundle is missing.
import t from 'tap';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO, buildPackages, bundleDir, run, tempDir, unpackIpk } from './fixtures/helpers.js';

const STUB = join(import.meta.dirname, 'fixtures/sdk-stub');

const make = await run('make', ['--version']).then(
  () => false as const,
  () => 'GNU make is not installed',
);

function tree(dir: string): Map<string, { mode: number; data: Buffer }> {
  const out = new Map<string, { mode: number; data: Buffer }>();
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(`./${relative(dir, p)}`, { mode: st.mode & 0o7777, data: readFileSync(p) });
    }
  };
  walk(dir);
  return out;
}

async function sdkInstall(t: Parameters<typeof tempDir>[0], top: string): Promise<{ dest: string; result: Promise<unknown> }> {
  const work = tempDir(t, 'sdk');
  const dest = join(work, 'ipkg');
  const result = run('make', ['-s', '-C', join(REPO, 'openwrt'), `TOPDIR=${STUB}`, `BUILD_DIR=${join(work, 'build')}`, `DESTDIR=${dest}`, `MODEMFLOW_TOP=${top}`]);
  return { dest, result };
}

t.test('the SDK install tree is the ipk data', { skip: make }, async (t) => {
  const top = tempDir(t, 'top');
  mkdirSync(join(top, 'dist'));
  const dist = await bundleDir(t);
  for (const b of ['modemflow.js', 'modemflowd.js']) copyFileSync(join(dist, b), join(top, 'dist', b));
  const { dest, result } = await sdkInstall(t, top);
  await result;
  const installed = tree(dest);
  const ipk = unpackIpk((await buildPackages(t)).daemon);
  const packed = new Map(ipk.data.filter((e) => e.typeflag === '0').map((e) => [e.name, e]));
  t.same([...installed.keys()].sort(), [...packed.keys()].sort(), 'same files');
  for (const [name, f] of installed) {
    const p = packed.get(name);
    if (!p) continue;
    t.equal(f.mode.toString(8), p.mode.toString(8), `${name}: same mode`);
    t.ok(f.data.equals(p.data), `${name}: same bytes`);
  }
});

t.test('Build/Prepare fails loudly without the daemon bundle', { skip: make }, async (t) => {
  const top = tempDir(t, 'top');
  mkdirSync(join(top, 'dist'));
  copyFileSync(join(await bundleDir(t), 'modemflow.js'), join(top, 'dist', 'modemflow.js'));
  const { result } = await sdkInstall(t, top);
  const err = await result.then(
    () => null,
    (e: { stderr?: string }) => e,
  );
  t.ok(err, 'make fails');
  t.match(err?.stderr ?? '', /dist\/modemflowd\.js is missing: run 'make build'/);
});
