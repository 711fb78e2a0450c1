/**
 * Installing the Temporal runtime of a worker process with the configured metrics exporter. The runtime is
 * process-wide and installed at most once, before the first connection: only an entry point calls this.
 */
import { DefaultLogger, Runtime, type RuntimeOptions } from '@temporalio/worker';
import { metricsUrl, type ObservabilitySettings } from './settings';
import { runtimeTelemetryOptions } from './worker';

/**
 * Installs the runtime with the Prometheus exporter when METRICS_PORT is set (and says where to scrape);
 * does nothing otherwise, leaving the SDK's default runtime. Returns whether it installed one.
 */
export function installWorkerRuntime(
  settings: ObservabilitySettings,
  log: (line: string) => void,
  base: Omit<RuntimeOptions, 'telemetryOptions'> = {},
): boolean {
  const telemetryOptions = runtimeTelemetryOptions(settings);
  if (!telemetryOptions) return false;
  Runtime.install({ logger: new DefaultLogger('INFO'), ...base, telemetryOptions });
  log(`metrics at ${metricsUrl(settings)}`);
  return true;
}
