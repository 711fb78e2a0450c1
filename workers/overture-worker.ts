/**
 * The Overture worker: runs every installed process's workflows and the kit's (fan-out, scheduled start), and all
 * their activities against the configured systems, built from the registry (src/registry): no process is named here.
 *
 * `npm run worker` starts one alone (to scale out); `npm start` starts one beside the dev stack.
 */
import { NativeConnection, Worker, type WorkflowBundleOption, type WorkerOptions } from '@temporalio/worker';
import { createNoticeActivities } from '../activities/kit/notices';
import { createScheduleActivities } from '../activities/kit/scheduled-start';
import { connectSharedSystems, type SharedSystems } from '../activities/kit/shared-systems';
import type { ConnectedProcess } from '../activities/kit/process-worker';
import { loadConfig, type OvertureConfig } from '../src/config';
import { describeStores } from '../src/stores/open';
import { configuredKpiSink } from '../src/stores/kpis/sink';
import { describeKpiStore } from '../src/stores/kpis/open';
import { processWorkers } from '../src/registry';
import { bundleWorkflowsApart } from '../src/registry/bundle-apart';
import { prebuiltBundle } from '../src/registry/prebuilt-bundle';
import { dataConverterFor, FAILURE_CONVERTER_PATH } from '../src/temporal/codec/data-converter';
import { startDemoWorker } from './demo-worker';
import { installWorkerRuntime } from '../src/temporal/observability/runtime';
import { configureLogging, lineLogger } from '../src/logging/logger';
import { workerObservability, workflowInterceptorModules } from '../src/temporal/observability/worker';
import { connectExplained, temporalConnectionOptions } from '../src/temporal/connect';
import { startWorkerHealth } from '../src/temporal/observability/worker-health';
import { applyWorkerHeap, mainThreadHeapWarning } from '../src/temporal/worker-heap';
import { deploymentVersionLabel, workerDeploymentOptionsFor } from '../src/temporal/deployments/settings';

/** The activities of every installed process, each name once: two processes defining one activity is a programming error. */
function mergeActivities(parts: Array<{ owner: string; activities: object }>): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  const ownerOf = new Map<string, string>();
  for (const { owner, activities } of parts) {
    for (const [name, fn] of Object.entries(activities)) {
      const taken = ownerOf.get(name);
      if (taken) throw new Error(`activity ${name} is defined by both ${taken} and ${owner}: rename one`);
      ownerOf.set(name, owner);
      merged[name] = fn;
    }
  }
  return merged;
}

/**
 * The systems a worker talks to, built from configuration: the shared ones (ledger, directory, mail, chat and their
 * guard), and each installed process's, with every activity bound to them.
 */
