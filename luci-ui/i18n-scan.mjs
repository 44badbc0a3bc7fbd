// Writes po/templates/modemflow.pot: every _('...') string of the views and
// helpers, the menu titles of menu.d and the ACL description, sorted by msgid
// with where each comes from (the fields LuCI's i18n scanner collects).
// Run after changing strings: node luci-ui/i18n-scan.mjs
// test/luci/static.test.ts fails while the file is out of date.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function files(dir, ext) {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

function unquote(body, q) {
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (m, e) => {
    if (e[0] === 'u' || e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return { n: '\n', t: '\t' }[e] ?? e;
  });
}

export function scan() {
  const found = new Map();
  const add = (msgid, where) => {
    if (!msgid) return;
    if (!found.has(msgid)) found.set(msgid, []);
    found.get(msgid).push(where);
  };
  for (const f of files(join(here, 'htdocs'), '.js')) {
    const text = readFileSync(f, 'utf8');
    const re = /(?<![A-Za-z0-9_$.])_\(\s*(['"])((?:\\.|(?!\1)[^\\\n])*)\1\s*\)/g;
    for (let m; (m = re.exec(text)); ) {
      const line = text.slice(0, m.index).split('\n').length;
      add(unquote(m[2], m[1]), `${relative(here, f)}:${line}`);
    }
  }
  for (const f of files(join(here, 'root/usr/share/luci/menu.d'), '.json')) {
    for (const node of Object.values(JSON.parse(readFileSync(f, 'utf8')))) add(node.title, relative(here, f));
  }
  for (const f of files(join(here, 'root/usr/share/rpcd/acl.d'), '.json')) {
    for (const acl of Object.values(JSON.parse(readFileSync(f, 'utf8')))) add(acl.description, relative(here, f));
  }
  return found;
}

function po(s) {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

export function render(found) {
  let out = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8"\n';
  for (const id of [...found.keys()].sort()) {
    out += `\n${found.get(id).map((w) => `#: ${w}`).join('\n')}\nmsgid ${po(id)}\nmsgstr ""\n`;
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const found = scan();
  writeFileSync(join(here, 'po/templates/modemflow.pot'), render(found));
  console.log(`wrote po/templates/modemflow.pot: ${found.size} strings`);
}
