/**
 * Records the committed replay histories: one onboarding per path through the workflow, and a run of each
 * other process (with a child run where it fans out), on a throwaway Temporal dev server. Run it after a
 * deliberate workflow change: `npm run history:record`, or `npm run history:record -- NAME...` for some.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { loadConfig, type OvertureConfig } from '../../src/config';
import { answerQuestion, connectClient, decideApproval, resolveEscalation, sendEvent, startProcess, getRunStatus } from '../../src/client';
import { provisionTemporalBinary } from '../../src/tools/dev-stack/temporal-binary';
import { findFreePort, startTemporalDevServer } from '../../src/tools/dev-stack/temporal-server';
import { writeOrderFile } from '../../activities/data-pipeline/order-generator';
import { createSchedule } from '../../src/client/schedules';
import { startMailReceiver } from '../../src/tools/dev-stack/mail-receiver';
import { startWebhookReceiver } from '../../src/tools/dev-stack/webhook-receiver';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../workflows/kit/search-attributes';
import { createWorker } from '../../workers/overture-worker';
import type { Client } from '@temporalio/client';
import type { FaultMode, ProcessOptions } from '../../workflows/kit/types';
import type { NewHire } from '../../workflows/onboarding/types';
import { decidedBy } from '../helpers/operators';
import { startOnboarding, type StartedOnboarding } from '../processes/onboarding/helpers';
import { settings as pipelineSettings } from '../../activities/data-pipeline/settings';
import { settings as closeSettings } from '../../activities/financial-close/settings';

/** Each history goes to its process's tests (test/processes/<process>/histories), where the replay test finds it. */
const PROCESSES_DIR = path.join(__dirname, '..', 'processes');
/** The process of each recorded run that is not an onboarding. */
const PROCESS_OF: Record<string, string> = {
  'content-published': 'content-publishing',
  'financial-close-adjusted-approved': 'financial-close',
  'reconcile-entity-adjusted': 'financial-close',
  'financial-close-child-waits': 'financial-close',
  'reconcile-entity-waits': 'financial-close',
  'data-pipeline-completed': 'data-pipeline',
  'transform-partition-completed': 'data-pipeline',
  'scheduled-start-pipeline': 'data-pipeline',
};
/** The payload encryption key of recorded histories: a fixture, committed, never used outside tests. */
const REPLAY_KEYS_FILE = path.join(__dirname, 'fixtures', 'codec-keys.json');

const hire = (employeeId: string, overrides: Partial<NewHire> = {}): NewHire => ({
  employeeId,
  fullName: 'Mary Jackson',
  email: `mary.jackson.${employeeId.toLowerCase()}@example.com`,
  role: 'engineer',
  team: 'Wind Tunnel',
  managerEmail: 'manager@example.com',
  startDate: '2026-12-07',
  extraPermissions: [],
  ...overrides,
});

/** Short retries so recording takes seconds. */
function quick<O extends ProcessOptions>(options: O): O {
  for (const policy of Object.values(options.policies))
    Object.assign(policy, { initialIntervalMs: 100, maximumIntervalMs: 200, maximumAttempts: 3 });
  Object.assign(options.supportPolicy, { initialIntervalMs: 100, maximumIntervalMs: 200 });
  return options;
}

