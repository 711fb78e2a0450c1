/**
 * A worker and the CLI configured with SYSTEMS_URL (a real PostgreSQL whose database does not exist yet): a pause
 * made from the CLI is recorded in PostgreSQL, holds the worker's email step (waiting, nothing sent), and the resume
 * wakes the run the worker noted there; nothing of it lands in this host's systems.db.
 */
import fs from 'node:fs';
import { getRunStatus } from '../../src/client';
import { PostgresSystemHealthStore } from '../../src/stores/system-health/postgres-health';
import { addOperator, envAs, type TestOperator } from '../helpers/operators';
import { startTestPostgres, type TestPostgres } from '../helpers/private-postgres';
import { runOverture } from '../helpers/processes';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

jest.setTimeout(120_000);

let pg: TestPostgres;
let stack: TestStack;
let grace: TestOperator;

beforeAll(async () => {
  pg = await startTestPostgres();
  stack = await startTestStack({ SYSTEMS_URL: pg.urlFor('overture_systems') });
  grace = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.grace', 'operator');
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await pg?.stop();
});

it('holds the email step with a pause recorded in PostgreSQL and wakes it on resume', async () => {
  const paused = await runOverture(['systems', 'pause', 'email', '--reason', 'relay maintenance'], envAs(stack.env, grace));
  expect(paused).toMatchObject({ code: 0 });

  const hire = newHire();
  const run = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
  const waiting = await statusWhen(
    stack,
    run.workflowId,
    (s) => s.steps.find((st) => st.step === 'sendWelcomeEmail')?.state === 'waiting',
    'the welcome email waiting',
  );
  expect(waiting.steps.find((st) => st.step === 'sendWelcomeEmail')?.lastError).toBe('email paused by ops.grace: relay maintenance');
  expect(stack.mail.messages().filter((m) => m.to.includes(hire.email))).toEqual([]);

  const store = await PostgresSystemHealthStore.open(stack.config.SYSTEMS_URL!);
  try {
    expect(await store.pauseOf('email')).toMatchObject({ pausedBy: 'ops.grace', reason: 'relay maintenance' });
    const refused = await pg.query<{ workflow_id: string }>(
      'overture_systems',
      "SELECT workflow_id FROM system_paused_runs WHERE system = 'email'",
    );
    expect(refused.map((r) => r.workflow_id)).toEqual([run.workflowId]);

    const resumed = await runOverture(['systems', 'resume', 'email'], envAs(stack.env, grace));
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('email resumed by ops.grace; 1 waiting run(s) woken');
    await expect(run.handle.result()).resolves.toMatchObject({ state: 'completed' });
    expect((await getRunStatus(stack.client, run.workflowId)).log.map((l) => l.message)).toContain(
      'email resumed: sendWelcomeEmail runs again',
    );
    expect(stack.mail.messages().filter((m) => m.to.includes(hire.email) && m.subject.startsWith('Welcome'))).toHaveLength(1);
    expect((await store.pauseHistory('email')).map((r) => [r.action, r.by])).toEqual([
      ['resume', 'ops.grace'],
      ['pause', 'ops.grace'],
    ]);
  } finally {
    await store.close();
  }
  // This host's SQLite file was never used.
  expect(fs.existsSync(stack.config.systemsDbPath)).toBe(false);
});
