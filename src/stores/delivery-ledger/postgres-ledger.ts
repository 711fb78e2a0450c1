/**
 * The delivery ledger several hosts share (LEDGER_URL): the SQLite ledger's guarantees (src/stores/delivery-ledger/sqlite-ledger.ts)
 * across hosts, on PostgreSQL.
 *
 * A key is **claimed** before anything is sent: a claim row (owner token, holder, host, pid, claimed_at,
 * expires_at) written in a transaction that first takes a transaction-level advisory lock on the key, finds no
 * receipt and no live claim, and writes (or takes over) the row. Every change of a key's rows takes that lock, so
 * a claim, a receipt replacing a claim and a release never interleave. While a claim is live, another claimant
 * (the retry, on any host) waits for it to end and then fails transiently saying who holds it. After the send the
 * receipt replaces the claim in one transaction; a failed send deletes the claim at once.
 *
 * Liveness across hosts cannot use a pid: each call holds a dedicated pooled connection for its whole claim, and on
 * it a **session-level advisory lock on a random id** recorded in the claim row (lock_id). A claim is live while it
 * has not expired and that lock is granted (pg_locks); the lock lives exactly as long as the holder's session, so a
 * SIGKILLed worker's claim is dead the moment PostgreSQL sees its connection close (at once for a killed process,
 * whose kernel closes the socket; within about a minute for a vanished host, through the sessions' TCP keepalives,
 * src/stores/postgres/connection.ts). The lock names the holder, not the key, so an expired claim can be taken over while
 * its holder still lives, as in the SQLite ledger. Expiry is judged by the database's clock, not the hosts'.
 *
 * What remains:
 * - a send that outlives its claim's expiry while its session lives may be taken over and sent again
 *   (activities claim for their attempt's start-to-close timeout plus a margin: activities/delivery-attempt.ts);
 * - between the receiving system accepting a message and the receipt being written, a worker killed with SIGKILL
 *   leaves a dead claim, which the retry takes over: that message goes twice (as with SQLite);
 * - a holder whose connection to PostgreSQL breaks mid-send (a network partition, a database restart) loses its
 *   lock while it may still be sending: another host can take the claim over and send too. Its receipt is then
 *   recorded once (the first one written is kept), but the message may have gone twice;
 * - a vanished host's claims stay live until PostgreSQL's keepalives end its sessions (~1 minute): retries fail
 *   transiently meanwhile, then take over;
 * - each delivery in flight holds one pooled connection: a pool of `poolSize` limits one worker's concurrent
 *   sends (others queue for a connection), and max_connections must cover every worker's pool.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import { TransientError } from '../../../activities/kit/errors';
import {
  claimHeldError,
  DEFAULT_CLAIM_MS,
  sendUnderClaim,
  type Channel,
  type ClaimOutcome,
  type DeliverOptions,
  type Delivery,
  type DeliveryLedger,
} from './sqlite-ledger';
import { endPool, openPool } from '../postgres/connection';
import { migrate } from '../postgres/migrate';
import { redactUrl } from '../../config/redact-url';

const POLL_MS = 100;
/** How long the receipt of a message that went out is retried (on fresh connections) before giving up. */
const RECORD_RETRY_MS = 60_000;
/** Connections per worker: a delivery holds one while it sends (a send takes ~100 ms; 20 in flight is plenty). */
const DEFAULT_POOL_SIZE = 20;

export interface PostgresLedgerOptions {
  /** The host name claims carry, for the message another claimant gets (default: this machine's hostname). */
  host?: string;
  /** The most connections this ledger opens (default 20): the most deliveries in flight at once. */
  poolSize?: number;
  log?: (line: string) => void;
}

interface ClaimRow {
  owner: string;
  holder: string;
  host: string;
  pid: number;
  claimed_ms_ago: number;
  expires_in_ms: number;
  live: boolean;
}

type ClaimResult = ClaimOutcome<ClaimRow>;

/** A live claim: the holder's advisory lock (session-level, bigint key: objsubid 1) is granted in this database. */
const CLAIM_ROW_SQL = `
SELECT c.owner, c.holder, c.host, c.pid,
  extract(epoch FROM clock_timestamp() - c.claimed_at)::float8 * 1000 AS claimed_ms_ago,
  extract(epoch FROM c.expires_at - clock_timestamp())::float8 * 1000 AS expires_in_ms,
  c.expires_at > clock_timestamp() AND EXISTS (
    SELECT 1 FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.classid = (c.lock_id >> 32)::oid AND l.objid = (c.lock_id & 4294967295)::oid
  ) AS live
FROM delivery_claims c WHERE c.idempotency_key = $1 AND c.channel = $2`;

