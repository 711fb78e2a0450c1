/**
 * Bank statements as the bank exports them: CSV with the columns date,description,amount,balance, amounts in
 * major units with 2 decimals and a running balance. Reconciliation compares the last running balance with
 * the ledger.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PermanentError, TransientError } from '../kit/errors';
import { toCents } from './money';

export interface StatementLine {
  date: string;
  description: string;
  amount: number;
  balance: number;
}

const COLUMNS = ['date', 'description', 'amount', 'balance'];

/** Where the statement of an entity's month lies: `<dir>/<entity>-<period>.csv`. */
export function statementPath(dir: string, entity: string, period: string): string {
  return path.join(dir, `${entity}-${period}.csv`);
}

/** Splits CSV text into rows of fields; quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

/**
 * Reads a statement and checks that each running balance follows from the previous one, so a truncated or
 * hand-edited export is caught rather than reconciled. A missing file is permanent: the bank will not send it
 * by itself, someone has to put it there.
 */
export async function readBankStatement(file: string): Promise<StatementLine[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PermanentError(`bank statement ${file} does not exist`);
    throw new TransientError(`bank statement ${file} cannot be read (${code ?? 'unknown error'})`);
  }
  const [header, ...rows] = parseCsv(text);
  if (!header || header.map((h) => h.trim().toLowerCase()).join(',') !== COLUMNS.join(',')) {
    throw new PermanentError(`bank statement ${file} must start with the header ${COLUMNS.join(',')}`);
  }
  if (!rows.length) throw new PermanentError(`bank statement ${file} has no lines`);
  const lines = rows.map((r, i) => {
    if (r.length !== COLUMNS.length)
      throw new PermanentError(`bank statement ${file}, line ${i + 2}: expected ${COLUMNS.length} columns, found ${r.length}`);
    const [date, description, amount, balance] = r as [string, string, string, string];
    try {
      return { date: date.trim(), description: description.trim(), amount: toCents(amount), balance: toCents(balance) };
    } catch (err) {
      throw new PermanentError(`bank statement ${file}, line ${i + 2}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  lines.forEach((l, i) => {
    const previous = lines[i - 1];
    if (previous && previous.balance + l.amount !== l.balance) {
      throw new PermanentError(
        `bank statement ${file}, line ${i + 2}: the running balance does not follow from the previous line and the amount`,
      );
    }
  });
  return lines;
}

/** The statement's closing balance in cents: the running balance after its last line. */
export async function closingBalance(file: string): Promise<number> {
  const lines = await readBankStatement(file);
  return lines[lines.length - 1]!.balance;
}
