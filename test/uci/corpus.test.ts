// The corpus of tricky files (fixtures/README.md explains the odd cases):
// show/export output as the uci tool prints it, and parse -> export -> parse
// giving the same tree.
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_CHAR_SIGNED, anonymousSectionName, exportUci, parseUci, showUci, stripPositions } from '../../src/uci/index.js';

const DIR = join(import.meta.dirname, 'fixtures');
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.uci'))
  .map((f) => f.slice(0, -4));

t.ok(cases.length >= 8, 'the corpus has its files');

for (const name of cases) {
  t.test(name, async (t) => {
    const file = join(DIR, `${name}.uci`);
    const parsed = parseUci(readFileSync(file), file, { packageName: name });
    t.same(parsed.errors, [], 'parses without errors');
    t.equal(showUci(parsed.package), readFileSync(join(DIR, `${name}.show`), 'utf8'), 'uci show');
    t.equal(exportUci(parsed.package), readFileSync(join(DIR, `${name}.export`), 'utf8'), 'uci export');
    const again = parseUci(exportUci(parsed.package, { header: false }), 'exported', { packageName: name });
    t.ok(again.ok, 'the export parses');
    t.same(stripPositions(again.package), stripPositions(parsed.package), 'round trip gives the same tree');
  });
}

t.test('positions point at the command that defined each element', async (t) => {
  const text = 'config a \'x\'\n\toption one 1\n\n  list two a\n\tlist two b\nconfig b\n';
  const { package: pkg } = parseUci(text, 'f');
  const [x, anon] = pkg.sections;
  t.same(x!.pos, { file: 'f', line: 1, column: 1 });
  t.same(x!.options[0]!.pos, { file: 'f', line: 2, column: 2 });
  t.same(x!.options[1]!.pos, { file: 'f', line: 4, column: 3 });
  t.same(x!.options[1]!.itemPos!.map((p) => p.line), [4, 5]);
  t.same(anon!.pos, { file: 'f', line: 6, column: 1 });
  t.equal(anon!.name, 'cfg02b607', "anonymous names follow libuci's counter and type hash");
});

t.test('the -X and -d forms of show, and -n export', async (t) => {
  const { package: pkg } = parseUci("config t\n\tlist l 'a b'\n\tlist l c\n", 'p');
  t.equal(showUci(pkg, { extended: false }), "p.cfg01b619=t\np.cfg01b619.l='a b' 'c'\n");
  t.equal(showUci(pkg, { delimiter: ',' }), "p.@t[0]=t\np.@t[0].l='a b','c'\n");
  t.equal(exportUci(pkg, { exportNames: true }), "package p\n\nconfig t 'cfg01b619'\n\tlist l 'a b'\n\tlist l 'c'\n\n");
});

t.test('anonymous names match those on OpenWrt routers', async (t) => {
  t.equal(anonymousSectionName(1, 'defaults'), 'cfg01e63d', 'firewall defaults');
  t.equal(anonymousSectionName(1, 'dnsmasq'), 'cfg01411c', 'dhcp dnsmasq');
  t.equal(anonymousSectionName(3, 'wifi-iface'), 'cfg033579', 'third section of wireless');
  t.equal(anonymousSectionName(0x123, 't'), 'cfg123b619', 'the counter grows past two hex digits');
});

t.test('anonymous names of non-ASCII types hash the bytes as C chars, like libuci', async (t) => {
  // Reference values from libuci's arithmetic compiled with gcc -fsigned-char
  // (x86, MIPS) and -funsigned-char (ARM, AArch64).
  const cafeUtf8 = 'café';
  const cafeLatin1 = 'Caf\udce9'; // the byte 0xe9 alone (see src/uci/bytes.ts)
  const twoBytes = '\udcff\udcfe';
  t.equal(anonymousSectionName(1, cafeUtf8, true), 'cfg01547b');
  t.equal(anonymousSectionName(1, cafeLatin1, true), 'cfg017698');
  t.equal(anonymousSectionName(1, twoBytes, true), 'cfg016a22');
  t.equal(anonymousSectionName(1, cafeUtf8, false), 'cfg01767b');
  t.equal(anonymousSectionName(1, cafeLatin1, false), 'cfg017798');
  t.equal(anonymousSectionName(1, twoBytes, false), 'cfg018c22');
  t.equal(anonymousSectionName(1, 'defaults', true), anonymousSectionName(1, 'defaults', false), 'ASCII is the same either way');
  t.equal(anonymousSectionName(1, cafeUtf8), anonymousSectionName(1, cafeUtf8, HOST_CHAR_SIGNED), "the default is this machine's char");
});
