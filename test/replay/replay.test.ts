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

const HISTORIES = path.join(__dirname, 'histories');
const files = fs
  .readdirSync(HISTORIES)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (file: string) => historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8')));

/** Histories the processes' own tests recorded (test/helpers/histories.ts), each named after its run's workflow id. */
const PROCESSES_DIR = path.join(__dirname, '..', 'processes');
const processHistories = fs
  .readdirSync(PROCESSES_DIR)
  .flatMap((process) => {
    const dir = path.join(PROCESSES_DIR, process, 'histories');
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => path.join(dir, f))
      : [];
  })
  .sort();
// Replayed through the payload codec under the recorder's fixture key: encrypted histories decode, plain ones
// (recorded before encryption) pass through; the failure converter is the one workers run with.
const REPLAY_KEYS = parseKeyRing(fs.readFileSync(path.join(__dirname, 'fixtures', 'codec-keys.json'), 'utf8'), 'the replay fixture key');
const dataConverter = { payloadCodecs: [EncryptionCodec.of(REPLAY_KEYS)], failureConverterPath: FAILURE_CONVERTER_PATH };
const bundle = () => {
  const codePath = process.env.OVERTURE_TEST_WORKFLOW_BUNDLE;
  return { ...(codePath ? { workflowBundle: { codePath } } : workflowSource()), dataConverter };
};

it('has recorded histories: onboarding from before the kit (completed, escalated, compensated, fallback, approval) and after it, the financial close, the content publishing, the data pipeline, a scheduled start, and one recorded with payload encryption', () => {
  expect(files).toEqual([
    'aborted-with-compensation.json',
    'approval-approved.json',
    'completed-encrypted.json',
    'completed.json',
    'content-published.json',
    'data-pipeline-completed.json',
    'escalated-then-retried.json',
    'financial-close-adjusted-approved.json',
    'onboarding-equipment-task.json',
    'reconcile-entity-adjusted.json',
    'scheduled-start-pipeline.json',
    'transform-partition-completed.json',
    'workspace-fallback-ticket.json',
  ]);
});

/** Runs whose code uses their own workflow id (a fan-out names its children after it) replay under that id. */
const WORKFLOW_IDS: Record<string, string> = {
  'financial-close-adjusted-approved.json': 'financial-close-2026-10',
  'data-pipeline-completed.json': 'pipeline-orders-2026-11-20',
};

it.each(files)('replays %s cleanly', async (file) => {
  await expect(Worker.runReplayHistory(bundle(), load(file), WORKFLOW_IDS[file] ?? file)).resolves.toBeUndefined();
});

// (A table must not be empty: with no process history yet, there is nothing to register.)
if (processHistories.length) {
  it.each(processHistories.map((file) => [path.relative(PROCESSES_DIR, file), file]))('replays %s cleanly', async (_name, file) => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(file, 'utf8')));
    // Replayed under the run's own workflow id (the server records it in the first event): code may build ids on it.
    const workflowId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? path.basename(file, '.json');
    await expect(Worker.runReplayHistory(bundle(), history, workflowId)).resolves.toBeUndefined();
  });
}

it('needs the key for an encrypted history: its payloads are ciphertext, and without the codec the run cannot replay', async () => {
  const [started] = load('completed-encrypted.json').events!;
  const input = started!.workflowExecutionStartedEventAttributes!.input!.payloads!;
  expect(input.map((p) => Buffer.from(p.metadata!.encoding!).toString())).toEqual(['binary/encrypted']);
  expect(Buffer.from(input[0]!.data!).toString('latin1')).not.toContain('Mary Jackson');
  const withoutKey = { ...bundle(), dataConverter: { failureConverterPath: FAILURE_CONVERTER_PATH } };
  await expect(Worker.runReplayHistory(withoutKey, load('completed-encrypted.json'), 'completed-encrypted.json')).rejects.toThrow(
    /Replay failed due workflow task failure/,
  );
});

it('fails the replay when the workflow changes non-deterministically', async () => {
  const reordered = { workflowsPath: path.join(__dirname, 'fixtures', 'reordered-onboarding.ts') };
  await expect(Worker.runReplayHistory(reordered, load('completed.json'), 'completed.json')).rejects.toBeInstanceOf(
    DeterminismViolationError,
  );
});
