/**
 * A record of messages already delivered (emails, webhook posts), so that a retried step sends nothing twice.
 *
 * SMTP and incoming webhooks have no idempotency of their own. The ledger closes the gap to a few
 * milliseconds: between the receiving server accepting a message and the ledger recording it.
 */
import type Database from 'better-sqlite3';
import { openSqlite } from './directory/sqlite-directory';

export interface Delivery {
  /** What the receiving system returned: a Message-ID or a webhook delivery id. */
  receipt: string;
  /** True when the message had already been delivered and nothing was sent this time. */
  alreadyDelivered: boolean;
}

/** Keyed, durable once-only delivery of messages. */
export class DeliveryLedger {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openSqlite(file);
    // One key may be delivered on several channels (a notice goes by email and by webhook): key them apart.
    this.db.exec(`CREATE TABLE IF NOT EXISTS deliveries (
      idempotency_key TEXT NOT NULL,
      channel TEXT NOT NULL,
      receipt TEXT NOT NULL,
      delivered_at TEXT NOT NULL,
      PRIMARY KEY (idempotency_key, channel)
    )`);
  }

  /** Runs `send` unless a delivery with this key is already recorded; records it when `send` succeeds. */
  async deliverOnce(key: string, channel: 'email' | 'webhook', send: () => Promise<string>): Promise<Delivery> {
    const found = this.db.prepare('SELECT receipt FROM deliveries WHERE idempotency_key = ? AND channel = ?').get(key, channel) as { receipt: string } | undefined;
    if (found) return { receipt: found.receipt, alreadyDelivered: true };
    const receipt = await send();
    this.db
      .prepare('INSERT OR IGNORE INTO deliveries (idempotency_key, channel, receipt, delivered_at) VALUES (?, ?, ?, ?)')
      .run(key, channel, receipt, new Date().toISOString());
    return { receipt, alreadyDelivered: false };
  }

  /** How many deliveries of a channel are recorded, optionally only those whose key starts with a prefix. */
  count(channel: 'email' | 'webhook', keyPrefix = ''): number {
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
