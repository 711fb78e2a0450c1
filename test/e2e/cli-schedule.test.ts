/**
 * `overture schedule` end to end against the dev server: a schedule starts the process under the registry's
 * workflow id (so a scheduled run and a manual one are the same run), with its relative input filled in for
 * the scheduled time; it can be listed, triggered, paused and deleted.
 */
import fs from 'node:fs';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import path from 'node:path';
import type { ScheduledStartOutcome } from '../../workflows/kit/scheduled-start';
import type { ScheduleListing } from '../../src/client/schedules';
import { placeholderValues } from '../../src/client/schedule-placeholders';
import { PROCESS } from '../../workflows/kit/search-attributes';
import { runOverture } from '../helpers/processes';
import { eventually, startTestStack, type TestStack } from '../helpers/test-stack';
import { newHire } from '../processes/onboarding/helpers';

// Each test waits on several real runs; the machine may be shared with other test files.
jest.setTimeout(120_000);

let stack: TestStack;
let dir: string;
const suffix = Date.now().toString(36);
const created: string[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  dir = fs.mkdtempSync(path.join(stack.config.OVERTURE_DATA_DIR, 'schedules-'));
});
afterAll(async () => {
  for (const name of created)
    await stack.client.schedule
      .getHandle(name)
      .delete()
      .catch(() => undefined);
  await stack?.stop();
});

function writeJson(value: unknown): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

async function listed(): Promise<ScheduleListing[]> {
  const result = await runOverture(['schedule', 'list', '--json'], stack.env);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as ScheduleListing[];
}

it("creates, lists, triggers, pauses and deletes a schedule; the run it starts has the registry's workflow id", async () => {
  const name = `onboard-nightly-${suffix}`;
  const hire = newHire();
  // A new hire each night: the directory refuses one address for two employees.
  const template = writeJson({
    ...hire,
    employeeId: `${hire.employeeId}-{{today}}`,
    email: `${hire.employeeId.toLowerCase()}.{{today}}@example.com`,
  });
  const create = await runOverture(
    [
      'schedule',
      'create',
      name,
      '--process',
      'onboarding',
      '--input',
      template,
      '--when',
      'nightly',
      '--hour',
      '3',
      '--timezone',
      'Europe/Berlin',
    ],
    stack.env,
  );
  expect(create.stderr).toBe('');
  expect(create.code).toBe(0);
  created.push(name);
  expect(create.stdout).toContain(`created schedule ${name}: onboarding nightly (Europe/Berlin), overlap skip`);

  const mine = await eventually(async () => (await listed()).find((s) => s.id === name), 20_000, 'the schedule in the list');
  expect(mine).toMatchObject({
    process: 'onboarding',
    when: 'nightly at 03:00',
    timezone: 'Europe/Berlin',
    overlap: 'skip',
    paused: false,
    taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
  });
  expect(mine.nextRuns.length).toBeGreaterThan(0);

  const trigger = await runOverture(['schedule', 'trigger', name], stack.env);
  expect(trigger.code).toBe(0);
  // The registry's id, with {{today}} read for the scheduled time in the schedule's zone.
  const workflowId = `onboarding-${hire.employeeId}-${placeholderValues(new Date(), 'Europe/Berlin').today}`;
  const run = await eventually(
    async () => {
      const d = await stack.client.workflow.getHandle(workflowId).describe();
      return d.status.name === 'COMPLETED' ? d : undefined;
    },
    30_000,
    `the scheduled run ${workflowId} to complete`,
  );
  expect(run.typedSearchAttributes.get(PROCESS)).toBe('onboarding');
  expect(run.type).toBe('onboarding');

  const text = await eventually(
    async () => {
      const out = (await runOverture(['schedule', 'list'], stack.env)).stdout;
      return out.includes(`→ ${workflowId} (completed)`) ? out : undefined;
    },
    20_000,
    'the recent action in the list',
  );
  expect(text).toMatch(new RegExp(`${name}\\s+onboarding\\s+nightly at 03:00 \\(Europe/Berlin\\)\\s+overlap skip\\s+active`));

  // Triggered again, it finds the run that already has that id: the same run, not a second one.
  expect((await runOverture(['schedule', 'trigger', name], stack.env)).code).toBe(0);
  const second = await eventually(
    async () => {
      const actions = (await stack.client.schedule.getHandle(name).describe()).info.recentActions;
      if (actions.length < 2) return undefined;
      const { workflowId: id, firstExecutionRunId } = actions[actions.length - 1]!.action.workflow;
      return (await stack.client.workflow.getHandle(id, firstExecutionRunId).result()) as ScheduledStartOutcome;
    },
    30_000,
    'the second action',
  );
  expect(second).toMatchObject({ process: 'onboarding', workflowId, outcome: 'already-started' });

  // A backfilled night reads {{today}} at its scheduled time, not at the time it ran.
  await stack.client.schedule
    .getHandle(name)
    .backfill({ start: new Date('2026-01-15T01:30:00Z'), end: new Date('2026-01-15T02:30:00Z'), overlap: ScheduleOverlapPolicy.ALLOW_ALL });
  await eventually(
    async () => (await stack.client.workflow.getHandle(`onboarding-${hire.employeeId}-2026-01-15`).describe()).status.name === 'COMPLETED',
    30_000,
    'the backfilled run',
  );

  expect((await runOverture(['schedule', 'pause', name, '--note', 'quarter-end freeze'], stack.env)).code).toBe(0);
  expect((await listed()).find((s) => s.id === name)).toMatchObject({ paused: true, note: 'quarter-end freeze' });
  const unpaused = await runOverture(['schedule', 'unpause', name, '--json'], stack.env);
  expect(unpaused.code).toBe(0);
  expect(JSON.parse(unpaused.stdout)).toEqual({ schedule: name, action: 'unpaused' });
  expect((await listed()).find((s) => s.id === name)).toMatchObject({ paused: false });

  expect((await runOverture(['schedule', 'delete', name], stack.env)).stdout).toContain(`deleted schedule ${name}`);
  await eventually(async () => !(await listed()).some((s) => s.id === name), 20_000, 'the schedule to leave the list');
  const gone = await runOverture(['schedule', 'trigger', name], stack.env);
  expect(gone.code).toBe(1);
  expect(gone.stderr).toContain(`no such schedule: ${name}`);
});

