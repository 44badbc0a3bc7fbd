// A package name is a file name inside the config directory: names that are
// not UCI names ('../outside/x', 'a/b', '.hidden') are refused wherever a
// name is taken, by the tool and by the library, so nothing is read or
// written outside the config and save directories.
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UciStore, isConfigName } from '../../src/uci/index.js';
import { uciCommand } from '../../src/cli/uci-command.js';

const OUTSIDE = "config thing 'x'\n\toption a '1'\n";

function setup(t: { teardown(fn: () => void): void }) {
  const root = mkdtempSync(join(tmpdir(), 'mf-uci-names-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const conf = join(root, 'conf');
  const save = join(root, 'save');
  mkdirSync(conf);
  mkdirSync(join(root, 'outside'));
  mkdirSync(join(conf, 'a'));
  mkdirSync(join(save, 'a'), { recursive: true });
  // Targets a path-like name would reach: a file outside, and one in a subdirectory.
  writeFileSync(join(root, 'outside', 'x'), OUTSIDE);
  writeFileSync(join(conf, 'a', 'b'), OUTSIDE);
  writeFileSync(join(conf, 'https-dns-proxy'), OUTSIDE);
  const uci = async (...a: string[]) => {
    let out = '';
    let err = '';
    const code = await uciCommand(['-c', conf, '-t', save, ...a], {
      stdout: (s) => void (out += s),
      stderr: (s) => void (err += s),
      readStdin: async () => '',
      env: {},
    });
    return { code, out, err };
  };
  return { root, conf, save, uci };
}

t.test('the tool refuses path-like package names the way uci answers a missing one', async (t) => {
  const { root, conf, save, uci } = setup(t);
  t.same(await uci('add', '../outside/x', 'thing'), { code: 3, out: '', err: 'uci: Entry not found\n' });
  t.same(await uci('add', 'a/b', 'thing'), { code: 3, out: '', err: 'uci: Entry not found\n' });
  t.same(await uci('set', 'a/b.x.a=2'), { code: 1, out: '', err: 'uci: Entry not found\n' });
  t.same(await uci('set', '../outside/x.x.a=2'), { code: 1, out: '', err: 'uci: Parse error\n' }, "the '.' splits the tuple first");
  t.same(await uci('show', 'a/b'), { code: 1, out: '', err: 'uci: Entry not found\n' });
  t.same(await uci('export', '.hidden'), { code: 1, out: '', err: 'uci: Parse error\n' }, 'an empty package name');
  t.same(await uci('commit', 'a/b'), { code: 1, out: '', err: 'uci: Entry not found\n' });
  t.same(await uci('revert', 'a/b'), { code: 1, out: '', err: 'uci: Entry not found\n' });
  t.equal(readFileSync(join(root, 'outside', 'x'), 'utf8'), OUTSIDE, 'the file outside is untouched');
  t.equal(readFileSync(join(conf, 'a', 'b'), 'utf8'), OUTSIDE, 'the file in a subdirectory is untouched');
  t.same(readdirSync(join(save, 'a')), [], 'nothing saved under a path-like name');
  t.notOk(existsSync(join(root, 'x')));
  t.same(await uci('add', 'https-dns-proxy', 'thing'), { code: 0, out: 'cfg02ef3f\n', err: '' }, "'-' is part of UCI package names");
});

t.test('the library refuses them in load, save, commit and revert, and does not list them', async (t) => {
  const { root, conf, save } = setup(t);
  const store = new UciStore({ confdir: conf, savedir: save });
  const delta = [{ cmd: 'change' as const, section: 'x', option: 'a', value: '9' }];
  for (const name of ['../outside/x', 'a/b', '/abs', './x', '.hidden', '..', '', 'a b', 'a.b']) {
    t.notOk(isConfigName(name), `'${name}' is not a config name`);
    t.equal(store.load(name).status, 'notfound', `load '${name}'`);
    t.equal(store.save(name, delta), 'inval', `save '${name}'`);
    t.equal(store.commit(name).status, 'notfound', `commit '${name}'`);
    t.equal(store.revert(name), 'inval', `revert '${name}'`);
  }
  for (const name of ['network', 'https-dns-proxy', 'luci_statistics', 'X1']) t.ok(isConfigName(name), `'${name}' is a config name`);
  t.equal(readFileSync(join(root, 'outside', 'x'), 'utf8'), OUTSIDE);
  writeFileSync(join(conf, 'bad+name'), OUTSIDE);
  writeFileSync(join(conf, 'dotted.name'), OUTSIDE);
  t.same(store.listConfigs(), ['https-dns-proxy'], 'only config names are listed (a/ is a directory)');
});
