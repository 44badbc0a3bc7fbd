import t from 'tap';
import { DEFAULT_MARK_MASK, decodeMark, encodeMark, markLayout } from '../../src/model/mark-layout.js';
import { meetsQos } from '../../src/model/qos.js';

t.test('default mark layout', async (t) => {
  const l = markLayout(DEFAULT_MARK_MASK)!;
  t.equal(l.shift, 16);
  t.equal(l.slotMask, 0x000f0000);
  t.equal(l.classMask, 0x0ff00000);
  t.equal(encodeMark(l, 3, 5), 0x00530000);
  t.same(decodeMark(l, 0x00530000 | 0x1234), { slot: 3, classIndex: 5 }, 'bits outside the mask are ignored');
  t.throws(() => encodeMark(l, 16, 0), RangeError);
});

t.test('masks that cannot hold the layout are refused', async (t) => {
  t.equal(markLayout(0x3f00), null, 'six bits (mwan3 style) are too few');
  t.equal(markLayout(0), null);
  t.equal(markLayout(0xf0000000), null, 'runs off the top');
  t.ok(markLayout(0xfff00000), 'twelve bits at the top fit');
  t.equal(markLayout(0x0fef0000), null, 'a hole in the field');
});

t.test('QoS order: a bearer meeting C carries everything, B only background', async (t) => {
  t.ok(meetsQos('C', 'B'));
  t.ok(meetsQos('S', 'S'));
  t.notOk(meetsQos('I', 'S'));
  t.notOk(meetsQos('B', 'I'));
});
