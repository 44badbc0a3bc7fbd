// luci-app-modemflow's files against the shapes LuCI and rpcd read: menu.d
// (the ucode dispatcher), acl.d (rpcd session.c), the ubus calls the views
// declare against what the ACL grants (both ways), the generated schema and
// translation template up to date, and the luci.mk Makefile.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SCHEMA } from '../../src/config/schema.js';

const APP = join(import.meta.dirname, '../../luci-ui');
const RES = join(APP, 'htdocs/luci-static/resources');

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

const json = (p: string): unknown => JSON.parse(readFileSync(p, 'utf8'));
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

t.test('menu.d: nodes the dispatcher understands, views that exist, gated by our ACL', async (t) => {
  const menu = json(join(APP, 'root/usr/share/luci/menu.d/luci-app-modemflow.json'));
  if (!isObj(menu)) throw new Error('menu.d is not an object');
  const allowed = new Set(['title', 'order', 'action', 'depends', 'auth', 'index', 'wildcard', 'setgroup', 'setuser', 'cors']);
  for (const [path, node] of Object.entries(menu)) {
    t.match(path, /^admin\/(status|network)\/modemflow(\/[a-z]+)?$/, `${path}: under admin/status or admin/network`);
    if (!isObj(node)) {
      t.fail(`${path} is not an object`);
      continue;
    }
    t.same(Object.keys(node).filter((k) => !allowed.has(k)), [], `${path}: only known keys`);
    t.type(node.title, 'string', `${path}: title`);
    t.ok(typeof node.order === 'number' || /^\d+$/.test(String(node.order)), `${path}: order`);
    const action = node.action;
    if (!isObj(action)) {
      t.fail(`${path}: action`);
      continue;
    }
    t.ok(['view', 'firstchild', 'alias'].includes(String(action.type)), `${path}: action type ${action.type}`);
    if (action.type === 'view') {
      const file = join(RES, 'view', `${String(action.path)}.js`);
      t.ok(statSync(file, { throwIfNoEntry: false })?.isFile(), `${path}: view ${action.path} exists`);
    }
    if (!path.match(/\/modemflow\/[a-z]+$/)) {
      t.ok(isObj(node.depends) && Array.isArray((node.depends as Record<string, unknown>).acl), `${path}: depends on an ACL`);
      t.same((node.depends as { acl: string[] }).acl, ['luci-app-modemflow']);
    }
  }
  t.ok(menu['admin/status/modemflow/overview'] && menu['admin/status/modemflow/traffic'] && menu['admin/network/modemflow'], 'the three pages');
});

/** Every rpc.declare({ object, method }) in the views and helpers. */
function declaredCalls(): { object: string; method: string; file: string }[] {
  const out: { object: string; method: string; file: string }[] = [];
  for (const f of files(RES, '.js')) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/rpc\.declare\(\{([^}]*)\}/g)) {
      const object = /object:\s*'([^']+)'/.exec(m[1]!)?.[1];
      const method = /method:\s*'([^']+)'/.exec(m[1]!)?.[1];
      if (!object || !method) throw new Error(`${f}: rpc.declare without a literal object/method`);
      out.push({ object, method, file: relative(APP, f) });
    }
  }
  return out;
}

const WRITE_METHODS = new Set(['modemflow.set_power_limit', 'modemflow.reload']);