it('runs a first-working-day schedule on the 1st when it is a weekday, else on the Monday after', async () => {
  const name = `close-monthly-${suffix}`;
  const create = await runOverture(
    [
      'schedule',
      'create',
      name,
      '--process',
      'financial-close',
      '--input',
      'examples/schedules/financial-close.json',
      '--when',
      'first-working-day',
      '--paused',
      '--overlap',
      'buffer-one',
    ],
    stack.env,
  );
  expect(create.code).toBe(0);
  created.push(name);
  const { info } = await stack.client.schedule.getHandle(name).describe();
  expect(info.nextActionTimes.length).toBeGreaterThanOrEqual(3);
  for (const at of info.nextActionTimes) {
    const day = at.getUTCDate();
    const weekday = at.getUTCDay();
    expect(at.getUTCHours()).toBe(2);
    expect(weekday >= 1 && weekday <= 5).toBe(true);
    expect(day === 1 || (weekday === 1 && (day === 2 || day === 3))).toBe(true);
  }
});

it('refuses a template that cannot make a valid input, an unknown placeholder and a bad --when, creating nothing', async () => {
  const bad = await runOverture(
    [
      'schedule',
      'create',
      `bad-${suffix}`,
      '--process',
      'financial-close',
      '--input',
      writeJson({ period: '{{today}}', entities: [], controllerEmail: 'x' }),
      '--when',
      'nightly',
    ],
    stack.env,
  );
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('period: must be a month as YYYY-MM');
  expect(bad.stderr).toContain('entities: name at least one entity');
  const unknown = await runOverture(
    [
      'schedule',
      'create',
      `bad-${suffix}`,
      '--process',
      'financial-close',
      '--input',
      writeJson({ period: '{{lastQuarter}}' }),
      '--when',
      'nightly',
    ],
    stack.env,
  );
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('unknown placeholder {{lastQuarter}}');
  const when = await runOverture(
    [
      'schedule',
      'create',
      `bad-${suffix}`,
      '--process',
      'financial-close',
      '--input',
      'examples/schedules/financial-close.json',
      '--when',
      'fortnightly',
    ],
    stack.env,
  );
  expect(when.code).toBe(2);
  expect(when.stderr).toContain('--when must be nightly, first-working-day or a cron expression');
  await expect(stack.client.schedule.getHandle(`bad-${suffix}`).describe()).rejects.toThrow();
});
