/**
 * The kit's version, frozen into each run's options by the client that starts it. A run's version decides, first
 * thing and for the run's whole life, which behaviours it has; histories of older versions replay as they ran.
 *
 * - 1 (no version in the options): runs before versions; the fast path is decided by `patched('overture-fast-path')`.
 * - 2: every earlier patch on without its marker (a patch marker also writes a `TemporalChangeVersion` search
 *   attribute: two events a run), and budgeted steps on the fast path: a first local attempt, then a durable,
 *   budgeted activity only after a transient failure (step-proxies.ts).
 *
 * Deploy workers before the clients that start runs of a new version: a worker that does not know the version
 * would run it as version 1 (docs/versioning.md, "The kit version in a run's options").
 */

/** The version new runs get. */
export const KIT_VERSION = 2;

/** The version of a run from its options: runs from before versions are 1. */
export function kitVersionOf(options: { kitVersion?: number }): number {
  const version = options.kitVersion;
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : 1;
}
