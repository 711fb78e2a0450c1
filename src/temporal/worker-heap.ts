/**
 * How the worker's JavaScript heaps are sized (WORKER_HEAP). The workflow thread allocates briskly while runs move
 * and keeps what it allocated until V8 decides to collect: with V8's own sizing, a worker whose runs mostly wait
 * settles wherever the last collection left it, 390–505 MB in the bench's 3,000-run parked passes, and stays there
 * while they wait. `compact` caps the young generation at 4 MB semi-spaces (V8 picks up to 16 MB here) and grows the
 * old generation by 1.2× between full collections (V8's factor runs to 4×): the same passes held 286 MB, for about a
 * third more worker CPU per run while runs move (docs/performance.md). For workers whose runs mostly wait for
 * people; workers built for throughput keep `default`.
 */
import v8 from 'node:v8';

/** The heap sizings a worker can run with: V8's own, or compact for workers whose runs mostly wait. */
export const WORKER_HEAPS = ['default', 'compact'] as const;

/** The heap sizing a worker runs with (WORKER_HEAP). */
export type WorkerHeap = (typeof WORKER_HEAPS)[number];

/** The V8 flags each sizing sets (none for `default`). */
export const WORKER_HEAP_FLAGS: Readonly<Record<WorkerHeap, readonly string[]>> = {
  default: [],
  compact: ['--max-semi-space-size=4', '--heap-growing-percent=20'],
};

/**
 * Node flags for the worker's command line under each sizing. The main thread's heap exists before any code runs, so
 * only the command line sizes it: `node --max-semi-space-size=4 dist/workers/overture-worker.js` (or the same in
 * NODE_OPTIONS). Without it a compact worker's main thread keeps V8's larger young generation, ~20 MB more.
 */
export const WORKER_HEAP_NODE_FLAGS: Readonly<Record<WorkerHeap, readonly string[]>> = {
  default: [],
  compact: ['--max-semi-space-size=4'],
};

/**
 * Sets the sizing's flags before the worker is created. V8 reads a heap's semi-space limit when the isolate is made,
 * so the SDK's workflow threads, created with the worker, are sized by it; the growth factor applies to every
 * collection from now on, the main thread's included. Node keeps V8's flags writable after start-up for this.
 */
export function applyWorkerHeap(heap: WorkerHeap): void {
  for (const flag of WORKER_HEAP_FLAGS[heap]) v8.setFlagsFromString(flag);
}

/**
 * The start-up warning for a compact worker whose main thread was not sized on its command line (undefined when all
 * is as documented). The workflow threads are compact either way; the main thread keeps V8's larger young generation,
 * about 20 MB more, which an operator chasing a memory figure should hear about rather than find in a profile.
 */
export function mainThreadHeapWarning(
  heap: WorkerHeap,
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env.NODE_OPTIONS,
): string | undefined {
  const wanted = WORKER_HEAP_NODE_FLAGS[heap];
  // Any value counts (an operator may size it otherwise); V8 reads `_` and `-` alike in flag names.
  const nameOf = (arg: string) => (arg.split('=')[0] ?? '').replaceAll('_', '-');
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map(nameOf));
  const missing = wanted.filter((flag) => !given.has(nameOf(flag)));
  if (missing.length === 0) return undefined;
  return (
    `warning: WORKER_HEAP=${heap} sizes the workflow threads, but the main thread was started without ${missing.join(' ')}; ` +
    `start the worker with NODE_OPTIONS=${wanted.join(' ')} (docs/configuration.md)`
  );
}
