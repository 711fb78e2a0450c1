/** What a run was started with, read back from its history as Temporal keeps it (decrypted with the stack's key). */
import { defaultPayloadConverter, type DataConverter } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

/** The first argument of the run's start, decoded; `null` when the run has no input. */
export async function startArgumentOf(client: Client, dataConverter: DataConverter, workflowId: string): Promise<unknown> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  if (payloads.length === 0) return null;
  let decoded = payloads as temporal.api.common.v1.IPayload[];
  // Codecs decode in the reverse order of encoding.
  for (const codec of [...(dataConverter.payloadCodecs ?? [])].reverse()) decoded = await codec.decode(decoded);
  return defaultPayloadConverter.fromPayload(decoded[0]!);
}
