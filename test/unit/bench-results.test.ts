/** The results folder's parts: run-all's own options, summary.md's table and targets, the comparison with the last results. */
import { compareHeadlines } from '../../src/tools/bench/compare';
import type { BenchResults } from '../../src/tools/bench/report';
import { splitArgs } from '../../src/tools/bench/run-all';
import { summaryMarkdown, targetLines, variantTable } from '../../src/tools/bench/summary';
import { variantOf } from '../helpers/bench-figures';

const results = (variants: BenchResults['variants']): BenchResults => ({
  at: '2026-12-07T04:00:00.000Z',
  environment: { node: 'v20', cpus: 2, temporal: 'dev', temporalBinary: 'temporal', nodeProcess: '' },
  options: {},
  variants,
  ratiosVsA: {},
  targets: [],
  checks: [],
});

describe('splitArgs', () => {
  it("takes run-all's own options and leaves the rest to the onboarding bench", () => {
    expect(splitArgs(['--runs', '5', '--fan-out-args', '--items 50  --repeat 1', '--parked', '0', '--only', 'onboarding'])).toEqual({
      onboarding: ['--runs', '5', '--parked', '0'],
      fanOut: ['--items', '50', '--repeat', '1'],
      pipeline: ['--kill-runs', '1'],
      only: true,
    });
    expect(splitArgs(['--pipeline-args', '--rows 10', '--results-dir', '/tmp/r'])).toMatchObject({
      pipeline: ['--rows', '10'],
      resultsDir: '/tmp/r',
    });
    expect(() => splitArgs(['--fan-out-args'])).toThrow('--fan-out-args needs a value');
  });
});

describe('summary.md', () => {
  it("lays the variants out as the issue's table, (e) after (b), with the systems' CPU of (d) beside its Node CPU", () => {
    const d = variantOf('d', { p50: 44, p95: 66, loop20: { cpu: { serverMsPerRun: 25, nodeMsPerRun: 18, systemsMsPerRun: 4 } } });
    const table = variantTable(results({ d, b: variantOf('b'), e: variantOf('e', { p50: 41 }) }));
    expect(table[0]).toBe('|  | (b) plain Temporal, tuned server | (e) plain Temporal LA, tuned server | (d) Overture, real systems |');
    expect(table).toContain('| p50 / p95 ms, one at a time | 50 / 60 | 41 / 60 | 44 / 66 |');
    expect(table).toContain('| workflow tasks per run | 1 | 1 | 1 |');
    expect(table).toContain('| CPU ms per run at 20 in flight, server / Node | 20 / 15 | 20 / 15 | 25 / 18 (+ systems 4) |');
  });

  it('writes each target as met or NOT MET with its limit, and the duration', () => {
    const lines = targetLines([
      { target: 'a', threshold: 1, measured: 2, unit: 'ms', met: false, limit: 'CPU: busy' },
      { target: 'b', threshold: 1, measured: 1, unit: 'ms', met: true },
    ]);
    expect(lines).toEqual(['- **NOT MET**: a: measured 2 ms. Limit: CPU: busy', '- **met**: b: measured 1 ms']);
    const md = summaryMarkdown(results({ d: variantOf('d') }), {
      sha: 'abc1234',
      durations: { onboarding: 9.1, fanOut: 1.2, pipeline: 3, total: 13.4 },
    });
    expect(md).toContain('# Bench 2026-12-07 at abc1234');
    expect(md).toContain('npm run bench took 13.4 min (onboarding 9.1, fan-out 1.2, pipeline 3).');
  });
});

describe('compareHeadlines', () => {
  it('flags a change for the worse above 10%, in the direction that is worse for each figure', () => {
    const before = results({ d: variantOf('d', { p50: 50, rps20: 40 }) });
    const slower = results({ d: variantOf('d', { p50: 56, rps20: 35 }) });
    const rows = compareHeadlines({ onboarding: before }, { onboarding: slower });
    expect(rows.find((r) => r.figure === '(d) p50 ms, one at a time')).toMatchObject({ changePercent: 12, regression: true });
    expect(rows.find((r) => r.figure === '(d) runs/s at 20 in flight')).toMatchObject({ changePercent: -12.5, regression: true });
    const faster = results({ d: variantOf('d', { p50: 30, rps20: 60 }) });
    expect(compareHeadlines({ onboarding: before }, { onboarding: faster }).some((r) => r.regression)).toBe(false);
  });

  it('compares the fan-out and pipeline headlines too, and skips what only one run has', () => {
    const fanOut = (itemsPerSecondMedian: number) => ({
      items: 1000,
      plainTemporal: { wallMsMedian: 1, itemsPerSecondMedian: 1 },
      overtureKit: { wallMsMedian: 1, itemsPerSecondMedian },
      ratios: { wallTimeKitOverPlain: 1 },
    });
    const rows = compareHeadlines({ fanOut: fanOut(100) }, { fanOut: fanOut(85), onboarding: results({ d: variantOf('d') }) });
    expect(rows).toEqual([{ figure: 'fan-out: kit items/s', before: 100, now: 85, changePercent: -15, regression: true }]);
  });
});
