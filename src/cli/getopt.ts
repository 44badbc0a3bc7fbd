/**
 * getopt(3) as musl does it (the OpenWrt tools we mirror, `ubus` and `uci`,
 * use it): options end at the first operand or at `--`; flags may be
 * bundled (`-qS`); an option's value may be attached (`-c/tmp`) or the next
 * argument. `spec` lists option letters, a letter followed by ':' takes a value.
 */
export interface ParsedOption {
  name: string;
  value: string | null;
}

export type GetoptResult =
  | { ok: true; options: ParsedOption[]; rest: string[] }
  | { ok: false; error: 'missing-argument' | 'unknown-option'; option: string };

export function getopt(argv: readonly string[], spec: string): GetoptResult {
  const takesValue = new Map<string, boolean>();
  for (let i = 0; i < spec.length; i++) {
    if (spec[i] === ':') continue;
    takesValue.set(spec[i]!, spec[i + 1] === ':');
  }
  const options: ParsedOption[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    for (let k = 1; k < a.length; k++) {
      const c = a[k]!;
      const withValue = takesValue.get(c);
      if (withValue === undefined) return { ok: false, error: 'unknown-option', option: c };
      if (!withValue) {
        options.push({ name: c, value: null });
        continue;
      }
      const value = k + 1 < a.length ? a.slice(k + 1) : argv[++i];
      if (value === undefined) return { ok: false, error: 'missing-argument', option: c };
      options.push({ name: c, value });
      break;
    }
  }
  return { ok: true, options, rest: argv.slice(i) };
}
