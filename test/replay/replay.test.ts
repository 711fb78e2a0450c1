/**
 * Replay: every committed history must replay cleanly against today's workflow code; a workflow change
 * that would break running onboardings fails here (or must use patched()).
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../workers/overture-worker';

const HISTORIES = path.join(__dirname, 'histories');
const files = fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.json')).sort();
const load = (file: string) => historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8')));
const bundle = () => {
  const codePath = process.env.OVERTURE_TEST_WORKFLOW_BUNDLE;
  return codePath ? { workflowBundle: { codePath } } : { workflowsPath: WORKFLOWS_PATH };
};

it('has recorded histories: onboarding from before the kit (completed, escalated, compensated, fallback, approval) and after it, the financial close, the content publishing, the data pipeline and a scheduled start', () => {
  expect(files).toEqual([
    'aborted-with-compensation.json',
    'approval-approved.json',
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

it('fails the replay when the workflow changes non-deterministically', async () => {
  const reordered = { workflowsPath: path.join(__dirname, 'fixtures', 'reordered-onboarding.ts') };
  await expect(Worker.runReplayHistory(reordered, load('completed.json'), 'completed.json')).rejects.toBeInstanceOf(DeterminismViolationError);
});
