/**
 * Manual first and "which approach?", through the real CLI and the real console: `overture start --manual` runs
 * chosen steps as people's tasks that `overture complete` finishes; a step that cannot be done by hand is refused
 * with exit 2 and nothing started; the console's start request takes `manual` too; `overture choose` and
 * GET/POST /api/choose recommend an approach and the process that shows it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { getRunStatus } from '../../src/client';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { findProcess } from '../../src/registry';
import { workspaceUrlFor } from '../../src/stores/directory/directory';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { ROOT, runCommand, runOverture } from '../helpers/processes';
import { addOperator } from '../helpers/operators';
import { newHire } from '../processes/onboarding/helpers';
import { periodOfItsOwn } from '../helpers/periods';

let stack: TestStack;
let console_: RunningConsole;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack();
  dir = fs.mkdtempSync(path.join(stack.config.OVERTURE_DATA_DIR, 'manual-'));
  console_ = await startOperatorConsole({
    client: stack.client,
    config: stack.config,
    host: '127.0.0.1',
    port: 0,
    log: () => undefined,
    startOptions: { tuneOptions: fastOptions() },
  });
});
afterAll(async () => {
  await console_?.stop();
  await stack?.stop();
});

/** Writes an input file for the CLI. */
function inputFile(name: string, value: unknown): string {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

const notStarted = (workflowId: string) =>
  expect(stack.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

describe('overture start --manual', () => {
  it('runs the chosen steps as tasks that overture complete finishes with their outputs', async () => {
    const hire = newHire();
    const started = await runOverture(
      ['start', 'onboarding', inputFile(hire.employeeId, hire), '--manual', 'sendWelcomeEmail,createWorkspace', '--json'],
      stack.env,
    );
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    const open = (s: Awaited<ReturnType<typeof getRunStatus>>) => s.questions.filter((q) => q.kind === 'task' && q.open).length === 2;
    await statusWhen(stack, workflowId, open, 'two tasks', 30_000);

    const url = workspaceUrlFor(stack.config.WORKSPACE_BASE_URL, hire.employeeId);
    const welcome = await runOverture(['complete', workflowId, '--step', 'sendWelcomeEmail', '--output', '{}'], stack.env);
    expect(welcome).toMatchObject({ code: 0, stderr: '' });
    const workspace = await runOverture(
      ['complete', workflowId, '--step', 'createWorkspace', '--output', JSON.stringify({ workspaceUrl: url })],
      stack.env,
    );
    expect(workspace).toMatchObject({ code: 0, stderr: '' });
    expect(await stack.client.workflow.getHandle(workflowId).result()).toMatchObject({ state: 'completed', workspaceUrl: url });
    const status = await getRunStatus(stack.client, workflowId);
    expect(status.steps.filter((s) => s.path === 'person').map((s) => s.step)).toEqual(['sendWelcomeEmail', 'createWorkspace']);
  }, 60_000);

  // Each refused close gets a period of its own (test/helpers/periods), so "nothing started" cannot see another file's run.
  const closeOfItsOwn = () => ({ period: periodOfItsOwn() });
  it.each([
    ['financial-close', 'controllerSignOff', 'controllerSignOff: a step of kind approval cannot be done by hand', closeOfItsOwn()],
    [
      'financial-close',
      'lockPeriod,reconcileEntities',
      'reconcileEntities: a step of kind fan-out cannot be done by hand',
      closeOfItsOwn(),
    ],
    ['onboarding', 'createAccount,sendWelcomEmail', 'sendWelcomEmail: unknown step; steps are createAccount, ', {}],
  ])('%s --manual %s is refused with exit 2 and nothing started', async (process, manual, message, own) => {
    const definition = findProcess(process);
    const example = JSON.parse(fs.readFileSync(path.join(ROOT, definition.example!), 'utf8')) as Record<string, unknown>;
    const fresh = (definition.freshExample ? definition.freshExample(example) : example) as Record<string, unknown>;
    const input = { ...fresh, ...own };
    const workflowId = definition.workflowId(definition.inputSchema.parse(input));
    const refused = await runOverture(['start', process, inputFile(`${process}-refused`, input), '--manual', manual], stack.env);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(message);
    await notStarted(workflowId);
  });
});

describe('overture choose', () => {
  const answers = ['complexity=dependencies', 'parallel=yes', 'trigger=itself', 'owners=one-team', 'tracing=essential', 'priority=speed'];

  it('recommends from --answer flags, as JSON', async () => {
    const chosen = await runOverture(['choose', ...answers.flatMap((a) => ['--answer', a]), '--json'], stack.env);
    expect(chosen).toMatchObject({ code: 0, stderr: '' });
    const recommendation = JSON.parse(chosen.stdout) as { approach: string; reasons: string[]; example: unknown };
    expect(recommendation.approach).toBe('dag');
    expect(recommendation.reasons[0]).toContain('graph of dependencies');
    expect(recommendation.example).toEqual({ process: 'onboarding', title: 'Employee onboarding', path: 'workflows/onboarding/' });
  });

  it('says which questions are unanswered when it cannot ask (no terminal), with exit 2', async () => {
    const partial = await runOverture(['choose', '--answer', 'complexity=simple', '--json'], stack.env);
    expect(partial.code).toBe(2);
    expect(partial.stdout).toBe('');
    expect(partial.stderr).toContain('parallel: not answered');
    const wrong = await runOverture(['choose', '--answer', 'complexity=huge'], stack.env);
    expect(wrong).toMatchObject({ code: 2 });
    expect(wrong.stderr).toContain('complexity: must be one of simple, dependencies, open-ended');
  });

  it('asks on a terminal, numbered options, keeping answers typed ahead', async () => {
    // `script` (util-linux) gives the CLI a pseudo-terminal, as a person's shell would.
    const typed = ['3', '2', 'outside', '2', '2', '1'].join('\n') + '\n';
    const asked = await runCommand('script', ['-qec', `${process.execPath} bin/overture.js choose`, '/dev/null'], {}, typed);
    expect(asked.code).toBe(0);
    expect(asked.stdout).toContain('How complex is your workflow?\r\n  1) A handful of steps, always in the same order');
    expect(asked.stdout).toContain('What matters more?');
    expect(asked.stdout).toContain('Recommended: an event-driven process (event-driven)');
    expect(asked.stdout).toContain('See it here: content-publishing');
  });

  it('answers --help offline', async () => {
    const help = await runOverture(['choose', '--help'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: overture choose [--answer QUESTION=VALUE]... [--questions] [--json]');
  });
});

describe('the console', () => {
  async function call(token: string, method: string, url: string, body?: unknown) {
    const session = (await (await fetch(`${console_.url}/api/session`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
      csrfToken: string;
    };
    const response = await fetch(`${console_.url}${url}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        'X-CSRF-Token': session.csrfToken,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('serves the questionnaire to any signed-in caller, a viewer too', async () => {
    const viewer = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.viewer-choose', 'viewer').token;
    const questions = await call(viewer, 'GET', '/api/choose');
    expect(questions.status).toBe(200);
    expect((questions.body.questions as { id: string }[]).map((q) => q.id)).toEqual([
      'complexity',
      'parallel',
      'trigger',
      'owners',
      'tracing',
      'priority',
    ]);
    const events = {
      complexity: 'open-ended',
      parallel: 'no',
      trigger: 'outside',
      owners: 'many-teams',
      tracing: 'tolerable',
      priority: 'speed',
    };
    const recommended = await call(viewer, 'POST', '/api/choose', { answers: events });
    expect(recommended.status).toBe(200);
    expect(recommended.body).toMatchObject({ approach: 'event-driven', example: { process: 'content-publishing' } });
    const refused = await call(viewer, 'POST', '/api/choose', { answers: { complexity: 'huge' } });
    expect(refused.status).toBe(400);
    expect(refused.body.problems).toEqual(expect.arrayContaining(['complexity: must be one of simple, dependencies, open-ended']));
  });

  it('starts a run with manual steps, and refuses one that cannot be done by hand before anything starts', async () => {
    const admin = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.admin-manual', 'admin').token;
    const hire = newHire();
    const started = await call(admin, 'POST', '/api/runs', { process: 'onboarding', input: hire, manual: ['notifyTeam'] });
    expect(started.status).toBe(201);
    const workflowId = started.body.workflowId as string;
    const waiting = await statusWhen(stack, workflowId, (s) => s.questions.some((q) => q.kind === 'task' && q.open), 'the task', 30_000);
    expect(waiting.questions.find((q) => q.open)).toMatchObject({ kind: 'task', step: 'notifyTeam' });
    await stack.client.workflow.getHandle(workflowId).terminate('test done');

    const other = newHire();
    const refused = await call(admin, 'POST', '/api/runs', { process: 'onboarding', input: other, manual: ['nope'] });
    expect(refused.status).toBe(400);
    expect(refused.body.problems).toEqual([expect.stringMatching(/^manual\.nope: unknown step/)]);
    await notStarted(`onboarding-${other.employeeId}`);
  });
});
