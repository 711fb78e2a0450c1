/**
 * Sending an event to the gateway as a source would: an envelope, signed with the source's secret.
 * `overture emit` uses it; so can any Node sender.
 */
import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from './envelope';
import { signedHeaders } from './signature';

/** The envelope a file holds: its own `id` and `data` when it has both at the top level; else all of it is the data, under a new random id. */
export function envelopeFrom(json: unknown): { envelope: EventEnvelope; generatedId: boolean } {
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && 'id' in json && 'data' in json) {
    return { envelope: json as EventEnvelope, generatedId: false };
  }
  return { envelope: { id: randomUUID(), data: json as Record<string, unknown> }, generatedId: true };
}

export interface GatewayReply {
  status: number;
  body: Record<string, unknown>;
}

/** Signs the envelope for the source and posts it to `<gatewayUrl>/events/<type>`; resolves to the gateway's reply, whatever its status. */
export async function postEvent(
  gatewayUrl: string,
  type: string,
  source: string,
  secret: string,
  envelope: EventEnvelope,
): Promise<GatewayReply> {
  const body = JSON.stringify(envelope);
  const response = await fetch(`${gatewayUrl.replace(/\/+$/, '')}/events/${encodeURIComponent(type)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...signedHeaders(source, secret, body) },
    body,
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { error: text.trim() || response.statusText };
  }
  const reply =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : { error: String(parsed) };
  return { status: response.status, body: reply };
}
