/** Connecting to Temporal as a client: TLS and API keys as configured, payloads encrypted, traces begun. */
import { Client, Connection } from '@temporalio/client';
import type { OvertureConfig } from '../config/platform';
import { dataConverterFor } from '../temporal/codec/data-converter';
import { clientTracingInterceptors, startTracing } from '../temporal/observability/tracing';
import { connectExplained, temporalConnectionOptions } from '../temporal/connect';

/**
 * Connects a Temporal client to the configured server and namespace (over TLS, with an API key, when configured),
 * with the payload encryption of the configuration (src/temporal/codec); throws a ConfigError before connecting when
 * encryption is on and no key is configured, and a TemporalConnectionError that says why a TLS handshake fails.
 */
export async function connectClient(config: OvertureConfig): Promise<Client> {
  const dataConverter = dataConverterFor(config);
  // Lazy, then connected: a TLS failure explained early closes it, so gRPC stops retrying until its deadline.
  const lazy = Connection.lazy(temporalConnectionOptions(config));
  const connection = await connectExplained(
    config,
    () => lazy.ensureConnected().then(() => lazy),
    (c) => c.close(),
    () => void lazy.close(),
  );
  // A run started here begins its trace here when tracing is configured (src/temporal/observability).
  const interceptors = clientTracingInterceptors(startTracing(config, 'client'));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter, ...(interceptors ? { interceptors } : {}) });
}
