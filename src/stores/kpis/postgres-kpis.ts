/**
 * The KPI projection on the PostgreSQL every host shares (KPIS_URL): the workers of all hosts write into one
 * projection, and the CLI and the console of any host read the KPIs of every run.
 */
import pg from 'pg';
import type { KpiRow } from '../../../workflows/kit/kpi-events';
import { endPool, openPool } from '../postgres/connection';
import { inPoolTransaction } from '../postgres/transaction';
import { migrate } from '../postgres/migrate';
import { UPSERTS, upsertValues, type KpiQueryRow, type KpiStore } from './store';

/** Connections per process: a sink call takes one for a few milliseconds. */
const POOL_SIZE = 5;

/** `?` placeholders as PostgreSQL's `$n`. */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** pg's own parsers, for every type but the counts'. */
const builtIn = pg.types.getTypeParser.bind(pg.types) as (oid: number, format: 'text') => (value: string) => unknown;
/** bigint (20) and numeric (1700): counts and sums, far below 2^53. */
const COUNT_TYPES = new Set([20, 1700]);
/** Counts and sums as numbers, like SQLite's. */
const NUMBERS = {
  getTypeParser: (oid: number) => (COUNT_TYPES.has(oid) ? (value: string) => Number(value) : builtIn(oid, 'text')),
};

const UPSERTS_PG = Object.fromEntries(Object.entries(UPSERTS).map(([kind, sql]) => [kind, numbered(sql)])) as typeof UPSERTS;

/** The projection on PostgreSQL. */
export class PostgresKpiStore implements KpiStore {
  readonly dialect = 'postgres';

  private constructor(private readonly pool: pg.Pool) {}

  /** Brings the database at `url` to the projection's schema (creating it when missing) and opens a pool on it. */
  static async open(url: string, opts: { log?: (line: string) => void } = {}): Promise<PostgresKpiStore> {
    await migrate(url, 'kpis', { log: opts.log });
    return new PostgresKpiStore(openPool(url, 'overture-kpis', POOL_SIZE));
  }

  async record(rows: readonly KpiRow[]): Promise<void> {
    if (rows.length === 0) return;
    await inPoolTransaction(this.pool, async (client) => {
      for (const row of rows) await client.query(UPSERTS_PG[row.kind], upsertValues(row));
    });
  }

  async query(sql: string, params: readonly (string | number)[]): Promise<KpiQueryRow[]> {
    const result = await this.pool.query<KpiQueryRow>({ text: numbered(sql), values: [...params], types: NUMBERS });
    return result.rows;
  }

  close(): Promise<void> {
    return endPool(this.pool);
  }
}
