/**
 * The console's runs API at scale against a real stack (the dev server's visibility, a worker, the console over
 * HTTP): cursor paging across pages, server-side search, counters from visibility counts against known numbers of
 * runs, children folded under their run, a run's timeline, the bulk preview (it changes nothing and names the runs
 * the bulk decision then changes), and the schedules, systems and operators routes with their role refusals and
 * bad input.
 */
import { randomBytes } from 'node:crypto';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { eventually, fastOptions, startTestStack, type TestStack } from '../helpers/test-stack';
import { addOperator } from '../helpers/operators';
import { getRunStatus, startProcess } from '../../src/client';
import { createSchedule } from '../../src/client/schedules';
import { newHire } from '../processes/onboarding/helpers';
import { onboardingWorkflowId } from '../../workflows/onboarding/definition';
import type { OperatorRole } from '../../workflows/kit/types';

const OPERATORS: Record<string, OperatorRole> = { 'ops.ada': 'admin', 'ops.bob': 'operator', 'ops.vic': 'viewer' };
const tokens: Record<string, string> = {};
const csrf: Record<string, string> = {};
let stack: TestStack;
let console_: RunningConsole;
/** This file's runs carry this in their employee ids, so searches by id prefix count only them. */
const TAG = `R${randomBytes(3).toString('hex').toUpperCase()}`;
const prefix = onboardingWorkflowId(TAG);

interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  opts: { as?: string; body?: unknown; csrf?: boolean } = {},
): Promise<Answer<T>> {
  const as = opts.as ?? 'ops.ada';
  const headers: Record<string, string> = { Authorization: `Bearer ${tokens[as] ?? as}` };
  if (method === 'POST' && opts.csrf !== false) headers['X-CSRF-Token'] = csrf[as] ?? '';
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${console_.url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

interface Row {
  workflowId: string;
  process: string;
  state: string;
  needsAttention: boolean;
  durationMs: number;
  startedAt: string;
  closedAt?: string;
  childCount?: number;
}
interface Counters {
  running: number;
  needsAttention: number;
  completed: number;
  failed: number;
  aborted: number;
  total: number;
}
type ListAnswer = { runs: Row[]; nextCursor?: string; counters: Counters };

const list = (query: string, as?: string) => call<ListAnswer>('GET', `/api/runs?${query}`, { as });
const ids = (rows: Row[]) => rows.map((r) => r.workflowId).sort();

/** Every page of a search, following the cursors. */
async function allPages(query: string, pageSize: number): Promise<{ pages: ListAnswer[]; rows: Row[] }> {
  const pages: ListAnswer[] = [];
  let cursor: string | undefined;
  do {
    const answer = await list(`${query}&pageSize=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(answer.status).toBe(200);
    pages.push(answer.body);
    cursor = answer.body.nextCursor;
  } while (cursor && pages.length < 20);
  return { pages, rows: pages.flatMap((p) => p.runs) };
}

const completedIds: string[] = [];
const stuckIds: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({ ESCALATION_CONTACTS: 'oncall@it.example.com' });
  for (const [name, role] of Object.entries(OPERATORS)) tokens[name] = addOperator(stack.config.OVERTURE_DATA_DIR, name, role).token;
  console_ = await startOperatorConsole({
    client: stack.client,
    config: stack.config,
    host: '127.0.0.1',
    port: 0,
    log: () => undefined,
    startOptions: { tuneOptions: fastOptions() },
  });
  for (const name of Object.keys(OPERATORS))
    csrf[name] = (await call<{ csrfToken: string }>('GET', '/api/session', { as: name })).body.csrfToken;
  // Five runs of this file: three complete, two stop at createAccount for a person (a permanent fault).
  const start = async (n: number, faults = {}) => {
    const started = await startProcess(stack.client, stack.config, 'onboarding', newHire({ employeeId: `${TAG}${n}` }), {
      faults,
      tuneOptions: fastOptions(),
    });
    return started.workflowId;
  };
  for (const n of [1, 2, 3]) completedIds.push(await start(n));
  for (const n of [4, 5]) stuckIds.push(await start(n, { createAccount: { kind: 'permanent' } }));
}, 60_000);

afterAll(async () => {
  await console_?.stop();
  await stack?.stop();
});

describe('runs list', () => {
  it('counts runs from visibility over the filters, whatever the page', async () => {
    const first = await eventually(
      async () => {
        const answer = await list(`q=${prefix}`);
        const c = answer.body.counters;
        return c?.completed === 3 && c.needsAttention === 2 ? answer : undefined;
      },
      40_000,
      'three completed runs and two waiting for a person',
    );
    expect(first.body.counters).toEqual({ running: 0, needsAttention: 2, completed: 3, failed: 0, aborted: 0, total: 5 });
    // State and needs-attention filter the page, not the counters.
    const attention = await list(`q=${prefix}&needsAttention=true`);
    expect(ids(attention.body.runs)).toEqual([...stuckIds].sort());
    expect(attention.body.counters.total).toBe(5);
    expect(ids((await list(`q=${prefix}&state=completed`)).body.runs)).toEqual([...completedIds].sort());
    // The legacy `status` parameter still filters.
    expect(ids((await list(`q=${prefix}&status=completed`)).body.runs)).toEqual([...completedIds].sort());
    // The other filters narrow the counters too.
    const byProcess = await list(`q=${prefix}&process=data-pipeline`);
    expect(byProcess.body).toMatchObject({ runs: [], counters: { total: 0 } });
  });

  it('pages through more than one page with an opaque cursor', async () => {
    const { pages, rows } = await allPages(`q=${prefix}`, 2);
    expect(pages.map((p) => p.runs.length)).toEqual([2, 2, 1]);
    expect(pages.at(-1)!.nextCursor).toBeUndefined();
    expect(ids(rows)).toEqual([...completedIds, ...stuckIds].sort());
    expect(new Set(rows.map((r) => r.workflowId)).size).toBe(5);
    for (const page of pages) expect(page.counters.total).toBe(5);
    for (const row of rows) {
      expect(row.durationMs).toBeGreaterThanOrEqual(0);
      if (row.closedAt) expect(row.durationMs).toBe(Date.parse(row.closedAt) - Date.parse(row.startedAt));
    }
    // A cursor belongs to its filters.
    const cursor = pages[0]!.nextCursor!;
    const elsewhere = await list(`q=${prefix}&state=completed&cursor=${cursor}`);
    expect(elsewhere.status).toBe(400);
    expect((elsewhere.body as unknown as { problems: string[] }).problems[0]).toMatch(/^cursor: /);
  });

  it('searches by step, started range and id prefix, quoting what it is given', async () => {
    const atStep = await list(`q=${prefix}&step=createAccount`);
    expect(ids(atStep.body.runs)).toEqual([...stuckIds].sort());
    expect(ids((await list(`q=${prefix}&waiting=person`)).body.runs)).toEqual([...stuckIds].sort());
    expect((await list(`q=${prefix}&waiting=time`)).body.counters.total).toBe(0);
    const hour = 3_600_000;
    const after = await list(`q=${prefix}&startedAfter=${new Date(Date.now() - hour).toISOString()}`);
    expect(after.body.counters.total).toBe(5);
    const future = await list(`q=${prefix}&startedAfter=${new Date(Date.now() + hour).toISOString()}`);
    expect(future.body.counters.total).toBe(0);
    const before = await list(`q=${prefix}&startedBefore=${encodeURIComponent('2020-01-01T00:00:00+01:00')}`);
    expect(before.body.counters.total).toBe(0);
    // One run by its whole id; an injection attempt finds nothing instead of everything.
    expect(ids((await list(`q=${encodeURIComponent(completedIds[0]!)}`)).body.runs)).toEqual([completedIds[0]]);
    for (const attempt of ["x' OR WorkflowId != '", "x\\' OR 'a'='a", `${prefix}%`]) {
      const answer = await list(`q=${encodeURIComponent(attempt)}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ runs: [], counters: { total: 0 } });
    }
  });

  it('answers 400 naming the parameter for bad input', async () => {
    for (const [query, field] of [
      ['pageSize=0', 'pageSize'],
      ['pageSize=201', 'pageSize'],
      ['pageSize=ten', 'pageSize'],
      ['state=sleeping', 'state'],
      ['process=payroll', 'process'],
      ['step=notAStep', 'step'],
      ['needsAttention=maybe', 'needsAttention'],
      ['waiting=someone', 'waiting'],
      ['startedAfter=yesterday', 'startedAfter'],
      [`q=${'x'.repeat(201)}`, 'q'],
      ['q=%0Aa', 'q'],
      ['cursor=!!', 'cursor'],
      ['sort=name', '(input)'],
      ['process=onboarding&process=payroll', 'process'],
    ] as const) {
      const answer = await list(query);
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
      expect((answer.body as unknown as { problems: string[] }).problems.join('\n')).toContain(field);
    }
  });

  it('folds children under their run, with a count and a children page', async () => {
    // A backfill of three days: one child run per day (a fan-out), named <run>/runDays/<day>. No inbox file is
    // there, so the days stay open; only their being children matters here.
    const year = 2001 + Math.floor(Math.random() * 19);
    const days = [1, 2, 3].map((d) => `${year}-03-0${d}`);
    const backfill = await startProcess(
      stack.client,
      stack.config,
      'data-pipeline-backfill',
      { dataset: 'orders', from: days[0], to: days[2], maxParallelDays: 3 },
      { tuneOptions: fastOptions() },
    );
    const parent = backfill.workflowId;
    const childIds = days.map((d) => `${parent}/runDays/${d}`);
    try {
      const top = await eventually(
        async () => {
          const answer = await list(`q=${encodeURIComponent(parent)}`);
          return answer.body.runs[0]?.childCount === 3 ? answer : undefined;
        },
        30_000,
        'the backfill with its three children',
      );
      // The days are not listed beside their run: only the backfill, which counts them.
      expect(ids(top.body.runs)).toEqual([parent]);
      expect(top.body.counters.total).toBe(1);
      const page = (query: string) =>
        call<{ runs: Row[]; nextCursor?: string }>('GET', `/api/runs/${encodeURIComponent(parent)}/children?${query}`, { as: 'ops.vic' });
      const first = await page('pageSize=2');
      expect(first.status).toBe(200);
      expect(first.body.runs).toHaveLength(2);
      const rest = await page(`pageSize=2&cursor=${first.body.nextCursor}`);
      expect(ids([...first.body.runs, ...rest.body.runs])).toEqual(childIds);
      expect(rest.body.nextCursor).toBeUndefined();
      expect([...first.body.runs, ...rest.body.runs].every((r) => r.process === 'data-pipeline')).toBe(true);
      expect((await page('pageSize=500')).status).toBe(400);
    } finally {
      for (const id of [...childIds, parent])
        await stack.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined);
    }
  });
});

