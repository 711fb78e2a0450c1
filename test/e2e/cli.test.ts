/**
 * The overture CLI end to end, as a separate process against the real server and a real worker.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { runCommand, runOverture } from '../helpers/processes';
import type { RunStatus } from '../../src/client';
import { newHire } from '../processes/onboarding/helpers';

let stack: TestStack;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack();
  dir = fs.mkdtempSync(path.join(stack.config.OVERTURE_DATA_DIR, 'cli-'));
});
afterAll(async () => stack.stop());

function writeHire(hire: object): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(hire));
  return file;
}

describe('overture processes', () => {
  it('lists every startable process with its steps and the event types routed to it', async () => {
    const result = await runOverture(['processes', '--json'], stack.env);
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout) as Array<{ name: string; steps: Array<{ name: string }>; events: Array<{ type: string }> }>;
    const byName = new Map(listed.map((p) => [p.name, p]));
    expect([...byName.keys()]).toEqual(expect.arrayContaining(['onboarding', 'financial-close', 'content-publishing', 'data-pipeline']));
    expect(byName.has('reconcile-entity')).toBe(false);
    expect(byName.get('onboarding')!.events.map((e) => e.type)).toContain('hr.employee-hired');
    expect(byName.get('content-publishing')!.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['draft.submitted', 'draft.revised']),
    );
    expect(byName.get('data-pipeline')!.events.map((e) => e.type)).toContain('file.arrived');
    const plain = await runOverture(['processes'], stack.env);
    expect(plain.stdout).toMatch(/event draft\.revised\s+\S/);
  });
});

describe('overture onboard', () => {
  it('completes a valid onboarding and prints its final status as JSON', async () => {
    const hire = newHire();
    const result = await runOverture(['onboard', writeHire(hire), '--wait', '--json'], stack.env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as RunStatus & { alreadyStarted: boolean };
    expect(status).toMatchObject({ workflowId: `onboarding-${hire.employeeId}`, state: 'completed', alreadyStarted: false });
    expect(status.steps.filter((s) => s.step !== 'requestEquipment').every((s) => s.state === 'completed')).toBe(true);
    expect(stack.mail.messages().filter((m) => m.to.includes(hire.email))).toHaveLength(1);
  });

  it('shows each step as it completes with --wait', async () => {
    const hire = newHire();
    const result = await runOverture(['onboard', '-', '--wait'], stack.env, JSON.stringify(hire));
    expect(result.code).toBe(0);
    for (const step of ['createAccount', 'assignPermissions', 'sendWelcomeEmail', 'createWorkspace', 'notifyTeam']) {
      expect(result.stdout).toContain(`${step} completed`);
    }
    expect(result.stdout).toContain('run completed');
  });

  it('rejects invalid input with exit code 2, names each bad field, and starts nothing', async () => {
    const hire = { ...newHire(), email: 'not-an-address', startDate: 'tomorrow', nickname: 'x' };
    const result = await runOverture(['onboard', writeHire(hire)], stack.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('email: must be an email address');
    expect(result.stderr).toContain('startDate: must be a date as YYYY-MM-DD');
    expect(result.stderr).toContain('unknown field(s) nickname');
    expect(result.stderr).not.toContain('not-an-address');
    await expect(stack.client.workflow.getHandle(`onboarding-${hire.employeeId}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('returns the existing run instead of starting a second one', async () => {
    const hire = newHire();
    const file = writeHire(hire);
    const first = await runOverture(['onboard', file, '--inject', 'createAccount=latency:2000', '--json'], stack.env);
    expect(first.code).toBe(0);
    const second = await runOverture(['onboard', file, '--json'], stack.env);
    expect(second.code).toBe(0);
    const a = JSON.parse(first.stdout) as { runId: string; alreadyStarted: boolean };
    const b = JSON.parse(second.stdout) as { runId: string; alreadyStarted: boolean };
    expect(a.alreadyStarted).toBe(false);
    expect(b).toEqual({ process: 'onboarding', workflowId: `onboarding-${hire.employeeId}`, runId: a.runId, alreadyStarted: true });
    const plain = await runOverture(['onboard', file], stack.env);
    expect(plain.stdout).toContain('onboarding already exists');
  });

  it('refuses a malformed fault injection before connecting', async () => {
    const result = await runOverture(['onboard', writeHire(newHire()), '--inject', 'createWorkspace=sometimes'], stack.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('mode must be transient:N');
  });
});

describe('overture status and list', () => {
  it('shows a run step by step, and lists it', async () => {
    const hire = newHire();
    expect((await runOverture(['onboard', writeHire(hire), '--wait'], stack.env)).code).toBe(0);
    const id = `onboarding-${hire.employeeId}`;
    const status = await runOverture(['status', id], stack.env);
    expect(status.code).toBe(0);
    // Into a pipe: the states in words, no status icons.
    expect(status.stdout).toMatch(/^createAccount\s+completed/m);
    expect(status.stdout).not.toMatch(/[✔✖▶↻…·↷–⊘↺]/u);
    // On a terminal (script(1) gives it one) the icons show, unless NO_COLOR is set.
    const onTerminal = (env: Record<string, string>) =>
      runCommand('script', ['-qec', `${JSON.stringify(process.execPath)} bin/overture.js status ${id}`, '/dev/null'], env);
    expect((await onTerminal(stack.env)).stdout).toMatch(/✔ createAccount\s+completed/);
    const noColor = await onTerminal({ ...stack.env, NO_COLOR: '1' });
    expect(noColor.stdout).toMatch(/createAccount\s+completed/);
    expect(noColor.stdout).not.toMatch(/[✔✖▶↻…·↷–⊘↺]/u);
    const json = JSON.parse((await runOverture(['status', id, '--json'], stack.env)).stdout) as RunStatus;
    expect(json.steps.map((s) => s.state)).toEqual(['completed', 'completed', 'completed', 'completed', 'not_taken', 'completed']);
    const list = await runOverture(['list', '--json'], stack.env);
    expect((JSON.parse(list.stdout) as Array<{ workflowId: string }>).map((r) => r.workflowId)).toContain(id);
  });

  it('pages through runs with --limit and --cursor, and refuses a bad page size or wait kind', async () => {
    const hires = [newHire(), newHire(), newHire()];
    for (const hire of hires) expect((await runOverture(['onboard', writeHire(hire), '--wait'], stack.env)).code).toBe(0);
    const mine = new Set(hires.map((h) => `onboarding-${h.employeeId}`));
    const seen: string[] = [];
    let cursor: string | undefined;
    // Two runs a page: the three runs above are spread over at least two pages, none twice. Visibility lists open runs
    // first and then by close time, and other tests leave open runs on the shared server: completed runs only, so the
    // three just completed lead the list.
    for (let page = 0; page < 10; page++) {
      const filters = ['--process', 'onboarding', '--status', 'completed'];
      const args = ['list', ...filters, '--limit', '2', '--json', ...(cursor ? ['--cursor', cursor] : [])];
      const result = await runOverture(args, stack.env);
      expect(result.code).toBe(0);
      const body = JSON.parse(result.stdout) as { runs: Array<{ workflowId: string; durationMs: number }>; nextCursor?: string };
      expect(body.runs.length).toBeLessThanOrEqual(2);
      for (const run of body.runs) expect(run.durationMs).toBeGreaterThanOrEqual(0);
      seen.push(...body.runs.map((r) => r.workflowId));
      if ([...mine].every((id) => seen.includes(id)) || !body.nextCursor) break;
      cursor = body.nextCursor;
    }
    expect([...mine].filter((id) => seen.includes(id))).toHaveLength(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect(cursor).toBeDefined();
    // A cursor belongs to its filters; a page size out of range and an unknown wait kind are usage errors.
    const otherFilters = await runOverture(['list', '--process', 'data-pipeline', '--limit', '2', '--cursor', cursor!], stack.env);
    expect(otherFilters.code).toBe(2);
    expect((await runOverture(['list', '--limit', '0'], stack.env)).code).toBe(2);
    const badWait = await runOverture(['list', '--waiting', 'coffee'], stack.env);
    expect(badWait.code).toBe(2);
    expect(badWait.stderr).toMatch(/--waiting takes one of person, child, event, time/);
  }, 120_000);

  it('watch prints plain lines when piped, and redraws a progress display on a terminal', async () => {
    const hire = newHire();
    // Long enough that the run is still going when watch starts, even on a loaded machine (a finished run has nothing to redraw).
    const started = await runOverture(['onboard', writeHire(hire), '--inject', 'createAccount=latency:6000', '--json'], stack.env);
    const { workflowId } = JSON.parse(started.stdout) as { workflowId: string };
    // script(1) gives the CLI a pseudo-terminal, as a person's shell would.
    const command = `${JSON.stringify(process.execPath)} bin/overture.js watch ${workflowId}`;
    const onTerminal = await runCommand('script', ['-qec', command, '/dev/null'], stack.env);
    expect(onTerminal.code).toBe(0);
    expect(onTerminal.stdout).toContain('\x1b[');
    expect(onTerminal.stdout).toMatch(/✔ notifyTeam\s+completed/);
    const piped = await runOverture(['watch', workflowId], stack.env);
    expect(piped.code).toBe(0);
    expect(piped.stdout).not.toContain('\x1b[');
    expect(piped.stdout).toContain('notifyTeam completed');
    expect(piped.stdout.trim().split('\n').pop()).toBe('run completed');
    // --json: JSON Lines, each step's state, each log line, and the end with the final status.
    const lines = await runOverture(['watch', workflowId, '--json'], stack.env);
    expect(lines.code).toBe(0);
    const events = lines.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; step?: string; state?: string; status?: RunStatus });
    expect(events).toContainEqual({ event: 'step', workflowId, step: 'notifyTeam', state: 'completed', attempts: 1 });
    expect(events.some((e) => e.event === 'log')).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: 'end', workflowId, state: 'completed', status: { workflowId, state: 'completed' } });
  });

  it('says clearly when a run does not exist', async () => {
    const result = await runOverture(['status', 'onboarding-NOPE'], stack.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no such run/);
  });

  it('exits 2 on an unknown command', async () => {
    const result = await runOverture(['frobnicate'], stack.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command');
  });
});
