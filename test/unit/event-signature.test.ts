/**
 * Event signatures: the one signing function the gateway checks and `overture emit` uses.
 */
import { createHmac } from 'node:crypto';
import { signatureOf, signedHeaders, verifySignature, type SignedRequest } from '../../src/apps/events/signature';

const secret = 'a'.repeat(64);
const body = Buffer.from('{"id":"evt-1","data":{"employeeId":"E1"}}');
const now = 1_790_000_000;

function request(overrides: Partial<SignedRequest> = {}): SignedRequest {
  return { secret, timestamp: String(now), signature: signatureOf(secret, now, body), body, now, toleranceSeconds: 300, ...overrides };
}

describe('signatureOf', () => {
  it('is v1= and the hex HMAC-SHA256 of "<timestamp>.<body>" under the secret', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body.toString()}`).digest('hex');
    expect(signatureOf(secret, now, body)).toBe(`v1=${expected}`);
    expect(signatureOf(secret, String(now), body.toString())).toBe(`v1=${expected}`);
  });

  it('signs the headers a sender sends', () => {
    const headers = signedHeaders('hr', secret, body, now);
    expect(headers).toEqual({
      'X-Overture-Source': 'hr',
      'X-Overture-Timestamp': String(now),
      'X-Overture-Signature': signatureOf(secret, now, body),
    });
  });
});

describe('verifySignature', () => {
  it('accepts a fresh, matching signature', () => {
    expect(verifySignature(request())).toMatchObject({ ok: true, timestamp: now });
  });

  it('accepts timestamps up to the tolerance either way', () => {
    for (const ts of [now - 300, now + 300]) {
      expect(verifySignature(request({ timestamp: String(ts), signature: signatureOf(secret, ts, body) })).ok).toBe(true);
    }
  });

  it('refuses a stale or a future timestamp, even correctly signed', () => {
    const stale = now - 301;
    const future = now + 301;
    const late = verifySignature(request({ timestamp: String(stale), signature: signatureOf(secret, stale, body) }));
    const early = verifySignature(request({ timestamp: String(future), signature: signatureOf(secret, future, body) }));
    expect(late.ok || late.reason).toBe('x-overture-timestamp is 301 s in the past; at most 300 s is accepted');
    expect(early.ok || early.reason).toBe('x-overture-timestamp is 301 s in the future; at most 300 s is accepted');
  });

  it('refuses another secret, another body, another timestamp', () => {
    expect(verifySignature(request({ signature: signatureOf('b'.repeat(64), now, body) }))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
    expect(verifySignature(request({ body: Buffer.from(body.toString().replace('E1', 'E2')) }))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
    expect(verifySignature(request({ timestamp: String(now - 1) })).ok).toBe(false);
  });

  it('refuses missing and malformed headers', () => {
    expect(verifySignature(request({ timestamp: undefined }))).toEqual({ ok: false, reason: 'missing x-overture-timestamp header' });
    expect(verifySignature(request({ signature: undefined }))).toEqual({ ok: false, reason: 'missing x-overture-signature header' });
    expect(verifySignature(request({ timestamp: '2026-10-01T00:00:00Z' })).ok).toBe(false);
    expect(verifySignature(request({ signature: 'v0=' + 'f'.repeat(64) })).ok).toBe(false);
    expect(verifySignature(request({ signature: 'v1=abc' })).ok).toBe(false);
  });
});
