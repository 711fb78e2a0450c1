/**
 * Bounds on guessing the operator token. Every wrong token (the sign-in form or a Bearer header) counts against
 * the client's address and against the console as a whole. Past `perAddress` failures in a minute the address is
 * locked, for a minute and then twice as long at each new lock (at most an hour); past `global` failures in a
 * minute every token check is refused for a minute (growing the same way), so guessing from many addresses is
 * bounded too. A locked caller is refused even with the right token: 429 with Retry-After. Sessions already open
 * keep working. Addresses are the socket's (X-Forwarded-For is not trusted).
 */
import { printable } from '../../../workflows/kit/safe-text';

const WINDOW_MS = 60_000;
const FIRST_LOCK_MS = 60_000;
const LONGEST_LOCK_MS = 3_600_000;
/** Addresses remembered at once; the quietest are forgotten first past this. */
const MAX_ADDRESSES = 10_000;

interface Record_ {
  failures: number[];
  lockedUntil: number;
  locks: number;
}

export interface SignInLimiter {
  /** Seconds until `address` may present a token again, or undefined when it may now. */
  retryAfter(address: string): number | undefined;
  /** A wrong token from `address` (`who`: the name it gave, if any; never the token; `why`: other than a wrong token). */
  failed(address: string, who?: string, why?: string): void;
  /** The right token from `address`: its failures and lock count are forgotten. */
  succeeded(address: string): void;
}

/** How the log names what is limited: sign-ins (the default) or another credential, e.g. approval links. */
export interface LimiterWords {
  /** "a sign-in" */
  one: string;
  /** "sign-ins" */
  many: string;
  /** "every sign-in" */
  every: string;
  /** "wrong tokens" */
  failures: string;
}

const SIGN_IN_WORDS: LimiterWords = { one: 'a sign-in', many: 'sign-ins', every: 'every sign-in', failures: 'wrong tokens' };

/** A limiter of wrong tokens per address and in total (see the module's comment). */
export function createSignInLimiter(
  limits: { perAddress: number; global: number },
  log: (line: string) => void,
  now = () => Date.now(),
  words = SIGN_IN_WORDS,
): SignInLimiter {
  const byAddress = new Map<string, Record_>();
  const global: Record_ = { failures: [], lockedUntil: 0, locks: 0 };
  const lockFor = (record: Record_) => Math.min(LONGEST_LOCK_MS, FIRST_LOCK_MS * 2 ** record.locks);
  const recent = (record: Record_, t: number) => {
    while (record.failures.length && record.failures[0]! <= t - WINDOW_MS) record.failures.shift();
  };
  const forgetQuiet = (t: number) => {
    if (byAddress.size < MAX_ADDRESSES) return;
    for (const [address, record] of byAddress) {
      recent(record, t);
      if (record.lockedUntil <= t && record.failures.length === 0) byAddress.delete(address);
    }
    while (byAddress.size >= MAX_ADDRESSES) byAddress.delete(byAddress.keys().next().value!);
  };
  const count = (record: Record_, limit: number, t: number): number | undefined => {
    // An hour without a lock: the next one starts short again.
    if (record.locks && record.lockedUntil <= t - LONGEST_LOCK_MS) record.locks = 0;
    record.failures.push(t);
    recent(record, t);
    if (record.failures.length < limit) return undefined;
    const ms = lockFor(record);
    record.locks += 1;
    record.lockedUntil = t + ms;
    record.failures = [];
    return ms;
  };

  return {
    retryAfter(address) {
      const t = now();
      const until = Math.max(global.lockedUntil, byAddress.get(address)?.lockedUntil ?? 0);
      return until > t ? Math.ceil((until - t) / 1000) : undefined;
    },

    failed(address, who, why) {
      const t = now();
      let record = byAddress.get(address);
      if (!record) {
        forgetQuiet(t);
        record = { failures: [], lockedUntil: 0, locks: 0 };
        byAddress.set(address, record);
      }
      const from = `from ${printable(address)}${who ? ` (name given: ${printable(who.slice(0, 100))})` : ''}`;
      log(`refused ${words.one} ${from}: ${why ?? 'wrong token'}`);
      const locked = count(record, limits.perAddress, t);
      if (locked)
        log(
          `locked ${words.many} from ${printable(address)} for ${locked / 1000} s after ${limits.perAddress} ${words.failures} within a minute`,
        );
      const all = count(global, limits.global, t);
      if (all) log(`locked ${words.every} for ${all / 1000} s after ${limits.global} ${words.failures} within a minute`);
    },

    succeeded(address) {
      byAddress.delete(address);
    },
  };
}
