/**
 * Approval links: a token that says "this approver decides this on this run's question", signed with the link key.
 * A token is base64url(JSON payload) + "." + base64url(HMAC-SHA256 of the first part). It holds no secret: the
 * signature makes it unforgeable, its expiry bounds how long it works, and its random nonce lets the console
 * accept it once (./used-links).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a link lets its holder do, once, until it expires. */
export interface ApprovalLink {
  workflowId: string;
  /** The question's id in the run, e.g. `assignPermissions/approval#1`. */
  question: string;
  /** One of the question's choices: approve | reject, or the process's own. */
  decision: string;
  /** Who the decision is recorded as: the address the email went to. */
  approver: string;
  /** Epoch milliseconds after which the link is refused. */
  expiresAt: number;
  /** Random, unique per link: the key of its single use. */
  nonce: string;
}

/** Longest token accepted: a link's fields are short, so anything longer is not one of ours. */
export const MAX_TOKEN_CHARS = 2_048;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HOUR_MS = 3_600_000;

type Wire = { w: string; q: string; d: string; a: string; e: number; n: string };

const signatureOf = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest();

/** A fresh nonce: 16 random bytes. */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** When a link made now expires: after the TTL, but never after the question's own deadline (when it has one). */
export function linkExpiry(now: number, ttlHours: number, deadline?: string): number {
  const byTtl = now + ttlHours * HOUR_MS;
  const due = deadline === undefined ? NaN : Date.parse(deadline);
  return Number.isFinite(due) ? Math.min(byTtl, due) : byTtl;
}

/** Signs a link into its token. */
export function signLink(key: Buffer, link: ApprovalLink): string {
  const wire: Wire = { w: link.workflowId, q: link.question, d: link.decision, a: link.approver, e: link.expiresAt, n: link.nonce };
  const payload = Buffer.from(JSON.stringify(wire)).toString('base64url');
  return `${payload}.${signatureOf(key, payload).toString('base64url')}`;
}

export type LinkCheck =
  { ok: true; link: ApprovalLink } | { ok: false; problem: 'invalid' } | { ok: false; problem: 'expired'; link: ApprovalLink };

function parseWire(payload: string): ApprovalLink | undefined {
  let wire: unknown;
  try {
    wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const w = wire as Partial<Wire> | null;
  const strings = [w?.w, w?.q, w?.d, w?.a, w?.n];
  if (!strings.every((s) => typeof s === 'string' && s.length > 0) || typeof w?.e !== 'number' || !Number.isFinite(w.e)) return undefined;
  return { workflowId: w.w!, question: w.q!, decision: w.d!, approver: w.a!, expiresAt: w.e, nonce: w.n! };
}

/**
 * Checks a token: its form and signature first (compared in constant time), then its expiry. Says nothing about
 * whether it was used; that is ./used-links.
 */
export function verifyLink(key: Buffer, token: string, now = Date.now()): LinkCheck {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) return { ok: false, problem: 'invalid' };
  const parts = token.split('.');
  if (parts.length !== 2 || !parts.every((p) => BASE64URL.test(p))) return { ok: false, problem: 'invalid' };
  const [payload, signature] = parts as [string, string];
  // Compared as text, not as decoded bytes: base64url has several spellings of the same last bits.
  const given = Buffer.from(signature);
  const expected = Buffer.from(signatureOf(key, payload).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: 'invalid' };
  const link = parseWire(payload);
  if (!link) return { ok: false, problem: 'invalid' };
  if (now >= link.expiresAt) return { ok: false, problem: 'expired', link };
  return { ok: true, link };
}
