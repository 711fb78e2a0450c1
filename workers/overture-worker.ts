/**
 * The Overture worker: runs every registered process's workflows, the kit's fan-out, and all their
 * activities against the configured systems.
 *
 * `npm run worker` starts one alone (to scale out); `npm start` starts one beside the dev stack.
 */
import path from 'node:path';
import nodemailer from 'nodemailer';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createOnboardingActivities } from '../activities/onboarding';
import { createAccountingActivities } from '../activities/financial-close/activities';
import { createScheduleActivities } from '../activities/kit/scheduled-start';
import { SqliteGeneralLedger } from '../activities/financial-close/sqlite-general-ledger';
import { loadConfig, type OvertureConfig } from '../src/config';
import { describeStores, openDeliveryLedger, openDirectory } from '../src/stores/open';
import { connectPublishingSystems } from '../activities/content-publishing/systems';
import { connectPipelineSystems } from '../activities/data-pipeline/systems';
import { connectSystemGuard } from '../activities/kit/worker-guard';
import { dataConverterFor } from '../src/temporal/codec/data-converter';
import { noticeLinksFor } from '../src/approval-links';
import { installWorkerRuntime } from '../src/temporal/observability/runtime';
import { workerObservability } from '../src/temporal/observability/worker';
import { connectExplained, temporalConnectionOptions } from '../src/temporal/connect';
import { deploymentVersionLabel, workerDeploymentOptionsFor } from '../src/temporal/deployments/settings';

export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index.ts');

/** The SMTP URL with nodemailer's connection pool switched on (kept if the URL says otherwise). */
function pooled(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  return url.toString();
}

/** The real systems a worker talks to, built from configuration; the example books are loaded into an empty ledger. */
export async function connectSystems(config: OvertureConfig) {
  // PostgreSQL when LEDGER_URL / DIRECTORY_URL is set (shared by every host, migrated here), else this host's SQLite files.
  const ledger = await openDeliveryLedger(config);
  const directory = await openDirectory(config).catch(async (err: unknown) => {
    await ledger.close();
    throw err;
  });
  const books = new SqliteGeneralLedger(config.accountingDbPath);
  if (config.ACCOUNTING_SEED !== 'none') await books.seedFrom(config.ACCOUNTING_SEED);
  // A pooled transport keeps its SMTP connections open between messages: the greeting and EHLO exchange were
  // most of sendWelcomeEmail's ~110 ms against the local relay.
  const transport = nodemailer.createTransport(pooled(config.smtpUrl));
  // Pauses, outage alerts and recovery notes of email and chat, shared with the other workers (src/systems).
  // On PostgreSQL at SYSTEMS_URL (migrated here) one outage alerts once and a pause holds every host.
  const systemGuard = await connectSystemGuard(config, { transport, ledger }).catch(async (err: unknown) => {
    transport.close();
    books.close();
    await Promise.all([ledger.close(), directory.close()]);
    throw err;
  });
  const { guard } = systemGuard;
  const publishing = connectPublishingSystems(config, { transport, ledger, guard });
  const pipeline = connectPipelineSystems(config, { ledger, guard });
  const activities = {
    ...createOnboardingActivities({
      directory,
      // Notices link to this worker's console, whatever the config of the client that started the run.
      email: { transport, from: config.MAIL_FROM, ledger, workspaceBaseUrl: config.WORKSPACE_BASE_URL, consoleUrl: config.consoleUrl, noticeLinks: noticeLinksFor(config), guard },
      chat: { webhookUrl: config.webhookUrl, ledger, consoleUrl: config.consoleUrl, guard },
    }),
    ...createAccountingActivities({
      ledger: books,
      bankStatementsDir: config.BANK_STATEMENTS_DIR,
      ratesSource: config.RATES_SOURCE,
      statementsDir: config.statementsDir,
      email: { transport, from: config.MAIL_FROM, deliveries: ledger, guard },
    }),
    ...publishing.activities,
    ...pipeline.activities,
    ...createScheduleActivities({ config }),
  };
  const close = async () => {
    transport.close();
    books.close();
    publishing.close();
    pipeline.close();
    // PostgreSQL pools end once their connections in use are back; SQLite files close at once.
    await Promise.all([ledger.close(), directory.close(), systemGuard.close()]);
  };
  return { directory, ledger, books, activities, close };
}

/** Creates a worker for the configured task queue; extra options (e.g. a prebuilt workflow bundle) win. */
export async function createWorker(config: OvertureConfig, extra: Partial<WorkerOptions> = {}) {
  // Before anything opens: a worker without its keys refuses to start (src/codec/data-converter.ts).
  const dataConverter = dataConverterFor(config);
  const systems = await connectSystems(config);
  // TLS and the API key as configured; a TLS failure says which certificate or variable is wrong.
  const connection = await connectExplained(config, () => NativeConnection.connect(temporalConnectionOptions(config)), (c) => c.close()).catch(async (err: unknown) => {
    await systems.close();
    throw err;
  });
  // Metrics and tracing interceptors when configured (src/observability); none otherwise.
  const observed = workerObservability(config);
  // With OVERTURE_BUILD_ID, a build of the Worker Deployment: each run stays on the build it started on (src/deployments).
  const deployment = workerDeploymentOptionsFor(config);
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...(extra.workflowBundle ? {} : { workflowsPath: WORKFLOWS_PATH }),
    activities: systems.activities,
    // Runs parked for days (waiting for a person) need no place in memory: only this many stay cached, the
    // others are replayed from their short histories when a decision arrives. The SDK's default (from the heap
    // limit, ~2,300 here) held 1.4 GB with 10,000 runs parked at the approval gate.
    maxCachedWorkflows: config.WORKER_CACHED_RUNS,
    // Payloads and failure messages encrypted (src/codec); a prebuilt bundle must be built with FAILURE_CONVERTER_PATH.
    dataConverter,
    ...(deployment ? { workerDeploymentOptions: deployment } : {}),
    ...observed.options,
    ...extra,
  });
  const shutdown = async () => {
    await systems.close();
    await connection.close();
    await observed.shutdown();
  };
  return { worker, systems, shutdown };
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Before any connection: the runtime's metrics exporter can only be chosen when the runtime is created.
  installWorkerRuntime(config, console.log);
  const { worker, shutdown } = await createWorker(config);
  console.log(describeStores(config));
  console.log(`worker polling task queue ${config.TEMPORAL_TASK_QUEUE} on ${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE}), ${deploymentVersionLabel(config)}`);
  // SIGINT/SIGTERM make the worker drain in-flight tasks and resolve run().
  await worker.run();
  await shutdown();
  console.log('worker stopped');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
