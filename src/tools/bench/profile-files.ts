/** The files `npm run bench:profile` leaves beside the CPU profiles, for ./profile-summary.ts. */

/** The Overture workflow bundle the profiled worker ran (its sandbox's samples point into it). */
export const PROFILED_BUNDLE_FILE = 'workflow-bundle.js';
/** `{ pid }` of the profiled bench process: its profiles are the client's and the worker's (a forked child has its own). */
export const PROFILED_PROCESS_FILE = 'bench-process.json';
/** The bench's results of the profiled run (its phases' windows and CPU per run). */
export const PROFILED_RESULTS_FILE = 'latest.json';
