import { describe, expect, it } from 'vitest';
import { chartRun, LIMIT_GOALS, limitChart, ratioOf, writeLimitChart, type ChartRun } from './chart.js';

const run = (label: string, ratios: Record<string, number>): ChartRun => ({ label, at: '2026-12-06T00:00:00.000Z', ratios });
const bars = (svg: string) => [...svg.matchAll(/<rect x="(\d+)" y="[\d.]+" width="([\d.]+)" height="9" fill="[^"]+"><title>([^<]+)<\/title>/g)].map((m) => ({ x: Number(m[1]), width: Number(m[2]), title: m[3] }));

describe('the limit chart', () => {
  it('draws a bar per goal and run, as long as its ratio, and marks the latest against its goal', () => {
    const goals = LIMIT_GOALS.slice(0, 2);
    const svg = limitChart([run('first run', { [goals[0]!.name]: 0.05, [goals[1]!.name]: 0.03 }), run('latest', { [goals[0]!.name]: 0.6, [goals[1]!.name]: 0.3 })], goals);
    const drawn = bars(svg);
    expect(drawn.map((b) => b.title)).toEqual([`${goals[0]!.label}, first run: 0.05`, `${goals[0]!.label}, latest: 0.6`, `${goals[1]!.label}, first run: 0.03`, `${goals[1]!.label}, latest: 0.3`]);
    // Lengths in proportion to the ratios (0.6 is 12 times 0.05 and twice 0.3).
    expect(drawn[1]!.width / drawn[0]!.width).toBeCloseTo(12, 1);
    expect(drawn[1]!.width / drawn[3]!.width).toBeCloseTo(2, 1);
    expect(svg).toContain('>0.60 ✓</text>'); // met (≥ 0.5)
    expect(svg).toMatch(/fill="#a33" font-weight="600">0.30<\/text>/); // not met
    expect(svg.match(/<title>goal ≥ 0.5<\/title>/g)).toHaveLength(2);
    expect(svg).toContain('<desc id="d">'); // the figures as text, for a screen reader
  });

  it("reads a goal under its older name, leaves out what a run did not measure, and escapes labels", () => {
    const patch = LIMIT_GOALS.find((g) => g.aliases)!;
    expect(ratioOf(run('old', { [patch.aliases![0]!]: 0.11 }), patch)).toBe(0.11);
    expect(ratioOf(run('new', {}), patch)).toBeUndefined();
    const svg = limitChart([run('a <b> & "c"', {})], [{ name: 'x', label: 'x < y', goal: 0.5 }]);
    expect(bars(svg)).toEqual([]);
    expect(svg).toContain('x &lt; y');
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
  });

  it('charts the recorded runs that are there, oldest first', () => {
    const files: Record<string, string> = {
      'r/limit-baseline.json': JSON.stringify({ at: '2026-12-03T15:07:02.795Z', goals: { [LIMIT_GOALS[0]!.name]: { ratio: 0.05 } } }),
      'r/limit.json': JSON.stringify({ at: '2026-12-06T00:00:00.000Z', goals: { [LIMIT_GOALS[0]!.name]: { ratio: 0.55 } } }),
    };
    const written: Record<string, string> = {};
    writeLimitChart('r', (f) => files[f], (f, t) => (written[f] = t));
    expect(Object.keys(written)).toEqual(['r/limit.svg']);
    expect(bars(written['r/limit.svg']!).map((b) => b.title)).toEqual([`${LIMIT_GOALS[0]!.label}, first run: 0.05`, `${LIMIT_GOALS[0]!.label}, latest: 0.55`]);
    expect(chartRun('x', { at: 'a', goals: { g: { ratio: 1 } } })).toEqual({ label: 'x', at: 'a', ratios: { g: 1 } });
  });
});
