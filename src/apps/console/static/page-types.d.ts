/**
 * The JSON of the KPI, schedules, systems, operators, questionnaire and simulation routes, as the browser reads it
 * (docs: docs/console.md; servers: src/apps/console/kpi-route.ts, routes/*.ts, simulate-route.ts).
 * Types only, imported in JSDoc: `@typedef {import('../page-types').ProcessKpis} ProcessKpis`.
 */
import type { StepStatus } from './api-types';

/** Runs of one UTC day: started that day, and ended that day by outcome. */
export interface RunsPerDay {
  day: string;
  started: number;
  completed: number;
  failed: number;
  aborted: number;
}

export interface DurationPerDay {
  day: string;
  p50Ms?: number;
  p95Ms?: number;
}

/** A step's figures when a person did it (manual) or the code did (automated). */
export interface ModeKpis {
  runs: number;
  medianMs?: number;
  errorRate: number;
}

export interface StepKpis {
  step: string;
  runs: number;
  medianMs?: number;
  p95Ms?: number;
  personWaitMs: { median?: number; p95?: number; share: number };
  escalationRate: number;
  errorRate: number;
  manual: ModeKpis;
  automated: ModeKpis;
}

/** GET /api/kpis/:process */
export interface ProcessKpis {
  process: string;
  since: string;
  until: string;
  runs: { started: number; completed: number; failed: number; aborted: number; perDay: RunsPerDay[] };
  duration: { p50Ms?: number; p95Ms?: number; perDay: DurationPerDay[] };
  steps: StepKpis[];
  approvalLatency: { count: number; p50Ms?: number; p95Ms?: number };
  fanOut: { items: number; failed: number; failureRate: number };
}

export interface ProcessSummary {
  process: string;
  started: number;
  completed: number;
  failed: number;
  aborted: number;
  durationP50Ms?: number;
  durationP95Ms?: number;
}

/** GET /api/kpis */
export interface KpiOverview {
  since: string;
  processes: ProcessSummary[];
}

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
