/**
 * Why a TLS connection to Temporal fails, in words: a plain TLS handshake with the same CA, client certificate and
 * server name as the gRPC connection, whose error says what gRPC's own ("Failed to connect before the deadline")
 * does not. Used only to explain, never to decide whether to connect.
 */
import tls from 'node:tls';
import type { TemporalConnectionSettings } from './settings';

/** Host and port of a Temporal address (`host:port`, `[v6]:port`; the port defaults to 7233). */
export function splitAddress(address: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (bracketed) return { host: bracketed[1]!, port: Number(bracketed[2] ?? 7233) };
  const at = address.lastIndexOf(':');
  if (at < 0) return { host: address, port: 7233 };
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);
const CLIENT_CERT_REFUSED =
  /alert (certificate required|handshake failure|bad certificate|unknown ca|certificate unknown|certificate expired|access denied)/i;
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_RECORD_LAYER_FAILURE']);

/** The reason of a TLS error, in the operator's words: which variable to look at. */
export function explainTlsError(err: NodeJS.ErrnoException & { reason?: string }, settings: TemporalConnectionSettings): string {
  const code = err.code ?? '';
  const { files } = settings;
  if (UNTRUSTED.has(code)) {
    return files.ca
      ? `the server's certificate is not signed by TEMPORAL_TLS_CA (${files.ca}): ${err.message}`
      : `the server's certificate is not signed by a CA this machine trusts: set TEMPORAL_TLS_CA to the server's CA file (${err.message})`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the server's certificate is not for this host: ${err.reason ?? err.message}; set TEMPORAL_TLS_SERVER_NAME to the name it carries`;
  if (code === 'CERT_HAS_EXPIRED') return `the server's certificate has expired (${err.message})`;
  if (code === 'CERT_NOT_YET_VALID') return `the server's certificate is not valid yet (${err.message})`;
  if (NOT_TLS.has(code))
    return `the server does not speak TLS (${err.message}): unset TEMPORAL_TLS and the TLS variables if it is plaintext`;
  if (CLIENT_CERT_REFUSED.test(err.message)) {
    return settings.tls?.clientCertPair
      ? `the server refused the client certificate TEMPORAL_TLS_CERT (${files.cert}) (${err.message})`
      : `the server requires a client certificate (mTLS): set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (${err.message})`;
  }
  return err.message;
}

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

/**
 * The TLS reason the server at this address cannot be reached with these settings, or undefined: the handshake
 * succeeds (the failure is elsewhere), or the server is not reachable at all (not a TLS problem).
 * A server refusing a client certificate under TLS 1.3 says so just after the handshake: the probe listens a moment.
 */
export function probeTls(address: string, settings: TemporalConnectionSettings, timeoutMs = 5_000): Promise<string | undefined> {
  const { host, port } = splitAddress(address);
  const own = settings.tls ?? {};
  return new Promise((resolve) => {
    let settled = false;
    const done = (reason: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const socket = tls.connect({
      host,
      port,
      // Node checks the certificate against servername when given, else the host: as gRPC does with the override.
      ...(own.serverNameOverride ? { servername: own.serverNameOverride } : {}),
      ca: own.serverRootCACertificate,
      cert: own.clientCertPair?.crt,
      key: own.clientCertPair?.key,
      ALPNProtocols: ['h2'],
    });
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('secureConnect', () => setTimeout(() => done(undefined), 300));
    socket.on('data', () => undefined);
    socket.on('error', (err: NodeJS.ErrnoException) => done(NETWORK.has(err.code ?? '') ? undefined : explainTlsError(err, settings)));
  });
}
