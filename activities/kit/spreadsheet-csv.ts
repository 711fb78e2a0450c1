/**
 * CSV for a file a person opens in a spreadsheet (Excel, LibreOffice, Google Sheets), safe against formula
 * injection (OWASP "CSV Injection"): a text cell that starts like a formula (`=`, `+`, `-`, `@`, a tab, a line
 * break, or their full-width forms) would run as one, e.g. `=HYPERLINK(...)` in an account name read from a ledger.
 *
 * Text cells are always quoted (quotes doubled), and one that starts like a formula gets a leading `'`, which
 * spreadsheets show as text. Amounts are not text: they are written bare, and only as a plain decimal
 * (`-1250.00`), which every spreadsheet reads as a number, never as a formula, so sums still work on them.
 */

/** What makes a spreadsheet read a cell as a formula (OWASP's list, with the full-width forms some locales accept). */
const FORMULA_START = /^[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20]/;

/** A plain decimal: an optional minus sign, digits, and optionally a point with digits. */
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** A text cell: quoted, with a leading `'` when the text would start a formula. */
export function textCell(text: string): string {
  const inert = FORMULA_START.test(text) ? `'${text}` : text;
  return `"${inert.replace(/"/g, '""')}"`;
}

/** A number cell: the plain decimal as it is; anything else is refused, so no text reaches the file unquoted. */
export function numberCell(decimal: string): string {
  if (!PLAIN_DECIMAL.test(decimal))
    throw new RangeError(`a number cell must be a plain decimal, got ${JSON.stringify(decimal.slice(0, 40))}`);
  return decimal;
}

/** Rows of cells (each already made by textCell or numberCell) as CSV text with CRLF line ends (RFC 4180). */
export function csvText(rows: ReadonlyArray<readonly string[]>): string {
  return `${rows.map((cells) => cells.join(',')).join('\r\n')}\r\n`;
}
