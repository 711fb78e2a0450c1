/**
 * CSV records, one a line (RFC 4180 quoting; a quoted field may not span lines). Enough for the files the
 * pipeline reads and the staging files it writes, without a dependency.
 */

/** The fields of one CSV line; undefined when its quotes do not balance. */
export function parseCsvLine(line: string): string[] | undefined {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (line[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

/** One CSV line from values, quoting those that need it. */
export function csvLine(values: ReadonlyArray<string | number>): string {
  return values
    .map((v) => {
      const text = String(v);
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',');
}
