/** The statistics the benches report: nearest-rank quantiles and one-decimal rounding. */

/** The q-quantile (0..1) of the values, nearest-rank method; NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** Rounds to one decimal for display and JSON. */
export const r1 = (n: number) => Math.round(n * 10) / 10;

/** Rounds to two decimals: ratios. */
export const r2 = (n: number) => Math.round(n * 100) / 100;

/** p50 and p95 of a set of durations, rounded, with how many there were. */
export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
}

/** p50 and p95 of the values, one decimal. */
export function percentiles(values: readonly number[]): Percentiles {
  return { n: values.length, p50: r1(quantile(values, 0.5)), p95: r1(quantile(values, 0.95)) };
}

/** Up to `count` items spread evenly over the list, first and last included: a sample that sees every phase. */
export function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  if (count <= 1) return items.slice(0, count);
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))]!);
}
