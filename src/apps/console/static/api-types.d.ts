/**
 * The console API's JSON, as the browser reads it (docs: docs/console.md; server: src/apps/console).
 * Types only: the browser code imports them in JSDoc (`@typedef {import('./api-types').RunRow} RunRow`).
 */

export interface Session {
  operator: string;
  role: 'viewer' | 'approver' | 'operator' | 'admin';
  csrfToken: string;
  temporalUiUrl?: string;
  namespace?: string;
  demo: boolean;
}

export interface StepDefinition {
  name: string;
  title: string;
  needs: string[];
  kind: string;
  optional: boolean;
  outputs?: unknown[];
}

export interface ProcessListing {
  name: string;
  title: string;
  internal: boolean;
  steps: StepDefinition[];
  inputSchema: JsonSchema | null;
  example: unknown;
}

export interface JsonSchema {
  type?: string;
  format?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
}

export interface Vocabulary {
  escalationActions: string[];
  skipAction: string;
  endingChoices: string[];
  approvalChoices: string[];
  taskDone: string;
  faultChoices: string[];
  liveFaultDefault?: string;
  runStates: string[];
  outputTypeHints?: Record<string, string>;
}

export interface Counters {
  total: number;
  running: number;
  needsAttention: number;
  completed: number;
  failed: number;
  aborted?: number;
}

/** What a run waits for (WAITS). */
export interface WaitInfo {
  kind: 'person' | 'child' | 'event' | 'time';
  step?: string;
  question?: string;
  childWorkflowId?: string;
  eventType?: string;
  until?: string;
}

export interface RunRow {
  workflowId: string;
  runId: string;
  process: string;
  state: string;
  step?: string;
  needsAttention: boolean;
  waitingFor?: WaitInfo;
  waitingSince?: string;
  startedAt: string;
  closedAt?: string;
  durationMs?: number;
  childCount?: number;
  execution?: string;
}

export interface RunsPage {
  runs: RunRow[];
  nextCursor?: string;
  counters: Counters;
}

export interface FanOutProgress {
  total: number;
  running: number;
  completed: number;
  failed: number;
  failedItems: { item: string; error: string }[];
}

export interface StepStatus {
  step: string;
  state: string;
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  lastError?: string;
  path?: string;
  fault?: string;
  outcome?: Record<string, string | number | boolean>;
  fanOut?: FanOutProgress;
}

export interface QuestionStatus {
  id: string;
  kind: string;
  step: string;
  prompt: string;
  choices: string[];
  requiredOutput: string[];
  assignee?: string;
  openedAt: string;
  level: number;
  open: boolean;
  decision?: { action: string; by: string; reason: string; at: string };
}

export interface LogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  step?: string;
  message: string;
}

export interface RunStatus {
  workflowId: string;
  process: string;
  subject: string;
  state: string;
  startedAt: string;
  endedAt?: string;
  currentStep?: string;
  steps: StepStatus[];
  questions: QuestionStatus[];
  log: LogLine[];
  logDropped?: number;
  waitingFor?: WaitInfo;
  execution: { status: string; runId: string; historyLength: number };
  temporalUiUrl: string;
}

export interface TimelineEvent {
  at: string;
  kind: string;
  step?: string;
  detail: string;
}

/** One open question of the inbox (any kind: escalation, approval, task, a process's own). */
export interface InboxItem {
  workflowId: string;
  process: string;
  question: string;
  kind: string;
  step: string;
  detail: string;
  choices: string[];
  requiredOutput: string[];
  since: string;
  level: number;
}

export interface BulkRequest {
  step: string;
  action: string;
  reason?: string;
  process?: string;
  output?: Record<string, string>;
  bulkId?: string;
}

export interface BulkPreview {
  runs: { workflowId: string; process: string; step: string; question: string; since: string }[];
  count: number;
}

export interface BulkReport {
  bulkId: string;
  step: string;
  action: string;
  outcomes: { workflowId: string; ok: boolean; applied: boolean; message: string }[];
  applied: number;
  acknowledged: number;
  failed: number;
}

/** A decision's receipt, or the API's refusal. */
export interface Receipt {
  message: string;
  applied?: boolean;
}

export interface ApiError {
  error: string;
  problems?: string[];
}
