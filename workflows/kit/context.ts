/**
 * What the kit's parts share about one run: its shape, options, tracker, desk and saga, and the two
 * things only the run as a whole can do — notify people and abandon the run.
 */
import type { DecisionDesk } from './decision-desk';
import type { EventInbox } from './events';
import type { RunTracker } from './run-tracker';
import type { Saga } from './saga';
import type { ScheduledWaits } from './scheduled-wait';
import type { SystemResumes } from './system-pause';
import type { DecisionRecord, FaultMode, Outcome, ProcessOptions, ProcessShape } from './types';

/** Why a run is being abandoned: a person's abort, an automatic abort, or a refused approval. */
export interface Abandonment {
  kind: 'abort' | 'reject';
  record: DecisionRecord;
}

/**
 * The answers a notice's recipient may give from the email itself: the worker signs one link per choice for the
 * recipient (it holds the key), so the workflow history carries the question, never a token.
 */
export interface NoticeActions {
  question: string;
  choices: string[];
  /** When the ladder decides alone (ISO): no link outlives it. */
  deadline?: string;
}

/** Activities every worker registers beside a process's own: notices to people, by email and webhook. */
export interface NoticeActivities {
  /** `consolePath` is the run's page in the console; the worker prefixes its own console URL. */
  sendNotice(input: {
    key: string;
    to: string;
    subject: string;
    text: string;
    consolePath?: string;
    actions?: NoticeActions;
  }): Promise<unknown>;
  postNotice(input: { key: string; text: string; consolePath?: string }): Promise<unknown>;
}

export interface RunContext {
  shape: ProcessShape;
  options: ProcessOptions;
  workflowId: string;
  /** The run's business key (an employee id, a period): shown in summaries, never personal data. */
  subject: string;
  tracker: RunTracker;
  desk: DecisionDesk;
  saga: Saga;
  /**
   * Runs started since the fast path (local activities for `runAs: 'local'` steps, fewer search-attribute
   * upserts); runs from before it replay as they ran.
   */
  fastPath: boolean;
  /** The kit version the run started with (kit-version.ts): 1 for runs from before versions. */
  kitVersion: number;
  /** Resumes of paused systems signalled to the run (system-pause.ts); absent in contexts that cannot wait for them. */
  systemResumes?: SystemResumes;
  /** The outputs of the steps done so far, by step, the declared ones read as their types: what later steps read. */
  outputs: Map<string, Outcome>;
  /** Events signalled to the run, kept until a step takes them. */
  events: EventInbox;
  /** The run's scheduled waits, which people may move. */
  schedule: ScheduledWaits;
  /** Faults injected into steps, by step name; updates may change them while the run goes on. */
  faults: Partial<Record<string, FaultMode>>;
  /**
   * Sends a notice by email and webhook; a notice that cannot be delivered is logged, never fatal. With `actions`,
   * the email (not the team's webhook) carries links that answer the question as its recipient.
   */
  notify(key: string, to: string, subject: string, text: string, actions?: NoticeActions): Promise<void>;
  /** Ends the run's work: cancels what is in flight and unwinds to compensation. */
  abandon(kind: Abandonment['kind'], record: DecisionRecord): never;
  /** The process's last word when abandoned, after the undos. */
  onAbandoned?: (reason: string) => Promise<void>;
}
