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
}
