/**
 * What the event gateway does with a signed event once its body is read: authenticate the sender, pick the
 * route by the event type, validate, claim the event id, and signal-with-start the run. Event bodies hold
 * personal data: they are never logged, only type, source, event id, workflow id and outcome.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { EventSources, OvertureConfig } from '../../config/platform';
import { deliverEvent, NoOpenRunError, prepareEventDelivery, type EventDelivery, type StartOptions } from '../../client';
import { InputError, parseInput } from '../../../workflows/kit/input';
import { authenticate } from './authenticate';
import { eventEnvelopeSchema, type EventEnvelope } from './envelope';
import type { EventReceiptRecords } from '../../stores/event-receipts/sqlite-receipts';
import type { RoutedEvent } from './routes';
import { mayEmit } from './sources';

/** How long a delivery may take before the sender is told to retry: Temporal unreachable must not hold requests open. */
const DELIVERY_DEADLINE_MS = 10_000;

export interface GatewayContext {
  client: Client;
  config: OvertureConfig;
  sources: EventSources;
  routes: Map<string, RoutedEvent>;
  receipts: EventReceiptRecords;
  log: (line: string) => void;
  /** Options for runs an event starts (tests shorten retry intervals here). */
  startOptions?: StartOptions;
}

/** The gateway's answer: an HTTP status and a JSON body. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** A field the sender got wrong: where, and what is wrong (never the value). */
export interface Problem {
  path: string;
  message: string;
}

/** InputError's "path: message" lines as objects; paths are given under `prefix` (e.g. `data`). */
function problemsOf(err: InputError, prefix?: string): Problem[] {
  return err.problems.map((line) => {
    const at = line.indexOf(': ');
    const field = at < 0 ? '' : line.slice(0, at);
    const message = at < 0 ? line : line.slice(at + 2);
    const inside = field === '(input)' ? '' : field;
    return { path: prefix ? [prefix, inside].filter(Boolean).join('.') : inside || '(input)', message };
  });
}

/** The envelope of a body: JSON with `id` and `data` (see {@link EventEnvelope}); throws InputError otherwise. */
function envelopeOf(body: Buffer): EventEnvelope {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    throw new InputError(['(input): the body must be JSON'], 'event');
  }
  return parseInput(eventEnvelopeSchema, raw, 'event');
}

/** Acts on one event request whose raw body was read (size and content type already checked). */
export async function receiveEvent(
  ctx: GatewayContext,
  type: string,
  request: { headers: IncomingHttpHeaders; body: Buffer },
): Promise<Answer> {
  const auth = await authenticate(request, ctx.sources, ctx.receipts, ctx.config.EVENTS_TOLERANCE_SECONDS);
  if (!auth.ok) {
    ctx.log(`${type} from ${auth.source ?? '(no source)'}: refused 401 (${auth.reason})`);
    return { status: 401, body: { error: `not authenticated: ${auth.reason}` } };
  }
  const { source } = auth;
  const refuse = (status: number, error: string, extra: Record<string, unknown> = {}, eventId = '-'): Answer => {
    ctx.log(`${type} ${eventId} from ${source}: refused ${status} (${error})`);
    return { status, body: { error, ...extra } };
  };
  const routed = ctx.routes.get(type);
  if (!routed) return refuse(404, `unknown event type ${type}`, { knownTypes: [...ctx.routes.keys()].sort() });
  if (!mayEmit(ctx.sources, source, type)) return refuse(403, `source ${source} may not send ${type} events`);

  let envelope: EventEnvelope;
  try {
    envelope = envelopeOf(request.body);
    parseInput(routed.route.schema, envelope.data, `${type} event data`);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const inData = err.message.startsWith(`invalid ${type} event data`);
    return refuse(400, inData ? `invalid ${type} event data` : 'invalid event: expected {"id": "...", "data": {...}}', {
      problems: problemsOf(err, inData ? 'data' : undefined),
    });
  }
  const eventId = envelope.id;
  let delivery: EventDelivery;
  try {
    delivery = prepareEventDelivery(ctx.config, routed.definition, routed.route, envelope, ctx.startOptions);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return refuse(
      400,
      `the event's data does not make a valid ${routed.definition.shape.name} input`,
      { problems: problemsOf(err) },
      eventId,
    );
  }
  return deliverOnce(ctx, source, auth.signature, delivery);
}

/** Claims the event id, delivers, and records the receipt; a failed delivery gives the claim back for the sender's retry. */
async function deliverOnce(ctx: GatewayContext, source: string, signature: string, delivery: EventDelivery): Promise<Answer> {
  const { type, id: eventId } = delivery.event;
  const { workflowId } = delivery;
  const what = `${type} ${eventId} from ${source}`;
  const claim = await ctx.receipts.claim(source, eventId, type, workflowId);
  if (claim.kind === 'duplicate') {
    const { receipt } = claim;
    ctx.log(`${what}: duplicate, already delivered to ${receipt.workflowId}`);
    return {
      status: 200,
      body: {
        duplicate: true,
        type: receipt.type,
        eventId,
        workflowId: receipt.workflowId,
        runId: receipt.runId,
        started: receipt.started,
        deliveredAt: receipt.deliveredAt,
      },
    };
  }
  if (claim.kind === 'in-progress') {
    ctx.log(`${what}: refused 409 (the same event is being delivered)`);
    return {
      status: 409,
      body: { error: 'the same event is being delivered by another request; retry shortly' },
      headers: { 'Retry-After': '1' },
    };
  }
  try {
    const delivered = await ctx.client.withDeadline(Date.now() + DELIVERY_DEADLINE_MS, () =>
      deliverEvent(ctx.client, ctx.config, delivery),
    );
    await ctx.receipts.delivered(source, eventId, delivered);
    ctx.log(`${what}: accepted, ${delivered.started ? 'started' : 'delivered to'} ${delivered.workflowId} (run ${delivered.runId})`);
    return { status: 202, body: { accepted: true, type, eventId, ...delivered } };
  } catch (err) {
    await ctx.receipts.release(source, eventId);
    if (err instanceof NoOpenRunError) {
      ctx.log(`${what}: refused 409 (no open run ${workflowId})`);
      return { status: 409, body: { error: `no open run ${workflowId} takes this event: it advances a run, and starts none`, workflowId } };
    }
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      ctx.log(`${what}: refused 409 (${workflowId} already completed)`);
      return { status: 409, body: { error: `the run ${workflowId} already completed: the event was not delivered`, workflowId } };
    }
    // Nothing was acted on: the very same request may come again.
    await ctx.receipts.forgetSignature(signature);
    ctx.log(`${what}: failed 503 (${err instanceof Error ? err.message : String(err)})`);
    return { status: 503, body: { error: 'could not reach Temporal to deliver the event; retry later' }, headers: { 'Retry-After': '5' } };
  }
}
