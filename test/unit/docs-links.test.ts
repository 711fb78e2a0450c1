/**
 * The documentation holds together: README.md stays a front page, every relative link of README.md and docs/*.md
 * reaches an existing file (and heading, when it names one), and each docs page opens with a contents list.
 */
import fs from 'node:fs';
import path from 'node:path';
import MarkdownIt from 'markdown-it';

type Token = MarkdownIt.Token;

const ROOT = path.resolve(__dirname, '../..');
const DOCS = path.join(ROOT, 'docs');
const README_MAX_LINES = 260;

const md = new MarkdownIt({ html: false, linkify: false });
const docsPages = fs
  .readdirSync(DOCS)
  .filter((name) => name.endsWith('.md'))
  .map((name) => path.join(DOCS, name));
const pages = [path.join(ROOT, 'README.md'), ...docsPages];

function parse(file: string): Token[] {
  return md.parse(fs.readFileSync(file, 'utf8'), {});
}

/** A heading's text as a reader sees it: code spans keep their content, link and emphasis marks go. */
function headingText(inline: Token): string {
  return (inline.children ?? [])
    .filter((t) => t.type === 'text' || t.type === 'code_inline')
    .map((t) => t.content)
    .join('');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped (not `_` or `-`), spaces as hyphens. */
export function githubSlug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

interface Heading {
  level: number;
  slug: string;
}

function headings(file: string): Heading[] {
  const tokens = parse(file);
  const seen = new Map<string, number>();
  const found: Heading[] = [];
  tokens.forEach((token, i) => {
    if (token.type !== 'heading_open') return;
    const base = githubSlug(headingText(tokens[i + 1]!));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.push({ level: Number(token.tag.slice(1)), slug: count ? `${base}-${count}` : base });
  });
  return found;
}

/** Every link and image target of a page, outside code (markdown-it leaves code blocks and spans alone). */
function targets(file: string): string[] {
  const found: string[] = [];
  for (const block of parse(file))
    for (const token of block.children ?? []) {
      if (token.type === 'link_open') found.push(String(token.attrGet('href')));
      if (token.type === 'image') found.push(String(token.attrGet('src')));
    }
  return found;
}

const isExternal = (href: string) => /^[a-z][a-z0-9+.-]*:/i.test(href);
const relative = (file: string) => path.relative(ROOT, file);

describe('README.md', () => {
  it(`is a front page of at most ${README_MAX_LINES} lines`, () => {
    const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });
});

describe('relative links', () => {
  it.each(pages.map((file) => [relative(file), file]))('%s: every relative link reaches a file and heading', (_name, file) => {
    const broken: string[] = [];
    for (const href of targets(file)) {
      if (isExternal(href)) continue;
      const [rawPath, rawAnchor] = href.split('#', 2) as [string, string | undefined];
      const target = rawPath ? path.resolve(path.dirname(file), decodeURIComponent(rawPath)) : file;
      if (!fs.existsSync(target)) {
        broken.push(`${href}: no file ${relative(target)}`);
        continue;
      }
      if (rawAnchor && target.endsWith('.md')) {
        const anchor = decodeURIComponent(rawAnchor);
        if (!headings(target).some((h) => h.slug === anchor)) broken.push(`${href}: no heading #${anchor} in ${relative(target)}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('docs pages', () => {
  it.each(docsPages.map((file) => [relative(file), file]))('%s opens with a contents list of its sections', (_name, file) => {
    const tokens = parse(file);
    const firstSection = tokens.findIndex((t) => t.type === 'heading_open' && t.tag === 'h2');
    const listed = new Set(
      tokens
        .slice(0, firstSection)
        .flatMap((t) => t.children ?? [])
        .filter((t) => t.type === 'link_open')
        .map((t) => String(t.attrGet('href'))),
    );
    const sections = headings(file).filter((h) => h.level === 2);
    expect(sections.length).toBeGreaterThan(0);
    expect(sections.filter((h) => !listed.has(`#${h.slug}`)).map((h) => h.slug)).toEqual([]);
  });
});

describe('githubSlug', () => {
  it('drops punctuation and keeps words, digits, underscores and hyphens', () => {
    expect(githubSlug('A real Temporal cluster on PostgreSQL: npm run cluster')).toBe(
      'a-real-temporal-cluster-on-postgresql-npm-run-cluster',
    );
    expect(githubSlug("The operator's job")).toBe('the-operators-job');
    expect(githubSlug('What changed for CONSOLE_TOKEN')).toBe('what-changed-for-console_token');
    expect(githubSlug('1. Start from the scaffold')).toBe('1-start-from-the-scaffold');
    expect(githubSlug('How it relates to docker-compose.yml')).toBe('how-it-relates-to-docker-composeyml');
  });
});
