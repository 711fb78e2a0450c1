/**
 * Personal operator tokens: generated here, shown once, stored only as a hash.
 *
 * The hash is a plain SHA-256, not a slow password hash (scrypt, argon2): a token is 32 random bytes (256 bits),
 * so there is no dictionary to try and no amount of hashing speed makes guessing one feasible; a slow hash would
 * only make every CLI call and bearer request slower. Comparisons of hashes are timing-safe all the same.
 */
import crypto from 'node:crypto';

/** Every token starts with this, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_PREFIX = 'ovt_';
const TOKEN_SHAPE = /^ovt_[A-Za-z0-9_-]{43}$/;

/** A new personal token: `ovt_` and 32 random bytes in base64url. */
export function newToken(): string {
  return TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
}

/** Whether the text has a token's shape (checked before any hashing, so junk is refused cheaply). */
export function looksLikeToken(text: string): boolean {
  return TOKEN_SHAPE.test(text);
}

/** The stored form of a token: its SHA-256, hex. */
export function tokenHash(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether two hex hashes are equal, in time that does not depend on where they differ. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}
