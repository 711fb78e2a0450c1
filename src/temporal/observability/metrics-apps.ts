/**
 * The metrics endpoints of the console and the gateway, started beside them when configured: the gateway's
 * requests (EVENTS_METRICS_PORT); the console's requests and its census gauges (CONSOLE_METRICS_PORT), for which
 * it reads the systems' health store. Nothing is started, opened or observed when the port is unset.
 */
import type http from 'node:http';
import type { Client } from '@temporalio/client';
import type { OvertureConfig } from '../../config/platform';
import { PROCESSES } from '../../registry';
import { openSystemHealth } from '../../stores/open';
import { cachedCensus, checkRunTimeBudgets, registerCensusGauges, takeCensus } from './metrics-census';
import { createAppMetrics, startMetricsServer, type MetricsApp } from './metrics-http';

/** An app's running metrics: where they are scraped, how a request is observed, and how they stop. */
export interface RunningAppMetrics {
  url: string;
  observe: (req: http.IncomingMessage, res: http.ServerResponse, route: string) => void;
  stop: () => Promise<void>;
}

async function serve(app: MetricsApp, config: OvertureConfig, port: number, extend?: (m: ReturnType<typeof createAppMetrics>) => void) {
  const metrics = createAppMetrics(app);
  extend?.(metrics);
  const server = await startMetricsServer(metrics.registry, config.METRICS_HOST, port);
  return { metrics, server };
}

/** The gateway's request metrics on EVENTS_METRICS_PORT, or undefined when it is unset. */
export async function startGatewayMetrics(config: OvertureConfig): Promise<RunningAppMetrics | undefined> {
  if (config.EVENTS_METRICS_PORT === undefined) return undefined;
  const { metrics, server } = await serve('gateway', config, config.EVENTS_METRICS_PORT);
  return { url: server.url, observe: metrics.observe, stop: server.stop };
}

/** The console's request metrics and census gauges on CONSOLE_METRICS_PORT, or undefined when it is unset. */
export async function startConsoleMetrics(client: Client, config: OvertureConfig): Promise<RunningAppMetrics | undefined> {
  if (config.CONSOLE_METRICS_PORT === undefined) return undefined;
  checkRunTimeBudgets(
    config,
    PROCESSES.map((p) => p.shape.name),
  );
  const systems = await openSystemHealth(config);
  try {
    const census = cachedCensus(() => takeCensus({ client, config, systems }));
    const { metrics, server } = await serve('console', config, config.CONSOLE_METRICS_PORT, (m) =>
      registerCensusGauges(m.registry, config, census),
    );
    return {
      url: server.url,
      observe: metrics.observe,
      async stop() {
        await server.stop();
        await systems.close();
      },
    };
  } catch (err) {
    await systems.close();
    throw err;
  }
}
