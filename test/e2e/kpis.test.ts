/**
 * KPIs end to end: `overture kpis --json` (a separate process reading the projection the stack's worker keeps) shows a
 * run completed through the CLI, and `--help` answers offline; the console's routes serve the same JSON.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually, startTestStack, type TestStack } from '../helpers/test-stack';
import { runOverture } from '../helpers/processes';
import { newHire } from '../processes/onboarding/helpers';
import type { KpiOverview, ProcessKpis } from '../../src/kpis/types';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.stop());

it('shows a completed run in overture kpis --json, overall and for its process', async () => {
  const file = path.join(stack.config.OVERTURE_DATA_DIR, 'hire.json');
  fs.writeFileSync(file, JSON.stringify(newHire()));
  const onboarded = await runOverture(['onboard', file, '--wait', '--json'], stack.env);
  expect(onboarded.code).toBe(0);

  const overview = await eventually(
    async () => {
      const result = await runOverture(['kpis', '--json'], stack.env);
      expect(result.code).toBe(0);
      const parsed = JSON.parse(result.stdout) as KpiOverview;
      return parsed.processes.find((p) => p.process === 'onboarding')?.completed === 1 ? parsed : undefined;
    },
    20_000,
    'the run in the KPIs',
  );
  expect(overview.processes).toEqual([
    expect.objectContaining({
      process: 'onboarding',
      started: 1,
      completed: 1,
      failed: 0,
      aborted: 0,
      durationP50Ms: expect.any(Number) as number,
    }),
  ]);

  const result = await runOverture(['kpis', 'onboarding', '--since', '1d', '--json'], stack.env);
  expect(result.code).toBe(0);
  const kpis = JSON.parse(result.stdout) as ProcessKpis;
  expect(kpis.runs).toMatchObject({ started: 1, completed: 1 });
  expect(kpis.runs.perDay.reduce((n, d) => n + d.completed, 0)).toBe(1);
  expect(kpis.steps.map((s) => s.step)).toEqual([
    'createAccount',
    'assignPermissions',
    'sendWelcomeEmail',
    'createWorkspace',
    'notifyTeam',
  ]);
  expect(kpis.steps.every((s) => s.runs === 1 && s.automated.runs === 1 && s.errorRate === 0)).toBe(true);

  const table = await runOverture(['kpis', 'onboarding'], stack.env);
  expect(table.stdout).toContain('Runs: 1 started, 1 completed, 0 failed, 0 aborted');
  expect(table.stdout).toMatch(/^createAccount\s+1\s/m);
});

it('answers kpis --help offline, without configuration or files, and refuses a bad --since with exit 2', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpis-help-'));
  const help = await runOverture(['kpis', '--help'], { OVERTURE_DATA_DIR: dir, TEMPORAL_ADDRESS: '127.0.0.1:1' });
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('usage: overture kpis [PROCESS] [--since 7d] [--json]');
  expect(fs.readdirSync(dir)).toEqual([]);
  const bad = await runOverture(['kpis', '--since', 'last week'], stack.env);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--since must be like 7d');
});
