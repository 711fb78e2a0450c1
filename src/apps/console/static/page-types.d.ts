/**
 * The JSON of the KPI, schedules, systems, operators, questionnaire and simulation routes, as the browser reads it
 * (docs: docs/console.md; servers: src/apps/console/kpi-route.ts, routes/*.ts, simulate-route.ts).
 * Types only, imported in JSDoc: `@typedef {import('../page-types').ProcessKpis} ProcessKpis`.
 */
import type { StepStatus } from './api-types';

// The KPI routes answer with the server's own types (types only: nothing of the server reaches the browser).
export type { KpiOverview, ModeKpis, ProcessKpis, ProcessSummary, StepKpis } from '../../../kpis/types';

/** GET /api/schedules (one of `schedules`) */
export interface ScheduleRow {
  id: string;
  process: string;
  spec: string;
  paused: boolean;
  note?: string;
  nextRunAt?: string;
  lastRunAt?: string;
}

/** GET /api/systems (one of `systems`) */
export interface SystemRow {
  name: string;
  paused: boolean;
  reason?: string;
  health: 'ok' | 'failing' | 'unknown';
  lastError?: string;
  checkedAt?: string;
}

/** GET /api/operators (one of `operators`) */
export interface OperatorRow {
  name: string;
  role: string;
  createdAt?: string;
  revoked?: boolean;
}

/** POST /api/operators: the new operator's token, shown once. */
export interface NewOperator {
  name: string;
  role: string;
  token: string;
}

/** GET /api/choose */
export interface Questionnaire {
  questions: { id: string; text: string; options: { value: string; label: string }[] }[];
}

/** POST /api/choose */
export interface Recommendation {
  approach: 'sequential' | 'dag' | 'event-driven';
  reasons: string[];
  example: { process: string; title: string; path: string };
}

/** One thing that happened in a simulated run, at its simulated time from the start. */
export interface SimulatedEvent {
  atMs: number;
  kind: string;
  step?: string;
  detail: string;
}

/** POST /api/simulate */
export interface SimulationReport {
  process: string;
  outcome: 'completed' | 'failed' | 'aborted' | 'waiting';
  endedAfterMs: number;
  path: SimulatedEvent[];
  steps: StepStatus[];
}
