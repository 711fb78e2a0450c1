/**
 * A record of messages already delivered (emails, webhook posts), so that a retried step sends nothing twice.
 *
 * SMTP and incoming webhooks have no idempotency of their own, and an attempt that outlives its start-to-close
 * timeout on a live worker is still sending while Temporal runs its retry. So a key is **claimed** before anything
 * is sent: in one IMMEDIATE transaction the ledger finds no receipt and no live claim, and writes a claim row with
 * an owner token (one per call) and an expiry. While that claim is live, another claimant of the key (the retry, on
 * this worker or another) waits for it to end and then fails transiently with a message saying who holds it. After
 * the send, the receipt replaces the claim in one transaction; a failed send releases the claim, so the next try
 * sends. A claim is taken over when it has expired, or when its holder's process is gone (the ledger is a local
 * SQLite file, so every holder runs on this host and a SIGKILLed worker's pid is seen to be dead).
 *
 * What remains:
 * - a send that outlives its claim's expiry while its process lives (a relay that holds the message longer than
 *   the claim) may be taken over and sent again. Activities claim for their attempt's start-to-close timeout
 *   plus a margin (activities/delivery-attempt.ts), so by then Temporal has long given the attempt up;
 * - between the receiving system accepting a message and the receipt being written (milliseconds), a worker
 *   killed with SIGKILL leaves a claim of a dead pid, which the retry takes over: that message goes twice;
 * - a pid reused by an unrelated process after a crash keeps a dead holder's claim live until it expires.
 *
 * This file is one host's ledger (SqliteDeliveryLedger, the embedded default); src/stores/delivery-ledger/postgres-ledger.ts is
 * the one several hosts share (LEDGER_URL). Activities depend on the {@link DeliveryLedger} interface only.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { TransientError } from '../../../activities/kit/errors';
import { openDatabase, retryWhileBusy } from '../sqlite';

export interface Delivery {
  /** What the receiving system returned: a Message-ID or a webhook delivery id. */
  receipt: string;
  /** True when the message had already been delivered and nothing was sent this time. */
  alreadyDelivered: boolean;
}

export type Channel = 'email' | 'webhook';

/** How one call of {@link DeliveryLedger.deliverOnce} claims its key. */
export interface DeliverOptions {
  /** How long the claim holds the key if this call never ends it; longer than the step's start-to-close timeout. */
  claimMs?: number;
  /** How long to wait for another live claim of the key to end before failing transiently. Default 0. */
  waitMs?: number;
  /** Called while waiting for another claim and every second while sending: an activity heartbeats here. */
  heartbeat?: () => void;
  /** Who claims, for the message another claimant gets (e.g. workflow, activity and attempt). */
  claimant?: string;
}

/** Keyed, durable once-only delivery of messages: what the activities need of a ledger, whichever store holds it. */
export interface DeliveryLedger {
  /**
   * Runs `send` unless a delivery with this key is already recorded, holding a claim on the key while it runs;
   * records the receipt when `send` succeeds. A key another live call is sending fails with a TransientError.
   */
  deliverOnce(key: string, channel: Channel, send: () => Promise<string>, opts?: DeliverOptions): Promise<Delivery>;
  /** Closes the store's connections (a PostgreSQL pool ends asynchronously). */
  close(): void | Promise<void>;
}

/** Who holds a claim another claimant found live, for the message it fails with. */
export interface HeldClaim {
  holder: string;
  host: string;
  claimedMsAgo: number;
  expiresInMs: number;
}

/** The transient failure of a claimant that found the key being sent by another live attempt. */
export function claimHeldError(channel: Channel, key: string, held: HeldClaim): TransientError {
  return new TransientError(
    `the ${channel} delivery ${key} is being sent by another attempt (${held.holder} on ${held.host}, claimed ${Math.round(held.claimedMsAgo)} ms ago, ` +
      `claim expires in ${Math.round(held.expiresInMs)} ms): not sending it twice; a later try finds its receipt or takes the claim over`,
  );
}

