// The AT provider: line splitting and final results (pure), Quectel's
// QENG/QCAINFO/QSPN/CSQ/CGACT parsing on published answers (fixtures/at/
// README.md names each source), the provider over a port that replays those
// bytes, and the real serial port on a pseudo-terminal with a UUCP lock.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AtAnswer, AtLineSplitter } from '../../src/metrics/at/at-port.js';
import type { AtOpenResult, AtPortOpener, AtReply, AtSession } from '../../src/metrics/at/at-port.js';
import { parseQuectel } from '../../src/metrics/at/quectel.js';
import { SerialAtPortOpener } from '../../src/metrics/at/serial-at-port.js';
import { AtProvider } from '../../src/metrics/providers/at.js';
import { FIXTURES, modemConfig } from './fixture-ubus.js';

const at = (name: string): string => readFileSync(join(FIXTURES, 'at', name), 'latin1');

/** Run raw modem bytes through the splitter and one command's answer collector. */
function answer(command: string, bytes: string, chunks: number[] = []): AtReply | null {
  const s = new AtLineSplitter();
  const a = new AtAnswer(command);
  let at0 = 0;
  for (const cut of [...chunks, bytes.length]) {
    for (const line of s.push(bytes.slice(at0, cut))) {
      const r = a.feed(line);
      if (r) return r;
    }
    at0 = cut;
  }
  return null;
}
const lines = (command: string, bytes: string): string[] => {
  const r = answer(command, bytes);
  if (!r || !r.ok) throw new Error(`no OK answer for ${command}`);
  return r.lines;
};

t.test('CR/LF framing: the same answer however the bytes are split, echo dropped', async (t) => {
  const bytes = at('qeng-endc-libqmi-pr2.txt');
  const whole = answer('AT+QENG="servingcell"', bytes);
  t.ok(whole?.ok);
  t.same(whole?.ok && whole.lines, [
    '+QENG: "servingcell","NOCONN"',
    '+QENG: "LTE","FDD",1,01,1A2D001,1,1575,3,3,3,1,-70,-9,-46,25,-',
    '+QENG:"NR5G-NSA",1,01,500,-75,180,-11',
  ]);
  for (let cut = 1; cut < bytes.length; cut++) t.same(answer('AT+QENG="servingcell"', bytes, [cut]), whole, `split at byte ${cut}`);
  t.same(answer('AT+X', 'line one\rline two\n\nOK\r'), { ok: true, lines: ['line one', 'line two'] }, 'bare CR and bare LF end lines too');
  t.equal(answer('AT+X', '+X: 1\r\n'), null, 'no final result yet: no answer');
});

t.test('+CME ERROR and ERROR end an answer as failures with the code', async (t) => {
  const cme = answer('AT+QCAINFO', at('cme-error.txt'));
  t.same(cme, { ok: false, code: 'error', problem: 'AT+QCAINFO: +CME ERROR: 100', cme: '100', lines: [] });
  const err = answer('AT+QSPN', '\r\nERROR\r\n');
  t.equal(err?.ok, false);
  t.equal(!err?.ok && err?.cme, undefined);
  const cms = answer('AT+CMGL', '+CMS ERROR: 321\r\n');
  t.equal(!cms?.ok && cms?.cme, '321');
});

t.test('QENG EN-DC (RM500Q on a test network): test PLMN refused, NR SINR in tenths read as dB', async (t) => {
  const r = parseQuectel({ qeng: lines('AT+QENG="servingcell"', at('qeng-endc-libqmi-pr2.txt')), qcainfo: null, qspn: null, csq: null, cgact: null });
  t.equal(r.rat, 'nr5g-nsa');
  t.same(r.signal, { rsrpDbm: -70, rsrqDb: -9, rssiDbm: -46, sinrDb: 25 });
  t.same(r.nrSignal, { rssiDbm: null, rsrpDbm: -75, sinrDb: 18, rsrqDb: -11 }, 'QENG 180 = 18.0 dB (QMI said 18.5 dB at the same time)');
  t.equal(r.mcc, null, 'MCC "1" is not 3 digits');
  t.equal(r.mnc, null);
  t.equal(r.cellId, String(0x1a2d001), 'hex cell id in decimal');
  t.equal(r.band, '3', 'no NR band in this short NSA line');
  t.equal(r.state, 'registered');
});

