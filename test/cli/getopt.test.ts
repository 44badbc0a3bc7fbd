import t from 'tap';
import { getopt } from '../../src/cli/getopt.js';

t.test('getopt as musl: bundles, attached and separate values, first operand ends options', async (t) => {
  t.same(getopt(['-qS', '-c/tmp/x', '-t', '30', 'show', '-q'], 'c:qSt:'), {
    ok: true,
    options: [
      { name: 'q', value: null },
      { name: 'S', value: null },
      { name: 'c', value: '/tmp/x' },
      { name: 't', value: '30' },
    ],
    rest: ['show', '-q'],
  });
  t.same(getopt(['--', '-q'], 'q'), { ok: true, options: [], rest: ['-q'] }, '-- ends options');
  t.same(getopt(['-', 'x'], 'q'), { ok: true, options: [], rest: ['-', 'x'] }, 'a lone - is an operand');
  t.same(getopt(['-x'], 'q'), { ok: false, error: 'unknown-option', option: 'x' });
  t.same(getopt(['-qc'], 'qc:'), { ok: false, error: 'missing-argument', option: 'c' });
});
