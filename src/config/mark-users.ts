import { readFileSync } from 'node:fs';
import { parseUci } from '../uci/index.js';

/**
 * Other OpenWrt packages that keep state in the packet/conntrack mark, with
 * the bits they use by default. modemflow's mark_mask must stay clear of
 * them, or it breaks their routing or shaping and they break ours.
 * fw4 itself reserves no bits (only user rules with set_mark/set_xmark do).
 */
export interface MarkUser {
  who: string;
  mask: number;
  /** 'default': the package's default, met only if it is installed; 'configured': read from its config here. */
  source: 'default' | 'configured';
}

/**
 * Checked for every explicit mark_mask. pbr and vpn-policy-routing (fw_mask
 * default 0x00ff0000) are checked when their config is found (see
 * configuredMarkUsers): modemflow's default 0x0fff0000 shares bits with
 * them, and no 12 contiguous bits are clear of all three defaults.
 */
export const KNOWN_MARK_USERS: readonly MarkUser[] = [
  { who: 'mwan3 (mmx_mask default 0x3f00)', mask: 0x00003f00, source: 'default' },
  { who: 'SQM/CAKE DSCP kept in the conntrack mark (act_ctinfo, layer_cake_ct, dscpclassify: 0x000000ff)', mask: 0x000000ff, source: 'default' },
];

/** A mask as these packages write it: 0x-prefixed or bare hex (pbr), or decimal. */
function parseMask(raw: string, hexWithoutPrefix: boolean): number | null {
  const m = /^0x([0-9a-fA-F]{1,8})$/.exec(raw) ?? (hexWithoutPrefix ? /^([0-9a-fA-F]{1,8})$/.exec(raw) : null);
  if (m) return parseInt(m[1]!, 16);
  return /^\d{1,10}$/.test(raw) && Number(raw) <= 0xffffffff ? Number(raw) : null;
}

interface MaskOption {
  pkg: string;
  sectionType: string;
  option: string;
  fallback: number;
  hexWithoutPrefix: boolean;
}

const MASK_OPTIONS: readonly MaskOption[] = [
  { pkg: 'mwan3', sectionType: 'globals', option: 'mmx_mask', fallback: 0x3f00, hexWithoutPrefix: false },
  { pkg: 'pbr', sectionType: 'pbr', option: 'fw_mask', fallback: 0x00ff0000, hexWithoutPrefix: true },
  { pkg: 'vpn-policy-routing', sectionType: 'vpn-policy-routing', option: 'fw_mask', fallback: 0x00ff0000, hexWithoutPrefix: true },
];

/** The masks of the packages configured in `dir` (their option, or their default when it is absent). */
export function configuredMarkUsers(dir: string): MarkUser[] {
  const out: MarkUser[] = [];
  for (const m of MASK_OPTIONS) {
    let text: Buffer;
    try {
      text = readFileSync(`${dir}/${m.pkg}`);
    } catch {
      continue;
    }
    const parsed = parseUci(text, `${dir}/${m.pkg}`, { packageName: m.pkg, strict: false });
    const sec = parsed.package.sections.find((s) => s.type === m.sectionType);
    const opt = sec?.options.find((o) => o.name === m.option);
    const mask = typeof opt?.value === 'string' ? parseMask(opt.value, m.hexWithoutPrefix) : m.fallback;
    if (mask === null || mask === 0) continue;
    const shown = `0x${mask.toString(16).padStart(opt ? 1 : 4, '0')}`;
    out.push({ who: `${m.pkg} (${m.option} ${shown} in ${dir}/${m.pkg})`, mask, source: 'configured' });
  }
  return out;
}

/**
 * The users whose bits `mask` overlaps. Package defaults count when the
 * mask was chosen explicitly; what is configured on this router always counts.
 */
export function markOverlaps(mask: number, explicit: boolean, users: readonly MarkUser[]): Array<{ user: MarkUser; bits: number }> {
  return users
    .filter((u) => explicit || u.source === 'configured')
    .map((user) => ({ user, bits: (mask & user.mask) >>> 0 }))
    .filter((o) => o.bits !== 0);
}
