import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { IpkError } from './ipk.js';
import type { PackageSpec } from './ipk.js';
import type { TreeFile } from './tar-writer.js';

/**
 * The two package specs, read from the tree the way the SDK would build
 * them: openwrt/Makefile is the one source of version, license, maintainer,
 * dependencies and description for `modemflow`; luci-ui/ (htdocs, root and
 * its Makefile when present) gives `luci-app-modemflow`, as luci.mk would.
 */

export interface TreeInputs {
  /** The repository checkout. */
  repoRoot: string;
  /** Where the router bundles are (dist/). */
  distDir: string;
  /** The LuCI app's folder (luci-ui/). */
  luciDir: string;
  sourceDateEpoch: number;
  /** Feed name used in the Source field (feeds/<feed>/<package>). */
  feed?: string;
}

/** The bundles the daemon package must carry, from `node build.mjs router`. */
export const BUNDLES = ['modemflow.js', 'modemflowd.js'] as const;
export const BUNDLE_DIR = '/usr/lib/modemflow';

/** Simple `NAME:=value` assignments and `define NAME ... endef` blocks of an OpenWrt Makefile. */
export interface MakeVars {
  vars: Map<string, string>;
  defines: Map<string, string[]>;
}

export function readMakeVars(text: string): MakeVars {
  const vars = new Map<string, string>();
  const defines = new Map<string, string[]>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const def = /^define\s+(\S+)\s*$/.exec(line);
    if (def) {
      const body: string[] = [];
      for (i++; i < lines.length && !/^endef\b/.test(lines[i]!); i++) body.push(lines[i]!);
      defines.set(def[1]!, body);
      continue;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*[:?]?=\s*(.*?)\s*$/.exec(line);
    if (m) vars.set(m[1]!, m[2]!);
  }
  return { vars, defines };
}

function need(mk: MakeVars, name: string, file: string): string {
  const v = mk.vars.get(name);
  if (!v) throw new IpkError(`${file}: ${name} is not set`);
  return v;
}

/** `DEPENDS:=+a +b` inside a package define, without the `+`; conditional entries are refused. */
function dependsOf(body: string[], file: string, pkg: string): string[] {
  const line = body.map((l) => l.trim()).find((l) => l.startsWith('DEPENDS:='));
  if (!line) throw new IpkError(`${file}: Package/${pkg} has no DEPENDS`);
  return line
    .slice('DEPENDS:='.length)
    .split(/\s+/)
    .filter(Boolean)
    .map((d) => {
      if (!/^\+[a-z0-9][a-z0-9_.+-]*$/.test(d)) throw new IpkError(`${file}: Package/${pkg} DEPENDS entry '${d}' is not of the form +name`);
      return d.slice(1);
    });
}

function fieldOf(body: string[], field: string): string | undefined {
  const line = body.map((l) => l.trim()).find((l) => l.startsWith(`${field}:=`));
  return line?.slice(field.length + 2).trim();
}

// What the SDK drops from an install tree (package-pack.mk: CVS, .svn, .#*, *~).
function skipped(name: string): boolean {
  return name === 'CVS' || name === '.svn' || name.startsWith('.#') || name.endsWith('~');
}

/** Every file under `dir`, installed below `prefix`; mode 0755 where the source is executable, else 0644. */
export function collectTree(dir: string, prefix: string, modeFor?: (path: string) => number | undefined): TreeFile[] {
  const out: TreeFile[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (skipped(name)) continue;
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        const path = `${prefix}/${relative(dir, p).split('\\').join('/')}`.replace(/^\/+/, '/');
        const mode = modeFor?.(path) ?? (st.mode & 0o111 ? 0o755 : 0o644);
        out.push({ path, mode, data: readFileSync(p) });
      } else throw new IpkError(`${p}: only regular files and directories can be packaged`);
    }
  };
  walk(dir);
  return out;
}

