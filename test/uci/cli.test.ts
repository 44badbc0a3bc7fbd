// `modemflow uci` against a temporary config directory: output, messages and
// exit codes as the uci tool gives them, and changes that persist between
// invocations through the save directory until `commit`.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uciCommand } from '../../src/cli/uci-command.js';

const NET = `config interface 'lan'
\toption proto 'static'
\tlist dns '1.1.1.1'
\tlist dns '8.8.8.8'

config rule
\toption name 'first'

config rule
\toption name 'second'
`;

function setup(t: { teardown(fn: () => void): void }): { dir: string; save: string; uci: (...a: string[]) => Promise<{ code: number; out: string; err: string }> } {
  const dir = mkdtempSync(join(tmpdir(), 'mf-uci-'));
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
  return { dir, save, uci };
}

t.test('show, get and their errors', async (t) => {
  const { uci } = setup(t);
  t.same(await uci('get', 'mfnet.lan.proto'), { code: 0, out: 'static\n', err: '' });
  t.same(await uci('get', 'mfnet.lan'), { code: 0, out: 'interface\n', err: '' });
  t.same(await uci('get', 'mfnet.lan.dns'), { code: 0, out: '1.1.1.1 8.8.8.8\n', err: '' });
  t.same(await uci('get', 'mfnet.@rule[-1].name'), { code: 0, out: 'second\n', err: '' });
  t.same(await uci('show', 'mfnet.@rule[0]'), { code: 0, out: "mfnet.cfg0292bd=rule\nmfnet.cfg0292bd.name='first'\n", err: '' });
  t.same(await uci('show', 'mfnet.lan.dns'), { code: 0, out: "mfnet.lan.dns='1.1.1.1' '8.8.8.8'\n", err: '' });
  t.same(await uci('get', 'mfnet.lan.nope'), { code: 1, out: '', err: 'uci: Entry not found\n' });
  t.same(await uci('get', 'nosuchpkg.x'), { code: 1, out: '', err: 'uci: Entry not found\n' });
  t.same(await uci('get', 'mfnet.@rule[x]'), { code: 1, out: '', err: 'uci: Invalid argument\n' });
  t.same(await uci('get', 'mfnet.lan.bad-name'), { code: 1, out: '', err: 'uci: Parse error\n' });
  t.same(await uci('-q', 'get', 'mfnet.lan.nope'), { code: 1, out: '', err: '' });
  t.same(await uci('get', 'mfnet.lan.proto=x'), { code: 1, out: '', err: '' }, 'get with a value fails silently');
  const usage = await uci('get');
  t.equal(usage.code, 255, 'wrong argument count is a usage error');
  t.match(usage.err, /^Usage: uci /);
  t.equal((await uci('frobnicate')).code, 255);
  const x = await uci('-X', 'show', 'mfnet');
  t.match(x.out, /^mfnet\.cfg0292bd=rule$/m, '-X shows real names');
  const d = await uci('-d', ',', 'show', 'mfnet.lan.dns');
  t.equal(d.out, "mfnet.lan.dns='1.1.1.1','8.8.8.8'\n");
});

t.test('set, add, add_list, del_list, delete, rename: saved, shown, then committed', async (t) => {
  const { dir, save, uci } = setup(t);
  t.equal((await uci('set', 'mfnet.lan.proto=dhcp')).code, 0);
  t.equal((await uci('set', "mfnet.wan=interface")).code, 0);
  t.equal((await uci('set', "mfnet.wan.desc=it's")).code, 0);
  t.same(await uci('add', 'mfnet', 'rule'), { code: 0, out: 'cfg0592bd\n', err: '' });
  t.equal((await uci('set', 'mfnet.@rule[-1].name=third')).code, 0);
  t.equal((await uci('add_list', 'mfnet.lan.dns=9.9.9.9')).code, 0);
  t.equal((await uci('del_list', 'mfnet.lan.dns=1.1.1.1')).code, 0);
  t.equal((await uci('delete', 'mfnet.@rule[0]')).code, 0);
  t.equal((await uci('rename', 'mfnet.@rule[0]=named')).code, 0);
  t.same(await uci('delete', 'mfnet.lan.nothing'), { code: 1, out: '', err: 'uci: Entry not found\n' });
  t.same(await uci('set', 'mfnet.nosection.opt=1'), { code: 1, out: '', err: 'uci: Invalid argument\n' });
  t.equal(readFileSync(join(dir, 'mfnet'), 'utf8'), NET, 'nothing is written before commit');
  t.equal(
    readFileSync(join(save, 'mfnet'), 'utf8'),
    [
      "mfnet.lan.proto='dhcp'",
      "mfnet.wan='interface'",
      "mfnet.wan.desc='it'\\''s'",
      "+mfnet.cfg0592bd='rule'",
      "mfnet.cfg0592bd.name='third'",
      "|mfnet.lan.dns='9.9.9.9'",
      "~mfnet.lan.dns='1.1.1.1'",
      '-mfnet.cfg0292bd',
      "@mfnet.cfg0392bd='named'",
      '',
    ].join('\n'),
    'the delta file is in libuci format',
  );
  const changes = await uci('changes', 'mfnet');
  t.equal(
    changes.out,
    [
      "mfnet.lan.proto='dhcp'",
      "mfnet.wan='interface'",
      "mfnet.wan.desc='it'\\''s'",
      "mfnet.cfg0592bd='rule'",
      "mfnet.cfg0592bd.name='third'",
      "mfnet.lan.dns+='9.9.9.9'",
      "mfnet.lan.dns-='1.1.1.1'",
      '-mfnet.cfg0292bd',
      "mfnet.cfg0392bd='named'",
      '',
    ].join('\n'),
  );
  const shown = await uci('show', 'mfnet');
  t.equal(
    shown.out,
    [
      'mfnet.lan=interface',
      "mfnet.lan.proto='dhcp'",
      "mfnet.lan.dns='8.8.8.8' '9.9.9.9'",
      'mfnet.named=rule',
      "mfnet.named.name='second'",
      'mfnet.wan=interface',
      "mfnet.wan.desc='it'\\''s'",
      'mfnet.@rule[1]=rule',
      "mfnet.@rule[1].name='third'",
      '',
    ].join('\n'),
  );
  chmodSync(join(dir, 'mfnet'), 0o640);
  t.equal((await uci('commit', 'mfnet')).code, 0);
  t.equal(
    readFileSync(join(dir, 'mfnet'), 'utf8'),
    "\nconfig interface 'lan'\n\toption proto 'dhcp'\n\tlist dns '8.8.8.8'\n\tlist dns '9.9.9.9'\n\n" +
      "config rule 'named'\n\toption name 'second'\n\nconfig interface 'wan'\n\toption desc 'it'\\''s'\n\n" +
      "config rule\n\toption name 'third'\n\n",
  );
  t.equal(statSync(join(dir, 'mfnet')).mode & 0o777, 0o640, 'commit keeps the file mode');
  t.equal(readFileSync(join(save, 'mfnet'), 'utf8'), '', 'the delta file is emptied');
  t.equal((await uci('changes', 'mfnet')).out, '');
});

