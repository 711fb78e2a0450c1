/**
 * A process as the registry knows it, written once in `workflows/<name>/definition.ts` and read by the worker, the
 * CLI, the console, the event gateway and the client: its shape, its input, how its runs are named and described,
 * its steps' retry policies, its own options, and the events that start or advance it.
 *
 * Pure types and a helper: no Node builtins (the input schema is zod, which runs anywhere). The workflow code of a
 * process never imports its definition: the definition is read by the clients, which freeze the options into the
 * run's input.
 */
import type { z } from 'zod';
import type { Shape, StepName } from './shape';
import type { ProcessOptions, StepPolicy } from './types';
import type { SystemName } from './vocabulary';

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
  /** The process input that starts the run when none is open; without it, the event only advances an open run. */
  startInput?(data: E): I;
}

/** A command of the CLI that a process adds as a shortcut of `overture start NAME FILE` (e.g. `overture onboard FILE`). */
export interface CliShortcut {
  command: string;
  /** One line for the CLI's usage. */
  summary: string;
}

/** Everything the registry knows of a process; `S` is the type of its settings (activities/<name>/settings.ts). */
export interface ProcessDefinition<I = unknown, S = unknown> {
  /** Name, title, steps, their `needs` and outputs. */
  shape: Shape;
  /** The workflow function's name, as the worker registers it (exported by workflows/<name>/index.ts). */
  workflowType: string;
  /** Only started by another process (a fan-out's item): listed, but not started from the CLI or console. */
  internal?: boolean;
  /** The business input, validated before anything starts; its messages name fields, never values. */
  inputSchema: z.ZodType<I>;
  /** The run's workflow id, derived from the input: never personal data. */
  workflowId(input: I): string;
  /** The run's business key for summaries (an employee id, a period): never personal data. */
  subject(input: I): string;
  /** Each step's retry policy and timeouts; `STEP_POLICIES` in the environment overrides them per step. */
  policies: Readonly<Record<string, StepPolicy>>;
  /** The steps that send through a downstream system: they retry for that system's time budget through an outage. */
  stepSystems?: Readonly<Record<string, SystemName>>;
  /** The process's own run options, beside the kit's (e.g. who reviews, which permissions need an approval). */
  options?(kit: ProcessOptions, settings: S): ProcessOptions;
  /** The workflow's arguments: the input with the options frozen into it. */
  workflowArgs(input: I, options: ProcessOptions): unknown[];
  /** What the Temporal UI shows for the run (no personal data). */
  describe(input: I): { summary: string; details: string };
  /** A ready-to-run input, relative to the repository (examples/<name>.json). */
  example?: string;
  /** The example with fresh business keys (a new employee id...), so that each start from the console starts a new run. */
  freshExample?(example: I): I;
  /** Event types routed to this process (`POST /events/<type>`, `overture emit`): each starts a run or advances the open one. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each route has its own event data type
  events?: ReadonlyArray<EventRoute<any, I>>;
  /** A CLI command that starts this process, beside `overture start NAME`. */
  shortcut?: CliShortcut;
}

/** The policies of a shape's steps, by step: a typo in a step's name is a compile error. */
export type PoliciesOf<Sh> = { readonly [K in StepName<Sh>]?: StepPolicy };

/**
 * Declares a process. Its step policies and systems are keyed by the shape's steps, so the compiler checks them;
 * `S` is the type of the process's settings, given to its `options`.
 */
export function defineProcess<Sh extends Shape, I, S = unknown>(
  definition: Omit<ProcessDefinition<I, S>, 'shape' | 'policies' | 'stepSystems'> & {
    shape: Sh;
    policies: PoliciesOf<Sh>;
    stepSystems?: { readonly [K in StepName<Sh>]?: SystemName };
  },
): ProcessDefinition<I, S> {
  return definition as ProcessDefinition<I, S>;
}
