/**
 * Bounds on a pipeline source: how large a file (or download) may be, how long a download may take, how long
 * one line and how wide the header may be. A source is untrusted input; past a bound the batch fails for good,
 * with the bound in its reason, instead of filling the disk, the memory or a result Temporal would refuse.
 */

export interface SourceLimits {
  /** Most bytes of a source file or download. */
  maxBytes: number;
  /** The whole download, from the request to the last byte (within the extract step's 30-minute timeout). */
  downloadTimeoutMs: number;
  /** Longest silence of a URL source (before its answer, or between two chunks of its body). */
  idleTimeoutMs: number;
  /** Longest line (a record), in bytes: a longer one is never held whole. */
  maxLineBytes: number;
  /** Most columns of a source header. */
  maxColumns: number;
}

/** The defaults; each one is a setting (./settings.ts). */
export const SOURCE_LIMITS: Readonly<SourceLimits> = Object.freeze({
  maxBytes: 1024 * 1024 * 1024,
  downloadTimeoutMs: 20 * 60_000,
  idleTimeoutMs: 30_000,
  maxLineBytes: 64 * 1024,
  maxColumns: 1_000,
});
