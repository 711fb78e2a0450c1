/**
 * How Overture reaches its Temporal server: TLS (the server's CA, a client certificate for mTLS, an SNI override)
 * and an API key (Temporal Cloud). Spread into Overture's one configuration schema; {@link readTemporalConnection}
 * reads the files at startup, so a wrong path or a bad file stops the process before it connects. Problems name the
 * variable and the file, never the file's content.
 */
import fs from 'node:fs';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/** An unset or blank variable is absent (a `TEMPORAL_TLS_CA=` line in an env file means no CA, not an empty path). */
const optionalText = (max: number) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().max(max).optional());

/** The variables of the Temporal connection, validated with the rest of the configuration. */
export const TEMPORAL_CONNECTION_SETTINGS = {
  TEMPORAL_TLS: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.enum(['on', 'off'], { error: 'must be on or off' }).optional(),
  ),
  TEMPORAL_TLS_CA: optionalText(4_000),
  TEMPORAL_TLS_CERT: optionalText(4_000),
  TEMPORAL_TLS_KEY: optionalText(4_000),
  TEMPORAL_TLS_SERVER_NAME: optionalText(253).refine(
    (v) => v === undefined || /^[A-Za-z0-9.-]+$/.test(v),
    'must be a host name, e.g. my-ns.a1b2c.tmprl.cloud',
  ),
  TEMPORAL_API_KEY: optionalText(8_000).refine((v) => v === undefined || !/\s/.test(v), 'must be one token without spaces'),
  TEMPORAL_API_KEY_FILE: optionalText(4_000),
};

type ConnectionInput = { [K in keyof typeof TEMPORAL_CONNECTION_SETTINGS]?: string };

/** TLS of the connection, in the shape both the client's and the worker's connections take. */
export interface TemporalTls {
  /** The CA that signed the server's certificate; absent: the system's trusted CAs (Temporal Cloud). */
  serverRootCACertificate?: Buffer;
  /** This client's certificate and key, for a server that asks for one (mTLS). */
  clientCertPair?: { crt: Buffer; key: Buffer };
  /** The name the server's certificate must carry, when it is not the host of TEMPORAL_ADDRESS. */
  serverNameOverride?: string;
}

/** The connection as configured: plaintext (no tls) or TLS, with or without an API key. */
export interface TemporalConnectionSettings {
  tls?: TemporalTls;
  apiKey?: string;
  /** The files in use, for error messages (never their content). */
  files: { ca?: string; cert?: string; key?: string };
}

/** Thrown for a file that cannot be used; the message names the variable and the file. */
class FileProblem extends Error {}

function readFile(variable: string, file: string): Buffer {
  try {
    const content = fs.readFileSync(file);
    if (content.length === 0) throw new FileProblem(`${variable} (${file}) is empty`);
    return content;
  } catch (err) {
    if (err instanceof FileProblem) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'is not readable by this user'
          : code === 'EISDIR'
            ? 'is a directory'
            : `cannot be read (${code ?? 'error'})`;
    throw new FileProblem(`${variable} (${file}) ${why}`);
  }
}

/** A secret file open to other users is refused, as the codec's key file and the operators' token files are. */
function refuseShared(variable: string, file: string): void {
  if (process.platform === 'win32') return;
  const mode = fs.statSync(file).mode;
  if ((mode & 0o077) !== 0) {
    throw new FileProblem(
      `${variable} (${file}) is readable by others (mode ${(mode & 0o777).toString(8)}): make it private with chmod 600 ${file}`,
    );
  }
}

function readCertificates(variable: string, file: string): { pem: Buffer; first: X509Certificate } {
  const pem = readFile(variable, file);
  if (!/-----BEGIN CERTIFICATE-----/.test(pem.toString('latin1')))
    throw new FileProblem(`${variable} (${file}) is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" line)`);
  try {
    return { pem, first: new X509Certificate(pem) };
  } catch {
    throw new FileProblem(`${variable} (${file}) holds a PEM block that is not a valid certificate`);
  }
}

function readPrivateKey(variable: string, file: string): { pem: Buffer; key: KeyObject } {
  const pem = readFile(variable, file);
  refuseShared(variable, file);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem.toString('latin1')))
    throw new FileProblem(`${variable} (${file}) is not a PEM private key (no "-----BEGIN ... PRIVATE KEY-----" line)`);
  if (/ENCRYPTED/.test(pem.toString('latin1')))
    throw new FileProblem(
      `${variable} (${file}) is encrypted with a passphrase: give the key unencrypted, in a file only this user can read`,
    );
  try {
    return { pem, key: createPrivateKey(pem) };
  } catch {
    throw new FileProblem(`${variable} (${file}) holds a PEM block that is not a valid private key`);
  }
}