async function waitFor(client: Client, workflowId: string, check: (s: Awaited<ReturnType<typeof getRunStatus>>) => boolean): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    // A child run may not exist yet: keep polling until it does.
    const status = await getRunStatus(client, workflowId).catch(() => undefined);
    if (status && check(status)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowId} never reached the expected state`);
}

type Start = (h: NewHire, faults?: Partial<Record<string, FaultMode>>) => Promise<StartedOnboarding>;
/** A scenario returns the runs whose histories it records: the run, and for a fan-out also an item's child run. */
type Scenario = (client: Client, start: Start, config: OvertureConfig) => Promise<StartedOnboarding | Recorded[]>;
interface Recorded {
  name: string;
  workflowId: string;
}

const SCENARIOS: Record<string, Scenario> = {
  completed: (_c, start) => start(hire('R1')),
  // The same path with its payloads encrypted (AES-256-GCM under the fixture key): replays only through the codec.
  'completed-encrypted': (_c, start) => start(hire('R7')),
  // Kit version 2 (workflows/kit/kit-version.ts): no patch marker, and the welcome email and team post budgeted
  // steps make their first attempt on the fast path; a transient failure there moves the send to a durable activity.
  'completed-v2': (_c, start) => start(hire('R8')),
  'welcome-retried-durably-v2': (_c, start) => start(hire('R9'), { sendWelcomeEmail: { kind: 'transient', failures: 1 } }),
  'escalated-then-retried': async (client, start) => {
    const run = await start(hire('R2'), { sendWelcomeEmail: { kind: 'permanent' } });
    await waitFor(client, run.workflowId, (s) => s.questions.some((e) => e.kind === 'escalation' && e.open));
    await resolveEscalation(client, run.workflowId, {
      step: 'sendWelcomeEmail',
      action: 'retry',
      ...decidedBy('recorder'),
      reason: 'fixed',
    });
    return run;
  },
  'aborted-with-compensation': async (client, start) => {
    const run = await start(hire('R3'), { createWorkspace: { kind: 'permanent' } });
    await waitFor(
      client,
      run.workflowId,
      (s) =>
        s.questions.some((e) => e.kind === 'escalation' && e.open) &&
        s.steps.find((x) => x.step === 'sendWelcomeEmail')?.state === 'completed',
    );
    await resolveEscalation(client, run.workflowId, {
      step: 'createWorkspace',
      action: 'abort',
      ...decidedBy('recorder'),
      reason: 'withdrawn',
    });
    return run;
  },
  'workspace-fallback-ticket': (_c, start) => start(hire('R4'), { createWorkspace: { kind: 'transient', failures: 99 } }),
  'approval-approved': async (client, start) => {
    const run = await start(hire('R5', { role: 'admin' }));
    await waitFor(client, run.workflowId, (s) => s.questions.some((q) => q.kind === 'approval' && q.open));
    await decideApproval(client, run.workflowId, { decision: 'approve', ...decidedBy('recorder') });
    return run;
  },
  'onboarding-equipment-task': async (client, start) => {
    const run = await start(hire('R6', { equipment: ['Laptop'] }));
    await waitFor(client, run.workflowId, (s) => s.questions.some((q) => q.kind === 'task' && q.open));
    await answerQuestion(client, run.workflowId, {
      question: 'requestEquipment/task#1',
      decision: 'done',
      ...decidedBy('recorder'),
      output: { assetTags: 'LT-1' },
    });
    return run;
  },
  'financial-close-adjusted-approved': async (client, _start, config) => {
    const close = await startProcess(
      client,
      config,
      'financial-close',
      { period: '2026-10', entities: ['acme-us', 'acme-uk', 'acme-de'], controllerEmail: 'controller@example.com' },
      { tuneOptions: quick },
    );
    const child = `${close.workflowId}/reconcileEntities/acme-uk`;
    await waitFor(client, child, (s) => s.questions.some((q) => q.kind === 'escalation' && q.open));
    await resolveEscalation(client, child, {
      step: 'reconcile',
      action: 'skip',
      ...decidedBy('recorder'),
      output: { adjustment: '-1250.00' },
    });
    await waitFor(client, close.workflowId, (s) => s.questions.some((q) => q.kind === 'approval' && q.open));
    await answerQuestion(client, close.workflowId, { decision: 'approve', ...decidedBy('recorder') });
    await close.handle.result();
    return [
      { name: 'financial-close-adjusted-approved', workflowId: close.workflowId },
      { name: 'reconcile-entity-adjusted', workflowId: child },
    ];
  },
  // Run waits: the child tells the close (through the fan-out window) that it waits for a person, then that it no
  // longer does; the close mirrors it in OvertureWaitingFor and OvertureNeedsAttention, behind the run-waits patch.
  'financial-close-child-waits': async (client, _start, config) => {
    const rates = closeSettings.of(config).ratesSource;
    const october = fs.readFileSync(rates, 'utf8');
    fs.writeFileSync(rates, JSON.stringify({ ...JSON.parse(october), period: '2026-09', publishedAt: '2026-09-30T16:00:00Z' }));
    const close = await startProcess(
      client,
      config,
      'financial-close',
      // A period of its own (the other close locked 2026-10), with October's statements (see bankStatements()).
      { period: '2026-09', entities: ['acme-us', 'acme-uk', 'acme-de'], controllerEmail: 'controller@example.com' },
      { tuneOptions: quick },
    );
    const child = `${close.workflowId}/reconcileEntities/acme-uk`;
    await waitFor(client, close.workflowId, (s) => s.waitingFor?.kind === 'child');
    // September's books differ from the statements for more than one entity: each is adjusted by its difference.
    for (const entity of ['acme-us', 'acme-uk', 'acme-de']) {
      const item = `${close.workflowId}/reconcileEntities/${entity}`;
      await waitFor(client, item, (s) => s.state !== 'running');
      const asked = (await getRunStatus(client, item)).questions.find((q) => q.kind === 'escalation' && q.open);
      const difference = asked && /difference (-?\d+\.\d{2})/.exec(asked.prompt)?.[1];
      if (difference)
        await resolveEscalation(client, item, {
          step: 'reconcile',
          action: 'skip',
          ...decidedBy('recorder'),
          output: { adjustment: difference },
        });
    }
    await waitFor(client, close.workflowId, (s) => s.waitingFor?.kind === 'person');
    await answerQuestion(client, close.workflowId, { decision: 'approve', ...decidedBy('recorder') });
    await close.handle.result();
    fs.writeFileSync(rates, october);
    return [
      { name: 'financial-close-child-waits', workflowId: close.workflowId },
      { name: 'reconcile-entity-waits', workflowId: child },
    ];
  },
  'content-published': async (client, _start, config) => {
    // No links: the recording needs no site server. The editor asks for changes once; the revision is published on a timer.
    const draft = {
      contentId: 'replay-story',
      revision: 1,
      title: 'A story',
      body: 'A first draft.\n',
      author: { name: 'A. Writer', email: 'writer@example.com' },
      channels: ['site', 'newsletter', 'social'],
      publishAt: new Date(Date.now() + 20_000).toISOString(),
    };
    const run = await startProcess(client, config, 'content-publishing', draft, { tuneOptions: quick });
    await waitFor(client, run.workflowId, (s) => s.questions.some((q) => q.id === 'editorialReview/question#1' && q.open));
    await answerQuestion(client, run.workflowId, {
      question: 'editorialReview',
      decision: 'request-changes',
      ...decidedBy('recorder'),
      reason: 'a conclusion',
    });
    await waitFor(client, run.workflowId, (s) => s.steps.find((x) => x.step === 'awaitRevision')?.state === 'waiting');
    await sendEvent(client, run.workflowId, {
      type: 'draft.revised',
      id: 'r2',
      data: { ...draft, revision: 2, body: 'A first draft.\n\nIn conclusion, a story.\n' },
    });
    await waitFor(client, run.workflowId, (s) => s.questions.some((q) => q.id === 'editorialReview/question#2' && q.open));
    await answerQuestion(client, run.workflowId, { question: 'editorialReview', decision: 'approve', ...decidedBy('recorder') });
    return run;
  },
  'data-pipeline-completed': async (client, _start, config) => {
    // 200 rows, 2 of them bad (1%, under the 5% that asks a person): 198 valid rows in 2 partitions of 100.
    await writeOrderFile(path.join(pipelineSettings.of(config).inboxDir, 'orders-2026-11-20.csv'), {
      date: '2026-11-20',
      rows: 200,
      badRatio: 0.01,
    });
    const run = await startProcess(
      client,
      config,
      'data-pipeline',
      { dataset: 'orders', source: { inboxFile: 'orders-2026-11-20.csv' }, partitionRows: 100 },
      { tuneOptions: quick },
    );
    const result = (await run.handle.result()) as { rowsIn: number; rejected: number; loaded: number; partitions: number };
    if (result.rowsIn !== 200 || result.rejected !== 2 || result.loaded !== 198 || result.partitions !== 2)
      throw new Error(`unexpected pipeline result ${JSON.stringify(result)}`);
    return [
      { name: 'data-pipeline-completed', workflowId: run.workflowId },
      { name: 'transform-partition-completed', workflowId: `${run.workflowId}/transform/part-0` },
    ];
  },
  'scheduled-start-pipeline': async (client, _start, config) => {
    // A real schedule, kept paused so it never fires on its own; one backfilled night gives the run a fixed
    // scheduled time (2026-11-22 02:00 UTC), so {{yesterday}} is 2026-11-21 whenever this is recorded.
    await writeOrderFile(path.join(pipelineSettings.of(config).inboxDir, 'orders-2026-11-21.csv'), {
      date: '2026-11-21',
      rows: 200,
      badRatio: 0.01,
    });
    const name = 'record-pipeline-nightly';
    await createSchedule(client, config, {
      name,
      process: 'data-pipeline',
      input: { dataset: 'orders', batchDate: '{{yesterday}}', partitionRows: 100 },
      when: 'nightly',
      hour: 2,
      timezone: 'UTC',
      overlap: 'skip',
      paused: true,
    });
    const schedule = client.schedule.getHandle(name);
    try {
      await schedule.backfill({ start: new Date('2026-11-22T01:30:00Z'), end: new Date('2026-11-22T02:30:00Z') });
      for (let i = 0; i < 300; i += 1) {
        const [action] = (await schedule.describe()).info.recentActions;
        if (action) {
          const { workflowId, firstExecutionRunId } = action.action.workflow;
          const outcome = (await client.workflow.getHandle(workflowId, firstExecutionRunId).result()) as {
            workflowId: string;
            outcome: string;
          };
          if (outcome.workflowId !== 'pipeline-orders-2026-11-21' || outcome.outcome !== 'completed')
            throw new Error(`unexpected scheduled outcome ${JSON.stringify(outcome)}`);
          return [{ name: 'scheduled-start-pipeline', workflowId }];
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`schedule ${name} never acted on its backfill`);
    } finally {
      await schedule.delete();
    }
  },
};

/** The example's rates of 2026-10, in a copy the second close may rewrite for its period. */
function ratesFile(work: string): string {
  const file = path.join(work, 'rates.json');
  fs.copyFileSync(path.join(__dirname, '..', '..', 'examples', 'financial-close', 'rates-2026-10.json'), file);
  return file;
}

/** The example's bank statements of 2026-10, also as 2026-09's: two closes, each of a period of its own. */
function bankStatements(work: string): string {
  const from = path.join(__dirname, '..', '..', 'examples', 'financial-close', 'bank');
  const dir = path.join(work, 'bank');
  fs.mkdirSync(dir);
  for (const file of fs.readdirSync(from)) {
    fs.copyFileSync(path.join(from, file), path.join(dir, file));
    fs.copyFileSync(path.join(from, file), path.join(dir, file.replace('2026-10', '2026-09')));
  }
  return dir;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-record-'));
  const binary = await provisionTemporalBinary({ log: (l) => console.error(l) });
  const server = await startTemporalDevServer({
    binary,
    port: await findFreePort(),
    headless: true,
    searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
  });
  const mail = await startMailReceiver();
  const webhooks = await startWebhookReceiver();
  // Recorded with payload encryption, under the committed fixture key (a test key, public by design), as every
  // client and worker runs; the replay test decodes with the same key. Histories recorded before are plain.
  const config = loadConfig({
    TEMPORAL_ADDRESS: server.address,
    OVERTURE_DATA_DIR: work,
    BANK_STATEMENTS_DIR: bankStatements(work),
    RATES_SOURCE: ratesFile(work),
    SMTP_URL: mail.url,
    NOTIFY_WEBHOOK_URL: webhooks.url,
    TEMPORAL_TASK_QUEUE: 'record',
    OVERTURE_CODEC_KEYS: fs.readFileSync(REPLAY_KEYS_FILE, 'utf8'),
  });
  const client = await connectClient(config);
  const { worker, shutdown } = await createWorker(config);
  const running = worker.run();
  try {
    // Name scenarios to record only those: histories recorded before a change must stay as they were.
    const wanted = process.argv.slice(2);
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      if (wanted.length && !wanted.includes(name)) continue;
      const outcome = await scenario(client, (h, faults) => startOnboarding(client, config, h, { faults, tuneOptions: quick }), config);
      const runs = Array.isArray(outcome) ? outcome : [{ name, workflowId: outcome.workflowId }];
      for (const run of runs) {
        const handle = client.workflow.getHandle(run.workflowId);
        await handle.result().catch(() => undefined);
        const history = historyToJSON(await handle.fetchHistory());
        const dir = path.join(PROCESSES_DIR, PROCESS_OF[run.name] ?? 'onboarding', 'histories');
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, `${run.name}.json`), JSON.stringify(JSON.parse(history), null, 1) + '\n');
        console.log(`recorded ${run.name} (${run.workflowId})`);
      }
    }
  } finally {
    worker.shutdown();
    await running;
    await shutdown();
    await client.connection.close();
    await mail.stop();
    await webhooks.stop();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
