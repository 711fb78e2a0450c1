/**
 * The Temporal connection's configuration (src/temporal/settings.ts, connect.ts): TEMPORAL_TLS*, TEMPORAL_API_KEY*, checked by
 * loadConfig at startup with real files, and the connection options built from it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporal/connect';
import { explainTlsError, splitAddress } from '../../src/temporal/tls-probe';
import { makeTestCertificates, type TestCertificates } from '../helpers/test-certificates';

let certs: TestCertificates;
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-connection-'));
  certs = makeTestCertificates(dir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The message of the ConfigError loadConfig throws for this environment. */
function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected loadConfig to refuse the environment');
}

function secretFile(name: string, content: string, mode = 0o600): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
  return file;
}

describe('the Temporal connection in the configuration', () => {
  it('is plaintext without TLS variables, and its options carry only the address', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'overture-staging' });
    expect(config.temporalConnection.tls).toBeUndefined();
    expect(config.TEMPORAL_NAMESPACE).toBe('overture-staging');
    expect(temporalConnectionOptions(config)).toEqual({ address: 'temporal.internal:7233' });
  });

  it('reads the CA, the client certificate and key, and the server name into the TLS options', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: '10.0.0.5:7233',
      TEMPORAL_TLS_CA: certs.caCert,
      TEMPORAL_TLS_CERT: certs.clientCert,
      TEMPORAL_TLS_KEY: certs.clientKey,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    const options = temporalConnectionOptions(config);
    expect(options.address).toBe('10.0.0.5:7233');
    expect(options.tls?.serverRootCACertificate?.equals(fs.readFileSync(certs.caCert))).toBe(true);
    expect(options.tls?.clientCertPair?.crt.equals(fs.readFileSync(certs.clientCert))).toBe(true);
    expect(options.tls?.clientCertPair?.key.equals(fs.readFileSync(certs.clientKey))).toBe(true);
    expect(options.tls?.serverNameOverride).toBe('temporal.internal');
    expect(options.apiKey).toBeUndefined();
  });

  it('TEMPORAL_TLS=on alone is TLS with the system CAs', () => {
    const options = temporalConnectionOptions(loadConfig({ TEMPORAL_TLS: 'on' }));
    expect(options.tls).toEqual({});
  });

  it('an API key (Temporal Cloud) implies TLS and is carried by the options', () => {
    const options = temporalConnectionOptions(
      loadConfig({
        TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233',
        TEMPORAL_NAMESPACE: 'my-ns.a1b2c',
        TEMPORAL_API_KEY: 'eyJhbGciOi.key.sig',
      }),
    );
    expect(options).toEqual({ address: 'my-ns.a1b2c.tmprl.cloud:7233', tls: {}, apiKey: 'eyJhbGciOi.key.sig' });
  });

  it('reads the API key from TEMPORAL_API_KEY_FILE, trimmed, and refuses one readable by others', () => {
    const file = secretFile('api-key', 'cloud-key-123\n');
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_API_KEY_FILE: file })).apiKey).toBe('cloud-key-123');
    const shared = secretFile('api-key-shared', 'cloud-key-123\n', 0o644);
    const message = refusal({ TEMPORAL_API_KEY_FILE: shared });
    expect(message).toContain(`TEMPORAL_API_KEY_FILE (${shared}) is readable by others (mode 644)`);
    expect(message).not.toContain('cloud-key-123');
  });

  it('refuses a client certificate without its key, and a key without its certificate', () => {
    expect(refusal({ TEMPORAL_TLS_CERT: certs.clientCert })).toContain('TEMPORAL_TLS_CERT is set without TEMPORAL_TLS_KEY');
    expect(refusal({ TEMPORAL_TLS_KEY: certs.clientKey })).toContain('TEMPORAL_TLS_KEY is set without TEMPORAL_TLS_CERT');
  });

  it('names a missing file and its variable', () => {
    const missing = path.join(dir, 'nope', 'ca.pem');
    expect(refusal({ TEMPORAL_TLS_CA: missing })).toContain(`TEMPORAL_TLS_CA (${missing}) does not exist`);
  });

  it('refuses files that are not PEM, naming the variable and never quoting the content', () => {
    const notPem = secretFile('not-pem.txt', 'SECRET-CONTENT-42');
    const message = refusal({ TEMPORAL_TLS_CA: notPem, TEMPORAL_TLS_CERT: notPem, TEMPORAL_TLS_KEY: notPem });
    expect(message).toContain(`TEMPORAL_TLS_CA (${notPem}) is not a PEM certificate`);
    expect(message).toContain(`TEMPORAL_TLS_CERT (${notPem}) is not a PEM certificate`);
    expect(message).toContain(`TEMPORAL_TLS_KEY (${notPem}) is not a PEM private key`);
    expect(message).not.toContain('SECRET-CONTENT-42');
  });

  it('refuses a private key file readable by others', () => {
    const shared = path.join(dir, 'shared.key');
    fs.copyFileSync(certs.clientKey, shared);
    fs.chmodSync(shared, 0o640);
    expect(refusal({ TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: shared })).toContain(
      `TEMPORAL_TLS_KEY (${shared}) is readable by others (mode 640): make it private with chmod 600`,
    );
  });

  it("refuses a key that is not the certificate's", () => {
    expect(refusal({ TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: certs.serverKey })).toContain(
      `TEMPORAL_TLS_KEY (${certs.serverKey}) is not the key of the certificate in TEMPORAL_TLS_CERT (${certs.clientCert})`,
    );
  });

  it('refuses TEMPORAL_TLS=off beside TLS variables or an API key, both API key variables, and a bad TEMPORAL_TLS', () => {
    expect(refusal({ TEMPORAL_TLS: 'off', TEMPORAL_API_KEY: 'k' })).toContain('TEMPORAL_TLS=off but TEMPORAL_API_KEY is set');
    expect(refusal({ TEMPORAL_API_KEY: 'k', TEMPORAL_API_KEY_FILE: '/x' })).toContain(
      'TEMPORAL_API_KEY and TEMPORAL_API_KEY_FILE are both set',
    );
    expect(refusal({ TEMPORAL_TLS: 'yes' })).toContain('TEMPORAL_TLS: must be on or off');
  });

  it('treats blank variables as unset', () => {
    expect(loadConfig({ TEMPORAL_TLS: '', TEMPORAL_TLS_CA: ' ', TEMPORAL_API_KEY: '' }).temporalConnection.tls).toBeUndefined();
  });
});

