/**
 * The KPI sink from recorded histories: replaying a run through a worker whose `kpis` sink writes into a real SQLite
 * projection lands the run, its steps (manual or automated), its questions; replaying it again changes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { workflowSource } from '../../src/registry/workflow-bundle';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/codec/data-converter';
import { EncryptionCodec } from '../../src/temporal/codec/encryption-codec';
import { parseKeyRing } from '../../src/temporal/codec/key-ring';
import { SqliteKpiStore } from '../../src/stores/kpis/sqlite-kpis';
import { kpiSink } from '../../src/stores/kpis/sink';
import { processKpis } from '../../src/kpis/aggregate';

const HISTORIES = path.join(__dirname, '..', 'processes');
const KEYS = parseKeyRing(
  fs.readFileSync(path.join(__dirname, '..', 'replay', 'fixtures', 'codec-keys.json'), 'utf8'),
  'the replay fixture key',
);
const load = (name: string) => historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES, name), 'utf8')));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpi-sink-'));
let store: SqliteKpiStore;
beforeAll(() => {
  store = new SqliteKpiStore(path.join(dir, 'kpis.db'));
});
afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function replay(name: string): Promise<void> {
  const history = load(name);
  const workflowId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? name;
  const codePath = process.env.OVERTURE_TEST_WORKFLOW_BUNDLE;
  await Worker.runReplayHistory(
    {
      ...(codePath ? { workflowBundle: { codePath } } : workflowSource()),
      dataConverter: { payloadCodecs: [EncryptionCodec.of(KEYS)], failureConverterPath: FAILURE_CONVERTER_PATH },
      sinks: kpiSink(store).sinks,
    },
    history,
    workflowId,
  );
}

const rows = (sql: string) => store.query(sql, []);

it('lands a replayed onboarding with a manual task: the run, each step with its mode, the task as a question', async () => {
  await replay('onboarding/histories/onboarding-equipment-task.json');
  expect(await rows("SELECT process, state FROM kpi_runs WHERE workflow_id = 'onboarding-R6'")).toEqual([
    { process: 'onboarding', state: 'completed' },
  ]);
  const steps = await rows("SELECT step, visit, mode, outcome, attempts FROM kpi_steps WHERE workflow_id = 'onboarding-R6' ORDER BY step");
  expect(steps).toEqual(
    ['assignPermissions', 'createAccount', 'createWorkspace', 'notifyTeam', 'requestEquipment', 'sendWelcomeEmail'].map((step) => ({
      step,
      visit: 1,
      mode: step === 'requestEquipment' ? 'manual' : 'automated',
      outcome: 'completed',
      attempts: step === 'requestEquipment' ? 0 : 1,
    })),
  );
  const [task] = await rows(
    "SELECT question_kind, step, action, closed_at - opened_at AS ms FROM kpi_questions WHERE workflow_id = 'onboarding-R6'",
  );
  expect(task).toMatchObject({ question_kind: 'task', step: 'requestEquipment', action: 'done' });
  // The task's wait is the manual step's wait for a person.
  const [equipment] = await rows("SELECT person_wait_ms FROM kpi_steps WHERE workflow_id = 'onboarding-R6' AND step = 'requestEquipment'");
  expect(equipment!.person_wait_ms).toBe(task!.ms);
  expect(task!.ms).toBeGreaterThan(0);
});

it('counts an escalated step once, with its error, its escalation and the time it waited for the decision', async () => {
  await replay('onboarding/histories/escalated-then-retried.json');
  const [run] = await rows("SELECT workflow_id FROM kpi_runs WHERE workflow_id <> 'onboarding-R6'");
  const escalated = await rows(
    `SELECT step, visit, outcome, errors, escalations, person_wait_ms FROM kpi_steps WHERE workflow_id = '${String(run!.workflow_id)}' AND escalations > 0`,
  );
  expect(escalated).toHaveLength(1);
  expect(escalated[0]).toMatchObject({ visit: 1, outcome: 'completed', errors: 1, escalations: 1 });
  expect(Number(escalated[0]!.person_wait_ms)).toBeGreaterThan(0);
});

it('changes nothing when a run is replayed again (a worker that lost its cache): the same rows, counted once', async () => {
  const before = await rows('SELECT * FROM kpi_steps ORDER BY workflow_id, step');
  const kpisBefore = await processKpis(store, 'onboarding', { since: 0, until: Date.now() });
  await replay('onboarding/histories/onboarding-equipment-task.json');
  await replay('onboarding/histories/escalated-then-retried.json');
  expect(await rows('SELECT * FROM kpi_steps ORDER BY workflow_id, step')).toEqual(before);
  const kpis = await processKpis(store, 'onboarding', { since: 0, until: Date.now() });
  expect(kpis).toEqual({ ...kpisBefore, until: kpis.until, runs: { ...kpisBefore.runs, perDay: kpis.runs.perDay } });
  expect(kpis.runs).toMatchObject({ started: 2, completed: 2 });
  expect(kpis.steps.find((s) => s.step === 'sendWelcomeEmail')).toMatchObject({ runs: 2, escalationRate: 0.5, errorRate: 0.5 });
  expect(kpis.steps.find((s) => s.step === 'requestEquipment')).toMatchObject({ manual: { runs: 1 }, automated: { runs: 0 } });
});
