/**
 * The payload codec (src/temporal/codec): AES-256-GCM round trip, tamper detection, unknown key ids, rotation, plain
 * payloads passing through, the key file's checks, and where the keys come from (or why a process refuses).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { ConfigError, loadConfig } from '../../src/config';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, PayloadDecryptionError } from '../../src/temporal/codec/encryption-codec';
import {
  generateKeyRing,
  KeyRingError,
  keyRingToFile,
  parseKeyRing,
  readKeyFile,
  rotateKeyRing,
  writeKeyFile,
} from '../../src/temporal/codec/key-ring';
import { dataConverterFor, loadKeySource } from '../../src/temporal/codec/data-converter';
import { ensureKeyFile, listKeys, rotateKeys } from '../../src/temporal/codec/key-file';

const HIRE = { fullName: 'Grace Hopper', email: 'grace.hopper@example.com' };
const toPayload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const fromPayload = (payload: Payload): unknown => defaultPayloadConverter.fromPayload(payload);
const meta = (p: Payload, key: string) => new TextDecoder().decode(p.metadata?.[key] ?? new Uint8Array());
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'codec-test-'));

describe('EncryptionCodec', () => {
  const ring = generateKeyRing();
  const codec = EncryptionCodec.of(ring);

  it('encrypts a payload so neither its data nor its metadata shows, and decodes it back', async () => {
    const [encoded] = await codec.encode([toPayload(HIRE)]);
    expect(meta(encoded!, METADATA_ENCODING_KEY)).toBe(ENCRYPTED_ENCODING);
    expect(meta(encoded!, KEY_ID_METADATA)).toBe(ring.current);
    expect(Object.keys(encoded!.metadata!).sort()).toEqual([METADATA_ENCODING_KEY, KEY_ID_METADATA].sort());
    const raw = Buffer.from(encoded!.data!).toString('latin1');
    expect(raw).not.toContain(HIRE.email);
    expect(raw).not.toContain('json/plain');
    // 12-byte IV + the proto-encoded payload + 16-byte tag
    expect(encoded!.data!.length).toBeGreaterThan(12 + 16 + JSON.stringify(HIRE).length);
    const [decoded] = await codec.decode([encoded!]);
    expect(fromPayload(decoded!)).toEqual(HIRE);
    expect(meta(decoded!, METADATA_ENCODING_KEY)).toBe('json/plain');
  });

  it('uses a fresh IV each time: the same value encrypts to different bytes', async () => {
    const [a, b] = await codec.encode([toPayload(HIRE), toPayload(HIRE)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('detects tampering: one flipped bit of ciphertext, IV or tag fails authentication', async () => {
    const [encoded] = await codec.encode([toPayload(HIRE)]);
    for (const index of [0, 20, encoded!.data!.length - 1]) {
      const data = Uint8Array.from(encoded!.data!);
      data[index] = data[index]! ^ 0x01;
      await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow(/failed authentication/);
    }
    await expect(codec.decode([{ ...encoded!, data: encoded!.data!.slice(0, 10) }])).rejects.toThrow(/truncated/);
  });

  it('refuses a payload of an unknown key id, naming the id', async () => {
    const [encoded] = await EncryptionCodec.of(generateKeyRing()).encode([toPayload(HIRE)]);
    const otherId = meta(encoded!, KEY_ID_METADATA);
    const failure = codec.decode([encoded!]);
    await expect(failure).rejects.toBeInstanceOf(PayloadDecryptionError);
    await expect(codec.decode([encoded!])).rejects.toThrow(`no key "${otherId}"`);
  });

  it('refuses a payload sealed with another key under a known id', async () => {
    const forged = { current: ring.current, keys: new Map([[ring.current, Buffer.alloc(32, 7)]]) };
    const [encoded] = await EncryptionCodec.of(forged).encode([toPayload(HIRE)]);
    await expect(codec.decode([encoded!])).rejects.toThrow(/failed authentication/);
  });

  it('passes plain payloads through (histories from before encryption stay readable)', async () => {
    const plain = toPayload(HIRE);
    const [decoded] = await codec.decode([plain]);
    expect(decoded).toBe(plain);
    expect(fromPayload(decoded!)).toEqual(HIRE);
  });

  it('after a rotation encrypts with the new key and still decrypts the old ciphertext', async () => {
    const [old] = await codec.encode([toPayload(HIRE)]);
    const rotated = rotateKeyRing(ring);
    expect(rotated.current).not.toBe(ring.current);
    expect([...rotated.keys.keys()]).toEqual([ring.current, rotated.current]);
    const after = EncryptionCodec.of(rotated);
    const [fresh] = await after.encode([toPayload(HIRE)]);
    expect(meta(fresh!, KEY_ID_METADATA)).toBe(rotated.current);
    expect(fromPayload((await after.decode([old!]))[0]!)).toEqual(HIRE);
    expect(fromPayload((await after.decode([fresh!]))[0]!)).toEqual(HIRE);
    // the ring before the rotation cannot read what the new key wrote
    await expect(codec.decode([fresh!])).rejects.toThrow(`no key "${rotated.current}"`);
  });
});

describe('key ring and key file', () => {
  it('parses the stored form and refuses bad keys without echoing them', () => {
    const ring = generateKeyRing();
    const text = JSON.stringify(keyRingToFile(ring));
    expect(parseKeyRing(text, 'x').keys.get(ring.current)!.equals(ring.keys.get(ring.current)!)).toBe(true);
    expect(() => parseKeyRing(JSON.stringify({ current: 'a', keys: { a: Buffer.alloc(16).toString('base64') } }), 'x')).toThrow(/32 bytes/);
    expect(() => parseKeyRing(JSON.stringify({ current: 'b', keys: { a: Buffer.alloc(32).toString('base64') } }), 'x')).toThrow(
      /current key id must name one of the keys/,
    );
    expect(() => parseKeyRing('{"current": "secret-material', 'x')).toThrow(KeyRingError);
    expect(() => parseKeyRing('{"current": "secret-material', 'x')).not.toThrow(/secret-material/);
  });

  it('writes the key file with mode 0600 and refuses one open to others', () => {
    const file = path.join(tmp(), 'keys.json');
    writeKeyFile(file, generateKeyRing());
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(readKeyFile(file).keys.size).toBe(1);
    fs.chmodSync(file, 0o644);
    expect(() => readKeyFile(file)).toThrow(`mode 644): run chmod 600 ${file}`);
  });

  it('npm start creates the key file once; rotate adds a current key; list shows ids, never key material', () => {
    const dir = tmp();
    const config = loadConfig({ OVERTURE_DATA_DIR: dir });
    const lines: string[] = [];
    expect(ensureKeyFile(config, (l) => lines.push(l))).toBe(path.join(dir, 'codec-keys.json'));
    expect(lines.join('\n')).toMatch(/creating .*codec-keys\.json/);
    const first = readKeyFile(config.codecKeyFile);
    ensureKeyFile(config, () => undefined);
    expect(readKeyFile(config.codecKeyFile).current).toBe(first.current); // kept, not replaced

    const rotated = rotateKeys(config);
    expect(rotated.previous).toBe(first.current);
    const listed = listKeys(config);
    expect(listed).toEqual({ source: config.codecKeyFile, current: rotated.current, ids: [first.current, rotated.current] });
    expect(JSON.stringify(listed)).not.toContain(first.keys.get(first.current)!.toString('base64'));
  });
});

describe('where the keys come from', () => {
  it('refuses to run with encryption on and no keys, saying how to fix it', () => {
    const config = loadConfig({ OVERTURE_DATA_DIR: tmp() });
    expect(() => dataConverterFor(config)).toThrow(ConfigError);
    expect(() => loadKeySource(config)).toThrow(/OVERTURE_CODEC_KEY_FILE .* OVERTURE_PAYLOAD_ENCRYPTION=off/);
  });

  it('refuses a named key file that does not exist', () => {
    const config = loadConfig({ OVERTURE_DATA_DIR: tmp(), OVERTURE_CODEC_KEY_FILE: '/nonexistent/keys.json' });
    expect(() => loadKeySource(config)).toThrow(/cannot read the key file \/nonexistent\/keys\.json/);
  });

  it('uses the data directory key file, OVERTURE_CODEC_KEY_FILE, or OVERTURE_CODEC_KEYS', async () => {
    const dir = tmp();
    const ring = generateKeyRing();
    writeKeyFile(path.join(dir, 'codec-keys.json'), ring);
    expect(loadKeySource(loadConfig({ OVERTURE_DATA_DIR: dir }))!.ring().current).toBe(ring.current);
    expect(loadKeySource(loadConfig({ OVERTURE_CODEC_KEY_FILE: path.join(dir, 'codec-keys.json') }))!.ring().current).toBe(ring.current);
    const env = generateKeyRing();
    const fromEnv = loadKeySource(loadConfig({ OVERTURE_DATA_DIR: dir, OVERTURE_CODEC_KEYS: JSON.stringify(keyRingToFile(env)) }));
    expect(fromEnv!.ring().current).toBe(env.current);
  });

  it('re-reads the key file when a payload names a key added by a rotation elsewhere', async () => {
    const dir = tmp();
    const config = loadConfig({ OVERTURE_DATA_DIR: dir });
    ensureKeyFile(config, () => undefined);
    const worker = dataConverterFor(config).payloadCodecs![0]!;
    rotateKeys(config); // e.g. `overture keys rotate` while the worker runs
    const [fromCli] = await dataConverterFor(config).payloadCodecs![0]!.encode([toPayload(HIRE)]);
    expect(fromPayload((await worker.decode([fromCli!]))[0]!)).toEqual(HIRE);
  });

  it('with OVERTURE_PAYLOAD_ENCRYPTION=off warns and encodes nothing', () => {
    const warnings: string[] = [];
    const converter = dataConverterFor(loadConfig({ OVERTURE_DATA_DIR: tmp(), OVERTURE_PAYLOAD_ENCRYPTION: 'off' }), (l) =>
      warnings.push(l),
    );
    expect(converter.payloadCodecs).toBeUndefined();
    expect(converter.failureConverterPath).toMatch(/failure-converter/);
    expect(warnings.join('\n')).toMatch(/payload encryption is off/);
    expect(() => loadConfig({ OVERTURE_PAYLOAD_ENCRYPTION: 'maybe' })).toThrow(/OVERTURE_PAYLOAD_ENCRYPTION: must be on or off/);
  });

  it('derives the codec endpoint UI origins from the UI port, and refuses a wildcard origin', () => {
    expect(loadConfig({ TEMPORAL_UI_PORT: '9233' }).codecUiOrigins).toEqual(['http://127.0.0.1:9233', 'http://localhost:9233']);
    expect(loadConfig({ OVERTURE_CODEC_UI_ORIGINS: 'https://temporal.example.com' }).codecUiOrigins).toEqual([
      'https://temporal.example.com',
    ]);
    expect(() => loadConfig({ OVERTURE_CODEC_UI_ORIGINS: '*' })).toThrow(/OVERTURE_CODEC_UI_ORIGINS/);
  });
});
