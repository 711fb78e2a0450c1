/**
 * A real stack for one test file: the run's Temporal dev server, a local SMTP server, a local webhook
 * receiver, temporary SQLite files and an in-process worker on a task queue of its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Connection, type Client } from '@temporalio/client';
import { InternalConnectionOptionsSymbol, type ConnectionOptions, type InternalConnectionOptions } from '@temporalio/client/lib/connection';
import { msToTs } from '@temporalio/common/lib/time';
import type { DataConverter } from '@temporalio/common';
import { dataConverterFor } from '../../src/temporal/codec/data-converter';
import type { Worker } from '@temporalio/worker';
import { loadConfig, type OvertureConfig } from '../../src/config';
import { connectClient, getRunStatus, type RunStatus } from '../../src/client';
import { startMailReceiver, type MailReceiver } from '../../src/tools/dev-stack/mail-receiver';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/tools/dev-stack/webhook-receiver';
import { SqliteDirectory } from '../../src/stores/directory/sqlite-directory';
import { createWorker } from '../../workers/overture-worker';
import { ensureBootstrapAdmin } from '../../src/stores/operators/bootstrap';
import type { EscalationLadder, ProcessOptions } from '../../workflows/kit/types';

export interface TestStack {
  config: OvertureConfig;
  env: Record<string, string>;
  client: Client;
  /** The data converter of the stack's client and worker (payload encryption), for workers a test builds itself. */
  dataConverter: DataConverter;
  /** The SMTP receiver; after {@link TestStack.restartMail}, the new one on the same port. */
  readonly mail: MailReceiver;
  webhooks: WebhookReceiver;
  /** Stops the SMTP receiver (a relay outage: connections are refused) until {@link TestStack.restartMail}. */
  stopMail(): Promise<void>;
  /** Starts a fresh SMTP receiver on the same port (what the stopped one received is kept by the caller, if needed). */
  restartMail(): Promise<void>;
  /** A second connection to the worker's directory database, to check what the run did. */
  directory: SqliteDirectory;
  /**
   * Moves the time-skipping server's clock on by `ms` (its timers fire as they come due; the runs' activities take
   * their real time), then holds it again. Only on a stack of `server: 'time-skipping'`.
   */
  skipTime(ms: number): Promise<void>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

/** Which Temporal server a test stack uses: the dev server (real time, visibility), or its jest worker's time-skipping one. */
export type TestServerKind = 'dev' | 'time-skipping';

/** The address of the run's server of that kind (globalSetup starts them). */
export function testServerAddress(kind: TestServerKind): string {
  if (kind === 'dev') {
    const address = process.env.OVERTURE_TEST_TEMPORAL_ADDRESS;
    if (!address) throw new Error('OVERTURE_TEST_TEMPORAL_ADDRESS is not set: run the tests with jest (globalSetup starts Temporal)');
    return address;
  }
  const addresses = (process.env.OVERTURE_TEST_SKIPPING_ADDRESSES ?? '').split(',').filter(Boolean);
  // One per jest worker: JEST_WORKER_ID counts from 1, and a worker runs its files one after another.
  const address = addresses[(Number(process.env.JEST_WORKER_ID ?? '1') - 1) % Math.max(addresses.length, 1)];
  if (!address)
    throw new Error('no time-skipping test server: this file runs in the fast tier only (npm test), where globalSetup starts them');
  return address;
}

/** Connection options that ask for the test server's own service (what `@temporalio/testing` does internally). */
function withTestService(options: ConnectionOptions): ConnectionOptions {
  const internal: InternalConnectionOptions = { ...options, [InternalConnectionOptionsSymbol]: { supportsTestService: true } };
  return internal;
}

/** Environment for a test: unique task queue and data dir, local SMTP and webhook. */
function testEnv(
  mail: MailReceiver,
  webhooks: WebhookReceiver,
  extra: Record<string, string>,
  server: TestServerKind,
): Record<string, string> {
  const address = testServerAddress(server);
  const dataDir = fs.mkdtempSync(path.join(process.env.OVERTURE_TEST_DIR ?? '/tmp', 'data-'));
  return {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    OVERTURE_DATA_DIR: dataDir,
    SMTP_URL: mail.url,
    NOTIFY_WEBHOOK_URL: webhooks.url,
    // Payloads are encrypted in tests as everywhere: the run's one key file (globalSetup).
    ...(process.env.OVERTURE_TEST_CODEC_KEY_FILE ? { OVERTURE_CODEC_KEY_FILE: process.env.OVERTURE_TEST_CODEC_KEY_FILE } : {}),
    ...extra,
  };
}

