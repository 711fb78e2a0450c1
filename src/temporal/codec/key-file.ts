/**
 * The key file on the embedded stack, and the `overture keys` commands: create it on first `npm start`, rotate,
 * list. Key material is never printed.
 */
import fs from 'node:fs';
import type { OvertureConfig } from '../../config/platform';
import { ConfigError } from '../../config/platform';
import { generateKeyRing, KeyRingError, parseKeyRing, readKeyFile, rotateKeyRing, writeKeyFile, type KeyRing } from './key-ring';

/**
 * `npm start`: creates the key file (mode 0600) when encryption is on, no keys come from the environment and the
 * file is missing; says what it did. Returns the file, or undefined when keys are not file-based.
 */
export function ensureKeyFile(config: OvertureConfig, log: (line: string) => void): string | undefined {
  if (config.OVERTURE_PAYLOAD_ENCRYPTION === 'off') {
    log('WARNING: payload encryption is off (OVERTURE_PAYLOAD_ENCRYPTION=off): run data is stored in clear in Temporal');
    return undefined;
  }
  if (config.OVERTURE_CODEC_KEYS?.trim()) {
    log('payload encryption: keys from OVERTURE_CODEC_KEYS');
    return undefined;
  }
  const file = config.codecKeyFile;
  if (fs.existsSync(file)) {
    log(`payload encryption: keys in ${file}`);
    return file;
  }
  log(`payload encryption: no key file yet, creating ${file} (mode 0600; keep it, and back it up: without it, run data cannot be read)`);
  const ring = generateKeyRing();
  writeKeyFile(file, ring);
  log(`payload encryption: created key ${ring.current}`);
  return file;
}

/** The key file of `overture keys`; refuses when the keys come from the environment (rotate them there). */
function keyFileOf(config: OvertureConfig): string {
  if (config.OVERTURE_CODEC_KEYS?.trim()) throw new ConfigError('the keys come from OVERTURE_CODEC_KEYS: add and rotate them there');
  return config.codecKeyFile;
}

function asConfigError<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw e instanceof KeyRingError ? new ConfigError(e.message) : e;
  }
}

const readRing = (file: string): KeyRing => asConfigError(() => readKeyFile(file));

/**
 * `overture keys rotate`: adds a fresh key and makes it current (creating the file if there is none). Running
 * workers and consoles pick the new key up when they first meet it; restart them to encrypt with it.
 */
export function rotateKeys(config: OvertureConfig): { file: string; current: string; previous?: string } {
  const file = keyFileOf(config);
  if (!fs.existsSync(file)) {
    const ring = generateKeyRing();
    writeKeyFile(file, ring);
    return { file, current: ring.current };
  }
  const before = readRing(file);
  const after = rotateKeyRing(before);
  writeKeyFile(file, after);
  return { file, current: after.current, previous: before.current };
}

/** `overture keys list`: the key ids, and which one is current; never the keys. */
export function listKeys(config: OvertureConfig): { source: string; current: string; ids: string[] } {
  const fromEnv = config.OVERTURE_CODEC_KEYS?.trim();
  if (fromEnv) {
    const ring = asConfigError(() => parseKeyRing(fromEnv, 'OVERTURE_CODEC_KEYS'));
    return { source: 'OVERTURE_CODEC_KEYS', current: ring.current, ids: [...ring.keys.keys()] };
  }
  const file = config.codecKeyFile;
  if (!fs.existsSync(file)) throw new ConfigError(`no key file at ${file}: \`npm start\` or \`overture keys rotate\` creates one`);
  const ring = readRing(file);
  return { source: file, current: ring.current, ids: [...ring.keys.keys()] };
}