t.test('acl.d: the shape rpcd reads; grants exactly the calls the views make', async (t) => {
  const acl = json(join(APP, 'root/usr/share/rpcd/acl.d/luci-app-modemflow.json'));
  if (!isObj(acl)) throw new Error('acl.d is not an object');
  t.same(Object.keys(acl), ['luci-app-modemflow']);
  const group = acl['luci-app-modemflow'] as Record<string, unknown>;
  t.type(group.description, 'string');
  t.same(Object.keys(group).filter((k) => !['description', 'read', 'write'].includes(k)), [], 'only description/read/write');
  const granted = new Map<string, 'read' | 'write'>();
  for (const mode of ['read', 'write'] as const) {
    const part = group[mode];
    if (!isObj(part)) {
      t.fail(`${mode} missing`);
      continue;
    }
    t.same(Object.keys(part).filter((k) => !['ubus', 'uci', 'file', 'cgi-io'].includes(k)), [], `${mode}: known scopes`);
    t.same(part.uci, ['modemflow'], `${mode}: uci modemflow only`);
    t.notOk('file' in part, `${mode}: no file access`);
    const ubus = part.ubus;
    if (!isObj(ubus)) continue;
    for (const [object, methods] of Object.entries(ubus)) {
      t.ok(Array.isArray(methods) && methods.every((x) => typeof x === 'string' && !x.includes('*')), `${mode} ${object}: a list of method names, no wildcards`);
      for (const m of methods as string[]) granted.set(`${object}.${m}`, mode);
    }
  }

  const calls = declaredCalls();
  const used = new Set(calls.map((c) => `${c.object}.${c.method}`));
  for (const c of calls) {
    const key = `${c.object}.${c.method}`;
    t.ok(granted.has(key), `${c.file}: ${key} is granted`);
    t.equal(granted.get(key), WRITE_METHODS.has(key) ? 'write' : 'read', `${key}: ${WRITE_METHODS.has(key) ? 'write' : 'read'} access`);
  }
  t.same([...granted.keys()].filter((k) => !used.has(k)).sort(), [], 'nothing granted that no view calls');
  t.same(
    [...used].filter((k) => k.startsWith('modemflow.')).sort(),
    ['modemflow.assignment', 'modemflow.flows', 'modemflow.history', 'modemflow.modems', 'modemflow.reload', 'modemflow.set_power_limit', 'modemflow.status'],
  );
});

t.test('the form\'s schema copy is the daemon\'s schema (node luci-ui/gen-schema.mjs)', async (t) => {
  const text = readFileSync(join(RES, 'modemflow/schema.js'), 'utf8');
  const m = /\/\* BEGIN SCHEMA \*\/([\s\S]*)\/\* END SCHEMA \*\//.exec(text);
  if (!m) throw new Error('schema.js has no BEGIN/END SCHEMA markers');
  t.same(JSON.parse(m[1]!), JSON.parse(JSON.stringify(SCHEMA)), 'up to date; run `node luci-ui/gen-schema.mjs` after changing src/config/schema.ts');
});

t.test('po/templates/modemflow.pot holds every string (node luci-ui/i18n-scan.mjs)', async (t) => {
  const { scan, render } = (await import(join(APP, 'i18n-scan.mjs'))) as { scan(): Map<string, string[]>; render(m: Map<string, string[]>): string };
  const found = scan();
  t.ok(found.size > 100, `${found.size} strings`);
  t.equal(readFileSync(join(APP, 'po/templates/modemflow.pot'), 'utf8'), render(found), 'up to date; run `node luci-ui/i18n-scan.mjs`');
});

t.test('sources: LuCI module format, only documented requires, no innerHTML sinks', async (t) => {
  const allowedRequires = new Set(['baseclass', 'view', 'poll', 'rpc', 'ui', 'form', 'uci']);
  for (const f of files(RES, '.js')) {
    const text = readFileSync(f, 'utf8');
    const name = relative(RES, f);
    t.match(text, /^'use strict';\n/, `${name}: 'use strict' first`);
    for (const m of text.matchAll(/^'require ([^' ]+)(?: as [A-Za-z_]\w*)?';$/gm)) {
      const dep = m[1]!;
      t.ok(allowedRequires.has(dep) || dep.startsWith('modemflow.'), `${name}: requires ${dep}`);
      if (dep.startsWith('modemflow.')) t.ok(statSync(join(RES, `${dep.replace(/\./g, '/')}.js`), { throwIfNoEntry: false }), `${name}: ${dep} exists`);
    }
    t.notMatch(text, /innerHTML|insertAdjacentHTML|document\.write/, `${name}: no HTML string sinks`);
    t.match(text, /return (baseclass|view)\.extend\(/, `${name}: returns a class`);
  }
});

t.test('Makefile: a luci.mk package depending on modemflow', async (t) => {
  const mk = readFileSync(join(APP, 'Makefile'), 'utf8');
  t.match(mk, /^include \$\(TOPDIR\)\/rules\.mk$/m);
  t.match(mk, /^LUCI_TITLE:=.+$/m);
  t.match(mk, /^LUCI_DEPENDS:=.*\+luci-base.*\+modemflow/m);
  t.match(mk, /^LUCI_PKGARCH:=all$/m);
  t.match(mk, /^include \.\.\/\.\.\/luci\.mk$/m);
  t.match(mk, /# call BuildPackage - OpenWrt buildroot signature/);
  t.ok(SCHEMA.length > 0);
});
