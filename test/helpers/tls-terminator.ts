/**
 * A real TLS front for the test's plaintext Temporal dev server: terminates TLS (optionally requiring a client
 * certificate signed by the CA) and pipes each connection to the server. gRPC's HTTP/2 passes through unchanged.
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { splitAddress } from '../../src/temporal/tls-probe';

export interface TlsTerminator {
  /** host:port to give as TEMPORAL_ADDRESS. */
  address: string;
  /** Connections whose handshake completed (with a trusted client certificate when one is required). */
  accepted: number;
  stop(): Promise<void>;
}

/** Starts the front on 127.0.0.1 on a free port, forwarding to `upstream` (host:port). */
export async function startTlsTerminator(opts: {
  upstream: string;
  cert: string;
  key: string;
  ca: string;
  requireClientCert: boolean;
}): Promise<TlsTerminator> {
  const { host, port } = splitAddress(opts.upstream);
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const state = { accepted: 0 };
  const server = tls.createServer(
    {
      cert: fs.readFileSync(opts.cert),
      key: fs.readFileSync(opts.key),
      ca: fs.readFileSync(opts.ca),
      requestCert: opts.requireClientCert,
      rejectUnauthorized: opts.requireClientCert,
      ALPNProtocols: ['h2'],
    },
    (secure) => {
      state.accepted += 1;
      const upstream = net.connect(port, host);
      track(secure);
      track(upstream);
      secure.pipe(upstream).pipe(secure);
      secure.on('error', () => upstream.destroy());
      upstream.on('error', () => secure.destroy());
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${own}`,
    get accepted() {
      return state.accepted;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
