/**
 * The RSS feed as a feed reader reads it: parsed by a real feed parser (feedsmith, which hands over each element's
 * text as the XML says it, the HTML a reader renders), a hostile title or draft leaves no element and no attribute in
 * what the reader decodes, and the text still reads as written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseRssFeed } from 'feedsmith';
import { SiteStore } from '../../../activities/content-publishing/site-store';
import { createSiteActivities } from '../../../activities/content-publishing/site';
import { activityEnvFor } from '../../helpers/activity-env';

const HOSTILE_TITLE = 'Hi <img src=x onerror=alert(1)> & <script>alert("title")</script> ]]> <![CDATA[';
const HOSTILE_BODY = [
  'Read <img src=x onerror=alert(2)> then <script>alert(3)</script>.',
  'A CDATA end ]]> and <svg onload=alert(4)> and &lt;b&gt;already escaped&lt;/b&gt;.',
].join('\n\n');

/** Markup a reader would build from the text it decoded: a tag, a comment, a CDATA section or a processing instruction. */
const MARKUP = /<\s*[a-z!/?]/i;

/** What a reader that shows the decoded text as HTML displays (the five references the feed's escaping writes). */
function shownAsHtml(decoded: string): string {
  return decoded
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

let dir: string;
let store: SiteStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feed-'));
  store = new SiteStore(path.join(dir, 'site'), path.join(dir, 'site.db'), 'http://127.0.0.1:4090');
});
afterEach(() => store.close());

/** Publishes a draft as the worker's activity does (its summary from the body), and reads the feed it wrote. */
async function publishAndRead(title: string, body: string) {
  const { publishToSite } = createSiteActivities(store);
  await activityEnvFor('content-publishing-hello-world').runActivity(publishToSite, {
    contentId: 'hello-world',
    revision: 1,
    title,
    body,
    authorName: 'Ada',
    publishedAt: '2026-11-02T09:00:00.000Z',
  });
  return parseRssFeed(fs.readFileSync(path.join(dir, 'site', 'feed.xml'), 'utf8'));
}

it('gives a reader no element or attribute from a hostile title or draft, in the title or the description', async () => {
  const feed = await publishAndRead(HOSTILE_TITLE, HOSTILE_BODY);
  expect(feed.items).toHaveLength(1);
  const [item] = feed.items ?? [];
  for (const decoded of [item?.title, item?.description]) {
    expect(typeof decoded).toBe('string');
    expect(decoded).not.toMatch(MARKUP);
  }
});

it('keeps the text as written: a reader showing it as HTML shows the title and the draft text', async () => {
  const feed = await publishAndRead(HOSTILE_TITLE, HOSTILE_BODY);
  const [item] = feed.items ?? [];
  expect(shownAsHtml(item?.title ?? '')).toBe(HOSTILE_TITLE);
  const description = shownAsHtml(item?.description ?? '');
  expect(description).toContain('Read <img src=x onerror=alert(2)> then <script>alert(3)</script>.');
  expect(description).toContain('A CDATA end ]]> and <svg onload=alert(4)>');
});

it('escapes the site title of the channel the same way', async () => {
  const site = new SiteStore(
    path.join(dir, 'other'),
    path.join(dir, 'other.db'),
    'http://127.0.0.1:4090',
    'News <b onmouseover=alert(5)>now</b>',
  );
  try {
    await site.ready();
    const feed = parseRssFeed(fs.readFileSync(path.join(dir, 'other', 'feed.xml'), 'utf8'));
    for (const decoded of [feed.title, feed.description]) {
      expect(decoded).not.toMatch(MARKUP);
      expect(shownAsHtml(decoded ?? '')).toBe('News <b onmouseover=alert(5)>now</b>');
    }
  } finally {
    site.close();
  }
});
