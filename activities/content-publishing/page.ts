/**
 * The published page and the RSS 2.0 feed, as text. Everything from the draft is escaped: the body through
 * markdown-it (no raw HTML), the title and author as text. In the feed, readers take a title and a description as
 * HTML once they have decoded the XML, so the feed's text is escaped HTML inside CDATA: decoded, it is still text.
 */
import { escapeHtml, renderBody } from './markdown';

/** What the site shows of a published content item. */
export interface PublishedItem {
  contentId: string;
  revision: number;
  title: string;
  authorName: string;
  /** When it was published, ISO 8601. */
  publishedAt: string;
  /** The page's absolute URL. */
  url: string;
  /** The feed's description: the start of the text. */
  summary: string;
}

/** The page of a content item: a complete HTML document. */
export function pageHtml(item: PublishedItem, body: string): string {
  const title = escapeHtml(item.title);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // Defence in depth: even if markup slipped through, the page may run no script.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src * data:; style-src 'unsafe-inline'">`,
    `<title>${title}</title>`,
    '<link rel="alternate" type="application/rss+xml" title="Feed" href="feed.xml">',
    '</head>',
    '<body>',
    '<article>',
    `<h1>${title}</h1>`,
    `<p class="byline">By ${escapeHtml(item.authorName)}, <time datetime="${escapeHtml(item.publishedAt)}">${escapeHtml(item.publishedAt.slice(0, 10))}</time></p>`,
    renderBody(body),
    '</article>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Text for XML: escaped, without the control characters XML 1.0 does not allow. */
function xmlText(text: string): string {
  return escapeHtml(withoutXmlControls(text));
}

/** The text without the control characters XML 1.0 does not allow. */
function withoutXmlControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- these are exactly the characters to drop
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

/**
 * Text a feed reader shows as HTML: escaped as HTML, in a CDATA section. Escaped once for XML only, a title's
 * `<img src=x onerror=…>` reached readers as `&lt;img…&gt;`, which they decode into a live element; in CDATA the
 * reader gets `&lt;img…&gt;` and shows it as text. A `]]>` (none survives the escaping) would be split all the same.
 */
export function feedHtmlText(text: string): string {
  return `<![CDATA[${escapeHtml(withoutXmlControls(text)).replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** An RSS 2.0 feed of the published items, newest first. */
export function feedXml(site: { title: string; url: string }, items: readonly PublishedItem[]): string {
  const entries = [...items]
    .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt) || a.contentId.localeCompare(b.contentId))
    .map((item) =>
      [
        '  <item>',
        `    <title>${feedHtmlText(item.title)}</title>`,
        `    <link>${xmlText(item.url)}</link>`,
        // One guid per content item: a new revision updates its entry instead of adding one.
        `    <guid isPermaLink="true">${xmlText(item.url)}</guid>`,
        `    <pubDate>${new Date(item.publishedAt).toUTCString()}</pubDate>`,
        `    <description>${feedHtmlText(item.summary)}</description>`,
        '  </item>',
      ].join('\n'),
    );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0">',
    '<channel>',
    `  <title>${feedHtmlText(site.title)}</title>`,
    `  <link>${xmlText(site.url)}/</link>`,
    `  <description>${feedHtmlText(site.title)}</description>`,
    ...entries,
    '</channel>',
    '</rss>',
    '',
  ].join('\n');
}
