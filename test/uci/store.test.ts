// The file store: commit is atomic (a failure at any step leaves the old file
// and no temporary file), deltas with awkward values survive the save file.
import t from 'tap';
import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UciStore, formatDelta, parseDeltaFile, uciEdit, parsePtr } from '../../src/uci/index.js';
import type { UciDelta, UciFs } from '../../src/uci/index.js';

const OLD = "config t 'a'\n\toption v 'old'\n";

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mf-ucistore-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** node:fs with one call replaced by a failure. */
function failing(call: keyof UciFs): UciFs {
  const real = fs as unknown as UciFs;
  return new Proxy(real, {
    get(target, prop) {
      if (prop === call) {
        return () => {
          throw Object.assign(new Error(`injected ${String(call)} failure`), { code: 'EIO' });
        };
      }
      return Reflect.get(target, prop) as unknown;
    },
  });
}

for (const call of ['writeSync', 'fsyncSync', 'fchmodSync', 'renameSync'] as const) {
  t.test(`a failing ${call} leaves the old file and no temporary file`, async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'pkg'), OLD);
    const save = join(dir, 'save');
    const ok = new UciStore({ confdir: dir, savedir: save, deltaPaths: [] });
    const loaded = ok.load('pkg');
    if (loaded.status !== 'ok') throw new Error('load failed');
    const record: UciDelta[] = [];
    t.equal(uciEdit(loaded.package, 'set', parsePtr('pkg.a.v=new')!, record), 'ok');
    t.equal(ok.save('pkg', record), 'ok');
    const broken = new UciStore({ confdir: dir, savedir: save, deltaPaths: [], fs: failing(call) });
    t.same(broken.commit('pkg'), { status: 'io' });
    t.equal(readFileSync(join(dir, 'pkg'), 'utf8'), OLD, 'old content intact');
    t.same(readdirSync(dir).sort(), ['pkg', 'save'], 'no temporary file left behind');
    t.equal(readFileSync(join(save, 'pkg'), 'utf8'), "pkg.a.v='new'\n", 'the change is still pending');
    t.same(ok.commit('pkg'), { status: 'ok' }, 'a later commit succeeds');
    t.equal(readFileSync(join(dir, 'pkg'), 'utf8'), "\nconfig t 'a'\n\toption v 'new'\n\n");
  });
}

t.test('commit without changes does not rewrite the file', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'pkg'), '# my comment stays\n' + OLD);
  const store = new UciStore({ confdir: dir, savedir: join(dir, 'save'), deltaPaths: [] });
  t.same(store.commit('pkg'), { status: 'ok' });
  t.match(readFileSync(join(dir, 'pkg'), 'utf8'), /^# my comment stays/);
});

t.test('delta lines keep quotes, newlines and equal signs', async (t) => {
  const deltas: UciDelta[] = [
    { cmd: 'change', section: 's', option: 'o', value: "a'b=c\nline2 \\ \"q\"" },
    { cmd: 'list-add', section: 's', option: 'l', value: '' },
    { cmd: 'remove', section: 's', option: 'l', value: '0' },
    { cmd: 'remove', section: 's', option: null, value: null },
    { cmd: 'reorder', section: 's', option: null, value: '2' },
  ];
  const text = deltas.map((d) => formatDelta('pkg', d)).join('');
  t.equal(text.split('\n')[0], "pkg.s.o='a'\\''b=c");
  t.same(parseDeltaFile(text, 'pkg'), deltas);
  t.same(parseDeltaFile("other.s.o='x'\njunk line here\n@pkg.s='bad name'\npkg.s.o='y'\n", 'pkg'), [
    { cmd: 'change', section: 's', option: 'o', value: 'y' },
  ], 'lines for other packages, junk and invalid renames are skipped');
});

t.test('listConfigs skips names with dots, directories and invalid names', async (t) => {
  const dir = tempDir(t);
  for (const f of ['b', 'a', 'a.bak', 'c d']) writeFileSync(join(dir, f), '');
  fs.mkdirSync(join(dir, 'sub'));
  t.same(new UciStore({ confdir: dir }).listConfigs(), ['a', 'b']);
});