/** The two 32-bit halves of a key's lock: the two-integer form never collides with the holders' bigint locks. */
function keyLock(key: string, channel: Channel): [number, number] {
  const digest = createHash('sha256').update(`${channel}\0${key}`).digest();
  return [digest.readInt32BE(0), digest.readInt32BE(4)];
}

/** A random non-negative 63-bit lock id (as text: node-postgres sends bigints as strings). */
function holderLockId(): string {
  return (randomBytes(8).readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn).toString();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The dedicated connection of one call, holding its lock; `broken` once the connection failed. */
interface Session {
  client: pg.PoolClient;
  lockId: string;
  broken?: Error;
  onError: (err: Error) => void;
}

/** Runs `work` in a transaction on `client`, rolled back if it throws. */
async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** Keyed, durable once-only delivery of messages, shared by every host that reaches the database. */
export class PostgresDeliveryLedger implements DeliveryLedger {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    private readonly host: string,
  ) {}

  /** Opens the ledger at `url`: creates the database if missing, applies the ledger's migrations, opens a pool. */
  static async open(url: string, opts: PostgresLedgerOptions = {}): Promise<PostgresDeliveryLedger> {
    await migrate(url, 'ledger', { log: opts.log });
    return new PostgresDeliveryLedger(openPool(url, 'overture-ledger', opts.poolSize ?? DEFAULT_POOL_SIZE), url, opts.host ?? hostname());
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
    const session = await this.openSession();
    try {
      for (;;) {
        const claim = await this.claim(session, key, channel, owner, holder, claimMs);
        if (claim.kind === 'delivered') return { receipt: claim.receipt, alreadyDelivered: true };
        if (claim.kind === 'claimed') break;
        const now = Date.now();
        if (now >= waitUntil)
          throw claimHeldError(channel, key, {
            holder: claim.claim.holder,
            host: claim.claim.host,
            claimedMsAgo: claim.claim.claimed_ms_ago,
            expiresInMs: claim.claim.expires_in_ms,
          });
        opts.heartbeat?.();
        await sleep(Math.min(POLL_MS, Math.max(1, waitUntil - now)));
      }

      const receipt = await sendUnderClaim(send, opts.heartbeat, () => this.release(session, key, channel, owner));
      await this.record(session, key, channel, owner, receipt);
      return { receipt, alreadyDelivered: false };
    } finally {
      await this.closeSession(session);
    }
  }

  /** A dedicated connection holding a fresh session-level lock: the liveness of this call's claim. */
  private async openSession(): Promise<Session> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new TransientError(`the delivery ledger's database at ${redactUrl(this.url)} is unreachable: ${(err as Error).message}`);
    }
    const session: Session = { client, lockId: holderLockId(), onError: (err) => (session.broken = err) };
    // A connection that fails while checked out emits 'error': without a listener that would crash the worker.
    client.on('error', session.onError);
    try {
      await client.query('SELECT pg_advisory_lock($1::bigint)', [session.lockId]);
    } catch (err) {
      client.off('error', session.onError);
      client.release(true);
      throw new TransientError(`the delivery ledger's database at ${redactUrl(this.url)} failed: ${(err as Error).message}`);
    }
    return session;
  }

  /** Gives the lock up and the connection back (a broken one is discarded, which ends its session and lock). */
  private async closeSession(session: Session): Promise<void> {
    if (!session.broken)
      await session.client.query('SELECT pg_advisory_unlock($1::bigint)', [session.lockId]).catch((err: Error) => (session.broken = err));
    session.client.off('error', session.onError);
    session.client.release(session.broken ?? false);
  }

  /**
   * Claims a key for `owner` under the key's transaction lock: a receipt means delivered; a live claim of another
   * owner (not expired, its holder's lock granted) means held; otherwise the claim is written, or taken over.
   */
  private async claim(
    session: Session,
    key: string,
    channel: Channel,
    owner: string,
    holder: string,
    claimMs: number,
  ): Promise<ClaimResult> {
    const { client } = session;
    try {
      return await inTransaction(client, async (): Promise<ClaimResult> => {
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', keyLock(key, channel));
        const delivered = await client.query<{ receipt: string }>(
          'SELECT receipt FROM deliveries WHERE idempotency_key = $1 AND channel = $2',
          [key, channel],
        );
        if (delivered.rows[0]) return { kind: 'delivered', receipt: delivered.rows[0].receipt };
        const held = (await client.query<ClaimRow>(CLAIM_ROW_SQL, [key, channel])).rows[0];
        if (held && held.owner !== owner && held.live) return { kind: 'held', claim: held };
        await client.query(
          `INSERT INTO delivery_claims (idempotency_key, channel, owner, lock_id, holder, host, pid, claimed_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp(), clock_timestamp() + $8::float8 * interval '1 millisecond')
           ON CONFLICT (idempotency_key, channel) DO UPDATE SET owner = EXCLUDED.owner, lock_id = EXCLUDED.lock_id, holder = EXCLUDED.holder,
             host = EXCLUDED.host, pid = EXCLUDED.pid, claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at`,
          [key, channel, owner, session.lockId, holder, this.host, process.pid, Math.round(claimMs)],
        );
        return { kind: 'claimed' };
      });
    } catch (err) {
      throw new TransientError(
        `claiming the ${channel} delivery ${key} in the ledger at ${redactUrl(this.url)} failed: ${(err as Error).message}`,
      );
    }
  }

  /** The receipt replaces the claim (only this owner's: one that took an expired claim over keeps its own). */
  private async record(session: Session, key: string, channel: Channel, owner: string, receipt: string): Promise<void> {
    // One statement, so one round trip: from the relay accepting the message to its receipt being durable is the
    // window in which a SIGKILL makes the retry send it again, so it is kept as short as the database allows.
    const [lockHigh, lockLow] = keyLock(key, channel);
    const write = async (client: pg.ClientBase) => {
      await client.query(
        `WITH key_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock($5, $6)),
              receipt AS (INSERT INTO deliveries (idempotency_key, channel, receipt) SELECT $1, $2, $3 FROM key_lock ON CONFLICT DO NOTHING)
         DELETE FROM delivery_claims WHERE idempotency_key = $1 AND channel = $2 AND owner = $4 AND EXISTS (SELECT 1 FROM key_lock)`,
        [key, channel, receipt, owner, lockHigh, lockLow],
      );
    };
    if (!session.broken) {
      try {
        return await write(session.client);
      } catch (err) {
        session.broken ??= err as Error;
      }
    }
    // The message is out: keep trying to write its receipt, on fresh connections, rather than leave only a claim.
    const giveUpAt = Date.now() + RECORD_RETRY_MS;
    for (let wait = 200; ; wait = Math.min(wait * 2, 5_000)) {
      try {
        const client = await this.pool.connect();
        try {
          return await write(client);
        } finally {
          client.release();
        }
      } catch (err) {
        if (Date.now() + wait > giveUpAt) {
          throw new TransientError(
            `the ${channel} delivery ${key} was sent, but its receipt could not be recorded in the ledger at ${redactUrl(this.url)}: ${(err as Error).message}`,
          );
        }
        await sleep(wait);
      }
    }
  }

  /** A failed send gives the key up at once, so the next try sends without waiting for the claim to expire. */
  private async release(session: Session, key: string, channel: Channel, owner: string): Promise<void> {
    if (session.broken) return; // the broken session's lock is gone already: the claim is dead
    try {
      await inTransaction(session.client, async () => {
        await session.client.query('SELECT pg_advisory_xact_lock($1, $2)', keyLock(key, channel));
        await session.client.query('DELETE FROM delivery_claims WHERE idempotency_key = $1 AND channel = $2 AND owner = $3', [
          key,
          channel,
          owner,
        ]);
      });
    } catch {
      // Closing the session then releases its lock, which ends the claim as well; the send's own error is the one to report.
      session.broken ??= new Error('release failed');
    }
  }

  /** The claim on a key, if any, and whether it is live (for tests and the console). */
  async claimOf(
    key: string,
    channel: Channel,
  ): Promise<{ holder: string; host: string; pid: number; claimedMsAgo: number; expiresInMs: number; live: boolean } | undefined> {
    const row = (await this.pool.query<ClaimRow>(CLAIM_ROW_SQL, [key, channel])).rows[0];
    return row
      ? {
          holder: row.holder,
          host: row.host,
          pid: row.pid,
          claimedMsAgo: row.claimed_ms_ago,
          expiresInMs: row.expires_in_ms,
          live: row.live,
        }
      : undefined;
  }

  /** How many deliveries of a channel are recorded, optionally only those whose key starts with a prefix (literally). */
  async count(channel: Channel, keyPrefix = ''): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM deliveries WHERE channel = $1 AND starts_with(idempotency_key, $2)',
      [channel, keyPrefix],
    );
    return rows[0]!.n;
  }

  /** Ends the pool once the connections in use are given back (at most a few seconds: see endPool). */
  async close(): Promise<void> {
    await endPool(this.pool);
  }
}
