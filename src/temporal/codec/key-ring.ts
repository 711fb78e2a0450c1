/**
 * The payload encryption keys: several AES-256 keys by id, one of them current. New payloads are encrypted with
 * the current key; any key of the ring decrypts. Rotation adds a key and makes it current, keeping the old ones
 * so histories written before stay readable.
 *
 * On disk (OVERTURE_CODEC_KEY_FILE, by default `<data dir>/codec-keys.json`, mode 0600):
 * `{ "current": "<id>", "keys": { "<id>": "<32 bytes, base64>" } }`. The same JSON may come from OVERTURE_CODEC_KEYS.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A key file or OVERTURE_CODEC_KEYS that cannot be used; the message says what to fix. */
export class KeyRingError extends Error {
  override readonly name = 'KeyRingError';
}

const keyRingSchema = z
  .object({
    current: z.string().regex(KEY_ID, 'the current key id must be 1-64 letters, digits, ".", "_" or "-"'),
    keys: z.record(
      z.string().regex(KEY_ID, 'key ids must be 1-64 letters, digits, ".", "_" or "-"'),
      z
        .string()
        .refine(
          (b64) => /^[A-Za-z0-9+/]+={0,2}$/.test(b64) && Buffer.from(b64, 'base64').length === KEY_BYTES,
          `each key must be ${KEY_BYTES} bytes in base64`,
        ),
    ),
  })
  .strict()
  .refine((ring) => ring.current in ring.keys, { message: 'the current key id must name one of the keys' });

/** The keys as stored: ids and base64 key material. */
export type KeyRingFile = z.infer<typeof keyRingSchema>;

/** The keys in memory: which one encrypts, and all that decrypt. */
export interface KeyRing {
  current: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** Validates key ring JSON (from a file or the environment); `source` names it in the error. */
export function parseKeyRing(text: string, source: string): KeyRing {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Never echo the text: it is key material.
    throw new KeyRingError(`${source} is not JSON: expected { "current": "<id>", "keys": { "<id>": "<base64 of ${KEY_BYTES} bytes>" } }`);
  }
  const parsed = keyRingSchema.safeParse(value);
  if (!parsed.success) {
    throw new KeyRingError(
      `${source} is not a valid key ring: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  return {
    current: parsed.data.current,
    keys: new Map(Object.entries(parsed.data.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')])),
  };
}

/** The stored form of a key ring. */
export function keyRingToFile(ring: KeyRing): KeyRingFile {
  return { current: ring.current, keys: Object.fromEntries([...ring.keys].map(([id, key]) => [id, key.toString('base64')])) };
}

/** A fresh key id: the date (so `keys list` reads in order) and a random suffix (so two rotations on one day differ). */
export function newKeyId(now = new Date()): string {
  return `k${now.toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;
}

/** A ring of one fresh random key. */
export function generateKeyRing(): KeyRing {
  const id = newKeyId();
  return { current: id, keys: new Map([[id, randomBytes(KEY_BYTES)]]) };
}

/** The ring with one more fresh key, made current; the old keys stay for reading. */
export function rotateKeyRing(ring: KeyRing): KeyRing {
  let id = newKeyId();
  while (ring.keys.has(id)) id = newKeyId();
  return { current: id, keys: new Map([...ring.keys, [id, randomBytes(KEY_BYTES)]]) };
}

/** Reads a key file; refuses one that others can read (anything beyond 0600 on POSIX). */
export function readKeyFile(file: string): KeyRing {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    throw new KeyRingError(`cannot read the key file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new KeyRingError(`the key file ${file} is open to other users (mode ${(stat.mode & 0o777).toString(8)}): run chmod 600 ${file}`);
  }
  return parseKeyRing(fs.readFileSync(file, 'utf8'), `the key file ${file}`);
}

/** Writes a key file with mode 0600, atomically (a reader never sees half a file; a crash leaves the old one). */
export function writeKeyFile(file: string, ring: KeyRing): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(keyRingToFile(ring), null, 2) + '\n', { mode: 0o600 });
  fs.chmodSync(temp, 0o600); // the umask may have narrowed it further, never widened; make it exact
  fs.renameSync(temp, file);
}
