/**
 * A grouped bar chart as a standalone SVG string, written by hand (no
 * library): one group per label, one bar per series, a zero line, value
 * labels on the bars. Negative values hang below the zero line.
 */
export interface BarChart {
  title: string;
  unit: string;
  groups: string[];
  series: { name: string; values: (number | null)[] }[];
}

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function barChartSvg(c: BarChart): string {
  const W = 760;
  const H = 380;
  const left = 60;
  const right = 170;
  const top = 40;
  const bottom = 60;
  const values = c.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const plotH = H - top - bottom;
  const y = (v: number) => top + ((max - v) / span) * plotH;
  const groupW = (W - left - right) / Math.max(1, c.groups.length);
  const barW = (groupW * 0.8) / Math.max(1, c.series.length);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(c.title)}</text>`);
  out.push(`<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">${esc(c.unit)}</text>`);
  for (let k = 0; k <= 4; k++) {
    const v = min + (span * k) / 4;
    out.push(`<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`);
  }
  out.push(`<line x1="${left}" x2="${W - right}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#000"/>`);
  c.groups.forEach((g, gi) => {
    const gx = left + gi * groupW + groupW * 0.1;
    c.series.forEach((s, si) => {
      const v = s.values[gi];
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      const x = gx + si * barW;
      const y0 = y(Math.max(0, v));
      const h = Math.max(0.5, Math.abs(y(v) - y(0)));
      out.push(`<rect x="${x.toFixed(1)}" y="${y0.toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLOURS[si % COLOURS.length]}"><title>${esc(`${s.name}, ${g}: ${fmt(v)} ${c.unit}`)}</title></rect>`);
    });
    out.push(`<text x="${(gx + (barW * c.series.length) / 2).toFixed(1)}" y="${H - bottom + 16}" text-anchor="middle">${esc(g)}</text>`);
  });
  c.series.forEach((s, si) => {
    const ly = top + si * 18;
    out.push(`<rect x="${W - right + 12}" y="${ly}" width="12" height="12" fill="${COLOURS[si % COLOURS.length]}"/>`);
    out.push(`<text x="${W - right + 30}" y="${ly + 10}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
