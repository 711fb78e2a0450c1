/**
 * The KPI projection: what the worker's `kpis` sink writes (workflows/kit/kpi-events.ts) and what `overture kpis`
 * and the console read, on SQLite (this host's kpis.db) or PostgreSQL (KPIS_URL). Both run the same SQL: the upserts
 * below, and the aggregation's queries (src/kpis/queries.ts); only how a time becomes a day differs.
 */
import type { KpiRow } from '../../../workflows/kit/kpi-events';

/** A row of a query's answer: column name to value (numbers as numbers on both databases). */
export type KpiQueryRow = Record<string, string | number | null>;

/** The projection, as the sink and the aggregation use it. */
export interface KpiStore {
  /** Which database: the aggregation's SQL differs only in how a time becomes a day. */
  readonly dialect: 'sqlite' | 'postgres';
  /** Upserts the rows, each kept only when its seq is at least the stored one's (a replay never goes back). */
  record(rows: readonly KpiRow[]): Promise<void>;
  /** Runs one of the aggregation's queries; `?` marks the parameters. */
  query(sql: string, params: readonly (string | number)[]): Promise<KpiQueryRow[]>;
  close(): Promise<void>;
}

/** The columns of each table, in the order the upserts bind them, and each table's key. */
const TABLES = {
  run: {
    table: 'kpi_runs',
    key: ['workflow_id', 'run_id'],
    columns: ['process', 'seq', 'started_at', 'ended_at', 'state'],
  },
  step: {
    table: 'kpi_steps',
    key: ['workflow_id', 'run_id', 'step', 'visit'],
    columns: ['process', 'seq', 'mode', 'started_at', 'ended_at', 'outcome', 'attempts', 'errors', 'escalations', 'person_wait_ms'],
  },
  question: {
    table: 'kpi_questions',
    key: ['workflow_id', 'run_id', 'question'],
    columns: ['process', 'seq', 'question_kind', 'step', 'opened_at', 'closed_at', 'action', 'automatic'],
  },
  item: {
    table: 'kpi_items',
    key: ['workflow_id', 'run_id', 'step', 'round', 'item'],
    columns: ['process', 'seq', 'outcome', 'at'],
  },
} as const;

/** The upsert of each kind of row: insert, or replace a row whose seq is not higher (a replay re-sends the same rows). */
export const UPSERTS: Record<KpiRow['kind'], string> = Object.fromEntries(
  Object.entries(TABLES).map(([kind, { table, key, columns }]) => {
    const all = [...key, ...columns];
    const set = columns.map((c) => `${c} = excluded.${c}`).join(', ');
    return [
      kind,
      `INSERT INTO ${table} (${all.join(', ')}) VALUES (${all.map(() => '?').join(', ')}) ` +
        `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${set} WHERE excluded.seq >= ${table}.seq`,
    ];
  }),
) as Record<KpiRow['kind'], string>;

/** The values a row binds to its upsert, in the order of {@link UPSERTS}. */
export function upsertValues(row: KpiRow): (string | number | null)[] {
  const ids = [row.workflowId, row.runId];
  switch (row.kind) {
    case 'run':
      return [...ids, row.process, row.seq, row.startedAt, row.endedAt ?? null, row.state];
    case 'step':
      return [
        ...ids,
        row.step,
        row.visit,
        row.process,
        row.seq,
        row.mode,
        row.startedAt,
        row.endedAt ?? null,
        row.outcome,
        row.attempts,
        row.errors,
        row.escalations,
        row.personWaitMs,
      ];
    case 'question':
      return [
        ...ids,
        row.question,
        row.process,
        row.seq,
        row.questionKind,
        row.step,
        row.openedAt,
        row.closedAt ?? null,
        row.action ?? null,
        row.automatic === undefined ? null : row.automatic ? 1 : 0,
      ];
    case 'item':
      return [...ids, row.step, row.round, row.item, row.process, row.seq, row.outcome, row.at];
  }
}
