// Config files are bytes: a value that is not UTF-8 (a Latin-1 SSID) goes
// through parse, edit, commit, show, export and get unchanged, and the
// string form used by the rest of modemflow is lossless for every byte string.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeUci, encodeUci, exportUci, parseUci, uciByteLength, UciStore } from '../../src/uci/index.js';
import { recoverRawArgs, uciCommand } from '../../src/cli/uci-command.js';

const LATIN1 = Buffer.from([0x43, 0x61, 0x66, 0xe9]); // "Caf\xe9"

t.test('decode then encode gives the same bytes, for every kind of byte string', async (t) => {
  const cases: Buffer[] = [
    LATIN1,
    Buffer.from('café ✓ 😀', 'utf8'),
    Buffer.from([0xed, 0xa0, 0x80]), // a UTF-16 surrogate encoded as UTF-8: not valid UTF-8
    Buffer.from([0xc0, 0xaf]), // overlong '/'
    Buffer.from([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
    Buffer.from([0xe2, 0x82]), // truncated sequence at the end
    Buffer.from([0xf0, 0x9f, 0x98, 0x80, 0xff, 0xf0, 0x9f, 0x98]),
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  ];
  // A deterministic spread of random strings (a fixed LCG, no Math.random).
  let seed = 12345;
  for (let n = 0; n < 300; n++) {
    const len = n % 40;
    const b = Buffer.alloc(len);
    for (let i = 0; i < len; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      b[i] = seed >>> 24;
    }
    cases.push(b);
  }
  for (const b of cases) {
    const s = decodeUci(b);
    t.same(encodeUci(s), b, `round trip of ${b.toString('hex') || '(empty)'}`);
    t.equal(uciByteLength(s), b.length);
  }
  t.equal(decodeUci(Buffer.from('café', 'utf8')), 'café', 'valid UTF-8 is ordinary text');
  t.equal(decodeUci(LATIN1), 'Caf\udce9', 'a stray byte is one escape character');
  t.same(encodeUci('\ud83d\ude00'), Buffer.from('😀', 'utf8'), 'a surrogate pair is a character, not escapes');
});

t.test('a Latin-1 value in a file parses and exports as the same bytes', async (t) => {
  const file = Buffer.concat([Buffer.from("config wifi-iface 'w'\n\toption ssid '"), LATIN1, Buffer.from("'\n")]);
  const parsed = parseUci(file, 'wireless');
  t.ok(parsed.ok);
  t.same(encodeUci(exportUci(parsed.package, { header: false })), Buffer.concat([Buffer.from("\nconfig wifi-iface 'w'\n\toption ssid '"), LATIN1, Buffer.from("'\n\n")]));
});

interface Run {
  code: number;
  out: Buffer;
  err: string;
}

function setup(t: { teardown(fn: () => void): void }): { dir: string; uci: (...a: string[]) => Promise<Run> } {
  const dir = mkdtempSync(join(tmpdir(), 'mf-uci-bytes-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const uci = async (...a: string[]): Promise<Run> => {
    const out: Buffer[] = [];
    let err = '';
    const code = await uciCommand(['-c', dir, '-t', join(dir, 'save'), ...a], {
      stdout: (s) => void out.push(Buffer.from(s, 'utf8')),
      stdoutBytes: (b) => void out.push(Buffer.from(b)),
      stderr: (s) => void (err += s),
      readStdin: async () => '',
      env: {},
    });
    return { code, out: Buffer.concat(out), err };
  };
  return { dir, uci };
}

t.test('a commit of an unrelated change keeps a Latin-1 value; show, export and get print its bytes', async (t) => {
  const { dir, uci } = setup(t);
  const original = Buffer.concat([Buffer.from("\nconfig wifi-iface 'w'\n\toption ssid '"), LATIN1, Buffer.from("'\n\toption mode 'ap'\n\n")]);
  writeFileSync(join(dir, 'wireless'), original);
  t.equal((await uci('set', 'wireless.w.mode=sta')).code, 0);
  t.equal((await uci('commit', 'wireless')).code, 0);
  t.same(readFileSync(join(dir, 'wireless')), Buffer.from(original.toString('latin1').replace("'ap'", "'sta'"), 'latin1'), 'only the changed option differs, byte for byte');
  const bytes = (s: string): Buffer => Buffer.concat([Buffer.from(s.split('<v>')[0]!), LATIN1, Buffer.from(s.split('<v>')[1]!)]);
  t.same((await uci('get', 'wireless.w.ssid')).out, bytes('<v>\n'));
  t.same((await uci('show', 'wireless.w.ssid')).out, bytes("wireless.w.ssid='<v>'\n"));
  t.same((await uci('show', 'wireless')).out, bytes("wireless.w=wifi-iface\nwireless.w.ssid='<v>'\nwireless.w.mode='sta'\n"));
  t.same((await uci('export', 'wireless')).out, bytes("package wireless\n\nconfig wifi-iface 'w'\n\toption ssid '<v>'\n\toption mode 'sta'\n\n"));
});

t.test('a Latin-1 value set through the tool is saved and committed as those bytes', async (t) => {
  const { dir, uci } = setup(t);
  writeFileSync(join(dir, 'wireless'), "config wifi-iface 'w'\n");
  t.equal((await uci('set', `wireless.w.ssid=${decodeUci(LATIN1)}`)).code, 0);
  t.same(readFileSync(join(dir, 'save', 'wireless')), Buffer.concat([Buffer.from("wireless.w.ssid='"), LATIN1, Buffer.from("'\n")]), 'the save file holds the bytes');
  t.same((await uci('changes', 'wireless')).out, Buffer.concat([Buffer.from("wireless.w.ssid='"), LATIN1, Buffer.from("'\n")]));
  t.equal((await uci('commit', 'wireless')).code, 0);
  t.same(readFileSync(join(dir, 'wireless')), Buffer.concat([Buffer.from("\nconfig wifi-iface 'w'\n\toption ssid '"), LATIN1, Buffer.from("'\n\n")]));
  const store = new UciStore({ confdir: dir, savedir: join(dir, 'save') });
  const loaded = store.load('wireless');
  t.equal(loaded.status === 'ok' && loaded.package.sections[0]!.options[0]!.value, 'Caf\udce9', 'the library sees the escaped string');
});

t.test('arguments Node decoded lossily are taken from the raw command line', async (t) => {
  const lossy = Buffer.from(LATIN1).toString('utf8');
  t.equal(lossy, 'Caf\ufffd', 'Node turns the byte into U+FFFD');
  const cmdline = Buffer.concat([Buffer.from('node\0/x/modemflow.js\0uci\0set\0w.w.ssid='), LATIN1, Buffer.from('\0')]);
  t.same(recoverRawArgs(['set', `w.w.ssid=${lossy}`], () => cmdline), ['set', 'w.w.ssid=Caf\udce9']);
  t.same(recoverRawArgs(['set', `w.w.ssid=${lossy}x`], () => cmdline), ['set', `w.w.ssid=${lossy}x`], 'not ours: left alone');
  t.same(recoverRawArgs(['set', 'plain'], () => { throw new Error('not read'); }), ['set', 'plain'], 'valid text never reads the command line');
});
