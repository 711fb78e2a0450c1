/** Events for runs: delivered to the open run, or starting it with the event as its first signal. */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { OvertureConfig } from '../config';
import type { EventRoute, ProcessDefinition } from '../registry';
import { eventSignal, type ProcessEvent } from '../../workflows/kit';
import { parseInput } from '../../workflows/kit/input';
import { prepareRunStart, startOptionsOf, type RunStart, type StartOptions } from './start';

export async function sendEvent(client: Client, workflowId: string, event: ProcessEvent): Promise<void> {
  await client.workflow.getHandle(workflowId).signal(eventSignal, event);
}

/** An event ready to deliver: validated, its run found from its correlation key, and how to start that run if none is open. */
export interface EventDelivery {
  event: ProcessEvent;
  run: RunStart;
}

/**
 * Validates an event's data with its route's schema, and the start input the route derives from it with the
 * process's schema; throws InputError (naming fields, never values) on either. Nothing is sent.
 */
export function prepareEventDelivery(
  config: OvertureConfig,
  definition: ProcessDefinition<unknown>,
  route: EventRoute,
  event: { id: string; data: unknown },
  opts: StartOptions = {},
): EventDelivery {
  const data = parseInput(route.schema, event.data, `${route.type} event data`);
  const run = prepareRunStart(config, definition, route.startInput(data), opts);
  return { event: { type: route.type, id: event.id, data: data as Record<string, unknown> }, run: { ...run, workflowId: route.workflowId(data) } };
}

export interface DeliveredEvent {
  process: string;
  workflowId: string;
  runId: string;
  /** True when no run was open and the event started one. */
  started: boolean;
}

/** The run id of the open run with this workflow id, if there is one. */
async function openRunId(client: Client, workflowId: string): Promise<string | undefined> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    return description.status.name === 'RUNNING' ? description.runId : undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Signals the event to its open run, or starts the run with the event as its first signal: one atomic
 * signal-with-start, so an event arriving before its run is never lost. Throws WorkflowExecutionAlreadyStartedError
 * when the run already completed: like startProcess, a completed run is never started again.
 */
export async function deliverEvent(client: Client, config: OvertureConfig, delivery: EventDelivery): Promise<DeliveredEvent> {
  const { run } = delivery;
  // Temporal's reply says whether it started a run, but the SDK drops it: the open run before tells instead.
  const before = await openRunId(client, run.workflowId);
  const handle = await client.workflow.signalWithStart(run.workflowType, {
    ...startOptionsOf(run, config),
    signal: eventSignal,
    signalArgs: [delivery.event],
  });
  return { process: run.process, workflowId: run.workflowId, runId: handle.signaledRunId, started: handle.signaledRunId !== before };
}
