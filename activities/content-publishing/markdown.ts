/**
 * Reading and rendering a draft's Markdown with markdown-it. The body is untrusted: raw HTML is never
 * passed through (markdown-it escapes it with `html: false`), and links with scripting schemes
 * (javascript:, vbscript:, file:, most data:) are not made into links at all (markdown-it's validateLink).
 */
import MarkdownIt from 'markdown-it';

type Token = MarkdownIt.Token;

// One parser for the whole process: markdown-it holds no per-document state.
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

/** A link or an image of a draft, as written (relative URLs stay relative). */
export interface DraftReference {
  kind: 'link' | 'image';
  url: string;
  /** An image's alt text as written; empty when it has none. */
  alt?: string;
}

function* inlineTokens(body: string): Generator<Token> {
  for (const block of md.parse(body, {})) for (const token of block.children ?? []) yield token;
}

/** Every link and image of a Markdown body, in order. */
export function referencesIn(body: string): DraftReference[] {
  const found: DraftReference[] = [];
  for (const token of inlineTokens(body)) {
    if (token.type === 'link_open') found.push({ kind: 'link', url: String(token.attrGet('href') ?? '') });
    if (token.type === 'image') found.push({ kind: 'image', url: String(token.attrGet('src') ?? ''), alt: token.content });
  }
  return found;
}

/** The text a reader reads: inline text and code, without markup. */
export function plainText(body: string): string {
  const parts: string[] = [];
  for (const token of inlineTokens(body)) if (token.type === 'text' || token.type === 'code_inline') parts.push(token.content);
  for (const block of md.parse(body, {})) if (block.type === 'fence' || block.type === 'code_block') parts.push(block.content);
  return parts.join(' ');
}

/** The body as safe HTML: every raw HTML tag in it is escaped, never passed through. */
export function renderBody(body: string): string {
  return md.render(body);
}

/** Escapes text for HTML and XML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
