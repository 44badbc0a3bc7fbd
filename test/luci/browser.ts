// Opens the LuCI harness (test/luci/harness) in Debian's chromium through
// playwright-core, serving luci-ui/htdocs and the harness from memory.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(import.meta.dirname, '../..');
const HTDOCS = join(ROOT, 'luci-ui/htdocs');
const HARNESS = join(import.meta.dirname, 'harness');
export const ORIGIN = 'http://luci.test';

export function browserSkipReason(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (scripts/sysdeps.sh test installs it)`;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.json': 'application/json' };

function fileFor(pathname: string): string | null {
  const p = normalize(decodeURIComponent(pathname));
  if (p.startsWith('/luci-static/')) return join(HTDOCS, p);
  if (p.startsWith('/harness/')) return join(HARNESS, p.slice('/harness/'.length));
  return null;
}

export interface Session {
  browser: Browser;
  close(): Promise<void>;
  /** A fresh page at the harness with the given viewport; errors collected in `errors`. */
  page(width: number, dark?: boolean): Promise<{ page: Page; errors: string[] }>;
}

export async function openBrowser(): Promise<Session> {
  // playwright's launch() gives chromium a fresh temporary user-data dir of its own.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const contexts = new Map<number, BrowserContext>();
  return {
    browser,
    async close() {
      await browser.close();
    },
    async page(width, dark = false) {
      // One context per viewport width: a new page in it is much cheaper than a new context.
      let context = contexts.get(width);
      if (!context) {
        context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1 });
        await context.route('**/*', async (route) => {
          const url = new URL(route.request().url());
          const file = url.origin === ORIGIN ? fileFor(url.pathname) : null;
          if (!file || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
          return route.fulfill({ status: 200, contentType: TYPES[extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
        });
        contexts.set(width, context);
      }
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      await page.goto(`${ORIGIN}/harness/index.html`);
      if (dark) await probe(page, 'setDark', true);
      return { page, errors };
    },
  };
}

/** Calls window.probes[name](...args) in the page (test/luci/harness/probes.js). */
export function probe<R>(page: Page, name: string, ...args: unknown[]): Promise<R> {
  return page.evaluate(`probes.${name}(...${JSON.stringify(args)})`) as Promise<R>;
}
