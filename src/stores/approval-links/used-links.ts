/**
 * Which approval links were used, so each acts once. A link is claimed by its nonce in one SQLite statement before
 * its decision is sent: of two clicks at once (or two consoles on one data directory) exactly one claims it. Consoles
 * on several hosts share the record on PostgreSQL instead (APPROVAL_LINKS_URL: ./postgres-used-links.ts).
 */
import type Database from 'better-sqlite3';
import { openDatabase } from '../sqlite';
import type { ApprovalLink } from '../../approval-links/token';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS used_links (
  nonce TEXT PRIMARY KEY,
  workflow_id TEXT NOT NULL,
  question TEXT NOT NULL,
  decision TEXT NOT NULL,
  approver TEXT NOT NULL,
  used_at TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  outcome TEXT
);`;

/** An expired link is refused before its use is looked up, so its record can go a day after it expired. */
const KEEP_AFTER_EXPIRY_MS = 86_400_000;

/** Who used a link, when, and what came of it. */
export interface LinkUse {
  approver: string;
  usedAt: string;
  decision: string;
  /** What the run answered ("approve by …", or its refusal); unset while the decision is on its way. */
  outcome?: string;
}

/** The result of a claim: this use claimed the link, or it was used before (by whom, when). */
export type LinkClaim = { claimed: true } | { claimed: false; use: LinkUse };

/** A value now (SQLite) or later (PostgreSQL): callers await either. */
type MaybePromise<T> = T | Promise<T>;

/** What every used-links store offers (this SQLite file, or PostgreSQL); the methods are those of {@link UsedLinks}. */
export interface UsedLinkRecords {
  find(nonce: string): MaybePromise<LinkUse | undefined>;
  claim(link: ApprovalLink, now?: number): MaybePromise<LinkClaim>;
  settle(nonce: string, outcome: string): MaybePromise<void>;
  release(nonce: string): MaybePromise<void>;
  close(): MaybePromise<void>;
}

/** An expired link's record may go once it has been expired this long. */
export const usedLinkPruneBefore = (now: number) => now - KEEP_AFTER_EXPIRY_MS;

/** A used link's row, as both stores hold it. */
export type UsedLinkRow = { approver: string; used_at: string; decision: string; outcome: string | null };
type Row = UsedLinkRow;
/** The use a row records. */
export const toUse = (row: Row): LinkUse => ({
  approver: row.approver,
  usedAt: row.used_at,
  decision: row.decision,
  ...(row.outcome ? { outcome: row.outcome } : {}),
});

/** The single-use record of approval links, in `<data dir>/approval-links.db`. */
export class UsedLinks implements UsedLinkRecords {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openDatabase(file, { schema: SCHEMA });
  }

  /** The link's use, or undefined while it is unused. */
  find(nonce: string): LinkUse | undefined {
    const row = this.db.prepare('SELECT approver, used_at, decision, outcome FROM used_links WHERE nonce = ?').get(nonce) as
      Row | undefined;
    return row && toUse(row);
  }

  /** Claims the link for this use; when it was used before, says by whom and when instead. */
  claim(link: ApprovalLink, now = Date.now()): LinkClaim {
    this.db.prepare('DELETE FROM used_links WHERE expires_at < ?').run(usedLinkPruneBefore(now));
    const inserted = this.db
      .prepare(
        `INSERT INTO used_links (nonce, workflow_id, question, decision, approver, used_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(nonce) DO NOTHING`,
      )
      .run(link.nonce, link.workflowId, link.question, link.decision, link.approver, new Date(now).toISOString(), link.expiresAt);
    if (inserted.changes === 1) return { claimed: true };
    return { claimed: false, use: this.find(link.nonce)! };
  }

  /** Records what the run answered to the link's decision. */
  settle(nonce: string, outcome: string): void {
    this.db.prepare('UPDATE used_links SET outcome = ? WHERE nonce = ?').run(outcome, nonce);
  }

  /** Gives a claimed link back when its decision never reached the run (Temporal unreachable): it may be clicked again. */
  release(nonce: string): void {
    this.db.prepare('DELETE FROM used_links WHERE nonce = ? AND outcome IS NULL').run(nonce);
  }

  close(): void {
    this.db.close();
  }
}
