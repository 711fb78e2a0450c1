/**
 * Nearest-rank percentiles (p50, p95) per group: the p-th percentile of n values is the value at rank ceil(n * p / 100)
 * in order (p50 of 1, 2, 3, 4 is 2). PostgreSQL computes them itself (`percentile_disc`, the same definition); SQLite
 * has no percentile function, so it returns the measured values of the one pass and they are ranked here — one scan of
 * the rows however many groupings are asked, where window functions would sort once per grouping.
 */
import type { KpiQueryRow, KpiStore } from '../stores/kpis/store';

/** One grouping of the measured rows: the columns it groups by and the column it measures. */
export interface Grouping {
  groups: readonly string[];
  value: string;
}

/** A group's count and percentiles, by the group's values joined with NUL (see {@link groupKey}). */
export type PercentileTable = Map<string, { n: number; p50?: number; p95?: number }>;

/** The key of a group's values in a {@link PercentileTable}. */
export const groupKey = (values: readonly unknown[]): string => values.map(String).join('\u0000');

/** The value at rank ceil(n * p / 100) of sorted values. */
export function nearestRank(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.max(1, Math.ceil((sorted.length * p) / 100)) - 1];
}

/** Percentiles of each grouping over the rows of `source` (a SELECT of the group columns and the measured ones). */
export async function percentileTables(
  store: KpiStore,
  source: string,
  params: readonly (string | number)[],
  groupings: readonly Grouping[],
): Promise<PercentileTable[]> {
  if (store.dialect === 'postgres') {
    return Promise.all(
      groupings.map(async ({ groups, value }) => {
        const by = groups.join(', ');
        const rows = await store.query(
          `SELECT ${by ? `${by}, ` : ''}COUNT(${value}) AS n, ` +
            `percentile_disc(0.5) WITHIN GROUP (ORDER BY ${value}) AS p50, percentile_disc(0.95) WITHIN GROUP (ORDER BY ${value}) AS p95 ` +
            `FROM (${source}) measured WHERE ${value} IS NOT NULL${by ? ` GROUP BY ${by}` : ''}`,
          params,
        );
        return tableOf(rows, groups);
      }),
    );
  }
  const rows = await store.query(source, params);
  return groupings.map(({ groups, value }) => {
    const buckets = new Map<string, number[]>();
    for (const row of rows) {
      const v = row[value];
      if (v === null || v === undefined) continue;
      const key = groupKey(groups.map((g) => row[g]));
      let bucket = buckets.get(key);
      if (!bucket) buckets.set(key, (bucket = []));
      bucket.push(Number(v));
    }
    const table: PercentileTable = new Map();
    for (const [key, values] of buckets) {
      values.sort((a, b) => a - b);
      table.set(key, { n: values.length, p50: nearestRank(values, 50), p95: nearestRank(values, 95) });
    }
    return table;
  });
}

function tableOf(rows: KpiQueryRow[], groups: readonly string[]): PercentileTable {
  const table: PercentileTable = new Map();
  for (const row of rows) {
    const n = Number(row.n);
    if (n === 0) continue;
    table.set(groupKey(groups.map((g) => row[g])), {
      n,
      ...(row.p50 !== null ? { p50: Number(row.p50) } : {}),
      ...(row.p95 !== null ? { p95: Number(row.p95) } : {}),
    });
  }
  return table;
}
