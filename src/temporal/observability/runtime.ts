/**
 * Installing the Temporal runtime of a worker process with the configured metrics exporter. The runtime is
 * process-wide and installed at most once, before the first connection: only an entry point calls this.
 */
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import { workerTemporalLogger } from '../../logging/worker-logger';
import { metricsUrl, type ObservabilitySettings } from './settings';
import { runtimeTelemetryOptions } from './worker';

/**
 * Installs the runtime with Overture's logger (src/logging: the SDK's, workflows' and activities' lines with their
 * run, process and step) and the Prometheus exporter when METRICS_PORT is set (and says where to scrape).
 * Returns whether metrics are exported.
 */
export function installWorkerRuntime(
  settings: ObservabilitySettings,
  log: (line: string) => void,
  base: Omit<RuntimeOptions, 'telemetryOptions'> = {},
): boolean {
  const telemetryOptions = runtimeTelemetryOptions(settings);
  Runtime.install({ logger: workerTemporalLogger(), ...base, ...(telemetryOptions ? { telemetryOptions } : {}) });
  if (telemetryOptions) log(`metrics at ${metricsUrl(settings)}`);
  return telemetryOptions !== undefined;
}
