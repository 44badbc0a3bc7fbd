// The overview, traffic and status-widget views with the daemon's replies
// (fixtures/replies.ts), rendered in chromium through the harness: the DOM
// against the data, nothing thrown, the power-limit control's calls, and the
// screenshots in test/artifacts/.
import t from 'tap';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { browserSkipReason, openBrowser, probe, type Session } from './browser.js';
import { busy, empty, type Scenario } from './fixtures/replies.js';
import { recorded } from './fixtures/recorded.js';

const ARTIFACTS = join(import.meta.dirname, '../artifacts');

function replies(s: Scenario): Record<string, unknown> {
  return {
    'modemflow.status': s.status,
    'modemflow.modems': s.modems,
    'modemflow.flows': s.flows,
    'modemflow.assignment': s.assignment,
    'modemflow.history': s.history,
    'modemflow.set_power_limit': { limitW: 4.5 },
    'luci-rpc.getDHCPLeases': s.leases,
  };
}

async function runView(page: Page, name: string, r: Record<string, unknown>, nowMs: number): Promise<void> {
  await probe(page, 'runView', name, r, nowMs);
}

/** Text nodes that show a value went missing. */
const junk = (page: Page): Promise<string[]> => probe(page, 'junk');

const skip = browserSkipReason();
if (skip) {
  t.plan(0, `LuCI views in chromium: ${skip}`);
} else {
  let session: Session;
  t.before(async () => {
    session = await openBrowser();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  t.teardown(async () => session?.close());

  t.test('overview: one card per modem in every state, reasons in words, nothing missing', async (t) => {
    const { page, errors } = await session.page(1280);
    await runView(page, 'view.modemflow.overview', replies(busy), busy.nowMs);
    const cards = await page.$$eval('.mf-card', (els) =>
      els.map((e) => ({
        modem: e.getAttribute('data-modem'),
        state: e.querySelector('.mf-badge')?.getAttribute('data-state'),
        text: e.textContent ?? '',
        radio: e.querySelector('.mf-radio')?.textContent ?? '',
        level: e.querySelector('.mf-signal')?.getAttribute('data-level'),
        sigTitle: e.querySelector('.mf-signal')?.getAttribute('title'),
        quota: e.querySelector('.mf-quota .mf-bar')?.className ?? null,
        quotaShare: e.querySelector('.mf-quota .mf-bar')?.getAttribute('data-share') ?? null,
        hasWhy: !!e.querySelector('.mf-why'),
      })),
    );
    t.same(cards.map((c) => [c.modem, c.state]), busy.modems.modems.map((m) => [m.name, m.state]), 'cards in the daemon order with their states');
    t.equal(new Set(cards.map((c) => c.state)).size, 9, 'all nine decision states shown');
    const by = Object.fromEntries(cards.map((c) => [c.modem, c]));
    t.match(by.cheap!.text, 'RSRP -121 dBm below -115 dBm', 'the excluded modem says why');
    t.equal(by.cheap!.level, '0', 'RSRP -121 dBm / SINR -4 dB: no bars');
    t.match(by.cheap!.sigTitle, /RSRP -121 dBm.*SINR -4 dB/, 'numbers on hover');
    t.equal(by.primary!.level, '2', 'RSRP -95 dBm and SINR 12 dB: two bars');
    t.match(by.primary!.sigTitle, 'NR RSRP -88 dBm', 'the NR leg of EN-DC on hover');
    t.match(by.cheap!.quota, 'mf-bar-full', '100% quota drawn full');
    t.equal(by.cheap!.quotaShare, '1');
    t.equal(by.overflow!.quotaShare, '0', '0% quota');
    t.match(by.overflow!.text, '0 % of 20 GB');
    t.match(by.spare!.text, 'unlimited', 'no quota = unlimited');
    t.match(by.mystery!.text, 'uqmi did not answer within 5 s', 'a provider not answering');
    t.match(by.mystery!.radio, 'No radio data');
    t.notOk(by.primary!.hasWhy, 'an active modem needs no reason');
    t.ok(['excluded', 'asleep', 'down', 'disabled'].every((m) => by[Object.keys(by).find((k) => by[k]!.state === m)!]!.hasWhy), 'every left-out modem has a reason');
    t.match(by.roamer!.radio, 'Vodafone GmbH <Roaming> & Partner Network with a Very Long Operator Name', 'long operator name as text');
    t.equal(await page.$$eval('roaming', (e) => e.length), 0, 'no markup parsed from an operator name');

    const warnings = await page.$$eval('.mf-warning', (els) => els.map((e) => e.textContent ?? ''));
    t.equal(warnings.length, busy.status.warnings.length, 'the config error box and each other warning (the config error once)');
    t.match(warnings[0], '/etc/config/modemflow:31: primary.quota_gb: expected a number > 0');
    t.ok(warnings.some((w) => w.includes('mwan3')), 'mwan3 warning');

    const power = await page.$eval('.mf-power', (e) => e.textContent ?? '');
    t.match(power, '5 W');
    t.match(power, '3.90 W', 'measured');
    t.match(power, '71 %', 'battery');
    t.match(await page.$eval('.mf-cost-hour', (e) => e.textContent ?? ''), '0.42');
    t.match(await page.$eval('.mf-cost-cycle', (e) => e.textContent ?? ''), '37.85');

    // Assignment: groups per modem by class, as the flows reply has them.
    const rows = await page.$$eval('.mf-assignment tr[data-modem]', (els) => els.map((e) => Array.from(e.children).map((c) => (c as { textContent: string | null }).textContent)));
    const expected = new Map<string, number>();
    for (const g of busy.flows.groups) expected.set(`${g.modem ?? ''}|${g.className}`, (expected.get(`${g.modem ?? ''}|${g.className}`) ?? 0) + 1);
    t.equal(rows.length, expected.size, 'one row per modem and class');
    for (const r of rows) {
      const modem = r[0] === 'not placed (main table)' ? '' : r[0]!;
      t.equal(Number(r[3]), expected.get(`${modem}|${r[1]}`), `${r[0]} ${r[1]}`);
    }

    // Charts: throughput per modem, the RTT gap, cost and power with its limit.
    const charts = await page.$$eval('.mf-chart', (els) =>
      els.map((e) => ({
        metric: e.getAttribute('data-metric'),
        lines: Array.from(e.querySelectorAll('polyline')).map((p) => (p as { getAttribute(n: string): string | null }).getAttribute('data-series')),
        pointsOk: Array.from(e.querySelectorAll('polyline')).every((p) => /^[\d.]+,[\d.]+( [\d.]+,[\d.]+)+$/.test((p as { getAttribute(n: string): string | null }).getAttribute('points') ?? '')),
      })),
    );
    t.same(charts.map((c) => c.metric), ['throughput', 'rtt', 'cost', 'power']);
    t.same(charts[0]!.lines, ['overflow', 'primary', 'roamer']);
    t.same(charts[1]!.lines, ['overflow', 'overflow', 'primary', 'roamer'], 'the RTT of overflow has a gap: two segments');
    t.same(charts[3]!.lines, ['Power of the modems', 'Limit']);
    t.ok(charts.every((c) => c.pointsOk), 'every polyline has numeric points in the view box');

    t.same(await junk(page), [], 'no null/undefined/NaN on the page');

    // Polling: one task, every 5 s; running it re-renders without errors.
    const polls = await probe<number[]>(page, 'runPolls');
    t.same(polls, [5]);
    t.equal(await page.$$eval('.mf-card', (e) => e.length), 9, 'still nine cards after a poll');

    for (const dark of [false, true]) {
      await probe(page, 'setDark', dark);
      await page.screenshot({ path: join(ARTIFACTS, `overview-1280-${dark ? 'dark' : 'light'}.png`), fullPage: true });
    }
    t.same(errors, [], 'no page errors');
  });

  t.test('overview: the power-limit control calls set_power_limit', async (t) => {
    const { page, errors } = await session.page(1280);
    await runView(page, 'view.modemflow.overview', replies(busy), busy.nowMs);
    const calls = () => probe<{ params: unknown }[]>(page, 'calls', 'set_power_limit');
    await page.fill('.mf-limit-input', '-1');
    await page.click('.mf-limit .cbi-button-apply');
    t.same(await calls(), [], 'a negative limit is refused in the page');
    t.match(await page.$eval('.mf-limit-msg', (e) => e.textContent ?? ''), 'Expecting');
    await page.fill('.mf-limit-input', '4.5');
    await page.click('.mf-limit .cbi-button-apply');
    await page.waitForFunction('rec.calls.filter((c) => c.method === "status").length >= 2');
    await page.click('.mf-limit .cbi-button-reset');
    await page.waitForFunction('rec.calls.filter((c) => c.method === "status").length >= 3');
    t.same((await calls()).map((c) => c.params), [{ watts: 4.5 }, { clear: true }], 'set 4.5 W, then clear (no watts)');
    t.same(errors, []);
  });

  t.test('overview: no modems, empty history; and a daemon that does not answer', async (t) => {
    const { page, errors } = await session.page(1280);
    await runView(page, 'view.modemflow.overview', replies(empty), empty.nowMs);
    t.match(await page.$eval('.mf-cards', (e) => e.textContent ?? ''), 'No modems are configured');
    t.equal(await page.$$eval('.mf-chart-empty', (e) => e.length), 4, 'each chart says there is no history');
    t.equal(await page.$$eval('.mf-warning', (e) => e.length), 1, 'only the dry-run notice');
    t.match(await page.$eval('.mf-assignment', (e) => e.textContent ?? ''), 'No traffic yet');
    t.match(await page.$eval('.mf-power', (e) => e.textContent ?? ''), 'unlimited');
    t.same(await junk(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'overview-empty-1280-light.png'), fullPage: true });

    const down = await session.page(1280);
    await runView(down.page, 'view.modemflow.overview', {}, empty.nowMs);
    t.match(await down.page.$eval('#view', (e) => e.textContent ?? ''), 'modemflow is not running');
    t.same([...errors, ...down.errors], []);
  });

  t.test('traffic: sortable, filterable groups with DHCP names; decisions with reasons', async (t) => {
    const { page, errors } = await session.page(1280);
    await runView(page, 'view.modemflow.traffic', replies(busy), busy.nowMs);
    const ids = async () => page.$$eval('.mf-flow-table tbody tr[data-group]', (els) => els.map((e) => e.getAttribute('data-group')));
    const byDown = [...busy.flows.groups].sort((a, b) => b.downKbps - a.downKbps).map((g) => g.id);
    t.same(await ids(), byDown, 'sorted by download, largest first');
    await page.click('th[data-sort="down"]');
    t.same(await ids(), [...byDown].reverse(), 'a second click reverses');
    await page.click('th[data-sort="host"]');
    const names = Object.fromEntries(busy.leases.dhcp_leases.map((l) => [l.ipaddr, l.hostname]));
    const key = (g: (typeof busy.flows.groups)[number]) => (names[g.host ?? ''] ?? g.host ?? '').toLowerCase();
    const byHost = [...busy.flows.groups].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : 1)).map((g) => g.id);
    t.same(await ids(), byHost, 'sorted by DHCP name, else address');
    const table = await page.$eval('.mf-flow-table', (e) => e.textContent ?? '');
    t.match(table, 'laptop');
    t.match(table, 'camera-<front>', 'a host name with markup characters stays text');
    t.match(table, 'not placed');
    await page.fill('.mf-filter', 'overflow');
    t.same((await ids()).sort(), busy.flows.groups.filter((g) => g.modem === 'overflow').map((g) => g.id).sort(), 'filter by modem');
    await page.fill('.mf-filter', 'laptop web');
    t.same(await ids(), ['h:192.168.1.20:web'], 'filter by DHCP name and class');
    await page.fill('.mf-filter', 'nothing-matches');
    t.match(await page.$eval('.mf-flow-table tbody', (e) => e.textContent ?? ''), 'No group matches');
    await page.fill('.mf-filter', '');

    const decisions = await page.$$eval('.mf-decisions tr[data-kind]', (els) => els.map((e) => e.getAttribute('data-kind')));
    t.same(decisions, busy.assignment.decisions.map((d) => d.kind).reverse(), 'newest first');
    t.match(await page.$eval('.mf-decisions', (e) => e.textContent ?? ''), 'overflow is the cheapest with room');
    t.equal(await page.$$eval('#view script', (e) => e.length), 0, 'a reason with markup stays text');
    t.same(await junk(page), []);
    await page.screenshot({ path: join(ARTIFACTS, 'traffic-1280-light.png'), fullPage: true });
    t.same(errors, []);
  });

  t.test('replies recorded from the real daemon (the demo router): overview and traffic render them whole', async (t) => {
    const { page, errors } = await session.page(1280);
    await runView(page, 'view.modemflow.overview', replies(recorded), recorded.nowMs);
    const cards = await page.$$eval('.mf-card', (els) => els.map((e) => [e.getAttribute('data-modem'), e.querySelector('.mf-badge')?.getAttribute('data-state')]));
    t.same(cards, recorded.modems.modems.map((m) => [m.name, m.state]), 'one card per modem, in the daemon order, with its state');
    const text = await page.$eval('#view', (e) => e.textContent ?? '');
    for (const m of recorded.modems.modems) if (m.radio?.operatorName) t.match(text, m.radio.operatorName, `operator of ${m.name}`);
    t.equal(await page.$$eval('.mf-chart svg', (e) => e.length), 4, 'four charts drawn from the recorded history');
    t.same(await junk(page), [], 'no null, undefined or NaN shown');
    await page.screenshot({ path: join(ARTIFACTS, 'overview-recorded-1280-light.png'), fullPage: true });
    const traffic = await session.page(1280);
    await runView(traffic.page, 'view.modemflow.traffic', replies(recorded), recorded.nowMs);
    const ids = await traffic.page.$$eval('.mf-flow-table tbody tr[data-group]', (els) => els.map((e) => e.getAttribute('data-group')));
    t.same([...ids].sort(), recorded.flows.groups.map((g) => g.id).sort(), 'every recorded group listed');
    t.same(await junk(traffic.page), []);
    t.same([...errors, ...traffic.errors], []);
  });

  t.test('status include widget: one row per modem, cost and power', async (t) => {
    const { page, errors } = await session.page(1280);
    const rows = await probe<{ title: string; modems: string[] }>(page, 'statusWidget', replies(busy));
    t.equal(rows.title, 'modemflow');
    t.same(rows.modems, busy.status.modems.map((m) => m.name));
    t.same(await junk(page), []);
    t.same(errors, []);
  });

  t.test('phone (375 px) and dark theme: nothing wider than the screen', async (t) => {
    for (const dark of [false, true]) {
      for (const view of ['overview', 'traffic']) {
        const { page, errors } = await session.page(375, dark);
        await runView(page, `view.modemflow.${view}`, replies(busy), busy.nowMs);
        const wide = await probe<number>(page, 'scrollWidth');
        t.ok(wide <= 375, `${view} ${dark ? 'dark' : 'light'}: page is ${wide} px wide`);
        await page.screenshot({ path: join(ARTIFACTS, `${view}-375-${dark ? 'dark' : 'light'}.png`), fullPage: true });
        t.same(errors, []);
      }
    }
  });
}
