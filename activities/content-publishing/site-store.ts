/**
 * The published site: one HTML page per content item and the RSS feed, with the feed's index (one small JSON entry
 * per item, under `.feed/`) kept beside the pages in the same {@link SitePages}. Pages and index live in one place,
 * so every worker host that reaches it (a shared SITE_DIR, or an object store) publishes into the same site, and the
 * feed a host writes always lists what every host published. Each change runs while holding the pages' publishing
 * lock: publishers on every host take turns.
 *
 * Before the index moved beside the pages it was a SQLite file per host (site.db in the data directory): when the
 * shared index is empty and that file exists, its items are copied in once.
 */
import fs from 'node:fs';
import { openReadonlyDatabase } from '../../src/stores/sqlite';
import { PermanentError } from '../kit/errors';
import { CONTENT_ID } from '../../workflows/content-publishing/revisions';
import { feedXml, pageHtml, type PublishedItem } from './page';
import { SharedDirectoryPages, type SitePages } from './site-pages';

const FEED = 'feed.xml';
const INDEX = '.feed/';

/** An item's feed entry as the index keeps it. */
type FeedEntry = Omit<PublishedItem, 'url'>;

/** A row of the per-host SQLite index of earlier versions. */
interface LegacyRow {
  content_id: string;
  revision: number;
  title: string;
  author_name: string;
  published_at: string;
  summary: string;
}

/** The site's pages, feed and feed index. */
export class SiteStore {
  readonly pages: SitePages;
  private prepared?: Promise<void>;

  /**
   * `pages`: where the site goes (a directory path, or any {@link SitePages}); `legacyIndexFile`: the SQLite feed index
   * of earlier versions, imported once when the shared index is empty.
   */
  constructor(
    pages: SitePages | string,
    private readonly legacyIndexFile: string | undefined,
    readonly siteUrl: string,
    readonly title = 'Overture',
  ) {
    this.pages = typeof pages === 'string' ? new SharedDirectoryPages(pages) : pages;
  }

  /** Makes the site ready: the earlier index imported, and the feed there from the start, so links to it never 404. */
  ready(): Promise<void> {
    this.prepared ??= this.pages.exclusive(async () => {
      const imported = await this.importLegacyIndex();
      if (imported || (await this.pages.read(FEED)) === undefined) await this.writeFeed();
    });
    return this.prepared;
  }

  /** The page's public URL. */
  pageUrl(contentId: string): string {
    return `${this.siteUrl}/${contentId}.html`;
  }

  private pageName(contentId: string): string {
    // The id names a file: only a slug may, so no draft can write outside the site.
    if (!CONTENT_ID.test(contentId)) throw new PermanentError('the content id must be a lowercase slug');
    return `${contentId}.html`;
  }

  /** Every item in the feed. */
  async items(): Promise<PublishedItem[]> {
    const entries = [];
    for (const name of await this.pages.list(INDEX)) {
      const text = await this.pages.read(name);
      if (text !== undefined) entries.push(JSON.parse(text) as FeedEntry);
    }
    return entries.sort((a, b) => a.contentId.localeCompare(b.contentId)).map((e) => ({ ...e, url: this.pageUrl(e.contentId) }));
  }

  private async entry(contentId: string): Promise<FeedEntry | undefined> {
    const text = await this.pages.read(`${INDEX}${contentId}.json`);
    return text === undefined ? undefined : (JSON.parse(text) as FeedEntry);
  }

  private async writeFeed(): Promise<PublishedItem[]> {
    const items = await this.items();
    await this.pages.write(FEED, feedXml({ title: this.title, url: this.siteUrl }, items));
    return items;
  }

  /**
   * Publishes (or republishes) an item: its page, and its one entry in the feed. Publishing the same revision
   * again rewrites the same page and entry (a retry after a crash, on any host, repairs, never duplicates); a newer
   * revision replaces them.
   */
  async publish(item: FeedEntry, body: string): Promise<{ pageUrl: string; feedItems: number }> {
    const page = this.pageName(item.contentId);
    await this.ready();
    return this.pages.exclusive(async () => {
      const earlier = await this.entry(item.contentId);
      if (earlier && earlier.revision > item.revision)
        throw new PermanentError(
          `revision ${earlier.revision} of ${item.contentId} is already published: not replacing it with revision ${item.revision}`,
        );
      // A retried publication keeps the time of the first one, so the feed does not move the item.
      const publishedAt = earlier?.revision === item.revision ? earlier.publishedAt : item.publishedAt;
      const stored: FeedEntry = { ...item, publishedAt };
      await this.pages.write(page, pageHtml({ ...stored, url: this.pageUrl(item.contentId) }, body));
      await this.pages.write(`${INDEX}${item.contentId}.json`, JSON.stringify(stored));
      const items = await this.writeFeed();
      return { pageUrl: this.pageUrl(item.contentId), feedItems: items.length };
    });
  }

  /** Takes an item off the site: its page and its feed entry. Unpublishing what is not there does nothing. */
  async unpublish(contentId: string): Promise<{ removed: boolean }> {
    const page = this.pageName(contentId);
    await this.ready();
    return this.pages.exclusive(async () => {
      const hadEntry = await this.pages.remove(`${INDEX}${contentId}.json`);
      const hadPage = await this.pages.remove(page);
      await this.writeFeed();
      return { removed: hadEntry || hadPage };
    });
  }

  /** Copies the earlier per-host SQLite index into the shared one, if that is empty; true when it copied any. */
  private async importLegacyIndex(): Promise<boolean> {
    if (!this.legacyIndexFile || !fs.existsSync(this.legacyIndexFile)) return false;
    if ((await this.pages.list(INDEX)).length > 0) return false;
    const db = openReadonlyDatabase(this.legacyIndexFile);
    let rows: LegacyRow[];
    try {
      const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feed_items'").get();
      rows = table ? (db.prepare('SELECT * FROM feed_items').all() as LegacyRow[]) : [];
    } finally {
      db.close();
    }
    for (const r of rows) {
      const entry: FeedEntry = {
        contentId: r.content_id,
        revision: r.revision,
        title: r.title,
        authorName: r.author_name,
        publishedAt: r.published_at,
        summary: r.summary,
      };
      await this.pages.write(`${INDEX}${r.content_id}.json`, JSON.stringify(entry));
    }
    return rows.length > 0;
  }

  /** Nothing to release: the pages are files (or objects), written whole. */
  close(): void {}
}
