/**
 * The published site: Markdown rendered with every raw HTML escaped (a `<script>` in a draft never reaches
 * the page), the feed with one entry per content item, and the site server's safe path handling; plus the
 * checks that read only the draft.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../../src/stores/sqlite';
import { checkImageAltText, estimateReadingTime, findBannedWords } from '../../../activities/content-publishing/house-style';
import { renderBody } from '../../../activities/content-publishing/markdown';
import { pageHtml } from '../../../activities/content-publishing/page';
import { SiteStore } from '../../../activities/content-publishing/site-store';
import { resolveSitePath, startSiteServer, type SiteServer } from '../../../src/tools/dev-stack/site-server';

const HOSTILE = [
  '# Hello <script>alert("body")</script>',
  '<img src=x onerror="alert(1)">',
  '[click](javascript:alert(2)) and [data](data:text/html;base64,PHNjcmlwdD4=)',
  '<div><iframe src="https://evil.example"></iframe></div>',
  '```html\n<script>inside code</script>\n```',
].join('\n\n');

const item = (overrides: Partial<Parameters<SiteStore['publish']>[0]> = {}) => ({
  contentId: 'hello-world',
  revision: 1,
  title: 'Hello <script>alert("title")</script>',
  authorName: 'Ada <b>Lovelace</b>',
  publishedAt: '2026-11-02T09:00:00.000Z',
  summary: 'A first post & more',
  ...overrides,
});

describe('Markdown to HTML', () => {
  it('escapes every raw HTML tag of the body and makes no link of a script URL', () => {
    const html = renderBody(HOSTILE);
    expect(html).not.toMatch(/<script|<img|<iframe|<div|onerror="|href="javascript:|href="data:/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;body&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).toContain('[click](javascript:alert(2))');
  });

  it('writes a page whose title and byline are escaped too, with a policy that allows no script', () => {
    const page = pageHtml({ ...item(), url: 'http://127.0.0.1:4090/hello-world.html' }, HOSTILE);
    expect(page.match(/<script/gi)).toBeNull();
    expect(page).toContain('<title>Hello &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;</title>');
    expect(page).toContain('By Ada &lt;b&gt;Lovelace&lt;/b&gt;');
    expect(page).toContain(`content="default-src 'none'`);
  });
});

describe('the site store', () => {
  let dir: string;
  let store: SiteStore;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'site-'));
    store = new SiteStore(path.join(dir, 'site'), path.join(dir, 'site.db'), 'http://127.0.0.1:4090');
    await store.ready();
  });
  afterEach(() => store.close());

  const feed = () => fs.readFileSync(path.join(dir, 'site', 'feed.xml'), 'utf8');

  it('starts with an empty feed, so links to it never meet a 404', () => {
    expect(feed()).toContain('<rss version="2.0">');
    expect(feed()).not.toContain('<item>');
  });

  it('publishes a page and one feed entry; publishing the same revision again adds none', async () => {
    const first = await store.publish(item(), HOSTILE);
    const again = await store.publish({ ...item(), publishedAt: '2026-11-02T10:00:00.000Z' }, HOSTILE);
    expect(first).toEqual({ pageUrl: 'http://127.0.0.1:4090/hello-world.html', feedItems: 1 });
    expect(again.feedItems).toBe(1);
    expect(feed().match(/<item>/g)).toHaveLength(1);
    // The retry kept the first publication time.
    expect(feed()).toContain('<pubDate>Mon, 02 Nov 2026 09:00:00 GMT</pubDate>');
    expect(feed()).toContain('<title><![CDATA[Hello &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;]]></title>');
    expect(fs.readFileSync(path.join(dir, 'site', 'hello-world.html'), 'utf8')).not.toMatch(/<script/i);
  });

  it('replaces the entry with a newer revision, refuses an older one, and unpublishes page and entry', async () => {
    await store.publish(item(), 'one');
    await store.publish(item({ contentId: 'second-post', title: 'Second' }), 'two');
    await store.publish(item({ revision: 3, title: 'Hello again' }), 'three');
    expect((await store.items()).map((i) => [i.contentId, i.revision])).toEqual([
      ['hello-world', 3],
      ['second-post', 1],
    ]);
    await expect(store.publish(item({ revision: 2 }), 'stale')).rejects.toThrow('revision 3 of hello-world is already published');
    expect(await store.unpublish('hello-world')).toEqual({ removed: true });
    expect(fs.existsSync(path.join(dir, 'site', 'hello-world.html'))).toBe(false);
    expect(feed()).not.toContain('hello-world');
    expect(feed().match(/<item>/g)).toHaveLength(1);
    expect(await store.unpublish('hello-world')).toEqual({ removed: false });
  });

  it('writes only slugs: a content id cannot name a file outside the site', async () => {
    await expect(store.publish(item({ contentId: '../escape' }), 'x')).rejects.toThrow('the content id must be a lowercase slug');
  });

  it('two hosts publishing into one shared directory at once: the feed lists every item of both', async () => {
    // Two stores on the same directory, each with its own data directory (as two worker hosts mounting SITE_DIR).
    const hostA = new SiteStore(path.join(dir, 'site'), path.join(dir, 'a', 'site.db'), 'http://127.0.0.1:4090');
    const hostB = new SiteStore(path.join(dir, 'site'), path.join(dir, 'b', 'site.db'), 'http://127.0.0.1:4090');
    const ids = Array.from({ length: 12 }, (_, i) => `post-${String(i).padStart(2, '0')}`);
    await Promise.all(ids.map((contentId, i) => (i % 2 ? hostB : hostA).publish(item({ contentId, title: contentId }), contentId)));
    // Both hosts see, and the feed lists, all twelve, whichever host wrote the feed last.
    expect((await hostA.items()).map((i) => i.contentId)).toEqual(ids);
    expect((await hostB.items()).map((i) => i.contentId)).toEqual(ids);
    expect(feed().match(/<item>/g)).toHaveLength(ids.length);
    for (const id of ids) expect(fs.existsSync(path.join(dir, 'site', `${id}.html`))).toBe(true);
    // Nothing half-written is left behind: no temporary file, no lock.
    expect(fs.readdirSync(path.join(dir, 'site')).filter((f) => f.startsWith('.'))).toEqual(['.feed']);
  });

  it("copies an earlier version's per-host SQLite feed index into the shared one, once", async () => {
    const legacy = path.join(dir, 'legacy.db');
    const db = openDatabase(legacy);
    db.exec(
      'CREATE TABLE feed_items (content_id TEXT PRIMARY KEY, revision INTEGER NOT NULL, title TEXT NOT NULL, author_name TEXT NOT NULL, published_at TEXT NOT NULL, summary TEXT NOT NULL)',
    );
    db.prepare("INSERT INTO feed_items VALUES ('old-post', 2, 'Old post', 'Ada', '2026-10-01T09:00:00.000Z', 'From before')").run();
    db.close();
    const upgraded = new SiteStore(path.join(dir, 'upgraded'), legacy, 'http://127.0.0.1:4090');
    await upgraded.ready();
    expect((await upgraded.items()).map((i) => [i.contentId, i.revision])).toEqual([['old-post', 2]]);
    expect(fs.readFileSync(path.join(dir, 'upgraded', 'feed.xml'), 'utf8')).toContain('Old post');
    await upgraded.publish(item(), 'new');
    expect((await new SiteStore(path.join(dir, 'upgraded'), legacy, 'http://127.0.0.1:4090').items()).map((i) => i.contentId)).toEqual([
      'hello-world',
      'old-post',
    ]);
  });
});

describe('the site server', () => {
  let dir: string;
  let server: SiteServer;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'site-server-'));
    fs.mkdirSync(path.join(dir, 'site'));
    fs.writeFileSync(path.join(dir, 'site', 'page.html'), '<p>hi</p>');
    fs.writeFileSync(path.join(dir, 'site', '.hidden.partial'), 'half');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside');
    fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(dir, 'site', 'link.txt'));
    server = await startSiteServer({ dir: path.join(dir, 'site') });
  });
  afterAll(() => server.stop());

  it('serves a page with headers that keep the browser from running anything', async () => {
    const res = await fetch(`${server.url}/page.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await res.text()).toBe('<p>hi</p>');
    expect((await fetch(`${server.url}/page.html`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${server.url}/page.html`, { method: 'POST' })).status).toBe(405);
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/.hidden.partial', '/link.txt', '/missing.html', '/', '/%00'])(
    'serves nothing for %s',
    async (p) => {
      expect((await fetch(`${server.url}${p}`)).status).toBe(404);
    },
  );

  it('resolves only paths inside the root', () => {
    expect(resolveSitePath('/srv/site', '/a/b.html')).toBe('/srv/site/a/b.html');
    expect(resolveSitePath('/srv/site', '/a/..%2f..%2fetc/passwd')).toBeUndefined();
    expect(resolveSitePath('/srv/site', '/a\\..\\b')).toBeUndefined();
  });
});

describe('the checks of the draft alone', () => {
  it('finds images without alt text', () => {
    const report = checkImageAltText('![](a.png) ![  ](b.png) ![A chart](c.png)');
    expect(report).toMatchObject({ passed: false, images: 3, findings: ['image a.png has no alt text', 'image b.png has no alt text'] });
  });

  it('estimates the reading time at 200 words a minute and fails above the maximum', () => {
    const body = Array.from({ length: 450 }, () => 'word').join(' ');
    expect(estimateReadingTime('Title', body, 5)).toMatchObject({ passed: true, words: 451, minutes: 3 });
    expect(estimateReadingTime('Title', body, 2)).toMatchObject({
      passed: false,
      findings: ['reading time 3 min (451 words) is above the maximum of 2 min'],
    });
  });

  it('finds banned words whole and in any case', () => {
    const report = findBannedWords('TODO: title', 'Some todo left, TODOs are fine, and lorem ipsum.', ['TODO', 'lorem ipsum', 'TBD']);
    expect(report.findings).toEqual(['banned word "TODO" appears 2 time(s)', 'banned word "lorem ipsum" appears 1 time(s)']);
  });
});
