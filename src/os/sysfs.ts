import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SysfsReader } from '../model/ports.js';

/**
 * Reads a sysfs-like tree. `root` lets tests point it at a fake tree in a
 * temporary directory; on the router it is '/'.
 */
export class FsSysfsReader implements SysfsReader {
  constructor(private readonly root = '/') {}

  async read(path: string): Promise<string | null> {
    try {
      return (await readFile(join(this.root, path), 'utf8')).replace(/\n$/, '');
    } catch {
      return null;
    }
  }

  async list(path: string): Promise<string[]> {
    try {
      return (await readdir(join(this.root, path))).sort();
    } catch {
      return [];
    }
  }
}
