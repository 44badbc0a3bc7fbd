// Writes a fake sysfs tree (real files) into a temporary directory for FsSysfsReader.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Test } from 'tap';

/** files: path under the root -> content (a trailing newline is added, as sysfs does). */
export function sysfsTree(t: Test, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'mf-power-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, `${content}\n`);
  }
  return root;
}
