/**
 * The one place a Temporal connection's options are made from the configuration (address, TLS, API key), for the
 * client's `Connection` and the worker's `NativeConnection` alike, and where a TLS failure becomes a clear error.
 */
import type { TemporalConnectionSettings, TemporalTls } from './settings';
import { probeTls } from './tls-probe';

/** The part of the configuration a connection needs. */
export interface TemporalTarget {
  TEMPORAL_ADDRESS: string;
  temporalConnection: TemporalConnectionSettings;
}

/** Options of `Connection.connect` and `NativeConnection.connect`: the address, TLS when configured, the API key. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TemporalTls;
  apiKey?: string;
}

/** Thrown when Temporal cannot be reached for a reason the operator can fix in the configuration (TLS). */
export class TemporalConnectionError extends Error {
  override readonly name = 'TemporalConnectionError';
}

/** The connection options of a configuration (plaintext unless TLS or an API key is configured). */
export function temporalConnectionOptions(config: TemporalTarget): TemporalConnectionOptions {
  const { tls, apiKey } = config.temporalConnection;
  return {
    address: config.TEMPORAL_ADDRESS,
    ...(tls ? { tls: { ...tls } } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
  };
}

/**
 * Connects with `connect`; over TLS, a plain handshake runs beside it, and a TLS failure (untrusted certificate,
 * wrong name, client certificate missing or refused) fails at once with its reason instead of gRPC's timeout.
 * The abandoned attempt is stopped with `abandon` when given (nothing keeps retrying), or closed if it succeeds.
 */
export async function connectExplained<C>(
  config: TemporalTarget,
  connect: () => Promise<C>,
  close: (connection: C) => Promise<void>,
  abandon?: () => void,
): Promise<C> {
  const settings = config.temporalConnection;
  if (!settings.tls) return connect();
  const attempt = connect();
  let explained = false;
  const tlsFailure = probeTls(config.TEMPORAL_ADDRESS, settings).then((reason) => {
    if (reason === undefined) return attempt;
    explained = true;
    abandon?.();
    throw new TemporalConnectionError(`TLS handshake with ${config.TEMPORAL_ADDRESS} failed: ${reason}`);
  });
  // The losing side of the race must neither leak a connection nor reject unhandled.
  attempt.then((connection) => (explained ? close(connection) : undefined)).catch(() => undefined);
  try {
    return await Promise.race([attempt, tlsFailure]);
  } catch (err) {
    if (err instanceof TemporalConnectionError) throw err;
    // gRPC failed first: the handshake may still say why.
    const reason = await tlsFailure.then(
      () => undefined,
      (e: unknown) => (e instanceof TemporalConnectionError ? e : undefined),
    );
    throw reason ?? err;
  }
}
