/**
 * The event gateways' receipts and seen signatures on the PostgreSQL every gateway shares (EVENT_RECEIPTS_URL): the
 * SQLite store's rules (./sqlite-receipts.ts) across hosts. The same event posted to two gateways at once is claimed
 * once, by the primary key (source, event id): the other gateway finds the claim and answers "in progress" (409,
 * retry) or, once delivered, "duplicate", so one run starts. A signature is remembered by its primary key too, so a
 * captured request replayed to another gateway is refused there. A claim's lease is judged by the database's clock,
 * so gateways whose clocks disagree agree on when a crashed gateway's claim may be taken over.
 */
import type pg from 'pg';
import { endPool, openPool } from '../postgres/connection';
import { migrate } from '../postgres/migrate';
import {
  CLAIM_LEASE_MS,
  PRUNE_EVERY_MS,
  toReceipt,
  type Claim,
  type EventReceipt,
  type EventReceiptRecords,
  type ReceiptRow,
} from './sqlite-receipts';

/** Connections per process: every event takes two or three short statements. */
const POOL_SIZE = 5;
/** The database's clock in milliseconds, unless the caller (a test) passes a time as this parameter. */
const NOW_MS = (param: string) => `COALESCE(${param}::bigint, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)`;

export interface PostgresEventReceiptsOptions {
  /** How long a claim whose request never finished blocks the event (default 60 s). */
  claimLeaseMs?: number;
  log?: (line: string) => void;
}

/** The receipts of every gateway, on PostgreSQL. */
export class PostgresEventReceipts implements EventReceiptRecords {
  private lastPrune = 0;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly claimLeaseMs: number,
  ) {}

  /** Brings the database at `url` to the receipts' schema (creating it when missing) and opens a pool on it. */
  static async open(url: string, opts: PostgresEventReceiptsOptions = {}): Promise<PostgresEventReceipts> {
    await migrate(url, 'event-receipts', { log: opts.log });
    return new PostgresEventReceipts(openPool(url, 'overture-events', POOL_SIZE), opts.claimLeaseMs ?? CLAIM_LEASE_MS);
  }

  /** Records a signature as seen until `expiresAt` (Unix seconds); false if any gateway saw it already: a replay. */
  async rememberSignature(signature: string, expiresAt: number, now = Date.now()): Promise<boolean> {
    const nowSeconds = Math.floor(now / 1000);
    if (now - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await this.pool.query('DELETE FROM seen_signatures WHERE expires_at < $1', [nowSeconds]);
    }
    // One statement: new, or an expired row not yet pruned (which no longer counts) taken over; a live one is a replay.
    const remembered = await this.pool.query(
      `INSERT INTO seen_signatures (signature, expires_at) VALUES ($1, $2)
       ON CONFLICT (signature) DO UPDATE SET expires_at = excluded.expires_at WHERE seen_signatures.expires_at < $3`,
      [signature, expiresAt, nowSeconds],
    );
    return remembered.rowCount === 1;
  }

  /** Forgets a signature, so that the sender may send the very same request again (after a failure on our side). */
  async forgetSignature(signature: string): Promise<void> {
    await this.pool.query('DELETE FROM seen_signatures WHERE signature = $1', [signature]);
  }

  /**
   * Claims (source, event id) before anything is signalled: the first claim on any gateway wins; a delivered event
   * is a duplicate; a claim still in flight makes a concurrent copy wait, and one older than the lease is taken over.
   */
  async claim(source: string, eventId: string, type: string, workflowId: string, now?: number): Promise<Claim> {
    const at = now ?? null;
    const inserted = await this.pool.query(
      `INSERT INTO event_receipts (source, event_id, type, workflow_id, state, claimed_at)
       VALUES ($1, $2, $3, $4, 'claimed', ${NOW_MS('$5')}) ON CONFLICT (source, event_id) DO NOTHING`,
      [source, eventId, type, workflowId, at],
    );
    if (inserted.rowCount === 1) return { kind: 'claimed' };
    // Taken over only when the claim is still unfinished and older than the lease: one statement, so of two gateways
    // taking over one stale claim at once, the row lock lets one through and the other then sees a fresh claim.
    const takenOver = await this.pool.query(
      `UPDATE event_receipts SET type = $3, workflow_id = $4, claimed_at = ${NOW_MS('$5')}
       WHERE source = $1 AND event_id = $2 AND state = 'claimed' AND claimed_at <= ${NOW_MS('$5')} - $6`,
      [source, eventId, type, workflowId, at, this.claimLeaseMs],
    );
    if (takenOver.rowCount === 1) return { kind: 'claimed' };
    const row = (await this.pool.query<ReceiptRow>('SELECT * FROM event_receipts WHERE source = $1 AND event_id = $2', [source, eventId]))
      .rows[0];
    if (!row) return this.claim(source, eventId, type, workflowId, now); // released meanwhile: claim it afresh
    return row.state === 'delivered' ? { kind: 'duplicate', receipt: toReceipt(source, eventId, row) } : { kind: 'in-progress' };
  }

  /** Records where a claimed event was delivered. */
  async delivered(
    source: string,
    eventId: string,
    to: { workflowId: string; runId: string; started: boolean },
    now = new Date(),
  ): Promise<void> {
    await this.pool.query(
      `UPDATE event_receipts SET state = 'delivered', workflow_id = $3, run_id = $4, started = $5, delivered_at = $6
       WHERE source = $1 AND event_id = $2`,
      [source, eventId, to.workflowId, to.runId, to.started, now.toISOString()],
    );
  }

  /** Drops a claim whose delivery failed, so that the sender's retry (to any gateway) is acted on. */
  async release(source: string, eventId: string): Promise<void> {
    await this.pool.query("DELETE FROM event_receipts WHERE source = $1 AND event_id = $2 AND state = 'claimed'", [source, eventId]);
  }

  /** The receipt of a delivered event, if any. */
  async receipt(source: string, eventId: string): Promise<EventReceipt | undefined> {
    const row = (
      await this.pool.query<ReceiptRow>("SELECT * FROM event_receipts WHERE source = $1 AND event_id = $2 AND state = 'delivered'", [
        source,
        eventId,
      ])
    ).rows[0];
    return row ? toReceipt(source, eventId, row) : undefined;
  }

  /** Ends the pool once its connections in use are back. */
  async close(): Promise<void> {
    await endPool(this.pool);
  }
}