t.test('QENG EN-DC with QCAINFO and QSPN (RM500Q-GL on 515-03)', async (t) => {
  const r = parseQuectel({
    qeng: lines('AT+QENG="servingcell"', at('qeng-endc-3ginfo-56.txt')),
    qcainfo: lines('AT+QCAINFO', at('qcainfo-3ginfo-56.txt')),
    qspn: lines('AT+QSPN', at('qspn-3ginfo-56.txt')),
    csq: lines('AT+CSQ', at('csq.txt')),
    cgact: lines('AT+CGACT?', at('cgact.txt')),
  });
  t.equal(r.rat, 'nr5g-nsa');
  t.equal(r.mcc, '515');
  t.equal(r.mnc, '03');
  t.equal(r.cellId, String(0x3359966));
  t.same(r.signal, { rsrpDbm: -89, rsrqDb: -13, rssiDbm: -58, sinrDb: 16 });
  t.same(r.nrSignal, { rssiDbm: null, rsrpDbm: -76, sinrDb: 21, rsrqDb: -11 });
  t.equal(r.band, '1+n41', 'LTE anchor and NR leg; QCAINFO adds no other carrier');
  t.equal(r.operatorName, 'SUN', 'QSPN full network name');
  t.equal(r.homeOperatorName, 'SUN', 'QSPN service provider name (the SIM)');
  t.equal(r.signalQualityPct, Math.round((20 * 100) / 31), 'CSQ 20 of 31');
  t.equal(r.state, 'connected', 'a PDP context is active');
});

t.test('QENG SA and LTE variants, carrier aggregation', async (t) => {
  const sa = parseQuectel({ qeng: lines('AT+QENG="servingcell"', at('qeng-sa-rm500u.txt')), qcainfo: lines('AT+QCAINFO', at('qcainfo-sa-qmodem.txt')), qspn: null, csq: null, cgact: null });
  t.equal(sa.rat, 'nr5g-sa');
  t.equal(sa.mcc, '460');
  t.equal(sa.mnc, '00');
  t.equal(sa.cellId, String(0xa0117f003), '36-bit NR cell identity in decimal');
  t.same(sa.signal, { rssiDbm: null, rsrpDbm: -99, rsrqDb: -13, sinrDb: 0 });
  t.equal(sa.band, 'n41+n78', 'SA with an NR secondary carrier');
  t.equal(sa.state, 'registered', 'no CGACT answer: registered, not known to be connected');
  const lte = parseQuectel({ qeng: lines('AT+QENG="servingcell"', at('qeng-lte-atinout.txt')), qcainfo: lines('AT+QCAINFO', at('qcainfo-lte-ca.txt')), qspn: null, csq: null, cgact: null });
  t.equal(lte.rat, 'lte');
  t.equal(lte.mcc, '452');
  t.equal(lte.mnc, '04');
  t.equal(lte.cellId, String(0x284a12));
  t.same(lte.signal, { rsrpDbm: -82, rsrqDb: -10, rssiDbm: -52, sinrDb: 18 });
  t.equal(lte.band, '3+20', 'LTE-A: primary band 3, secondary band 20');
  const searching = parseQuectel({ qeng: ['+QENG: "servingcell","SEARCH"'], qcainfo: null, qspn: null, csq: ['+CSQ: 99,99'], cgact: null });
  t.equal(searching.rat, null);
  t.equal(searching.registration, 'searching');
  t.equal(searching.state, 'searching');
  t.equal(searching.signalQualityPct, null, 'CSQ 99 = unknown');
});

/** A port that replays recorded bytes per command (unknown commands: ERROR). */
class ReplayPort implements AtPortOpener {
  readonly sent: string[] = [];
  closed = 0;
  constructor(private readonly bytes: Record<string, string>, private readonly openResult: AtOpenResult | null = null) {}
  async open(): Promise<AtOpenResult> {
    if (this.openResult) return this.openResult;
    const self = this;
    const session: AtSession = {
      async run(command: string): Promise<AtReply> {
        self.sent.push(command);
        return answer(command, self.bytes[command] ?? '\r\nERROR\r\n') ?? { ok: false, code: 'timeout', problem: `${command}: timeout` };
      },
      async close() {
        self.closed++;
      },
    };
    return { ok: true, session };
  }
}