/** Extra environment of a test stack, or a function of its receivers (e.g. a webhook URL on another path). */
export type ExtraEnv = Record<string, string> | ((receivers: { mail: MailReceiver; webhooks: WebhookReceiver }) => Record<string, string>);

/** Starts the per-file stack; the worker uses the workflow bundle made once by globalSetup. */
export async function startTestStack(
  extraEnv: ExtraEnv = {},
  opts: { worker?: boolean; server?: TestServerKind } = {},
): Promise<TestStack> {
  const server = opts.server ?? 'dev';
  let mail = await startMailReceiver();
  let mailStopped = false;
  const webhooks = await startWebhookReceiver();
  const env = testEnv(mail, webhooks, typeof extraEnv === 'function' ? extraEnv({ mail, webhooks }) : extraEnv, server);
  const config = loadConfig(env);
  // As `npm start` does: the first admin and its token file, which the CLI uses when no other token is given.
  await ensureBootstrapAdmin(config, () => undefined);
  const client = await connectClient(config);
  const directory = new SqliteDirectory(config.directoryDbPath, config.WORKSPACE_BASE_URL);
  let running: { worker: Worker; done: Promise<void>; shutdown: () => Promise<void> } | undefined;

  const startWorker = async () => {
    if (running) return;
    const bundlePath = process.env.OVERTURE_TEST_WORKFLOW_BUNDLE;
    const built = await createWorker(config, bundlePath ? { workflowBundle: { codePath: bundlePath } } : {});
    running = { worker: built.worker, done: built.worker.run(), shutdown: built.shutdown };
  };
  const stopWorker = async () => {
    if (!running) return;
    const { worker, done, shutdown } = running;
    running = undefined;
    worker.shutdown();
    await done;
    await shutdown();
  };
  if (opts.worker !== false) await startWorker();
  // The time-skipping server's own service, reached through a connection that declares it.
  const testService =
    server === 'time-skipping' ? await Connection.connect(withTestService({ address: config.TEMPORAL_ADDRESS })) : undefined;

  return {
    config,
    env,
    client,
    dataConverter: dataConverterFor(config),
    get mail() {
      return mail;
    },
    webhooks,
    directory,
    async stopMail() {
      if (mailStopped) return;
      mailStopped = true;
      await mail.stop();
    },
    async restartMail() {
      if (!mailStopped) return;
      mail = await startMailReceiver({ port: mail.port });
      mailStopped = false;
    },
    startWorker,
    stopWorker,
    async skipTime(ms) {
      if (!testService?.testService)
        throw new Error('skipTime needs a stack on the time-skipping server (startTestStack(env, { server: "time-skipping" }))');
      await testService.testService.unlockTimeSkippingWithSleep({ duration: msToTs(ms) });
    },
    async stop() {
      await testService?.close();
      await stopWorker();
      await client.connection.close();
      directory.close();
      if (!mailStopped) await mail.stop();
      await webhooks.stop();
    },
  };
}

/** Run options with retry intervals and ladder timers short enough for tests, for any process. */
export function fastOptions(ladder: Partial<EscalationLadder> = {}, approvalLadder: Partial<EscalationLadder> = {}) {
  return <O extends ProcessOptions>(options: O): O => {
    const policies = Object.fromEntries(
      // Attempt counts, not the time budgets of email and chat steps: a test that breaks SMTP expects its escalation soon.
      Object.entries(options.policies).map(([step, { retryBudgetMs: _budget, ...p }]) => [
        step,
        { ...p, initialIntervalMs: 100, maximumIntervalMs: 200, maximumAttempts: 3, startToCloseTimeoutMs: 10_000 },
      ]),
    );
    const slow = { reminderAfterMs: 3_600_000, nextContactAfterMs: 7_200_000, automaticActionAfterMs: 10_800_000 };
    return {
      ...options,
      policies,
      supportPolicy: { ...options.supportPolicy, initialIntervalMs: 100, maximumIntervalMs: 200, maximumAttempts: 3 },
      escalation: { ...options.escalation, ladder: { ...options.escalation.ladder, ...slow, ...ladder } },
      approval: { ...options.approval, ladder: { ...options.approval.ladder, ...slow, ...approvalLadder } },
    };
  };
}

/** Polls until the check passes or the time is up. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`);
}

/** Polls the run's status until the predicate holds. */
export async function statusWhen(
  stack: TestStack,
  workflowId: string,
  predicate: (status: RunStatus) => boolean,
  what = 'status',
  timeoutMs = 20_000,
) {
  return eventually(
    async () => {
      const status = await getRunStatus(stack.client, workflowId);
      return predicate(status) ? status : undefined;
    },
    timeoutMs,
    what,
  );
}
