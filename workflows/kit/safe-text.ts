/**
 * Text that cannot take over a terminal or forge a log line. Run data (names, teams, reasons, step outputs)
 * reaches `overture status`, `watch`, `list`, `escalations` and the stack's logs; an ESC there could move the
 * cursor or recolour the screen, a CR or LF could forge a line, a bidi override could reorder what is read.
 * `printable` shows each such character as a visible escape instead.
 */

/**
 * C0 controls (NUL..US, including TAB, CR, LF, ESC), DEL, C1 controls, the line and paragraph separators,
 * the bidi embeddings, overrides and isolates, and lone surrogates (a high one not followed by a low one, or a
 * low one not preceded by a high one).
 */
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The visible escape of a character: "\\u" and four hex digits, which a JSON reader also decodes to the same character. */
function escapeOf(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Whether the text holds a character `printable` would escape (a control, separator, bidi control or lone
 * surrogate), other than those in `allowed` (e.g. "\n\t" for multi-line text).
 */
export function hasUnsafeText(text: string, allowed = ''): boolean {
  for (const match of text.matchAll(UNPRINTABLE)) if (!allowed.includes(match[0])) return true;
  return false;
}

/** The text with every character `printable` would escape replaced by `replacement` (e.g. a space in an email subject). */
export function replaceUnsafe(text: string, replacement: string): string {
  return text.replace(UNPRINTABLE, replacement);
}

/**
 * The text with every control, separator, bidi control and lone surrogate replaced by a visible escape
 * ("\u001b", "\u000a", "\u202e"). With `keepNewlines`, LF is kept (for multi-line blocks the caller builds itself,
 * and pretty-printed JSON, where the escapes stay valid JSON).
 */
export function printable(text: unknown, opts: { keepNewlines?: boolean } = {}): string {
  const value = typeof text === 'string' ? text : String(text);
  return value.replace(UNPRINTABLE, (char) => (opts.keepNewlines && char === '\n' ? char : escapeOf(char)));
}