function readApiKey(raw: ConnectionInput): string | undefined {
  if (raw.TEMPORAL_API_KEY !== undefined) return raw.TEMPORAL_API_KEY;
  if (raw.TEMPORAL_API_KEY_FILE === undefined) return undefined;
  const text = readFile('TEMPORAL_API_KEY_FILE', raw.TEMPORAL_API_KEY_FILE).toString('utf8').trim();
  refuseShared('TEMPORAL_API_KEY_FILE', raw.TEMPORAL_API_KEY_FILE);
  if (!text) throw new FileProblem(`TEMPORAL_API_KEY_FILE (${raw.TEMPORAL_API_KEY_FILE}) is empty`);
  if (/\s/.test(text)) throw new FileProblem(`TEMPORAL_API_KEY_FILE (${raw.TEMPORAL_API_KEY_FILE}) must hold one token without spaces`);
  return text;
}

/** The problems of a combination of variables, before any file is read. */
function combinationProblems(raw: ConnectionInput): string[] {
  const problems: string[] = [];
  if ((raw.TEMPORAL_TLS_CERT === undefined) !== (raw.TEMPORAL_TLS_KEY === undefined)) {
    problems.push(
      `${raw.TEMPORAL_TLS_CERT === undefined ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT'} is set without ${raw.TEMPORAL_TLS_CERT === undefined ? 'TEMPORAL_TLS_CERT' : 'TEMPORAL_TLS_KEY'}: a client certificate needs its key (mTLS), set both or neither`,
    );
  }
  if (raw.TEMPORAL_API_KEY !== undefined && raw.TEMPORAL_API_KEY_FILE !== undefined)
    problems.push('TEMPORAL_API_KEY and TEMPORAL_API_KEY_FILE are both set: keep one');
  if (raw.TEMPORAL_TLS === 'off') {
    const tlsVariables = (
      [
        'TEMPORAL_TLS_CA',
        'TEMPORAL_TLS_CERT',
        'TEMPORAL_TLS_KEY',
        'TEMPORAL_TLS_SERVER_NAME',
        'TEMPORAL_API_KEY',
        'TEMPORAL_API_KEY_FILE',
      ] as const
    ).filter((k) => raw[k] !== undefined);
    // An API key sent in clear is a key given away; TLS settings with TLS off are a mistake either way.
    if (tlsVariables.length)
      problems.push(
        `TEMPORAL_TLS=off but ${tlsVariables.join(', ')} ${tlsVariables.length === 1 ? 'is' : 'are'} set: these need TLS; unset TEMPORAL_TLS (or set it to on)`,
      );
  }
  return problems;
}

/**
 * The Temporal connection of a validated environment, or its problems: TLS is on when TEMPORAL_TLS=on or any TLS
 * variable or API key is set; the CA, certificate and key files are read and checked (PEM, a private key file that
 * only its owner can read, the certificate matching the key).
 */
export function readTemporalConnection(raw: ConnectionInput): { settings: TemporalConnectionSettings; problems: string[] } {
  const plain: TemporalConnectionSettings = { files: {} };
  const problems = combinationProblems(raw);
  if (problems.length) return { settings: plain, problems };
  const tlsOn =
    raw.TEMPORAL_TLS === 'on' ||
    (raw.TEMPORAL_TLS === undefined &&
      [raw.TEMPORAL_TLS_CA, raw.TEMPORAL_TLS_CERT, raw.TEMPORAL_TLS_SERVER_NAME, raw.TEMPORAL_API_KEY, raw.TEMPORAL_API_KEY_FILE].some(
        (v) => v !== undefined,
      ));
  if (!tlsOn) return { settings: plain, problems: [] };
  const tls: TemporalTls = {};
  const found: string[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof FileProblem)) throw err;
      found.push(err.message);
      return undefined;
    }
  };
  if (raw.TEMPORAL_TLS_CA !== undefined)
    tls.serverRootCACertificate = attempt(() => readCertificates('TEMPORAL_TLS_CA', raw.TEMPORAL_TLS_CA!))?.pem;
  if (raw.TEMPORAL_TLS_CERT !== undefined && raw.TEMPORAL_TLS_KEY !== undefined) {
    const cert = attempt(() => readCertificates('TEMPORAL_TLS_CERT', raw.TEMPORAL_TLS_CERT!));
    const key = attempt(() => readPrivateKey('TEMPORAL_TLS_KEY', raw.TEMPORAL_TLS_KEY!));
    if (cert && key) {
      if (!cert.first.checkPrivateKey(key.key))
        found.push(
          `TEMPORAL_TLS_KEY (${raw.TEMPORAL_TLS_KEY}) is not the key of the certificate in TEMPORAL_TLS_CERT (${raw.TEMPORAL_TLS_CERT})`,
        );
      else tls.clientCertPair = { crt: cert.pem, key: key.pem };
    }
  }
  if (raw.TEMPORAL_TLS_SERVER_NAME !== undefined) tls.serverNameOverride = raw.TEMPORAL_TLS_SERVER_NAME;
  const apiKey = attempt(() => readApiKey(raw));
  if (found.length) return { settings: plain, problems: found };
  return {
    problems: [],
    settings: {
      tls,
      ...(apiKey !== undefined ? { apiKey } : {}),
      files: { ca: raw.TEMPORAL_TLS_CA, cert: raw.TEMPORAL_TLS_CERT, key: raw.TEMPORAL_TLS_KEY },
    },
  };
}
