/**
 * What the registry knows of a process: written once, read by the worker, the CLI, the console and the client.
 */
import type { z } from 'zod';
import type { OvertureConfig } from '../config';
import type { ProcessOptions, ProcessShape } from '../../workflows/kit/types';

export interface ProcessDefinition<I = unknown> {
  /** Name, title, steps and their `needs`. */
  shape: ProcessShape;
  /** The workflow function's name, as the worker registers it. */
  workflowType: string;
  /** Only started by another process (a fan-out's item): listed, but not started from the CLI or console. */
  internal?: boolean;
  /** The business input, validated before anything starts. */
  inputSchema: z.ZodType<I>;
  /** The run's workflow id, derived from the input: never personal data. */
  workflowId(input: I): string;
  /** The run's business key for summaries (an employee id, a period). */
  subject(input: I): string;
  /** The run's options, from configuration. */
  options(config: OvertureConfig): ProcessOptions;
  /** The workflow's arguments: the input with the options frozen into it. */
  workflowArgs(input: I, options: ProcessOptions): unknown[];
  /** What the Temporal UI shows for the run (no personal data). */
  describe(input: I): { summary: string; details: string };
  /** A ready-to-run input, under examples/. */
  example: string;
  /** Event types routed to this process (`POST /events/<type>`, `overture emit`): each starts a run or advances the open one. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each route has its own event data type
  events?: ReadonlyArray<EventRoute<any, I>>;
}

/**
 * An event type routed to a process. The gateway validates the event's data, then signals-with-start the run
 * with {@link EventRoute.workflowId}: the event reaches the open run, or starts one with
 * {@link EventRoute.startInput} and is its first event, so an event arriving before or after its run is never lost.
 * The run receives it as the kit's `event` signal: `{ type, id, data }`.
 */
export interface EventRoute<E = unknown, I = unknown> {
  /** The event type, e.g. `draft.submitted`: the path of `POST /events/<type>`. */
  type: string;
  /** One line for `overture processes` and the docs. */
  description: string;
  /** The event's data, validated before anything is started or signalled (400 naming the fields otherwise). */
  schema: z.ZodType<E>;
  /** The run the event belongs to, from its correlation key: never personal data. */
  workflowId(data: E): string;
  /** The process input that starts the run when none is open. */
  startInput(data: E): I;
}
