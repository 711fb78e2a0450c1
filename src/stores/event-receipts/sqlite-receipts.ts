/**
 * The gateway's memory, in SQLite (WAL, busy timeout: several gateways may share the file): which events were
 * received, so that the same event delivered twice acts once; and which signatures were seen, so that a captured
 * request cannot be replayed while its timestamp is still fresh. Gateways on several hosts share them on PostgreSQL
 * instead (EVENT_RECEIPTS_URL: ./postgres-receipts.ts), behind {@link EventReceiptRecords}.
 */
import type Database from 'better-sqlite3';
import { openDatabase } from '../sqlite';

/** Where a received event went. */
export interface EventReceipt {
  source: string;
  eventId: string;
  type: string;
  workflowId: string;
  runId: string;
  started: boolean;
  deliveredAt: string;
}

export type Claim = { kind: 'claimed' } | { kind: 'duplicate'; receipt: EventReceipt } | { kind: 'in-progress' };

/** A value now (SQLite) or later (PostgreSQL): callers await either. */
type MaybePromise<T> = T | Promise<T>;

/** What every receipts store offers (this SQLite file, or PostgreSQL); the methods are those of {@link EventReceipts}. */
export interface EventReceiptRecords {
  rememberSignature(signature: string, expiresAt: number, now?: number): MaybePromise<boolean>;
  forgetSignature(signature: string): MaybePromise<void>;
  claim(source: string, eventId: string, type: string, workflowId: string, now?: number): MaybePromise<Claim>;
  delivered(source: string, eventId: string, to: { workflowId: string; runId: string; started: boolean }, now?: Date): MaybePromise<void>;
  release(source: string, eventId: string): MaybePromise<void>;
  receipt(source: string, eventId: string): MaybePromise<EventReceipt | undefined>;
  close(): MaybePromise<void>;
}

/** A receipt's row, as both stores hold it (SQLite keeps `started` as 0/1). */
export interface ReceiptRow {
  type: string;
  workflow_id: string;
  run_id: string | null;
  started: number | boolean | null;
  state: 'claimed' | 'delivered';
  claimed_at: number;
  delivered_at: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS event_receipts (
  source TEXT NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  workflow_id TEXT NOT NULL,
  run_id TEXT,
  started INTEGER,
  state TEXT NOT NULL CHECK (state IN ('claimed', 'delivered')),
  claimed_at INTEGER NOT NULL,
  delivered_at TEXT,
  PRIMARY KEY (source, event_id)
);
CREATE TABLE IF NOT EXISTS seen_signatures (
  signature TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS seen_signatures_expiry ON seen_signatures (expires_at);
`;

/** How often expired signatures are deleted, at most. */
export const PRUNE_EVERY_MS = 60_000;
/** How long a claim whose request never finished (a crashed gateway) blocks its event, by default. */
export const CLAIM_LEASE_MS = 60_000;

/** The receipts of the gateways of one host, in its SQLite file. */
export class EventReceipts implements EventReceiptRecords {
  private readonly db: Database.Database;
  private lastPrune = 0;

  /**
   * @param claimLeaseMs how long a claim whose request never finished (a crashed gateway) blocks the event;
   *   after it, the sender's retry takes the claim over.
   */
  constructor(
    file: string,
    private readonly claimLeaseMs = CLAIM_LEASE_MS,
  ) {
    this.db = openDatabase(file, { schema: SCHEMA });
  }

  /** Records a signature as seen until `expiresAt` (Unix seconds); false if it was seen already: a replay. */
  rememberSignature(signature: string, expiresAt: number, now = Date.now()): boolean {
    if (now - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = now;
      this.db.prepare('DELETE FROM seen_signatures WHERE expires_at < ?').run(Math.floor(now / 1000));
    }
    // An expired row still in the table (not pruned yet) no longer counts.
    const remember = this.db.transaction(() => {
      this.db.prepare('DELETE FROM seen_signatures WHERE signature = ? AND expires_at < ?').run(signature, Math.floor(now / 1000));
      return (
        this.db.prepare('INSERT OR IGNORE INTO seen_signatures (signature, expires_at) VALUES (?, ?)').run(signature, expiresAt).changes ===
        1
      );
    });
    return remember.immediate();
  }

  /** Forgets a signature, so that the sender may send the very same request again (after a failure on our side). */
  forgetSignature(signature: string): void {
    this.db.prepare('DELETE FROM seen_signatures WHERE signature = ?').run(signature);
  }

  /**
   * Claims (source, event id) before anything is signalled: the first claim wins; a delivered event is a
   * duplicate; a claim still in flight makes a concurrent copy wait, and one older than the lease is taken over.
   */
  claim(source: string, eventId: string, type: string, workflowId: string, now = Date.now()): Claim {
    const claim = this.db.transaction((): Claim => {
      const row = this.db.prepare('SELECT * FROM event_receipts WHERE source = ? AND event_id = ?').get(source, eventId) as
        ReceiptRow | undefined;
      if (!row) {
        this.db
          .prepare("INSERT INTO event_receipts (source, event_id, type, workflow_id, state, claimed_at) VALUES (?, ?, ?, ?, 'claimed', ?)")
          .run(source, eventId, type, workflowId, now);
        return { kind: 'claimed' };
      }
      if (row.state === 'delivered') return { kind: 'duplicate', receipt: toReceipt(source, eventId, row) };
      if (now - row.claimed_at < this.claimLeaseMs) return { kind: 'in-progress' };
      this.db
        .prepare('UPDATE event_receipts SET type = ?, workflow_id = ?, claimed_at = ? WHERE source = ? AND event_id = ?')
        .run(type, workflowId, now, source, eventId);
      return { kind: 'claimed' };
    });
    return claim.immediate();
  }

  /** Records where a claimed event was delivered. */
  delivered(source: string, eventId: string, to: { workflowId: string; runId: string; started: boolean }, now = new Date()): void {
    this.db
      .prepare(
        "UPDATE event_receipts SET state = 'delivered', workflow_id = ?, run_id = ?, started = ?, delivered_at = ? WHERE source = ? AND event_id = ?",
      )
      .run(to.workflowId, to.runId, to.started ? 1 : 0, now.toISOString(), source, eventId);
  }

  /** Drops a claim whose delivery failed, so that the sender's retry is acted on. */
  release(source: string, eventId: string): void {
    this.db.prepare("DELETE FROM event_receipts WHERE source = ? AND event_id = ? AND state = 'claimed'").run(source, eventId);
  }

  /** The receipt of a delivered event, if any. */
  receipt(source: string, eventId: string): EventReceipt | undefined {
    const row = this.db
      .prepare("SELECT * FROM event_receipts WHERE source = ? AND event_id = ? AND state = 'delivered'")
      .get(source, eventId) as ReceiptRow | undefined;
    return row ? toReceipt(source, eventId, row) : undefined;
  }

  close(): void {
    this.db.close();
  }
}

/** The receipt a delivered row records. */
export function toReceipt(source: string, eventId: string, row: ReceiptRow): EventReceipt {
  return {
    source,
    eventId,
    type: row.type,
    workflowId: row.workflow_id,
    runId: row.run_id ?? '',
    started: row.started === 1 || row.started === true,
    deliveredAt: row.delivered_at ?? '',
  };
}