export function modemflowSpec(inp: TreeInputs): PackageSpec {
  const file = join(inp.repoRoot, 'openwrt/Makefile');
  const mk = readMakeVars(readFileSync(file, 'utf8'));
  const pkg = mk.defines.get('Package/modemflow');
  const desc = mk.defines.get('Package/modemflow/description');
  const conf = mk.defines.get('Package/modemflow/conffiles');
  const postrm = mk.defines.get('Package/modemflow/postrm');
  if (!pkg || !desc || !conf) throw new IpkError(`${file}: needs Package/modemflow, its description and conffiles defines`);

  const files: TreeFile[] = [];
  for (const b of BUNDLES) {
    const p = join(inp.distDir, b);
    if (!existsSync(p)) {
      throw new IpkError(`${p} is missing: the package needs both router bundles (${BUNDLES.join(', ')}); run \`node build.mjs router\` (make build) first`);
    }
    files.push({ path: `${BUNDLE_DIR}/${b}`, mode: 0o644, data: readFileSync(p) });
  }
  // Config files go in with INSTALL_CONF (0600), as the SDK installs them.
  files.push(...collectTree(join(inp.repoRoot, 'openwrt/files'), '', (p) => (p.startsWith('/etc/config/') ? 0o600 : undefined)));

  const feed = inp.feed ?? 'modemflow';
  return {
    name: 'modemflow',
    version: `${need(mk, 'PKG_VERSION', file)}-r${need(mk, 'PKG_RELEASE', file)}`,
    depends: dependsOf(pkg, file, 'modemflow'),
    source: `feeds/${feed}/modemflow`,
    sourceName: 'modemflow',
    license: need(mk, 'PKG_LICENSE', file),
    section: fieldOf(pkg, 'SECTION') ?? 'net',
    maintainer: need(mk, 'PKG_MAINTAINER', file),
    architecture: fieldOf(pkg, 'PKGARCH') ?? 'all',
    description: desc.map((l) => l.trim()).filter(Boolean),
    sourceDateEpoch: inp.sourceDateEpoch,
    files,
    conffiles: conf.map((l) => l.trim()).filter(Boolean),
    // make turns $$ into $; the SDK echoes the define into CONTROL/postrm.
    ...(postrm ? { postrm: postrm.join('\n').split('$$').join('$') + '\n' } : {}),
  };
}

/**
 * luci.mk's postinst for an app: run the app's own uci-defaults, drop LuCI's
 * menu index and module caches and have rpcd re-read its ACLs.
 */
export function luciPostinst(uciDefaults: string[]): string {
  const run = uciDefaults.map((s) => `\t(. /etc/uci-defaults/${s}) && rm -f /etc/uci-defaults/${s}\n`).join('');
  return `[ -n "\${IPKG_INSTROOT}" ] || {\n${run}\trm -f /tmp/luci-indexcache.*\n\trm -rf /tmp/luci-modulecache/\n\tkillall -HUP rpcd 2>/dev/null\n\texit 0\n}\n`;
}

/** LUCI_DEPENDS (`+luci-base +modemflow`) as names, always with luci-base and modemflow. */
function luciDepends(value: string | undefined, file: string): string[] {
  const names = (value ?? '').split(/\s+/).filter(Boolean).map((d) => {
    if (!/^\+[a-z0-9][a-z0-9_.+-]*$/.test(d)) throw new IpkError(`${file}: LUCI_DEPENDS entry '${d}' is not of the form +name`);
    return d.slice(1);
  });
  for (const must of ['modemflow', 'luci-base']) if (!names.includes(must)) names.unshift(must);
  return names;
}

export function luciSpec(inp: TreeInputs, daemon: PackageSpec): { spec: PackageSpec; warnings: string[] } {
  const warnings: string[] = [];
  const mkFile = join(inp.luciDir, 'Makefile');
  const mk = existsSync(mkFile) ? readMakeVars(readFileSync(mkFile, 'utf8')) : { vars: new Map<string, string>(), defines: new Map() };
  const files: TreeFile[] = [];
  const htdocs = join(inp.luciDir, 'htdocs');
  const root = join(inp.luciDir, 'root');
  if (existsSync(htdocs)) files.push(...collectTree(htdocs, '/www'));
  if (existsSync(root)) files.push(...collectTree(root, ''));
  if (files.length === 0) warnings.push(`${inp.luciDir}: no htdocs/ or root/ yet; luci-app-modemflow is built with no files`);
  const uciDefaults = files
    .filter((f) => /^\/etc\/uci-defaults\/[^/]+$/.test(f.path))
    .map((f) => f.path.slice('/etc/uci-defaults/'.length))
    .sort();
  const v = mk.vars.get('PKG_VERSION');
  const r = mk.vars.get('PKG_RELEASE');
  const title = mk.vars.get('LUCI_DESCRIPTION') ?? mk.vars.get('LUCI_TITLE') ?? 'LuCI support for modemflow';
  const feed = inp.feed ?? 'modemflow';
  const spec: PackageSpec = {
    name: 'luci-app-modemflow',
    version: v && r ? `${v}-r${r}` : daemon.version,
    depends: luciDepends(mk.vars.get('LUCI_DEPENDS'), mkFile),
    source: `feeds/${feed}/luci-app-modemflow`,
    sourceName: 'luci-app-modemflow',
    license: mk.vars.get('PKG_LICENSE') ?? daemon.license,
    section: 'luci',
    maintainer: mk.vars.get('PKG_MAINTAINER') ?? daemon.maintainer,
    architecture: 'all',
    description: [title],
    sourceDateEpoch: inp.sourceDateEpoch,
    files,
    conffiles: [],
    postinstPkg: luciPostinst(uciDefaults),
  };
  return { spec, warnings };
}
