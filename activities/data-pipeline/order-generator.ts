/**
 * Example order files for the pipeline: deterministic (the same arguments give the same bytes), with an exact
 * number of bad rows spread evenly through the file, each bad in one of the ways real exports go wrong.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { csvLine } from './csv';

export interface OrderFileSpec {
  /** The orders' date, YYYY-MM-DD; order ids carry it, so the files of different days never share ids. */
  date: string;
  rows: number;
  /** Share of bad rows, 0..1: exactly floor(rows × badRatio) of them. */
  badRatio: number;
  seed?: number;
}

export interface OrderFileCounts {
  rows: number;
  good: number;
  bad: number;
}

const HEADER = ['order_id', 'customer_id', 'order_date', 'amount', 'currency', 'country'];
const CURRENCIES = ['USD', 'EUR', 'GBP'];
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'NL', 'ES'];

/** mulberry32: a small seeded generator, so files are reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Row i is bad when it crosses the next multiple of the ratio: exact count, evenly spread. */
const isBad = (i: number, ratio: number) => Math.floor((i + 1) * ratio) > Math.floor(i * ratio);

/** The lines of an order file: the header, then one line per order (no newlines). */
export function* orderLines(spec: OrderFileSpec): Generator<string> {
  const next = random((spec.seed ?? 42) ^ Number(spec.date.replace(/-/g, '')));
  const idOf = (i: number) => `O${spec.date.replace(/-/g, '')}-${String(i).padStart(7, '0')}`;
  yield HEADER.join(',');
  let badSoFar = 0;
  for (let i = 0; i < spec.rows; i++) {
    const amount = (1 + next() * 999).toFixed(2);
    const row = [
      idOf(i),
      `C${String(Math.floor(next() * 90_000) + 10_000)}`,
      spec.date,
      amount,
      CURRENCIES[Math.floor(next() * 3)]!,
      COUNTRIES[Math.floor(next() * 6)]!,
    ];
    if (isBad(i, spec.badRatio)) {
      // Each bad row is wrong in one way, in turn: the rejects file shows every kind of reason.
      switch (badSoFar++ % 6) {
        case 0:
          row[1] = '';
          break;
        case 1:
          row[2] = `${spec.date.slice(0, 4)}-13-45`;
          break;
        case 2:
          row[3] = `-${amount}`;
          break;
        case 3:
          row[4] = 'DOLLARS';
          break;
        case 4:
          row.pop();
          break;
        default:
          row[0] = idOf(0);
      }
    }
    yield csvLine(row);
  }
}

/** How many rows of a spec are good and bad, without generating it. */
export function orderFileCounts(spec: OrderFileSpec): OrderFileCounts {
  // The same product isBad sums to (its increments telescope to floor(rows × ratio)).
  const bad = Math.floor(spec.rows * spec.badRatio);
  return { rows: spec.rows, good: spec.rows - bad, bad };
}

/** Writes an order file; returns its counts. */
export async function writeOrderFile(file: string, spec: OrderFileSpec): Promise<OrderFileCounts> {
  const out = createWriteStream(file);
  for (const line of orderLines(spec)) {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return orderFileCounts(spec);
}
