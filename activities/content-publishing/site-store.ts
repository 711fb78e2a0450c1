/**
 * The published site on disk: one HTML page per content item and the RSS feed, under the site directory,
 * with the feed's items indexed in SQLite. Each change runs inside one write transaction, so workers on
 * this host that publish at once take turns and the feed they write always lists every item.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../src/stores/sqlite';
import { PermanentError } from '../kit/errors';
import { CONTENT_ID } from '../../workflows/content-publishing/revisions';
import { feedXml, pageHtml, type PublishedItem } from './page';

const SCHEMA = `CREATE TABLE IF NOT EXISTS feed_items (
  content_id TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  title TEXT NOT NULL,
  author_name TEXT NOT NULL,
  published_at TEXT NOT NULL,
  summary TEXT NOT NULL
)`;

interface Row {
  content_id: string;
  revision: number;
  title: string;
  author_name: string;
  published_at: string;
  summary: string;
}

/** Writes through a hidden temporary file: readers see the old file or the new one, never half of one. */
function writeAtomically(file: string, content: string): void {
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  fs.writeFileSync(partial, content, 'utf8');
  fs.renameSync(partial, file);
}

/** The site directory and its feed index. */
export class SiteStore {
  private readonly db: Database.Database;

  constructor(
    readonly dir: string,
    dbFile: string,
    readonly siteUrl: string,
    readonly title = 'Overture',
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.db = openDatabase(dbFile, { schema: SCHEMA });
    // The feed exists from the start, so readers and links to it never meet a 404.
    if (!fs.existsSync(path.join(dir, 'feed.xml'))) this.writeFeed();
  }

  /** The page's public URL. */
  pageUrl(contentId: string): string {
    return `${this.siteUrl}/${contentId}.html`;
  }

  private pagePath(contentId: string): string {
    // The id names a file: only a slug may, so no draft can write outside the site directory.
    if (!CONTENT_ID.test(contentId)) throw new PermanentError('the content id must be a lowercase slug');
    return path.join(this.dir, `${contentId}.html`);
  }

  private toItem(row: Row): PublishedItem {
    return {
      contentId: row.content_id,
      revision: row.revision,
      title: row.title,
      authorName: row.author_name,
      publishedAt: row.published_at,
      summary: row.summary,
      url: this.pageUrl(row.content_id),
    };
  }

  /** Every item in the feed. */
  items(): PublishedItem[] {
    return (this.db.prepare('SELECT * FROM feed_items ORDER BY content_id').all() as Row[]).map((r) => this.toItem(r));
  }

  private writeFeed(): void {
    writeAtomically(path.join(this.dir, 'feed.xml'), feedXml({ title: this.title, url: this.siteUrl }, this.items()));
  }

  /**
   * Publishes (or republishes) an item: its page, and its one entry in the feed. Publishing the same revision
   * again rewrites the same page and entry (a retry after a crash repairs, never duplicates); a newer revision
   * replaces them.
   */
  publish(item: Omit<PublishedItem, 'url'>, body: string): { pageUrl: string; feedItems: number } {
    const file = this.pagePath(item.contentId);
    return this.db
      .transaction(() => {
        const earlier = this.db.prepare('SELECT * FROM feed_items WHERE content_id = ?').get(item.contentId) as Row | undefined;
        if (earlier && earlier.revision > item.revision)
          throw new PermanentError(
            `revision ${earlier.revision} of ${item.contentId} is already published: not replacing it with revision ${item.revision}`,
          );
        // A retried publication keeps the time of the first one, so the feed does not move the item.
        const publishedAt = earlier?.revision === item.revision ? earlier.published_at : item.publishedAt;
        const stored = { ...item, publishedAt };
        this.db
          .prepare(
            `INSERT INTO feed_items (content_id, revision, title, author_name, published_at, summary) VALUES (@contentId, @revision, @title, @authorName, @publishedAt, @summary)
             ON CONFLICT (content_id) DO UPDATE SET revision = excluded.revision, title = excluded.title, author_name = excluded.author_name, published_at = excluded.published_at, summary = excluded.summary`,
          )
          .run(stored);
        writeAtomically(file, pageHtml({ ...stored, url: this.pageUrl(item.contentId) }, body));
        this.writeFeed();
        return { pageUrl: this.pageUrl(item.contentId), feedItems: this.items().length };
      })
      .immediate();
  }

  /** Takes an item off the site: its page and its feed entry. Unpublishing what is not there does nothing. */
  unpublish(contentId: string): { removed: boolean } {
    const file = this.pagePath(contentId);
    return this.db
      .transaction(() => {
        const removed = this.db.prepare('DELETE FROM feed_items WHERE content_id = ?').run(contentId).changes > 0;
        const hadPage = fs.existsSync(file);
        fs.rmSync(file, { force: true });
        this.writeFeed();
        return { removed: removed || hadPage };
      })
      .immediate();
  }

  close(): void {
    this.db.close();
  }
}
