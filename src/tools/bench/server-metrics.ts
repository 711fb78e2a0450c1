/**
 * The Temporal server's own counters, from its Prometheus `/metrics`, per run of a phase: the requests its services
 * served (frontend, history, matching, by operation), the persistence operations and the visibility store's.
 * They say where the server's CPU per run goes, and that no query reaches a run while it is in flight.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { r1 } from './stats';

/** Counters by `kind service operation`, e.g. `service frontend StartWorkflowExecution`. */
export type Counters = Map<string, number>;

/** What a phase cost the server per run: totals and the operations, largest first. */
export interface ServerRequestsPerRun {
  serviceRequests: number;
  persistenceRequests: number;
  visibilityRequests: number;
  /** `service operation` → requests per run, the largest few of each kind. */
  top: Record<string, number>;
  /** QueryWorkflow requests per run at the frontend: 0 when nothing asks a run in flight. */
  queries: number;
}

const COUNTED: Record<string, string> = {
  service_requests: 'service',
  persistence_requests: 'persistence',
  visibility_persistence_requests: 'visibility',
};

/** The counted metrics of a Prometheus text exposition, summed over namespaces. */
export function parseCounters(text: string): Counters {
  const counters: Counters = new Map();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\}\s+([0-9.eE+-]+)$/.exec(line.trim());
    const kind = match ? COUNTED[match[1]!] : undefined;
    if (!match || !kind) continue;
    const labels = new Map([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m): [string, string] => [m[1]!, m[2]!]));
    const key = `${kind} ${labels.get('service_name') ?? '?'} ${labels.get('operation') ?? '?'}`;
    counters.set(key, (counters.get(key) ?? 0) + Number(match[3]));
  }
  return counters;
}

/** After − before, per run, rounded; operations that did not move are left out. */
export function requestsPerRun(before: Counters, after: Counters, runs: number, topEach = 4): ServerRequestsPerRun {
  const delta = [...after].map(([key, n]) => [key, (n - (before.get(key) ?? 0)) / Math.max(1, runs)] as const).filter(([, n]) => n > 0);
  const total = (kind: string) => r1(delta.filter(([key]) => key.startsWith(`${kind} `)).reduce((sum, [, n]) => sum + n, 0));
  const top: Record<string, number> = {};
  for (const kind of Object.values(COUNTED))
    for (const [key, n] of delta
      .filter(([k]) => k.startsWith(`${kind} `))
      .sort((x, y) => y[1] - x[1])
      .slice(0, topEach))
      top[key] = r1(n);
  return {
    serviceRequests: total('service'),
    persistenceRequests: total('persistence'),
    visibilityRequests: total('visibility'),
    top,
    queries: r1(delta.filter(([key]) => key === 'service frontend QueryWorkflow').reduce((sum, [, n]) => sum + n, 0)),
  };
}

/** How long the server may take to publish a counter after the request (its reporting interval is about 1 s). */
const SETTLE_MS = 1_200;

/** Reads the counters; undefined when there is no endpoint or it does not answer (a phase then has no such figures). */
export async function scrapeCounters(url: string | undefined, settle = false): Promise<Counters | undefined> {
  if (!url) return undefined;
  if (settle) await sleep(SETTLE_MS);
  try {
    const res = await fetch(url);
    return res.ok ? parseCounters(await res.text()) : undefined;
  } catch {
    return undefined;
  }
}