describe('bulk preview', () => {
  const body = { step: 'createAccount', action: 'abort', process: 'onboarding', reason: 'test of the preview' };

  it('names the runs the bulk decision then changes, changing none itself', async () => {
    const preview = await call<{ runs: Array<{ workflowId: string; step: string; question: string }>; count: number }>(
      'POST',
      '/api/escalations/bulk/preview',
      { as: 'ops.bob', body },
    );
    expect(preview.status).toBe(200);
    expect(preview.body.count).toBe(2);
    expect(preview.body.runs.map((r) => r.workflowId)).toEqual([...stuckIds].sort());
    expect(preview.body.runs.every((r) => r.step === 'createAccount' && r.question.length > 0)).toBe(true);
    // Nothing changed: both still wait for a person, and a second preview says the same.
    for (const id of stuckIds) expect((await getRunStatus(stack.client, id)).state).toBe('needs_attention');
    expect((await call('POST', '/api/escalations/bulk/preview', { as: 'ops.bob', body })).body).toEqual(preview.body);

    const bulk = await call<{ outcomes: Array<{ workflowId: string; ok: boolean }>; applied: number }>('POST', '/api/escalations/bulk', {
      as: 'ops.bob',
      body,
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.outcomes.map((o) => o.workflowId)).toEqual(preview.body.runs.map((r) => r.workflowId));
    expect(bulk.body.applied).toBe(2);
    const after = await eventually(
      async () => {
        const answer = await list(`q=${prefix}`);
        return answer.body.counters.aborted === 2 ? answer : undefined;
      },
      20_000,
      'the two aborted runs counted',
    );
    expect(after.body.counters).toEqual({ running: 0, needsAttention: 0, completed: 3, failed: 0, aborted: 2, total: 5 });
  });

  it('refuses a viewer (403), a missing CSRF token (403) and a bad body (400)', async () => {
    expect((await call('POST', '/api/escalations/bulk/preview', { as: 'ops.vic', body })).status).toBe(403);
    expect((await call('POST', '/api/escalations/bulk/preview', { as: 'ops.bob', body, csrf: false })).status).toBe(403);
    expect((await call('POST', '/api/escalations/bulk/preview', { as: 'ops.bob', body: { ...body, step: 'nope' } })).status).toBe(400);
    expect((await call('POST', '/api/escalations/bulk/preview', { as: 'ops.bob', body: { ...body, action: 'delete' } })).status).toBe(400);
  });
});

describe('timeline', () => {
  type Timeline = { events: Array<{ at: string; kind: string; step?: string; detail: string }> };

  it("merges a run's history and log in time order", async () => {
    const answer = await call<Timeline>('GET', `/api/runs/${encodeURIComponent(completedIds[0]!)}/timeline`, { as: 'ops.vic' });
    expect(answer.status).toBe(200);
    const { events } = answer.body;
    expect(events[0]).toMatchObject({ kind: 'started' });
    expect(events.at(-1)).toMatchObject({ kind: 'ended', detail: 'run completed' });
    expect(events.filter((e) => e.kind === 'step-completed' && e.step === 'createAccount').map((e) => e.detail)).toEqual([
      'createAccount completed after 1 attempt',
    ]);
    expect(events.some((e) => e.kind.startsWith('log-'))).toBe(true);
    expect(events.map((e) => e.at)).toEqual(events.map((e) => e.at).sort());
  });

  it('shows failed attempts and the decision that ended a run; 404 for no run', async () => {
    const { events } = (await call<Timeline>('GET', `/api/runs/${encodeURIComponent(stuckIds[0]!)}/timeline`)).body;
    const failed = events.filter((e) => e.kind === 'step-failed' && e.step === 'createAccount').map((e) => e.detail);
    expect(failed.length).toBeGreaterThan(0);
    for (const detail of failed) expect(detail).toMatch(/^createAccount failed after \d+ attempts?$/);
    expect(events.some((e) => e.kind === 'decision')).toBe(true);
    expect((await call('GET', '/api/runs/no-such-run/timeline')).status).toBe(404);
    expect((await call('GET', `/api/runs/${encodeURIComponent(stuckIds[0]!)}/timeline?all=1`)).status).toBe(400);
  });
});

describe('schedules', () => {
  const name = `nightly-${TAG.toLowerCase()}`;
  type Listed = { schedules: Array<{ id: string; process: string; spec: string; paused: boolean; note?: string; nextRunAt?: string }> };

  beforeAll(async () => {
    await createSchedule(stack.client, stack.config, {
      name,
      process: 'onboarding',
      input: newHire({ employeeId: `${TAG}S1` }),
      when: 'nightly',
      timezone: 'UTC',
      overlap: 'skip',
    });
  });
  afterAll(async () => {
    await stack.client.schedule.getHandle(name).delete();
  });

  it('lists, pauses, unpauses and triggers as an operator; a viewer only reads', async () => {
    const listed = await eventually(
      async () => {
        const answer = await call<Listed>('GET', '/api/schedules', { as: 'ops.vic' });
        return answer.body.schedules?.find((s) => s.id === name) ? answer : undefined;
      },
      20_000,
      'the schedule listed',
    );
    expect(listed.body.schedules.find((s) => s.id === name)).toMatchObject({ process: 'onboarding', spec: 'nightly (UTC)', paused: false });
    expect((await call('POST', `/api/schedules/${name}/pause`, { as: 'ops.vic', body: {} })).status).toBe(403);
    const paused = await call('POST', `/api/schedules/${name}/pause`, { as: 'ops.bob', body: { reason: 'month end freeze' } });
    expect(paused).toMatchObject({ status: 200, body: { done: 'paused', by: 'ops.bob' } });
    const described = await stack.client.schedule.getHandle(name).describe();
    expect(described.state).toMatchObject({ paused: true, note: 'paused by ops.bob in the console: month end freeze' });
    expect((await call('POST', `/api/schedules/${name}/unpause`, { as: 'ops.bob', body: {} })).status).toBe(200);
    expect((await stack.client.schedule.getHandle(name).describe()).state.paused).toBe(false);
    expect((await call('POST', `/api/schedules/${name}/trigger`, { as: 'ops.bob', body: {} })).status).toBe(200);
    // The run the schedule started is a child of the schedule's own run, yet listed at the top level.
    const scheduled = await eventually(
      async () => {
        const answer = await list(`q=${onboardingWorkflowId(`${TAG}S1`)}`);
        return answer.body.runs.length === 1 ? answer : undefined;
      },
      30_000,
      'the triggered run in the list',
    );
    expect(scheduled.body.runs[0]!.process).toBe('onboarding');
  });

  it('answers 404 for no such schedule and 400 for a bad reason or body', async () => {
    expect((await call('POST', '/api/schedules/no-such-schedule/pause', { as: 'ops.bob', body: {} })).status).toBe(404);
    expect((await call('POST', `/api/schedules/${name}/pause`, { as: 'ops.bob', body: { reason: 'x'.repeat(301) } })).status).toBe(400);
    expect((await call('POST', `/api/schedules/${name}/pause`, { as: 'ops.bob', body: { reason: 'a\u202eb' } })).status).toBe(400);
    expect((await call('POST', `/api/schedules/${name}/trigger`, { as: 'ops.bob', body: { now: true } })).status).toBe(400);
  });
});

describe('systems', () => {
  type Listed = { systems: Array<{ name: string; paused: boolean; reason?: string; pausedBy?: string; health: string }> };

  it('shows health and pauses, and pauses and resumes under the operator', async () => {
    const before = await call<Listed>('GET', '/api/systems', { as: 'ops.vic' });
    expect(before.status).toBe(200);
    expect(before.body.systems.map((s) => s.name)).toEqual(['email', 'chat']);
    expect(before.body.systems.every((s) => ['ok', 'failing', 'unknown'].includes(s.health) && !s.paused)).toBe(true);
    expect((await call('POST', '/api/systems/chat/pause', { as: 'ops.vic', body: {} })).status).toBe(403);
    const paused = await call('POST', '/api/systems/chat/pause', { as: 'ops.bob', body: { reason: 'vendor maintenance' } });
    expect(paused).toMatchObject({ status: 200, body: { name: 'chat', paused: true, by: 'ops.bob' } });
    const during = await call<Listed>('GET', '/api/systems');
    expect(during.body.systems.find((s) => s.name === 'chat')).toMatchObject({
      paused: true,
      pausedBy: 'ops.bob',
      reason: 'vendor maintenance',
    });
    const resumed = await call('POST', '/api/systems/chat/resume', { as: 'ops.bob', body: { reason: 'done' } });
    expect(resumed).toMatchObject({ status: 200, body: { name: 'chat', paused: false, wasPaused: true } });
    expect((await call<Listed>('GET', '/api/systems')).body.systems.every((s) => !s.paused)).toBe(true);
  });

  it('answers 404 for no such system and 400 for a bad reason', async () => {
    expect((await call('POST', '/api/systems/fax/pause', { as: 'ops.bob', body: {} })).status).toBe(404);
    expect((await call('POST', '/api/systems/chat/pause', { as: 'ops.bob', body: { reason: 'line\nbreak' } })).status).toBe(400);
    expect((await call('POST', '/api/systems/chat/pause', { as: 'ops.bob', body: { reason: 'ok', extra: 1 } })).status).toBe(400);
    expect((await call<Listed>('GET', '/api/systems')).body.systems.every((s) => !s.paused)).toBe(true);
  });
});

describe('operators', () => {
  it('is for admins only', async () => {
    expect((await call('GET', '/api/operators', { as: 'ops.vic' })).status).toBe(403);
    expect((await call('GET', '/api/operators', { as: 'ops.bob' })).status).toBe(403);
    expect((await call('POST', '/api/operators', { as: 'ops.bob', body: { name: 'ops.mallory', role: 'admin' } })).status).toBe(403);
    const listed = await call<{ operators: Array<{ name: string; role: string; revoked: boolean }> }>('GET', '/api/operators');
    expect(listed.status).toBe(200);
    expect(listed.body.operators).toContainEqual(expect.objectContaining({ name: 'ops.vic', role: 'viewer', revoked: false }));
    expect(JSON.stringify(listed.body)).not.toMatch(/token|hash/i);
  });

  it('adds an operator with a token shown once, changes the role and revokes', async () => {
    const added = await call<{ name: string; role: string; token: string }>('POST', '/api/operators', {
      body: { name: 'ops.new', role: 'viewer' },
    });
    expect(added).toMatchObject({ status: 201, body: { name: 'ops.new', role: 'viewer' } });
    tokens['ops.new'] = added.body.token;
    expect((await call<{ role: string }>('GET', '/api/session', { as: 'ops.new' })).body.role).toBe('viewer');
    expect((await call('POST', '/api/operators/ops.new/role', { body: { role: 'operator' } })).body).toEqual({
      name: 'ops.new',
      role: 'operator',
    });
    expect((await call<{ role: string }>('GET', '/api/session', { as: 'ops.new' })).body.role).toBe('operator');
    expect((await call('POST', '/api/operators/ops.new/revoke', { body: {} })).body).toEqual({ name: 'ops.new', revoked: true });
    expect((await call('GET', '/api/session', { as: 'ops.new' })).status).toBe(401);
  });

  it('refuses bad input, unknown names, taken names and changing oneself', async () => {
    expect((await call('POST', '/api/operators', { body: { name: 'ops.x', role: 'root' } })).status).toBe(400);
    expect((await call('POST', '/api/operators', { body: { name: 'a\u200bb', role: 'viewer' } })).status).toBe(400);
    expect((await call('POST', '/api/operators', { body: { name: 'ops.x', role: 'viewer', admin: true } })).status).toBe(400);
    expect((await call('POST', '/api/operators', { body: { name: 'ops.vic', role: 'viewer' } })).status).toBe(409);
    expect((await call('POST', '/api/operators/ops.nobody/role', { body: { role: 'viewer' } })).status).toBe(404);
    expect((await call('POST', '/api/operators/ops.ada/revoke', { body: {} })).status).toBe(409);
    expect((await call('POST', '/api/operators/ops.ada/role', { body: { role: 'viewer' } })).status).toBe(409);
    expect((await call('POST', '/api/operators/ops.vic/role', { body: { role: 'admin' }, csrf: false })).status).toBe(403);
  });
});
