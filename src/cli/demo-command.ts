import type { TfapAnswer, TfapInstance } from '../model/tfap.js';
import { checkAnswer } from '../assignment/checker.js';
import { solveHeuristic } from '../assignment/heuristic.js';
import { vehicleRouterInstance } from '../assignment/vehicle-router.js';
import type { CliCommand } from './io.js';

/**
 * `modemflow demo`: the thesis' vehicle router (section 3.4.2): 2 UMTS and
 * 2 WLAN interfaces, 5 users. Solves it with the heuristic (and exactly when
 * the highs package loads) and prints readable tables.
 */

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, k) => Math.max(...rows.map((r) => r[k]!.length)));
  return rows.map((r) => `  ${r.map((c, k) => pad(c, widths[k]!)).join('  ')}`.trimEnd()).join('\n');
}

function describe(inst: TfapInstance, ans: TfapAnswer, title: string): string {
  const lines: string[] = [`${title}: ${ans.status}, ${ans.solveMs.toFixed(1)} ms`];
  const ifRows = [['interface', 'bearer', 'class', 'up kbps (used/cap)', 'down kbps (used/cap)', 'cost/kbit', 'cost/s', 'power W']];
  for (const r of inst.interfaces) {
    const bid = ans.activation[r.id];
    const b = r.bearers.find((x) => x.id === bid);
    if (!b) {
      ifRows.push([r.id, 'off', '', '', '', '', '', '0']);
      continue;
    }
    const flows = inst.flows.filter((f) => ans.assignment[f.id] === r.id);
    const up = flows.reduce((s, f) => s + f.upKbps, 0);
    const down = flows.reduce((s, f) => s + f.downKbps, 0);
    ifRows.push([
      r.id,
      b.id,
      b.qos,
      `${up}/${b.upKbps}`,
      `${down}/${b.downKbps}`,
      String(b.costPerKbit),
      (b.costPerKbit * (up + down)).toFixed(0),
      (b.baseW + b.txWPerKbps * up + b.rxWPerKbps * down).toFixed(3),
    ]);
  }
  lines.push(table(ifRows));
  const flowRows = [['flow', 'class', 'up kbps', 'down kbps', 'goes to']];
  for (const f of inst.flows) flowRows.push([f.id, f.qos, String(f.upKbps), String(f.downKbps), ans.assignment[f.id] ?? '(not served)']);
  lines.push('', table(flowRows), '');
  const limit = inst.powerLimitW === null ? 'unbounded' : `${inst.powerLimitW} W`;
  lines.push(`  cost per second: ${ans.costPerSecond.toFixed(2)} units    power: ${ans.powerW.toFixed(3)} W against P_max ${limit}`);
  if (ans.reason) lines.push(`  note: ${ans.reason}`);
  const problems = checkAnswer(inst, ans);
  lines.push(`  independent check: ${problems.length === 0 ? 'valid' : problems.join('; ')}`);
  return lines.join('\n');
}

export const demoCommand: CliCommand = async (argv, io) => {
  if (argv.length > 0) {
    io.stderr('usage: modemflow demo\n  Solves the thesis\' vehicle-router case and prints the assignment.\n');
    return argv[0] === '-h' || argv[0] === '--help' ? 0 : 2;
  }
  const inst = vehicleRouterInstance();
  const now = () => performance.now();
  io.stdout(
    'modemflow demo: a bus router with 2 UMTS and 2 WLAN interfaces serving 5 users\n' +
      '(thesis 002, section 3.4.2): cheapest assignment within the power limit.\n\n',
  );
  const h = solveHeuristic(inst, { now });
  io.stdout(`${describe(inst, h, 'heuristic')}\n\n`);
  try {
    const { solveExact } = await import('../assignment/exact.js');
    const e = await solveExact(inst, { now, timeLimitS: 30 });
    io.stdout(`${describe(inst, e, `exact (HiGHS${e.optimal ? ', proven optimal' : ', not proven optimal'})`)}\n`);
    if (e.status === 'ok' && h.status === 'ok') {
      const gap = e.costPerSecond > 0 ? (100 * (h.costPerSecond - e.costPerSecond)) / e.costPerSecond : 0;
      io.stdout(`\nheuristic cost is ${gap.toFixed(2)} % above the exact optimum.\n`);
    }
  } catch (err) {
    io.stdout(`(exact solution not shown: the highs package did not load: ${err instanceof Error ? err.message : String(err)})\n`);
  }
  return h.status === 'ok' ? 0 : 1;
};
