/**
 * The KPIs of processes, as `overture kpis --json` prints them and the console's /api/kpis serves them (the
 * contract of issue 20). Durations are milliseconds; a percentile is absent when nothing was measured; days are UTC.
 */

/** Runs counted by what happened in the window: started by their start, the others by their end. */
export interface RunCounts {
  started: number;
  completed: number;
  /** Failed, or abandoned with an undo that failed (compensation_failed). */
  failed: number;
  /** Aborted by a person or the ladder, or ended by a refused approval. */
  aborted: number;
}

/** One process in the overview of every process. */
export interface ProcessSummary extends RunCounts {
  process: string;
  /** Of the runs that completed in the window, from start to end. */
  durationP50Ms?: number;
  durationP95Ms?: number;
}

/** GET /api/kpis, `overture kpis --json` without a process. */
export interface KpiOverview {
  since: string;
  until: string;
  processes: ProcessSummary[];
}

/** One step's KPIs, over the visits of the step that started in the window (not-taken branches are left out). */
export interface StepKpis {
  step: string;
  /** Visits of the step (a run that does the step twice counts twice). */
  runs: number;
  /** From the step's start to its end, over the visits that ended. */
  medianMs?: number;
  p95Ms?: number;
  /** How long the step waited for people's answers (escalations, approvals, manual tasks), and its share of the step's time. */
  personWaitMs: { median?: number; p95?: number; share: number };
  /** Visits in which the step was handed to a person after it failed. */
  escalationRate: number;
  /** Visits in which the step failed (its retries exhausted) at least once. */
  errorRate: number;
  /** Visits done by a person (a manual task), and those the kit ran as an activity. */
  manual: ModeKpis;
  automated: ModeKpis;
}

export interface ModeKpis {
  runs: number;
  medianMs?: number;
  errorRate: number;
}

/** GET /api/kpis/:process, `overture kpis PROCESS --json`. */
export interface ProcessKpis {
  process: string;
  since: string;
  until: string;
  runs: RunCounts & { perDay: Array<RunCounts & { day: string }> };
  /** Of the runs that completed in the window, by the day they completed. */
  duration: { p50Ms?: number; p95Ms?: number; perDay: Array<{ day: string; p50Ms?: number; p95Ms?: number }> };
  steps: StepKpis[];
  /** From an approval's request to its decision (a decision by the ladder at its deadline counts too; cancelled ones do not). */
  approvalLatency: { count: number; p50Ms?: number; p95Ms?: number };
  /** Fan-out items run in the window (each round of a retried step counts its items again). */
  fanOut: { items: number; failed: number; failureRate: number };
}
