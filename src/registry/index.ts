/**
 * The registry: every process Overture runs, described once. The worker registers their workflows, the CLI
 * and the console offer them, the client starts and lists them.
 */
import { contentPublishingProcess } from '../processes/content-publishing';
import { financialCloseProcess, reconcileEntityProcess } from '../processes/financial-close';
import { onboardingProcess } from '../processes/onboarding';
import { dataPipelineProcess, transformPartitionProcess } from '../processes/data-pipeline';
import { pipelineBackfillProcess } from '../processes/pipeline-backfill';
import type { ProcessDefinition } from './types';

export type { ProcessDefinition } from './types';

export const PROCESSES: ReadonlyArray<ProcessDefinition<never>> = [
  onboardingProcess as ProcessDefinition<never>,
  financialCloseProcess as ProcessDefinition<never>,
  reconcileEntityProcess as ProcessDefinition<never>,
  contentPublishingProcess as ProcessDefinition<never>,
  dataPipelineProcess as ProcessDefinition<never>,
  transformPartitionProcess as ProcessDefinition<never>,
  pipelineBackfillProcess as ProcessDefinition<never>,
];

/** A process a user can start (not an internal one). */
export const STARTABLE_PROCESSES = PROCESSES.filter((p) => !p.internal);

/** Thrown for a process name the registry does not know. */
export class UnknownProcessError extends Error {
  override readonly name = 'UnknownProcessError';
}

/** The registered process of that name, or a clear error listing the ones there are. */
export function findProcess(name: string, opts: { startable?: boolean } = {}): ProcessDefinition<unknown> {
  const candidates = opts.startable ? STARTABLE_PROCESSES : PROCESSES;
  const found = candidates.find((p) => p.shape.name === name);
  if (!found) throw new UnknownProcessError(`unknown process "${name}"; processes are ${candidates.map((p) => p.shape.name).join(', ')}`);
  return found;
}
