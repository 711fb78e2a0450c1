/**
 * The key that signs approval links: 32 random bytes in a file only its owner can read. The worker signs with it
 * and the console verifies with it, so both must read the same file (`<data dir>/link-key` or
 * APPROVAL_LINK_KEY_FILE).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const LINK_KEY_BYTES = 32;

function readKey(file: string): Buffer {
  const key = fs.readFileSync(file);
  if (key.length < LINK_KEY_BYTES)
    throw new Error(`the approval link key ${file} is too short (${key.length} bytes, at least ${LINK_KEY_BYTES} are needed)`);
  return key;
}

/**
 * Reads the link key, creating it first when missing. Creation is safe when several workers and a console start at
 * once: each writes a complete key to a temporary file of its own and hard-links it into place, which fails for
 * every process but the first; the others then read the winner's key. Nobody ever reads a half-written key.
 */
export function loadLinkKey(file: string): Buffer {
  try {
    return readKey(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  fs.writeFileSync(temporary, randomBytes(LINK_KEY_BYTES), { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(temporary, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Another process created it first: its key is the one.
  } finally {
    fs.unlinkSync(temporary);
  }
  return readKey(file);
}