/** Default claim when the caller gives none: longer than any step's start-to-close timeout here (10 min). */
export const DEFAULT_CLAIM_MS = 15 * 60_000;
const POLL_MS = 100;
const HEARTBEAT_EVERY_MS = 1_000;

interface ClaimRow {
  owner: string;
  holder: string;
  host: string;
  pid: number;
  claimed_at: number;
  expires_at: number;
}

/** What claiming a key found: it is now ours, it was delivered already, or another live claim holds it. */
export type ClaimOutcome<Held> = { kind: 'claimed' } | { kind: 'delivered'; receipt: string } | { kind: 'held'; claim: Held };

type ClaimResult = ClaimOutcome<ClaimRow>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  idempotency_key TEXT NOT NULL,
  channel TEXT NOT NULL,
  receipt TEXT NOT NULL,
  delivered_at TEXT NOT NULL,
  PRIMARY KEY (idempotency_key, channel)
);
CREATE TABLE IF NOT EXISTS delivery_claims (
  idempotency_key TEXT NOT NULL,
  channel TEXT NOT NULL,
  owner TEXT NOT NULL,
  holder TEXT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  claimed_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (idempotency_key, channel)
);
`;

/** Whether a process of this host is still running (a zombie or another user's process counts as running). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The send of a claimed key, for every ledger: heartbeating every second while it runs (a regular activity's
 * attempt stays alive), and giving the claim back if it fails, so the next try sends without waiting for expiry.
 */
export async function sendUnderClaim(
  send: () => Promise<string>,
  heartbeat: (() => void) | undefined,
  release: () => void | Promise<void>,
): Promise<string> {
  heartbeat?.();
  const beating = heartbeat ? setInterval(heartbeat, HEARTBEAT_EVERY_MS) : undefined;
  try {
    return await send();
  } catch (err) {
    await release();
    throw err;
  } finally {
    if (beating) clearInterval(beating);
  }
}

/** Keyed, durable once-only delivery of messages in a SQLite file of this host. */
export class SqliteDeliveryLedger implements DeliveryLedger {
  private readonly db: Database.Database;
  private readonly host = hostname();

  constructor(file: string) {
    // One key may be delivered on several channels (a notice goes by email and by webhook): key them apart.
    this.db = openDatabase(file, { schema: SCHEMA });
  }

  /**
   * Runs `send` unless a delivery with this key is already recorded, holding a claim on the key while it runs;
   * records the receipt when `send` succeeds. A key another live call is sending fails with a TransientError.
   */
  async deliverOnce(key: string, channel: Channel, send: () => Promise<string>, opts: DeliverOptions = {}): Promise<Delivery> {
    const owner = randomUUID();
    const claimMs = opts.claimMs !== undefined && Number.isFinite(opts.claimMs) && opts.claimMs > 0 ? opts.claimMs : DEFAULT_CLAIM_MS;
    const holder = opts.claimant ?? `pid ${process.pid}`;
    const waitUntil = Date.now() + (opts.waitMs ?? 0);
    for (;;) {
      const now = Date.now();
      const claim = this.claim(key, channel, owner, holder, claimMs, now);
      if (claim.kind === 'delivered') return { receipt: claim.receipt, alreadyDelivered: true };
      if (claim.kind === 'claimed') break;
      if (now >= waitUntil) {
        const held = claim.claim;
        throw claimHeldError(channel, key, {
          holder: held.holder,
          host: held.host,
          claimedMsAgo: now - held.claimed_at,
          expiresInMs: held.expires_at - now,
        });
      }
      opts.heartbeat?.();
      await sleep(Math.min(POLL_MS, Math.max(1, waitUntil - now)));
    }

    const receipt = await sendUnderClaim(send, opts.heartbeat, () => this.release(key, channel, owner));
    this.record(key, channel, owner, receipt);
    return { receipt, alreadyDelivered: false };
  }

  /**
   * Claims a key for `owner` in one IMMEDIATE transaction: a receipt means delivered; a live claim of another owner
   * (not expired, its process running) means held; otherwise the claim is written, or taken over.
   */
  private claim(key: string, channel: Channel, owner: string, holder: string, claimMs: number, now: number): ClaimResult {
    const claim = this.db.transaction((): ClaimResult => {
      const delivered = this.db.prepare('SELECT receipt FROM deliveries WHERE idempotency_key = ? AND channel = ?').get(key, channel) as
        { receipt: string } | undefined;
      if (delivered) return { kind: 'delivered', receipt: delivered.receipt };
      const held = this.db
        .prepare('SELECT owner, holder, host, pid, claimed_at, expires_at FROM delivery_claims WHERE idempotency_key = ? AND channel = ?')
        .get(key, channel) as ClaimRow | undefined;
      if (held && held.owner !== owner && held.expires_at > now && (held.host !== this.host || processAlive(held.pid)))
        return { kind: 'held', claim: held };
      this.db
        .prepare(
          `INSERT OR REPLACE INTO delivery_claims (idempotency_key, channel, owner, holder, host, pid, claimed_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(key, channel, owner, holder, this.host, process.pid, now, now + claimMs);
      return { kind: 'claimed' };
    });
    return retryWhileBusy(`claiming ${channel} delivery ${key}`, 30_000, () => claim.immediate());
  }

  /** The receipt replaces the claim (only this owner's: one that took an expired claim over keeps its own). */
  private record(key: string, channel: Channel, owner: string, receipt: string): void {
    const record = this.db.transaction(() => {
      this.db
        .prepare('INSERT OR IGNORE INTO deliveries (idempotency_key, channel, receipt, delivered_at) VALUES (?, ?, ?, ?)')
        .run(key, channel, receipt, new Date().toISOString());
      this.db.prepare('DELETE FROM delivery_claims WHERE idempotency_key = ? AND channel = ? AND owner = ?').run(key, channel, owner);
    });
    // The message is out: keep trying to write its receipt rather than leave only a claim behind.
    retryWhileBusy(`recording ${channel} delivery ${key}`, 60_000, () => record.immediate());
  }

  /** A failed send gives the key up at once, so the next try sends without waiting for the claim to expire. */
  private release(key: string, channel: Channel, owner: string): void {
    try {
      retryWhileBusy(`releasing ${channel} delivery ${key}`, 30_000, () =>
        this.db.prepare('DELETE FROM delivery_claims WHERE idempotency_key = ? AND channel = ? AND owner = ?').run(key, channel, owner),
      );
    } catch {
      // The claim then ends at its expiry; the send's own error is the one to report.
    }
  }

  /** The live claim on a key, if any (for tests and the console). */
  claimOf(key: string, channel: Channel): { holder: string; host: string; pid: number; claimedAt: number; expiresAt: number } | undefined {
    const row = this.db
      .prepare('SELECT holder, host, pid, claimed_at, expires_at FROM delivery_claims WHERE idempotency_key = ? AND channel = ?')
      .get(key, channel) as Omit<ClaimRow, 'owner'> | undefined;
    return row ? { holder: row.holder, host: row.host, pid: row.pid, claimedAt: row.claimed_at, expiresAt: row.expires_at } : undefined;
  }

  /** How many deliveries of a channel are recorded, optionally only those whose key starts with a prefix. */
  count(channel: Channel, keyPrefix = ''): number {
    return (
      this.db
        .prepare('SELECT COUNT(*) AS n FROM deliveries WHERE channel = ? AND substr(idempotency_key, 1, ?) = ?')
        .get(channel, keyPrefix.length, keyPrefix) as { n: number }
    ).n;
  }

  close(): void {
    this.db.close();
  }
}
