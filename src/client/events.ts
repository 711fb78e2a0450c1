/** Events for runs: delivered to the open run, or starting it with the event as its first signal. */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { OvertureConfig } from '../config/platform';
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
  process: string;
  workflowId: string;
  /** How to start the run when none is open; none for an event that only advances an open run. */
  run?: RunStart;
}

/** An event that only advances an open run found none open (it never started, or it already ended). */
export class NoOpenRunError extends Error {
  override readonly name = 'NoOpenRunError';
}

/**
 * Validates an event's data with its route's schema, and the start input the route derives from it with the
 * process's schema; throws InputError (naming fields, never values) on either. Nothing is sent.
 */
export function prepareEventDelivery(
  config: OvertureConfig,
  definition: ProcessDefinition<unknown, unknown>,
  route: EventRoute,
  event: { id: string; data: unknown },
  opts: StartOptions = {},
): EventDelivery {
  const data = parseInput(route.schema, event.data, `${route.type} event data`);
  const workflowId = route.workflowId(data);
  const run = route.startInput ? { ...prepareRunStart(config, definition, route.startInput(data), opts), workflowId } : undefined;
  return {
    event: { type: route.type, id: event.id, data: data as Record<string, unknown> },
    process: definition.shape.name,
    workflowId,
    ...(run ? { run } : {}),
  };
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
 * when the run already completed: like startProcess, a completed run is never started again. An event whose route
 * starts nothing reaches only an open run (NoOpenRunError otherwise).
 */
export async function deliverEvent(client: Client, config: OvertureConfig, delivery: EventDelivery): Promise<DeliveredEvent> {
  const { run } = delivery;
  if (!run) {
    const open = await openRunId(client, delivery.workflowId);
    if (!open) throw new NoOpenRunError(`no open run ${delivery.workflowId} to take a ${delivery.event.type} event`);
    await client.workflow.getHandle(delivery.workflowId, open).signal(eventSignal, delivery.event);
    return { process: delivery.process, workflowId: delivery.workflowId, runId: open, started: false };
  }
  // Temporal's reply says whether it started a run, but the SDK drops it: the open run before tells instead.
  const before = await openRunId(client, run.workflowId);
  const handle = await client.workflow.signalWithStart(run.workflowType, {
    ...startOptionsOf(run, config),
    signal: eventSignal,
    signalArgs: [delivery.event],
  });
  return { process: run.process, workflowId: run.workflowId, runId: handle.signaledRunId, started: handle.signaledRunId !== before };
}
