/**
 * Who sent a request, proven: a configured source, a fresh timestamp, a matching signature never seen before.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { EventSources } from '../../config/platform';
import type { EventReceiptRecords } from '../../stores/event-receipts/sqlite-receipts';
import { SIGNATURE_HEADER, SOURCE_HEADER, TIMESTAMP_HEADER, unixSeconds, verifySignature } from './signature';
import { secretOf } from './sources';

export type Authentication = { ok: true; source: string; signature: string } | { ok: false; source?: string; reason: string };

/** A header given once; a header repeated is as good as missing (which of them would count?). */
function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Authenticates a request from its headers and raw body. The signature is remembered until its timestamp
 * leaves the window, so the same request sent again is refused as a replay.
 */
export async function authenticate(
  request: { headers: IncomingHttpHeaders; body: Buffer },
  sources: EventSources,
  receipts: EventReceiptRecords,
  toleranceSeconds: number,
  now = Date.now(),
): Promise<Authentication> {
  const source = single(request.headers, SOURCE_HEADER);
  if (!source) return { ok: false, reason: `missing ${SOURCE_HEADER} header` };
  const secret = secretOf(sources, source);
  if (!secret) return { ok: false, source, reason: `unknown source ${JSON.stringify(source)}` };
  const verified = verifySignature({
    secret,
    timestamp: single(request.headers, TIMESTAMP_HEADER),
    signature: single(request.headers, SIGNATURE_HEADER),
    body: request.body,
    now: unixSeconds(now),
    toleranceSeconds,
  });
  if (!verified.ok) return { ok: false, source, reason: verified.reason };
  // Keyed by source too: two sources could, in theory, produce the same signature under different secrets.
  const key = `${source}:${verified.signature}`;
  if (!(await receipts.rememberSignature(key, verified.timestamp + toleranceSeconds, now))) {
    return {
      ok: false,
      source,
      reason: 'replayed request: this signature was already received (sign each delivery with a fresh timestamp)',
    };
  }
  return { ok: true, source, signature: key };
}
