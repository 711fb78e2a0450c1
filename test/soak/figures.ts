/**
 * What the soak tier shares: its sizes (the figures, smaller with SOAK_* for a quick try), a bounded
 * pool for concurrent work, medians, and one report line per figure on stdout, which `.ci/run` shows.
 */

/** A soak's size: the environment variable's value when set (e.g. SOAK_ONBOARDINGS=20 while developing), or the full figure. */
export function soakSize(variable: string, full: number): number {
  const given = Number(process.env[variable]);
  return Number.isInteger(given) && given > 0 ? given : full;
}

/** Runs `work` on every item with at most `limit` at once; resolves to the results in the items' order. */
export async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** The median of the values (0 for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The value at the percentile `p` (0-100) of the values (0 for none). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Prints a soak's figures as one block on stdout (not console.log: jest would add a stack trace to each line), so
 * that CI's log keeps them whether the soak passes or fails.
 */
export function reportFigures(title: string, figures: Record<string, string | number>): void {
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  const lines = Object.entries(figures).map(([key, value]) => `  ${key.padEnd(width)}  ${value}`);
  process.stdout.write(`\n[soak] ${title}\n${lines.join('\n')}\n`);
}

/** Seconds since `startedAt` (a Date.now()), to one decimal. */
export function secondsSince(startedAt: number): string {
  return `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
}
