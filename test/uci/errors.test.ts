// Parse errors: uci's reason, its "line L, byte B" counters (which count
// newline-terminated lines read and bytes into the logical line buffer) and
// our file:line:column, for every reason file.c can give.
import t from 'tap';
import { formatParseError, parseUci, uciParseMessage } from '../../src/uci/index.js';

interface Case {
  text: string;
  reason: string;
  uciLine: number;
  uciByte: number;
  line: number;
  column: number;
}

const cases: Case[] = [
  // strtok splits on blanks only, so the newline stays in the word.
  { text: 'config\n', reason: 'invalid command', uciLine: 1, uciByte: 0, line: 1, column: 1 },
  { text: 'config t\n\tfoo bar\n', reason: 'invalid command', uciLine: 2, uciByte: 1, line: 2, column: 2 },
  { text: '  config t\n\t\tx\n', reason: 'invalid command', uciLine: 2, uciByte: 2, line: 2, column: 3 },
  { text: 'config t\n\toption\n', reason: 'invalid command', uciLine: 2, uciByte: 1, line: 2, column: 2 },
  { text: 'config t\n\tlist\n', reason: 'invalid command', uciLine: 2, uciByte: 1, line: 2, column: 2 },
  // A ';' at the end of a line leaves the newline as the next command word.
  { text: 'config t\n\toption a b ;\n', reason: 'invalid command', uciLine: 2, uciByte: 13, line: 2, column: 14 },
  { text: 'option a b\n', reason: 'option/list command found before the first section', uciLine: 1, uciByte: 0, line: 1, column: 1 },
  {
    text: "config t 'x'\nconfig u 'x'\n",
    reason: 'section of different type overwrites prior section with same name',
    uciLine: 2,
    uciByte: 13,
    line: 2,
    column: 14,
  },
  { text: 'config t\n\toption a b c\n', reason: 'too many arguments', uciLine: 2, uciByte: 14, line: 2, column: 15 },
  { text: "config t 'n' extra\n", reason: 'too many arguments', uciLine: 1, uciByte: 19, line: 1, column: 20 },
  { text: "config t\n\toption v 'unterminated\n", reason: "EOF with unterminated '", uciLine: 2, uciByte: 24, line: 2, column: 25 },
  { text: 'config t\n\toption a "open\n', reason: 'EOF with unterminated "', uciLine: 2, uciByte: 16, line: 2, column: 17 },
  { text: "config t\n\toption 'a b' c\n", reason: 'invalid character in name field', uciLine: 2, uciByte: 14, line: 2, column: 15 },
  { text: "config\tt 'a-b'\n", reason: 'invalid character in name field', uciLine: 1, uciByte: 15, line: 1, column: 16 },
  { text: "package 'a.b'\n", reason: 'invalid character in name field', uciLine: 1, uciByte: 14, line: 1, column: 15 },
  { text: "config 't y'\n", reason: 'invalid character in type field', uciLine: 1, uciByte: 13, line: 1, column: 14 },
  // Without a final newline libuci has not counted the line yet.
  { text: 'config', reason: 'config without name', uciLine: 0, uciByte: 0, line: 1, column: 1 },
  { text: 'config t\noption', reason: 'option without name', uciLine: 1, uciByte: 0, line: 2, column: 1 },
  { text: 'package', reason: 'package without name', uciLine: 0, uciByte: 0, line: 1, column: 1 },
  { text: 'config ""\n', reason: 'insufficient arguments', uciLine: 1, uciByte: 10, line: 1, column: 11 },
];

for (const c of cases) {
  t.test(JSON.stringify(c.text), async (t) => {
    const r = parseUci(c.text, 'etc/config/x');
    t.notOk(r.ok, 'the parse fails');
    t.equal(r.errors.length, 1, 'strict mode stops at the first error');
    const e = r.errors[0]!;
    t.equal(e.reason, c.reason);
    t.equal(uciParseMessage(e), `Parse error (${c.reason}) at line ${c.uciLine}, byte ${c.uciByte}`);
    t.equal(formatParseError(e), `etc/config/x:${c.line}:${c.column}: ${c.reason}`);
  });
}

t.test('non-strict mode reports each bad line and keeps the rest', async (t) => {
  const r = parseUci('config t\n\tbogus\n\toption a 1\n\toption b 2 3\nnope\n', 'f', { strict: false });
  t.ok(r.ok);
  t.same(
    r.errors.map((e) => formatParseError(e)),
    ['f:2:2: invalid command', 'f:5:1: invalid command'],
  );
  t.same(r.package.sections[0]!.options.map((o) => [o.name, o.value]), [['a', '1'], ['b', '2']]);
});
