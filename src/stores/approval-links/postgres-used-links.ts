/**
 * The used approval links on the PostgreSQL every console shares (APPROVAL_LINKS_URL): a link is claimed by inserting
 * its nonce (`ON CONFLICT DO NOTHING`), one statement, so of two clicks on two hosts at once exactly one claims it,
 * and a link used on one host is refused on every other.
 */
import type pg from 'pg';
import type { ApprovalLink } from '../../approval-links/token';
import { endPool, openPool } from '../postgres/connection';
import { migrate } from '../postgres/migrate';
import { toUse, usedLinkPruneBefore, type LinkClaim, type LinkUse, type UsedLinkRecords, type UsedLinkRow } from './used-links';

/** Connections per process: a link is claimed a few times an hour, not per request. */
const POOL_SIZE = 3;

export interface PostgresUsedLinksOptions {
  log?: (line: string) => void;
}

/** The single-use record of approval links for every host, on PostgreSQL. */
export class PostgresUsedLinks implements UsedLinkRecords {
  private constructor(private readonly pool: pg.Pool) {}

  /** Brings the database at `url` to the used links' schema (creating it when missing) and opens a pool on it. */
  static async open(url: string, opts: PostgresUsedLinksOptions = {}): Promise<PostgresUsedLinks> {
    await migrate(url, 'approval-links', { log: opts.log });
    return new PostgresUsedLinks(openPool(url, 'overture-approval-links', POOL_SIZE));
  }

  /** The link's use (on any host), or undefined while it is unused. */
  async find(nonce: string): Promise<LinkUse | undefined> {
    const row = (
      await this.pool.query<UsedLinkRow>('SELECT approver, used_at, decision, outcome FROM used_links WHERE nonce = $1', [nonce])
    ).rows[0];
    return row && toUse(row);
  }

  /** Claims the link for this use; when it was used before, on any host, says by whom and when instead. */
  async claim(link: ApprovalLink, now = Date.now()): Promise<LinkClaim> {
    await this.pool.query('DELETE FROM used_links WHERE expires_at < $1', [usedLinkPruneBefore(now)]);
    const inserted = await this.pool.query(
      `INSERT INTO used_links (nonce, workflow_id, question, decision, approver, used_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (nonce) DO NOTHING`,
      [link.nonce, link.workflowId, link.question, link.decision, link.approver, new Date(now).toISOString(), link.expiresAt],
    );
    if (inserted.rowCount === 1) return { claimed: true };
    const use = await this.find(link.nonce);
    // Released between the two statements (its decision failed to reach the run): the link is free again.
    return use ? { claimed: false, use } : this.claim(link, now);
  }

  /** Records what the run answered to the link's decision. */
  async settle(nonce: string, outcome: string): Promise<void> {
    await this.pool.query('UPDATE used_links SET outcome = $2 WHERE nonce = $1', [nonce, outcome]);
  }

  /** Gives a claimed link back when its decision never reached the run: it may be clicked again, on any host. */
  async release(nonce: string): Promise<void> {
    await this.pool.query('DELETE FROM used_links WHERE nonce = $1 AND outcome IS NULL', [nonce]);
  }

  /** Ends the pool once its connections in use are back. */
  async close(): Promise<void> {
    await endPool(this.pool);
  }
}