describe('npm start', () => {
  it('refuses TLS variables: its dev server is plaintext (exit 2, before anything starts)', async () => {
    const { main } = await import('../../src/tools/dev-stack/start');
    const saved = { ...process.env };
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((line: unknown) => void errors.push(String(line)));
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => (errors.push(String(chunk)), true));
    try {
      process.env.OVERTURE_DATA_DIR = path.join(dir, 'start-data');
      process.env.TEMPORAL_TLS_CA = certs.caCert;
      expect(await main()).toBe(2);
      expect(errors.join('')).toContain('`npm start` runs a plaintext dev server here');
      expect(fs.existsSync(path.join(dir, 'start-data'))).toBe(false);
    } finally {
      spy.mockRestore();
      write.mockRestore();
      process.env = saved;
    }
  });
});

describe('TLS failures in words', () => {
  const settings = { tls: { serverRootCACertificate: Buffer.from('x') }, files: { ca: '/etc/overture/ca.pem' } };

  it('says which variable to look at', () => {
    const untrusted = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expect(explainTlsError(untrusted, settings)).toBe(
      "the server's certificate is not signed by TEMPORAL_TLS_CA (/etc/overture/ca.pem): self-signed certificate in certificate chain",
    );
    const wrongName = Object.assign(new Error('x'), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      reason: "Host: a.example. is not in the cert's altnames: DNS:b.example",
    });
    expect(explainTlsError(wrongName, settings)).toContain('set TEMPORAL_TLS_SERVER_NAME');
    const plaintext = Object.assign(new Error('wrong version number'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' });
    expect(explainTlsError(plaintext, settings)).toContain('the server does not speak TLS');
  });

  it('splits addresses, IPv6 included', () => {
    expect(splitAddress('127.0.0.1:7443')).toEqual({ host: '127.0.0.1', port: 7443 });
    expect(splitAddress('[::1]:7233')).toEqual({ host: '::1', port: 7233 });
    expect(splitAddress('temporal.internal')).toEqual({ host: 'temporal.internal', port: 7233 });
  });
});
