/**
 * The payload codec: AES-256-GCM over each whole payload (its metadata and data, proto-encoded), so the Temporal
 * server only ever stores ciphertext for workflow inputs, results, activity arguments and results, queries,
 * updates, signals and (with the failure converter of ./failure-converter) failure messages and stack traces.
 *
 * The encrypted payload has the same shape as Temporal's encryption samples, so their codec servers and tools
 * read it: metadata `encoding: binary/encrypted` and `encryption-key-id: <id>`, data = 12-byte random IV,
 * ciphertext, 16-byte GCM tag.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyRing } from './key-ring';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CIPHER = 'aes-256-gcm';

/** A payload this codec cannot decrypt: unknown key, tampered or truncated data. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

/** Where the codec finds its keys; `refresh` re-reads them (e.g. the key file after `overture keys rotate`). */
export interface KeySource {
  ring(): KeyRing;
  refresh?(): KeyRing;
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);

/** Encrypts one byte string with a key: IV ‖ ciphertext ‖ tag. */
export function seal(key: Buffer, plain: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Decrypts what {@link seal} made; throws when the data was altered or the key is not the one it was sealed with. */
export function open(key: Buffer, sealed: Uint8Array, keyId: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`encrypted payload (key id "${keyId}") is truncated`);
  const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const decipher = createDecipheriv(CIPHER, key, data.subarray(0, IV_BYTES));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new PayloadDecryptionError(
      `encrypted payload (key id "${keyId}") failed authentication: it was altered, or sealed with another key of that id`,
    );
  }
}

/** The AES-256-GCM payload codec over a key ring. */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: KeySource) {}

  /** A codec over a fixed key ring. */
  static of(ring: KeyRing): EncryptionCodec {
    return new EncryptionCodec({ ring: () => ring });
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { current, keys } = this.keys.ring();
    const key = keys.get(current);
    if (!key) throw new PayloadDecryptionError(`the current key "${current}" is not in the key ring`);
    return payloads.map((payload) => ({
      metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(current) },
      data: seal(key, temporal.api.common.v1.Payload.encode(payload).finish()),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Payloads written before encryption was switched on (or by a client with it off) pass through as they are.
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
      if (!keyId) throw new PayloadDecryptionError(`encrypted payload without the "${KEY_ID_METADATA}" metadata`);
      const key = this.keyFor(keyId);
      return temporal.api.common.v1.Payload.decode(open(key, payload.data ?? new Uint8Array(), keyId));
    });
  }

  private keyFor(keyId: string): Buffer {
    const key = this.keys.ring().keys.get(keyId) ?? this.keys.refresh?.().keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `no key "${keyId}" in the key ring (known: ${[...this.keys.ring().keys.keys()].join(', ')}): the payload was encrypted with a key this process does not have`,
      );
    }
    return key;
  }
}
