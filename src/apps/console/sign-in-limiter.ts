/**
 * Bounds on guessing a credential: the operator token (the sign-in form or a Bearer header), a refused OIDC
 * sign-in, an approval link. Wrong ones count per source (./client-source: the socket's IPv4 address, each 127.x
 * its own, or IPv6 /64), never against the console as a whole, so no caller can lock everyone out. Past
 * `perAddress` failures in a minute the source is locked, for a minute and then twice as long at each new lock (at
 * most an hour): it is refused (429 with Retry-After) without its credential being checked. Past `global`
 * failures in a minute from all sources together, guessing is being spread over many addresses: then a source is
 * locked at its first failure, so each address buys one guess per lock; a source that has not failed is not
 * touched. A credential already proven on this console (it signed in or authenticated before) passes a locked
 * source, so whoever shares an attacker's address (a host, a NAT) keeps working; sessions already open are never
 * limited. Tokens are 256 random bits: the lock bounds noise and log volume, it is not what keeps them unguessable.
 */
import { printable } from '../../../workflows/kit/safe-text';
import { sourceOf } from './client-source';

const WINDOW_MS = 60_000;
const FIRST_LOCK_MS = 60_000;
const LONGEST_LOCK_MS = 3_600_000;
/** Sources remembered at once; the quietest are forgotten first past this. */
const MAX_SOURCES = 10_000;
/** Proven credentials remembered at once; the least recently used are forgotten first past this. */
const MAX_PROVEN = 10_000;

interface Record_ {
  failures: number[];
  lockedUntil: number;
  locks: number;
}

export interface SignInLimiter {
  /**
   * Seconds until `address` may present a credential again, or undefined when it may now. `credential`: a key of
   * the credential presented (a token's hash), which passes a lock once {@link succeeded} proved it.
   */
  retryAfter(address: string, credential?: string): number | undefined;
  /** A wrong credential from `address` (`who`: the name it gave, if any; never the token; `why`: other than a wrong token). */
  failed(address: string, who?: string, why?: string): void;
  /**
   * A sign-in from `address` (the form, OIDC): the source's failures are forgotten unless it is locked (a lock runs
   * its course), and `credential`, when given, passes a locked source from now on (see {@link proved}).
   */
  succeeded(address: string, credential?: string): void;
  /**
   * The right credential on a call (a Bearer header): its key passes a locked source from now on. The source's
   * failures stay: a script calling every second beside a guesser must not reset the guesser's count.
   */
  proved(credential: string): void;
}

/** How the log names what is limited: sign-ins (the default) or another credential, e.g. approval links. */
export interface LimiterWords {
  /** "a sign-in" */
  one: string;
  /** "sign-ins" */
  many: string;
  /** "wrong token" */
  failure: string;
  /** "wrong tokens" */
  failures: string;
}

const SIGN_IN_WORDS: LimiterWords = { one: 'a sign-in', many: 'sign-ins', failure: 'wrong token', failures: 'wrong tokens' };

/** A limiter of wrong credentials per source (see the module's comment). */
export function createSignInLimiter(
  limits: { perAddress: number; global: number },
  log: (line: string) => void,
  now = () => Date.now(),
  words = SIGN_IN_WORDS,
): SignInLimiter {
  const bySource = new Map<string, Record_>();
  const proven = new Map<string, true>();
  // The times of the latest failures from every source, at most `limits.global` of them: enough to tell pressure.
  const allFailures: number[] = [];
  let pressureLogged = 0;
  const lockFor = (record: Record_) => Math.min(LONGEST_LOCK_MS, FIRST_LOCK_MS * 2 ** record.locks);
  const recent = (record: Record_, t: number) => {
    while (record.failures.length && record.failures[0]! <= t - WINDOW_MS) record.failures.shift();
  };
  const forgetQuiet = (t: number) => {
    if (bySource.size < MAX_SOURCES) return;
    for (const [source, record] of bySource) {
      recent(record, t);
      if (record.lockedUntil <= t && record.failures.length === 0) bySource.delete(source);
    }
    while (bySource.size >= MAX_SOURCES) bySource.delete(bySource.keys().next().value!);
  };
  /** Counts a failure of `record`; at `limit` in the window locks it: for how long (ms), after how many failures. */
  const count = (record: Record_, limit: number, t: number): { ms: number; after: number } | undefined => {
    // An hour without a lock: the next one starts short again.
    if (record.locks && record.lockedUntil <= t - LONGEST_LOCK_MS) record.locks = 0;
    record.failures.push(t);
    recent(record, t);
    if (record.failures.length < limit) return undefined;
    const ms = lockFor(record);
    const after = record.failures.length;
    record.locks += 1;
    record.lockedUntil = t + ms;
    record.failures = [];
    return { ms, after };
  };
  /** Counts a failure from anywhere; true while failures from all sources together are past `limits.global` a minute. */
  const underPressure = (t: number): boolean => {
    allFailures.push(t);
    if (allFailures.length > limits.global) allFailures.shift();
    const pressed = allFailures.length >= limits.global && allFailures[0]! > t - WINDOW_MS;
    if (pressed && pressureLogged <= t - WINDOW_MS) {
      pressureLogged = t;
      log(
        `${limits.global} ${words.failures} within a minute from all addresses: each address is locked at its first (addresses without one are not)`,
      );
    }
    return pressed;
  };

  const prove = (credential: string) => {
    // Most recently used last: past the bound, the longest unused is forgotten.
    proven.delete(credential);
    proven.set(credential, true);
    if (proven.size > MAX_PROVEN) proven.delete(proven.keys().next().value!);
  };

  return {
    retryAfter(address, credential) {
      const t = now();
      const until = bySource.get(sourceOf(address))?.lockedUntil ?? 0;
      if (until <= t) return undefined;
      if (credential !== undefined && proven.has(credential)) return undefined;
      return Math.ceil((until - t) / 1000);
    },

    failed(address, who, why) {
      const t = now();
      const source = sourceOf(address);
      let record = bySource.get(source);
      if (!record) {
        forgetQuiet(t);
        record = { failures: [], lockedUntil: 0, locks: 0 };
        bySource.set(source, record);
      }
      const from = `from ${printable(source)}${who ? ` (name given: ${printable(who.slice(0, 100))})` : ''}`;
      log(`refused ${words.one} ${from}: ${why ?? 'wrong token'}`);
      const pressed = underPressure(t);
      const locked = count(record, pressed ? 1 : limits.perAddress, t);
      if (locked) {
        const after = locked.after === 1 ? `1 ${words.failure}` : `${locked.after} ${words.failures}`;
        const why = locked.after < limits.perAddress ? ', while many come from all addresses' : '';
        log(`locked ${words.many} from ${printable(source)} for ${locked.ms / 1000} s after ${after} within a minute${why}`);
      }
    },

    succeeded(address, credential) {
      const source = sourceOf(address);
      if ((bySource.get(source)?.lockedUntil ?? 0) <= now()) bySource.delete(source);
      if (credential !== undefined) prove(credential);
    },

    proved: prove,
  };
}
