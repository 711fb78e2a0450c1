/**
 * Recording replay histories from a process's own tests: a run's history is saved to the process's
 * `test/processes/<name>/histories/` when its tests run with OVERTURE_RECORD_HISTORIES=1,
 * and the replay gate (test/replay/replay.test.ts) replays every saved history against today's workflow code.
 * Tests that record run their stack with the committed replay key (recordingEnv()), so the saved payloads decode at replay.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { WorkflowHandle } from '@temporalio/client';

/** The payload key of recorded histories: a committed fixture, never used outside tests. */
export const REPLAY_KEY_FILE = path.join(__dirname, '..', 'replay', 'fixtures', 'codec-keys.json');

/**
 * The environment a recording test's stack needs: payloads encrypted with the replay key. A key file must be the
 * owner's alone (mode 0600), which git does not keep: the stack gets a private copy.
 */
export function recordingEnv(): { OVERTURE_CODEC_KEY_FILE: string } {
  const dir = fs.mkdtempSync(path.join(process.env.OVERTURE_TEST_DIR ?? os.tmpdir(), 'replay-key-'));
  const file = path.join(dir, 'codec-keys.json');
  fs.copyFileSync(REPLAY_KEY_FILE, file);
  fs.chmodSync(file, 0o600);
  return { OVERTURE_CODEC_KEY_FILE: file };
}

/** Whether this test run records histories (OVERTURE_RECORD_HISTORIES=1). */
export const recording = process.env.OVERTURE_RECORD_HISTORIES === '1';

/**
 * Saves the run's history as `<testDir>/histories/<name>.json` when recording (replacing the one of that name);
 * otherwise does nothing. Call it once the run has ended.
 */
export async function saveHistory(handle: WorkflowHandle, testDir: string, name: string): Promise<void> {
  if (!recording) return;
  const dir = path.join(testDir, 'histories');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(await handle.fetchHistory())), null, 2)}\n`);
}
