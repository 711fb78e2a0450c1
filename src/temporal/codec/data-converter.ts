/**
 * The data converter every client and worker uses: the encryption codec over the configured key ring, and the
 * failure converter that puts error messages into (encrypted) payloads.
 *
 * Where the keys come from, in order: OVERTURE_CODEC_KEYS (JSON in the environment), OVERTURE_CODEC_KEY_FILE, the
 * data directory's `codec-keys.json` (which `npm start` creates). With none of them a process refuses to start:
 * encryption is required configuration, turned off only by OVERTURE_PAYLOAD_ENCRYPTION=off (with a warning).
 */
import fs from 'node:fs';
import type { DataConverter } from '@temporalio/common';
import { ConfigError, type OvertureConfig } from '../../config/platform';
import { EncryptionCodec, type KeySource } from './encryption-codec';
import { KeyRingError, parseKeyRing, readKeyFile, type KeyRing } from './key-ring';

/** The module with the `failureConverter` export, for clients, workers and the workflow bundle. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** Where this configuration's keys come from, in words (never the keys). */
export function keySourceName(config: OvertureConfig): string {
  return config.OVERTURE_CODEC_KEYS?.trim() ? 'OVERTURE_CODEC_KEYS' : config.codecKeyFile;
}

/**
 * The configured key source, or undefined when encryption is off. Throws a ConfigError when encryption is on and
 * no key is configured, or the keys cannot be used (a bad file, a file open to other users).
 */
export function loadKeySource(config: OvertureConfig): KeySource | undefined {
  if (config.OVERTURE_PAYLOAD_ENCRYPTION === 'off') return undefined;
  try {
    const fromEnv = config.OVERTURE_CODEC_KEYS?.trim();
    if (fromEnv) {
      const ring = parseKeyRing(fromEnv, 'OVERTURE_CODEC_KEYS');
      return { ring: () => ring };
    }
    const file = config.codecKeyFile;
    if (!config.OVERTURE_CODEC_KEY_FILE?.trim() && !fs.existsSync(file)) {
      throw new ConfigError(
        `payload encryption needs a key: set OVERTURE_CODEC_KEY_FILE (a key file, mode 0600) or OVERTURE_CODEC_KEYS, or run \`npm start\` once to create ${file};` +
          ' to store run data in clear instead, set OVERTURE_PAYLOAD_ENCRYPTION=off',
      );
    }
    return fileKeySource(file);
  } catch (e) {
    if (e instanceof KeyRingError) throw new ConfigError(`payload encryption: ${e.message}`);
    throw e;
  }
}

/** Keys read from a file, read again when a payload names a key not yet known and the file has changed since. */
function fileKeySource(file: string): KeySource {
  const version = () => {
    try {
      const stat = fs.statSync(file);
      return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      return 'missing';
    }
  };
  let readVersion = version();
  let ring: KeyRing = readKeyFile(file);
  return {
    ring: () => ring,
    refresh: () => {
      const now = version();
      if (now === readVersion) return ring;
      readVersion = now;
      try {
        ring = readKeyFile(file);
      } catch {
        // keep the keys we have: a broken file must not stop decoding what they can decode
      }
      return ring;
    },
  };
}

/** Says once per process that encryption is off. */
let warnedOff = false;

/**
 * The data converter for clients and workers of this configuration. With encryption off it still moves failure
 * messages into payloads (the workflow bundle is the same either way) and warns once on stderr.
 */
export function dataConverterFor(config: OvertureConfig, warn: (line: string) => void = (l) => console.error(l)): DataConverter {
  const keys = loadKeySource(config);
  if (!keys) {
    if (!warnedOff)
      warn(
        'WARNING: payload encryption is off (OVERTURE_PAYLOAD_ENCRYPTION=off): run inputs and results, names and emails included, are stored in clear in Temporal',
      );
    warnedOff = true;
    return { failureConverterPath: FAILURE_CONVERTER_PATH };
  }
  return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/** The codec of this configuration, for the codec endpoint; undefined when encryption is off. */
export function payloadCodecFor(config: OvertureConfig): EncryptionCodec | undefined {
  const keys = loadKeySource(config);
  return keys ? new EncryptionCodec(keys) : undefined;
}
