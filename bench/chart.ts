// The limit bench's figures as a chart (bench/results/limit.svg, linked from the README): for each
// goal of issue 11, Threshold's req/s as a share of the limit server's in each recorded run (the
// first measurement, the one before decision 025, the latest), and the goal as a line. Plain SVG,
// no dependency: a horizontal bar per run, the goal's mark across its row.

/** One recorded run of bench/limit.bench.ts: its label, when it ran, and each goal's ratio. */
export type ChartRun = { label: string; at: string; ratios: Record<string, number> };
/** A goal: its name as limit.bench.ts writes it (a run may have written an older spelling: `aliases`), its short label and its ratio to reach. */
export type ChartGoal = { name: string; aliases?: string[]; label: string; goal: number };

const COLOURS = ['#c8ccd4', '#8fa3bf', '#1f5fa8'];
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A goal's ratio in a run, under its name or an older one; undefined when the run did not measure it. */
export function ratioOf(run: ChartRun, goal: ChartGoal): number | undefined {
  for (const name of [goal.name, ...(goal.aliases ?? [])]) if (typeof run.ratios[name] === 'number') return run.ratios[name];
  return undefined;
}

/** The chart as an SVG document: rows of goals, a bar per run (oldest first), the goal's line, the latest ratio written at its bar's end. */
export function limitChart(runs: readonly ChartRun[], goals: readonly ChartGoal[]): string {
  const left = 230;
  const plot = 520;
  const barH = 9;
  const gap = 3;
  const rowH = runs.length * (barH + gap) + 14;
  const top = 40;
  const legendH = 22;
  const height = top + goals.length * rowH + 30 + legendH;
  const width = left + plot + 70;
  const max = Math.max(1.2, ...goals.flatMap((g) => runs.map((r) => ratioOf(r, g) ?? 0)));
  const x = (v: number) => left + (Math.min(v, max) / max) * plot;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12" role="img" aria-labelledby="t d">`);
  out.push(`<title id="t">Threshold's req/s as a share of the bare limit server's, per goal of issue 11</title>`);
  out.push(`<desc id="d">${escape(goals.map((g) => `${g.label}: ${runs.map((r) => `${r.label} ${ratioOf(r, g) ?? 'not measured'}`).join(', ')}; goal ${g.goal}`).join('. '))}</desc>`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="${left}" y="20" font-weight="600">Threshold's req/s ÷ the limit server's (same run, same PostgreSQL)</text>`);
  for (let t = 0; t <= max + 1e-9; t += 0.25) {
    out.push(`<line x1="${x(t)}" y1="${top - 6}" x2="${x(t)}" y2="${top + goals.length * rowH}" stroke="#eee"/>`);
    out.push(`<text x="${x(t)}" y="${top + goals.length * rowH + 14}" text-anchor="middle" fill="#555">${t.toFixed(2)}</text>`);
  }
  goals.forEach((g, i) => {
    const y0 = top + i * rowH;
    out.push(`<text x="${left - 8}" y="${y0 + (rowH - 14) / 2 + 4}" text-anchor="end">${escape(g.label)}</text>`);
    runs.forEach((r, j) => {
      const v = ratioOf(r, g);
      if (v === undefined) return;
      const y = y0 + j * (barH + gap);
      out.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(v) - left).toFixed(1)}" height="${barH}" fill="${COLOURS[j % COLOURS.length]}"><title>${escape(`${g.label}, ${r.label}: ${v}`)}</title></rect>`);
      if (j === runs.length - 1) out.push(`<text x="${x(v) + 4}" y="${y + barH - 1}" fill="${v >= g.goal ? '#17663a' : '#a33'}" font-weight="600">${v.toFixed(2)}${v >= g.goal ? ' ✓' : ''}</text>`);
    });
    const gy = y0 + runs.length * (barH + gap) - gap;
    out.push(`<line x1="${x(g.goal)}" y1="${y0 - 3}" x2="${x(g.goal)}" y2="${gy + 3}" stroke="#222" stroke-width="2"><title>${escape(`goal ≥ ${g.goal}`)}</title></line>`);
  });
  const ly = height - 12;
  let lx = left;
  runs.forEach((r, j) => {
    out.push(`<rect x="${lx}" y="${ly - 9}" width="12" height="9" fill="${COLOURS[j % COLOURS.length]}"/>`);
    const text = `${r.label} (${r.at.slice(0, 10)})`;
    out.push(`<text x="${lx + 16}" y="${ly}">${escape(text)}</text>`);
    lx += 16 + text.length * 6.2 + 14;
  });
  out.push(`<line x1="${lx}" y1="${ly - 10}" x2="${lx}" y2="${ly + 1}" stroke="#222" stroke-width="2"/><text x="${lx + 6}" y="${ly}">goal</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** The goals of bench/limit.bench.ts, in its order, with the names older runs wrote. */
export const LIMIT_GOALS: readonly ChartGoal[] = [
  { name: 'SCIM GET /Users?filter=userName eq', label: 'SCIM filter userName eq', goal: 0.5 },
  { name: 'SCIM GET /Users/{id}', label: 'SCIM get by id', goal: 0.5 },
  { name: 'SCIM GET /Users?startIndex=1&count=100', label: 'SCIM page of 100', goal: 0.5 },
  { name: 'SCIM POST /Users (new userName)', label: 'SCIM POST (new user)', goal: 0.35 },
  { name: 'SCIM PATCH /Users/{id} active=false (then true)', aliases: ['SCIM PATCH /Users/{id} active=false'], label: "SCIM PATCH active (the limit's: a read)", goal: 0.35 },
  { name: "SCIM PATCH /Users/{id} vs the limit's PATCH statement", label: "SCIM PATCH active (vs the limit's UPDATE)", goal: 0.35 },
  { name: 'portal GET /api/auth/me (vs limit get-by-id)', label: 'portal /api/auth/me', goal: 0.5 },
  { name: 'portal members page of 50 (vs limit get-by-id)', label: 'portal members page of 50', goal: 0.5 },
];

/** A run as bench/results/limit*.json holds it. */
export function chartRun(label: string, json: { at: string; goals: Record<string, { ratio: number }> }): ChartRun {
  return { label, at: json.at, ratios: Object.fromEntries(Object.entries(json.goals).map(([k, v]) => [k, v.ratio])) };
}

/**
 * Writes `dir/limit.svg` from the runs recorded in `dir`: the first measurement
 * (limit-baseline.json), the one before decision 025 (limit-before-025.json) and the latest
 * (limit.json); a file that is not there is left out.
 */
export function writeLimitChart(dir: string, read: (file: string) => string | undefined, write: (file: string, text: string) => void): void {
  const runs: ChartRun[] = [];
  for (const [file, label] of [['limit-baseline.json', 'first run'], ['limit-before-025.json', 'before decision 025'], ['limit.json', 'latest']] as const) {
    const text = read(`${dir}/${file}`);
    if (text !== undefined) runs.push(chartRun(label, JSON.parse(text) as { at: string; goals: Record<string, { ratio: number }> }));
  }
  if (runs.length > 0) write(`${dir}/limit.svg`, limitChart(runs, LIMIT_GOALS));
}