export async function connectSystems(
  config: OvertureConfig,
): Promise<SharedSystems & { activities: Record<string, unknown>; close(): Promise<void> }> {
  const shared = await connectSharedSystems(config);
  const connected: Array<ConnectedProcess & { owner: string }> = [];
  const close = async () => {
    for (const part of connected.reverse()) await part.close?.();
    await shared.close();
  };
  try {
    for (const { folder, worker } of processWorkers()) connected.push({ owner: folder, ...(await worker.connect(shared)) });
    const activities = mergeActivities([
      { owner: 'the kit', activities: { ...createNoticeActivities(shared), ...createScheduleActivities({ config }) } },
      ...connected.map((c) => ({ owner: c.owner, activities: c.activities })),
    ]);
    return { ...shared, activities, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Creates a worker for the configured task queue; extra options (e.g. a prebuilt workflow bundle) win. */
export async function createWorker(config: OvertureConfig, extra: Partial<WorkerOptions> = {}) {
  // Before anything opens: a worker without its keys refuses to start (src/temporal/codec/data-converter.ts).
  const dataConverter = dataConverterFor(config, lineLogger('worker'));
  // The workflow code, unless a bundle built ahead is given: bundled in a child process (webpack's memory leaves
  // with it, ~110 MB), started now so that it bundles while the systems and the connection open. It holds the
  // tracing interceptors when tracing is on. The demo's worker runs the same code.
  // The compiled build (dist/) has its bundles built by `npm run build` (src/registry/prebuilt-bundle.ts).
  const interceptors = workflowInterceptorModules(config);
  const ahead = extra.workflowBundle ?? prebuiltBundle(interceptors);
  const bundling: Promise<WorkflowBundleOption> = ahead
    ? Promise.resolve(ahead)
    : bundleWorkflowsApart({ failureConverterPath: FAILURE_CONVERTER_PATH, workflowInterceptorModules: interceptors });
  bundling.catch(() => undefined); // awaited below; a failure to open the systems first must not leave it unhandled
  const systems = await connectSystems(config);
  // TLS and the API key as configured; a TLS failure says which certificate or variable is wrong.
  const connection = await connectExplained(
    config,
    () => NativeConnection.connect(temporalConnectionOptions(config)),
    (c) => c.close(),
  ).catch(async (err: unknown) => {
    await systems.close();
    throw err;
  });
  // Metrics and tracing interceptors when configured (src/temporal/observability); none otherwise.
  const observed = workerObservability(config);
  // With OVERTURE_BUILD_ID, a build of the Worker Deployment: each run stays on the build it started on (src/temporal/deployments).
  const deployment = workerDeploymentOptionsFor(config);
  const demoOn = config.OVERTURE_DEMO === 'on';
  // Every run's KPIs into the projection (KPIS_URL, else kpis.db), through the kit's `kpis` sink; opened at the first report.
  const kpis = configuredKpiSink(config, lineLogger('worker'));
  const bundle = await bundling.catch(async (err: unknown) => {
    await systems.close();
    await connection.close();
    await observed.shutdown();
    throw err;
  });
  // Before the SDK makes its workflow threads: their heaps are sized when they are created.
  applyWorkerHeap(config.WORKER_HEAP);
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    // Every installed process's workflows (src/registry).
    workflowBundle: bundle,
    activities: systems.activities,
    // Runs parked for days (waiting for a person) need no place in memory: only this many stay cached, the
    // others are replayed from their short histories when a decision arrives. The SDK's default (from the heap
    // limit, ~2,300 here) held 1.4 GB with 10,000 runs parked at the approval gate.
    maxCachedWorkflows: config.WORKER_CACHED_RUNS,
    // Payloads and failure messages encrypted (src/temporal/codec); a prebuilt bundle must be built with FAILURE_CONVERTER_PATH.
    dataConverter,
    ...(deployment ? { workerDeploymentOptions: deployment } : {}),
    ...observed.options,
    sinks: { ...observed.options.sinks, ...kpis.sinks },
    ...extra,
  });
  // The console demo's runs, on their own task queue and in-memory systems (./demo-worker.ts); none unless OVERTURE_DEMO=on.
  const demo = demoOn
    ? await startDemoWorker(
        config,
        { connection, workflowBundle: bundle, dataConverter, maxCachedWorkflows: config.WORKER_CACHED_RUNS },
        (reason) => {
          lineLogger('worker')(`error: ${reason}`);
          if (worker.getState() === 'RUNNING') worker.shutdown();
        },
      ).catch(async (err: unknown) => {
        await systems.close();
        await connection.close();
        throw err;
      })
    : undefined;
  const shutdown = async () => {
    await demo?.stop();
    await systems.close();
    await connection.close();
    await observed.shutdown();
    await kpis.close();
  };
  // Where the workflow code came from, for the start-up log: a prebuilt bundle's file, or bundled at start.
  const workflowCode = ahead && 'codePath' in ahead ? ahead.codePath : ahead ? 'given' : 'bundled at start';
  return { worker, systems, connection, shutdown, workflowCode };
}

async function main(): Promise<void> {
  const config = loadConfig();
  // JSON lines or readable ones at LOG_LEVEL (src/logging): the worker's own lines and the SDK's, with their runs.
  const log = lineLogger('worker', configureLogging(config));
  // Before any connection: the runtime's metrics exporter can only be chosen when the runtime is created.
  installWorkerRuntime(config, log);
  // Before connecting, so an operator sizing a compact worker hears it even when the server is not there yet.
  const heapWarning = mainThreadHeapWarning(config.WORKER_HEAP);
  if (heapWarning) log(heapWarning);
  // /healthz and /readyz on HEALTH_PORT from the start: alive while it bundles and connects, ready once it polls.
  const health = await startWorkerHealth(config, log);
  const { worker, connection, shutdown, workflowCode } = await createWorker(config);
  health.attach(worker, connection);
  log(describeStores(config));
  log(`KPIs on ${describeKpiStore(config)}`);
  log(`workflow code: ${workflowCode}`);
  log(
    `worker polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}), ${deploymentVersionLabel(config)}`,
  );
  // SIGINT/SIGTERM make the worker drain in-flight tasks and resolve run().
  await worker.run();
  health.detach();
  await shutdown();
  await health.stop();
  log('worker stopped');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