t.test('-P saves elsewhere and commit does nothing; empty value deletes', async (t) => {
  const { dir, uci } = setup(t);
  const state = join(dir, 'state');
  t.equal((await uci('-P', state, 'set', 'mfnet.lan.proto=')).code, 0);
  t.equal(readFileSync(join(state, 'mfnet'), 'utf8'), '-mfnet.lan.proto\n');
  t.equal((await uci('-P', state, 'commit', 'mfnet')).code, 0);
  t.equal(readFileSync(join(dir, 'mfnet'), 'utf8'), NET, '-P never commits');
  t.same(await uci('-P', state, 'get', 'mfnet.lan.proto'), { code: 1, out: '', err: 'uci: Entry not found\n' });
  t.same(await uci('-p', state, 'get', 'mfnet.lan.proto'), { code: 1, out: '', err: 'uci: Entry not found\n' }, '-p reads it');
  t.same(await uci('get', 'mfnet.lan.proto'), { code: 0, out: 'static\n', err: '' });
});

t.test('delete by list index, export with and without names, parse errors', async (t) => {
  const { dir, uci } = setup(t);
  t.equal((await uci('delete', 'mfnet.lan.dns=1')).code, 0);
  t.equal((await uci('get', 'mfnet.lan.dns')).out, '1.1.1.1\n');
  t.equal((await uci('delete', 'mfnet.lan.dns=abc')).code, 1, 'a non-numeric index fails silently');
  const exp = await uci('export', 'mfnet');
  t.match(exp.out, /^package mfnet\n\nconfig interface 'lan'\n/);
  t.match(exp.out, /\nconfig rule\n\toption name 'first'\n/);
  t.match((await uci('-n', 'export', 'mfnet')).out, /\nconfig rule 'cfg0292bd'\n/);
  writeFileSync(join(dir, 'broken'), 'config t\n\tbogus\n');
  t.same(await uci('show', 'broken'), { code: 1, out: '', err: 'uci: Parse error (invalid command) at line 2, byte 1\n' });
  const loose = await uci('-S', 'show', 'broken');
  t.same(loose, { code: 0, out: 'broken.@t[0]=t\n', err: 'Parse error (invalid command) at line 2, byte 1\n' });
  const all = await uci('show');
  t.equal(all.code, 0, 'show without arguments goes over every config');
  t.match(all.out, /^mfnet\.lan=interface$/m);
  t.match(all.err, /uci: Parse error/);
  t.notOk(existsSync(join(dir, 'save', 'broken')));
});

t.test('reorder moves a section and is saved as ^', async (t) => {
  const { save, uci } = setup(t);
  t.equal((await uci('reorder', 'mfnet.@rule[1]=0')).code, 0);
  t.equal(readFileSync(join(save, 'mfnet'), 'utf8'), "^mfnet.cfg0392bd='0'\n");
  t.equal((await uci('get', 'mfnet.@rule[0].name')).out, 'second\n');
  t.equal((await uci('show', 'mfnet')).out.split('\n')[0], 'mfnet.@rule[0]=rule');
  t.same(await uci('reorder', 'mfnet.nosuch=1'), { code: 1, out: '', err: 'uci: Entry not found\n' });
  t.same(await uci('changes'), { code: 0, out: "mfnet.cfg0392bd='0'\n", err: '' }, 'changes over every config');
});
