/**
 * The parked bench's RSS line (src/tools/bench/parked.ts): the cost of one more parked run is the slope of RSS
 * against the parked count, not (peak − baseline) / parked, which charges the cache and the parking high-water to
 * every run.
 */
import { rssLine } from '../../src/tools/bench/parked';

it('fits KB per parked run and the MB at zero runs through the checkpoints', () => {
  // 300 MB at 5,000 parked, 10 KB more per run.
  const points = [5_000, 6_000, 7_500, 10_000].map((parked) => ({ parked, rssMb: 300 + ((parked - 5_000) * 10) / 1024 }));
  expect(rssLine(points)).toEqual({ slopeKbPerRun: 10, interceptMb: 251.2 });
});

it('gives no line from fewer than two distinct counts', () => {
  expect(rssLine([{ parked: 400, rssMb: 300 }])).toEqual({ slopeKbPerRun: NaN, interceptMb: NaN });
  expect(rssLine([])).toEqual({ slopeKbPerRun: NaN, interceptMb: NaN });
});
