/**
 * Records the committed replay histories: one onboarding per path through the workflow, on a throwaway
 * Temporal dev server. Run it after a deliberate workflow change: `npm run history:record`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { loadConfig, type OvertureConfig } from '../../src/config';
import { answerQuestion, connectClient, decideApproval, resolveEscalation, startOnboarding, startProcess, getRunStatus, type StartedOnboarding } from '../../src/client';
import { provisionTemporalBinary } from '../../src/dev-stack/temporal-binary';
import { findFreePort, startTemporalDevServer } from '../../src/dev-stack/temporal-server';
import { startMailReceiver } from '../../src/dev-stack/mail-receiver';
import { startWebhookReceiver } from '../../src/dev-stack/webhook-receiver';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../workflows/kit/search-attributes';
import { createWorker } from '../../workers/overture-worker';
import type { Client } from '@temporalio/client';
import type { FaultMode, ProcessOptions } from '../../workflows/kit/types';
import type { NewHire } from '../../workflows/onboarding/types';

const OUT_DIR = path.join(__dirname, 'histories');

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
  for (const policy of Object.values(options.policies)) Object.assign(policy, { initialIntervalMs: 100, maximumIntervalMs: 200, maximumAttempts: 3 });
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
  'completed': (_c, start) => start(hire('R1')),
  'escalated-then-retried': async (client, start) => {
    const run = await start(hire('R2'), { sendWelcomeEmail: { kind: 'permanent' } });
    await waitFor(client, run.workflowId, (s) => s.questions.some((e) => e.kind === 'escalation' && e.open));
    await resolveEscalation(client, run.workflowId, { step: 'sendWelcomeEmail', action: 'retry', by: 'recorder', reason: 'fixed' });
    return run;
  },
  'aborted-with-compensation': async (client, start) => {
    const run = await start(hire('R3'), { createWorkspace: { kind: 'permanent' } });
    await waitFor(client, run.workflowId, (s) => s.questions.some((e) => e.kind === 'escalation' && e.open) && s.steps.find((x) => x.step === 'sendWelcomeEmail')?.state === 'completed');
    await resolveEscalation(client, run.workflowId, { step: 'createWorkspace', action: 'abort', by: 'recorder', reason: 'withdrawn' });
    return run;
  },
  'workspace-fallback-ticket': (_c, start) => start(hire('R4'), { createWorkspace: { kind: 'transient', failures: 99 } }),
  'approval-approved': async (client, start) => {
    const run = await start(hire('R5', { role: 'admin' }));
    await waitFor(client, run.workflowId, (s) => s.questions.some((q) => q.kind === 'approval' && q.open));
    await decideApproval(client, run.workflowId, { decision: 'approve', by: 'recorder' });
    return run;
  },
  'onboarding-equipment-task': async (client, start) => {
    const run = await start(hire('R6', { equipment: ['Laptop'] }));
    await waitFor(client, run.workflowId, (s) => s.questions.some((q) => q.kind === 'task' && q.open));
    await answerQuestion(client, run.workflowId, { question: 'requestEquipment/task#1', decision: 'done', by: 'recorder', output: { assetTags: 'LT-1' } });
    return run;
  },
  'financial-close-adjusted-approved': async (client, _start, config) => {
    const close = await startProcess(client, config, 'financial-close', { period: '2026-10', entities: ['acme-us', 'acme-uk', 'acme-de'], controllerEmail: 'controller@example.com' }, { tuneOptions: quick });
    const child = `${close.workflowId}/reconcileEntities/acme-uk`;
    await waitFor(client, child, (s) => s.questions.some((q) => q.kind === 'escalation' && q.open));
    await resolveEscalation(client, child, { step: 'reconcile', action: 'skip', by: 'recorder', output: { adjustment: '-1250.00' } });
    await waitFor(client, close.workflowId, (s) => s.questions.some((q) => q.kind === 'approval' && q.open));
    await answerQuestion(client, close.workflowId, { decision: 'approve', by: 'recorder' });
    await close.handle.result();
    return [
      { name: 'financial-close-adjusted-approved', workflowId: close.workflowId },
      { name: 'reconcile-entity-adjusted', workflowId: child },
    ];
  },
};

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-record-'));
  const binary = await provisionTemporalBinary({ log: (l) => console.error(l) });
  const server = await startTemporalDevServer({ binary, port: await findFreePort(), headless: true, searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS });
  const mail = await startMailReceiver();
  const webhooks = await startWebhookReceiver();
  const config = loadConfig({ TEMPORAL_ADDRESS: server.address, OVERTURE_DATA_DIR: work, SMTP_URL: mail.url, NOTIFY_WEBHOOK_URL: webhooks.url, TEMPORAL_TASK_QUEUE: 'record' });
  const client = await connectClient(config);
  const { worker, shutdown } = await createWorker(config);
  const running = worker.run();
  try {
    fs.mkdirSync(OUT_DIR, { recursive: true });
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
        fs.writeFileSync(path.join(OUT_DIR, `${run.name}.json`), JSON.stringify(JSON.parse(history), null, 1) + '\n');
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