t.test('AtProvider: read-only commands, optional ones may fail, port always closed', async (t) => {
  const port = new ReplayPort({
    'AT+QENG="servingcell"': at('qeng-endc-3ginfo-56.txt'),
    'AT+QCAINFO': at('cme-error.txt'),
    'AT+QSPN': at('qspn-3ginfo-56.txt'),
    'AT+CSQ': at('csq.txt'),
  });
  const p = new AtProvider(port);
  const r = await p.readRadio(modemConfig({ name: 'q', interface: 'wwan', metrics: 'at', device: '/dev/ttyUSB2' }), 2000);
  t.ok(r.ok);
  t.equal(r.ok && r.value.rat, 'nr5g-nsa');
  t.equal(r.ok && r.value.band, '1+n41', '+CME ERROR on QCAINFO: bands from QENG only');
  t.same(port.sent, ['AT+QENG="servingcell"', 'AT+QCAINFO', 'AT+QSPN', 'AT+CSQ', 'AT+CGACT?']);
  t.equal(port.closed, 1);
  const notQuectel = await new AtProvider(new ReplayPort({ 'AT+QENG="servingcell"': at('cme-error.txt') })).readRadio(modemConfig({ name: 'q', interface: 'w', device: '/dev/ttyUSB2' }), 2000);
  t.same(notQuectel.ok ? null : [notQuectel.code, notQuectel.problem], ['unavailable', 'AT+QENG="servingcell": +CME ERROR: 100']);
  const busy = await new AtProvider(new ReplayPort({}, { ok: false, code: 'busy', problem: '/var/lock/LCK..ttyUSB2 is held by process 42' })).readRadio(modemConfig({ name: 'q', interface: 'w', device: '/dev/ttyUSB2' }), 2000);
  t.equal(!busy.ok && busy.code, 'failed');
  t.match(!busy.ok && busy.problem, /held by process 42/);
  for (const device of [null, 'ttyUSB2', '/dev/../etc/passwd', '/dev/ttyUSB2;reboot']) {
    const bad = await new AtProvider(port).readRadio(modemConfig({ name: 'q', interface: 'w', device }), 2000);
    t.equal(!bad.ok && bad.code, 'malformed', `device ${String(device)} refused before any I/O`);
  }
});

t.test('SerialAtPortOpener on a pseudo-terminal: raw tty, timeout, UUCP lock', async (t) => {
  const table = {
    'AT+QENG="servingcell"': at('qeng-endc-3ginfo-56.txt'),
    'AT+CSQ': at('csq.txt'),
    'AT+HANG': 'HANG',
  };
  const child = spawn('python3', [join(import.meta.dirname, 'helpers', 'pty-modem.py'), JSON.stringify(table)], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill());
  const ttyPath = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('error', reject);
  });
  const lockDir = mkdtempSync(join(tmpdir(), 'mfm-lock-'));
  t.teardown(() => rmSync(lockDir, { recursive: true, force: true }));
  const opener = new SerialAtPortOpener(lockDir);
  const lockFile = join(lockDir, `LCK..${ttyPath.split('/').pop()}`);

  // A live process's lock keeps us off the port; a dead one's is removed.
  writeFileSync(lockFile, `${String(process.ppid).padStart(10)}\n`);
  const held = await opener.open(ttyPath, 1000);
  t.same(held.ok ? null : held.code, 'busy', 'lock held by a live process');
  writeFileSync(lockFile, `${String(2 ** 22 + 12345).padStart(10)}\n`);

  const opened = await opener.open(ttyPath, 1000);
  t.ok(opened.ok, 'stale lock replaced');
  if (!opened.ok) return;
  t.equal(readFileSync(lockFile, 'latin1'), `${String(process.pid).padStart(10)}\n`, 'lock holds our PID as ten characters and a newline');
  const second = await opener.open(ttyPath, 1000);
  t.equal(second.ok, false, 'a second opener is kept out while we hold it');
  const r = await opened.session.run('AT+QENG="servingcell"', 2000);
  t.ok(r.ok);
  t.equal(r.ok && r.lines.length, 3);
  const csq = await opened.session.run('AT+CSQ', 2000);
  t.same(csq, { ok: true, lines: ['+CSQ: 20,99'] });
  const unknown = await opened.session.run('AT+NOPE', 2000);
  t.equal(!unknown.ok && unknown.code, 'error');
  const hang = await opened.session.run('AT+HANG', 300);
  t.equal(!hang.ok && hang.code, 'timeout');
  await opened.session.close();
  t.notOk(existsSync(lockFile), 'lock removed on close');
  const gone = await opener.open('/dev/ttyNOSUCH9', 1000);
  t.equal(!gone.ok && gone.code, 'vanished');
});
