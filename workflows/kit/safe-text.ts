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

/**
 * Invisible format characters: Unicode category Cf (zero-width space, non-joiner and joiner, word joiner, LRM and
 * RLM, the byte order mark, the soft hyphen, the bidi controls...) and the whole tag block (U+E0000-U+E007F). They
 * print as nothing, so "admin" and "adm\u200bin" look alike but differ: a look-alike name, team or operator.
 */
const FORMAT_CHARACTER = /[\p{Cf}\u{E0000}-\u{E007F}]/u;
const FORMAT_CHARACTERS = /[\p{Cf}\u{E0000}-\u{E007F}]/gu;

/** The common format characters by name; others are "format character" (or "tag character" in the tag block). */
const FORMAT_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0x00ad: 'soft hyphen',
  0x061c: 'Arabic letter mark',
  0x180e: 'Mongolian vowel separator',
  0x200b: 'zero-width space',
  0x200c: 'zero-width non-joiner',
  0x200d: 'zero-width joiner',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x2060: 'word joiner',
  0xfeff: 'zero-width no-break space (byte order mark)',
});

/** A code point as people look it up: "U+200B zero-width space". */
export function describeCodePoint(codePoint: number): string {
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = FORMAT_NAMES[codePoint] ?? (codePoint >= 0xe0000 && codePoint <= 0xe007f ? 'tag character' : 'format character');
  return `${hex} ${name}`;
}

/** The first invisible format character of the text and its position (1-based, in characters as people count them), if any. */
export function formatCharacterIn(text: string): { codePoint: number; position: number } | undefined {
  let position = 0;
  for (const char of text) {
    position += 1;
    if (FORMAT_CHARACTER.test(char)) return { codePoint: char.codePointAt(0)!, position };
  }
  return undefined;
}

/**
 * The text without invisible format characters, for free text that cannot be refused (a chat message built from
 * run data). A zero-width joiner between two emoji is kept: it is how 👩‍💻 and other emoji sequences are written.
 */
export function withoutFormatCharacters(text: string): string {
  return text.replace(FORMAT_CHARACTERS, (char, offset: number) =>
    char === '\u200d' && EMOJI_BEFORE.test(text.slice(0, offset)) && EMOJI_AFTER.test(text.slice(offset + 1)) ? char : '',
  );
}

const EMOJI_BEFORE = /\p{Extended_Pictographic}\ufe0f?$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;
