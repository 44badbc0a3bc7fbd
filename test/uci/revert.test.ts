// `uci revert` as libuci does it (delta.c uci_filter_delta): the save file
// loses the changes to the package, section or option named, the rest is
// written back in uci's own delta format, other delta directories are never
// touched, and a save file libuci cannot parse is left as it is.
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UciStore, filterDeltaFile } from '../../src/uci/index.js';
import { uciCommand } from '../../src/cli/uci-command.js';

const NET = `config interface 'lan'
\toption proto 'static'

config rule
\toption name 'first'
`;

function setup(t: { teardown(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'mf-uci-revert-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'mfnet'), NET);
  const save = join(dir, 'save');
  const uci = async (...a: string[]) => {
    let out = '';
    let err = '';
    const code = await uciCommand(['-c', dir, '-t', save, ...a], {
      stdout: (s) => void (out += s),
      stderr: (s) => void (err += s),
      readStdin: async () => '',
      env: {},
    });
    return { code, out, err };
  };
  const saved = (): string => readFileSync(join(save, 'mfnet'), 'utf8');
  const changeAll = async (): Promise<void> => {
    await uci('set', 'mfnet.lan.proto=dhcp');
    await uci('set', 'mfnet.lan.mtu=1400');
    await uci('add', 'mfnet', 'rule');
    await uci('set', 'mfnet.@rule[-1].name=second');
    await uci('add_list', 'mfnet.lan.dns=9.9.9.9');
  };
  return { dir, save, uci, saved, changeAll };
}

const ALL = `mfnet.lan.proto='dhcp'
mfnet.lan.mtu='1400'
+mfnet.cfg0392bd='rule'
mfnet.cfg0392bd.name='second'
|mfnet.lan.dns='9.9.9.9'
`;

t.test('revert an option, a section, an anonymous section by @type[N], then the package', async (t) => {
  const { uci, saved, changeAll } = setup(t);
  await changeAll();
  t.equal(saved(), ALL, 'the changes are saved');
  t.same(await uci('revert', 'mfnet.lan.proto'), { code: 0, out: '', err: '' });
  t.equal(saved(), ALL.replace("mfnet.lan.proto='dhcp'\n", ''), 'only that option');
  t.same(await uci('get', 'mfnet.lan.proto'), { code: 0, out: 'static\n', err: '' }, 'the committed value shows again');
  t.equal((await uci('revert', 'mfnet.@rule[-1]')).code, 0);
  t.equal(saved(), "mfnet.lan.mtu='1400'\n|mfnet.lan.dns='9.9.9.9'\n", '@rule[-1] resolved to the added section: both its lines go');
  t.equal((await uci('revert', 'mfnet.lan')).code, 0);
  t.equal(saved(), '', 'every change to lan');
  await changeAll();
  t.equal((await uci('revert', 'mfnet')).code, 0);
  t.equal(saved(), '', 'the whole package');
  t.same(await uci('changes', 'mfnet'), { code: 0, out: '', err: '' });
});

t.test('what revert refuses or leaves alone, with uci exit codes', async (t) => {
  const { dir, save, uci, saved, changeAll } = setup(t);
  t.same(await uci('revert', 'mfnet'), { code: 0, out: '', err: '' }, 'nothing saved: nothing to do');
  t.notOk(existsSync(join(save, 'mfnet')));
  await changeAll();
  t.same(await uci('revert', 'mfnet.lan.proto=x'), { code: 1, out: '', err: '' }, 'a value fails silently');
  t.same(await uci('revert', 'nosuch'), { code: 1, out: '', err: 'uci: Entry not found\n' });
  t.same(await uci('revert', 'mfnet.@rule[x]'), { code: 1, out: '', err: 'uci: Invalid argument\n' });
  t.equal((await uci('revert')).code, 255, 'usage');
  t.equal((await uci('revert', 'mfnet.nosuch')).code, 0, 'a section with no changes');
  t.equal(saved(), ALL, 'nothing changed so far');

  // A save file libuci cannot parse is left as it is.
  writeFileSync(join(save, 'mfnet'), `${ALL}mfnet.lan.bad-name='x'\n`);
  t.equal((await uci('revert', 'mfnet.lan')).code, 0);
  t.equal(saved(), `${ALL}mfnet.lan.bad-name='x'\n`);

  // Kept lines are rewritten in uci's format; -p directories are never touched.
  const extra = join(dir, 'extra');
  mkdirSync(extra);
  writeFileSync(join(extra, 'mfnet'), "mfnet.lan.proto='pppoe'\n");
  writeFileSync(join(save, 'mfnet'), 'mfnet.lan.desc="a b"\n\n-mfnet.lan.mtu\n+mfnet.x=rule\n');
  t.equal((await uci('-p', extra, 'revert', 'mfnet.x')).code, 0);
  t.equal(saved(), "mfnet.lan.desc='a b'\n-mfnet.lan.mtu\n");
  t.equal(readFileSync(join(extra, 'mfnet'), 'utf8'), "mfnet.lan.proto='pppoe'\n");
});

t.test('the library: filterDeltaFile and UciStore.revert', async (t) => {
  const lines = Buffer.from("mfnet.a.x='1'\n|mfnet.a.l='it'\\''s'\n-mfnet.b\nother.a.x='2'\n");
  t.equal(filterDeltaFile(lines, 'mfnet', 'a', 'x'), "|mfnet.a.l='it'\\''s'\n-mfnet.b\n", 'the other package line matches too, as in libuci');
  t.equal(filterDeltaFile(lines, 'mfnet', 'b', null), "mfnet.a.x='1'\n|mfnet.a.l='it'\\''s'\nmfnet.a.x='2'\n", 'kept lines are written under the package reverted');
  t.equal(filterDeltaFile(Buffer.from("mfnet.a.x='1'\nmfnet.@t[0].x='2'\n"), 'mfnet', null, null), null, 'an extended reference does not parse');
  const { dir, save, saved, changeAll } = setup(t);
  await changeAll();
  const store = new UciStore({ confdir: dir, savedir: save });
  t.equal(store.revert('mfnet', 'lan', 'mtu'), 'ok');
  t.notMatch(saved(), /mtu/);
  t.equal(store.revert('../mfnet'), 'inval', 'a name that is not a config name');
  const loaded = store.load('mfnet');
  t.equal(loaded.status === 'ok' && loaded.saved.length, 4);
});
