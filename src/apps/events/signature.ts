/**
 * Signing events, the Slack/Stripe/GitHub way: the sender and the gateway share a secret per source, and the
 * sender signs the timestamp and the exact body bytes. One function signs for `overture emit` and for the
 * gateway's check, so the two cannot drift apart.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SOURCE_HEADER = 'x-overture-source';
export const TIMESTAMP_HEADER = 'x-overture-timestamp';
export const SIGNATURE_HEADER = 'x-overture-signature';

const SCHEME = 'v1';
const SIGNATURE_PATTERN = /^v1=([0-9a-f]{64})$/;
const TIMESTAMP_PATTERN = /^\d{1,12}$/;

/** `v1=` and the hex HMAC-SHA256, under the source's secret, of `${timestamp}.${body}` (body as sent, byte for byte). */
export function signatureOf(secret: string, timestamp: number | string, body: Buffer | string): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`);
  hmac.update(body);
  return `${SCHEME}=${hmac.digest('hex')}`;
}

/** The current time in Unix seconds, as the timestamp header carries it. */
export function unixSeconds(now = Date.now()): number {
  return Math.floor(now / 1000);
}

/** The three headers that sign a body for a source at a time (now by default). */
export function signedHeaders(source: string, secret: string, body: Buffer | string, timestamp = unixSeconds()): Record<string, string> {
  return {
    'X-Overture-Source': source,
    'X-Overture-Timestamp': String(timestamp),
    'X-Overture-Signature': signatureOf(secret, timestamp, body),
  };
}

export type Verification = { ok: true; timestamp: number; signature: string } | { ok: false; reason: string };

export interface SignedRequest {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  /** Unix seconds. */
  now: number;
  toleranceSeconds: number;
}

/**
 * Checks that the timestamp is within the tolerance of now, past or future (a captured request cannot be
 * replayed later, nor a clock far ahead sign requests for later), and that the signature matches, compared in
 * constant time so that timing reveals nothing of the expected value.
 */
export function verifySignature(request: SignedRequest): Verification {
  const { timestamp, signature } = request;
  if (!timestamp) return { ok: false, reason: `missing ${TIMESTAMP_HEADER} header` };
  if (!TIMESTAMP_PATTERN.test(timestamp)) return { ok: false, reason: `${TIMESTAMP_HEADER} must be Unix seconds` };
  const skew = request.now - Number(timestamp);
  if (Math.abs(skew) > request.toleranceSeconds) {
    return {
      ok: false,
      reason: `${TIMESTAMP_HEADER} is ${Math.abs(skew)} s in the ${skew > 0 ? 'past' : 'future'}; at most ${request.toleranceSeconds} s is accepted`,
    };
  }
  if (!signature) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  const given = SIGNATURE_PATTERN.exec(signature);
  if (!given) return { ok: false, reason: `${SIGNATURE_HEADER} must be v1=<64 hex digits>` };
  const expected = signatureOf(request.secret, timestamp, request.body).slice(SCHEME.length + 1);
  if (!timingSafeEqual(Buffer.from(given[1]!, 'hex'), Buffer.from(expected, 'hex')))
    return { ok: false, reason: 'signature does not match' };
  return { ok: true, timestamp: Number(timestamp), signature: given[1]! };
}
