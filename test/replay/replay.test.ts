/**
 * Replay: every committed history must replay cleanly against today's workflow code; a workflow change
 * that would break running onboardings fails here (or must use patched()).
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { workflowSource } from '../../src/registry/workflow-bundle';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/codec/data-converter';
import { EncryptionCodec } from '../../src/temporal/codec/encryption-codec';
import { parseKeyRing } from '../../src/temporal/codec/key-ring';

/** Every committed history, kept with its process's tests: test/processes/<process>/histories/<name>.json. */
const PROCESSES_DIR = path.join(__dirname, '..', 'processes');
const histories = fs
  .readdirSync(PROCESSES_DIR)
  .flatMap((process) => {
    const dir = path.join(PROCESSES_DIR, process, 'histories');
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => `${process}/histories/${f}`)
      : [];
  })
  .sort();
const load = (name: string) => historyFromJSON(JSON.parse(fs.readFileSync(path.join(PROCESSES_DIR, name), 'utf8')));
/** The run's own workflow id, as the server recorded it in the first event: code may build ids on it (a fan-out's children). */
const workflowIdOf = (history: ReturnType<typeof load>, name: string) =>
  history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? path.basename(name, '.json');

// Replayed through the payload codec under the recorder's fixture key: encrypted histories decode, plain ones
// (recorded before encryption) pass through; the failure converter is the one workers run with.
const REPLAY_KEYS = parseKeyRing(fs.readFileSync(path.join(__dirname, 'fixtures', 'codec-keys.json'), 'utf8'), 'the replay fixture key');
const dataConverter = { payloadCodecs: [EncryptionCodec.of(REPLAY_KEYS)], failureConverterPath: FAILURE_CONVERTER_PATH };
const bundle = () => {
  const codePath = process.env.OVERTURE_TEST_WORKFLOW_BUNDLE;
  return { ...(codePath ? { workflowBundle: { codePath } } : workflowSource()), dataConverter };
};

it('has recorded histories: onboarding from before the kit (completed, escalated, compensated, fallback, approval) and after it, the financial close (and one whose children tell it they wait for a person), the content publishing, the data pipeline, a scheduled start, customer onboarding, and one recorded with payload encryption', () => {
  expect(histories).toEqual([
    'content-publishing/histories/content-published.json',
    'customer-onboarding/histories/setup-completed.json',
    'data-pipeline/histories/data-pipeline-completed.json',
    'data-pipeline/histories/scheduled-start-pipeline.json',
    'data-pipeline/histories/transform-partition-completed.json',
    'financial-close/histories/financial-close-adjusted-approved.json',
    'financial-close/histories/financial-close-child-waits.json',
    'financial-close/histories/reconcile-entity-adjusted.json',
    'financial-close/histories/reconcile-entity-waits.json',
    'onboarding/histories/aborted-with-compensation.json',
    'onboarding/histories/approval-approved.json',
    'onboarding/histories/completed-encrypted.json',
    'onboarding/histories/completed-v2.json',
    'onboarding/histories/completed.json',
    'onboarding/histories/escalated-then-retried.json',
    'onboarding/histories/onboarding-equipment-task.json',
    'onboarding/histories/welcome-retried-durably-v2.json',
    'onboarding/histories/workspace-fallback-ticket.json',
  ]);
});

it.each(histories)('replays %s cleanly', async (name) => {
  const history = load(name);
  await expect(Worker.runReplayHistory(bundle(), history, workflowIdOf(history, name))).resolves.toBeUndefined();
});

it('needs the key for an encrypted history: its payloads are ciphertext, and without the codec the run cannot replay', async () => {
  const [started] = load('onboarding/histories/completed-encrypted.json').events!;
  const input = started!.workflowExecutionStartedEventAttributes!.input!.payloads!;
  expect(input.map((p) => Buffer.from(p.metadata!.encoding!).toString())).toEqual(['binary/encrypted']);
  expect(Buffer.from(input[0]!.data!).toString('latin1')).not.toContain('Mary Jackson');
  const withoutKey = { ...bundle(), dataConverter: { failureConverterPath: FAILURE_CONVERTER_PATH } };
  await expect(
    Worker.runReplayHistory(withoutKey, load('onboarding/histories/completed-encrypted.json'), 'completed-encrypted.json'),
  ).rejects.toThrow(/Replay failed due workflow task failure/);
});

it('fails the replay when the workflow changes non-deterministically', async () => {
  const reordered = { workflowsPath: path.join(__dirname, 'fixtures', 'reordered-onboarding.ts') };
  await expect(Worker.runReplayHistory(reordered, load('onboarding/histories/completed.json'), 'completed.json')).rejects.toBeInstanceOf(
    DeterminismViolationError,
  );
});
