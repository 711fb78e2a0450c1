/**
 * Acting on runs from the CLI: escalations, resolve, approve and inject, with clear errors and exit codes,
 * as the operator whose token the caller holds (the stack's bootstrap admin unless OVERTURE_TOKEN says otherwise).
 */
import fs from 'node:fs';
import path from 'node:path';
import { NoWorkerError, getRunStatus } from '../../src/client';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { runOverture } from '../helpers/processes';
import { addOperator, envAs } from '../helpers/operators';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack.stop());

it('lists an open escalation and resolves it with retry', async () => {
  const run = await startOnboarding(stack.client, stack.config, newHire(), {
    tuneOptions: fastOptions(),
    faults: { createWorkspace: { kind: 'permanent' } },
  });
  await statusWhen(stack, run.workflowId, (s) => s.state === 'needs_attention', 'escalation');

  const listed = await runOverture(['escalations', '--json'], stack.env);
  expect(listed.code).toBe(0);
  expect(JSON.parse(listed.stdout)).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        workflowId: run.workflowId,
        kind: 'escalation',
        step: 'createWorkspace',
        detail: expect.stringContaining('injected permanent fault') as unknown,
      }),
    ]),
  );

  const wrongStep = await runOverture(['resolve', run.workflowId, '--step', 'notifyTeam', '--action', 'retry'], stack.env);
  expect(wrongStep.code).toBe(1);
  expect(wrongStep.stderr).toContain('refused: step notifyTeam is not escalated (it is pending)');

  const badAction = await runOverture(['resolve', run.workflowId, '--step', 'createWorkspace', '--action', 'explode'], stack.env);
  expect(badAction.code).toBe(2);
  expect(badAction.stderr).toContain('--action must be one of retry, skip, abort');

  // A typed name is refused: the decision is recorded as the operator whose token is used.
  const typedName = await runOverture(
    ['resolve', run.workflowId, '--step', 'createWorkspace', '--action', 'retry', '--by', 'ops.erin'],
    stack.env,
  );
  expect(typedName).toMatchObject({ code: 2, stdout: '' });
  expect(typedName.stderr).toContain('--by is no longer accepted: decisions are recorded as the authenticated operator');
  // A viewer may look, not decide; a wrong token is no one.
  const viewer = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.viewer', 'viewer');
  const byViewer = await runOverture(
    ['resolve', run.workflowId, '--step', 'createWorkspace', '--action', 'abort'],
    envAs(stack.env, viewer),
  );
  expect(byViewer).toMatchObject({
    code: 1,
    stderr: 'refused: deciding an escalation needs the role operator or above; ops.viewer is viewer\n',
  });
  const wrongToken = await runOverture(['resolve', run.workflowId, '--step', 'createWorkspace', '--action', 'abort'], {
    ...stack.env,
    OVERTURE_TOKEN: `ovt_${'x'.repeat(43)}`,
  });
  expect(wrongToken.code).toBe(2);
  expect(wrongToken.stderr).toContain('the operator token from OVERTURE_TOKEN is not valid (unknown, rotated or removed)');
  expect((await getRunStatus(stack.client, run.workflowId)).questions[0]!.open).toBe(true);

  const erin = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.erin', 'operator');
  const resolved = await runOverture(
    ['resolve', run.workflowId, '--step', 'createWorkspace', '--action', 'retry', '--reason', 'disk replaced'],
    envAs(stack.env, erin),
  );
  expect(resolved.stderr).toBe('');
  expect(resolved).toMatchObject({ code: 0, stdout: 'retry createWorkspace by ops.erin\n' });
  // Sent again by an impatient operator: the same decision is acknowledged as a repeat, not applied twice.
  const again = await runOverture(['resolve', run.workflowId, '--step', 'createWorkspace', '--action', 'retry'], envAs(stack.env, erin));
  expect(again).toMatchObject({ code: 0, stderr: '' });
  expect(again.stdout).toMatch(
    /^already applied (by request createWorkspace#1:retry@[0-9a-f]{12} )?at \S+: retry createWorkspace by ops\.erin; .*nothing changed\n$/,
  );
  // --json: the run's receipt.
  const asJson = await runOverture(
    ['resolve', run.workflowId, '--step', 'createWorkspace', '--action', 'retry', '--json'],
    envAs(stack.env, erin),
  );
  expect(asJson).toMatchObject({ code: 0, stderr: '' });
  expect(JSON.parse(asJson.stdout)).toMatchObject({
    workflowId: run.workflowId,
    applied: false,
    message: expect.stringMatching(/^already applied/) as unknown,
  });
  await expect(run.handle.result()).resolves.toMatchObject({ state: 'completed' });
  const status = await getRunStatus(stack.client, run.workflowId);
  expect(status.log.filter((l) => l.message.startsWith('decision on createWorkspace'))).toHaveLength(1);
  expect(status.questions[0]!.decision).toMatchObject({
    action: 'retry',
    by: 'ops.erin',
    via: 'cli',
    role: 'operator',
    reason: 'disk replaced',
  });
});

it('says a repeated skip was a repeat, and refuses a skip with a different output under the used decision id', async () => {
  // The slow last step keeps the run open while the CLI processes start.
  const run = await startOnboarding(stack.client, stack.config, newHire(), {
    tuneOptions: fastOptions(),
    faults: { createWorkspace: { kind: 'permanent' }, notifyTeam: { kind: 'latency', ms: 8_000 } },
  });
  await statusWhen(stack, run.workflowId, (s) => s.state === 'needs_attention', 'escalation');
  const skip = (url: string) =>
    runOverture(
      ['resolve', run.workflowId, '--step', 'createWorkspace', '--action', 'skip', '--output', JSON.stringify({ workspaceUrl: url })],
      stack.env,
    );
  expect(await skip('https://ws.example.com/a')).toMatchObject({ code: 0, stdout: 'skip createWorkspace by admin\n', stderr: '' });
  const repeat = await skip('https://ws.example.com/a');
  expect(repeat).toMatchObject({ code: 0, stderr: '' });
  expect(repeat.stdout).toMatch(
    /^already applied by request createWorkspace#1:skip@[0-9a-f]{12} at \S+: skip createWorkspace by admin; nothing changed\n$/,
  );
  const different = await skip('https://ws.example.com/b');
  expect(different).toMatchObject({ code: 1, stdout: '' });
  expect(different.stderr).toMatch(
    /^refused: decision createWorkspace#1:skip was already applied by request \S+ at \S+ \(skip createWorkspace by admin\), and this one differs: its output differs \(workspaceUrl\)\. An applied decision is not changed\n$/,
  );
  await expect(run.handle.result()).resolves.toMatchObject({ state: 'completed', skippedSteps: ['createWorkspace'] });
  const status = await getRunStatus(stack.client, run.workflowId);
  expect(status.questions[0]!.output).toEqual({ workspaceUrl: 'https://ws.example.com/a' });
  expect(status.log.filter((l) => l.message.startsWith('decision on createWorkspace'))).toHaveLength(1);

  // The run has ended: a repeat is still told what happened, from the run's status.
  const late = await skip('https://ws.example.com/a');
  expect(late).toMatchObject({ code: 0, stderr: '' });
  expect(late.stdout).toMatch(
    /^already applied at \S+: skip createWorkspace by admin; the run has since ended \(completed\); nothing changed\n$/,
  );
  const lateDifferent = await skip('https://ws.example.com/c');
  expect(lateDifferent.code).toBe(1);
  expect(lateDifferent.stderr).toContain('and this one differs: its output differs (workspaceUrl)');
});

it('approves a privileged onboarding and shows pending approvals', async () => {
  const run = await startOnboarding(stack.client, stack.config, newHire({ role: 'admin' }), { tuneOptions: fastOptions() });
  await statusWhen(stack, run.workflowId, (s) => s.state === 'awaiting_approval', 'approval');
  const listed = await runOverture(['escalations'], stack.env);
  expect(listed.stdout).toContain(`${run.workflowId}  approval  assignPermissions/approval#1  privileged permissions (admin)`);
  const bad = await runOverture(['approve', run.workflowId, '--decision', 'perhaps'], stack.env);
  expect(bad.code).toBe(2);
  // An approver, but not the one this request was sent to (the hire's manager): refused by the run.
  const other = addOperator(stack.config.OVERTURE_DATA_DIR, 'approver.gail', 'approver', 'gail@example.com');
  const notTheirs = await runOverture(['approve', run.workflowId, '--decision', 'approve'], envAs(stack.env, other));
  expect(notTheirs.code).toBe(1);
  expect(notTheirs.stderr).toContain('refused: assignPermissions/approval#1 may be answered only by the person it was sent to');
  // An operator may not approve at all.
  const operator = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.hal', 'operator', 'dorothy.vaughan@example.com');
  const notApprover = await runOverture(['approve', run.workflowId, '--decision', 'approve'], envAs(stack.env, operator));
  expect(notApprover).toMatchObject({
    code: 1,
    stderr: 'refused: answering an approval or a question needs the role approver or above; ops.hal is operator\n',
  });

  const manager = addOperator(stack.config.OVERTURE_DATA_DIR, 'manager.dorothy', 'approver', 'Dorothy.Vaughan@example.com');
  const approved = await runOverture(['approve', run.workflowId, '--decision', 'approve', '--reason', 'ok'], envAs(stack.env, manager));
  expect(approved).toMatchObject({ code: 0, stdout: 'approve by manager.dorothy\n' });
  await expect(run.handle.result()).resolves.toMatchObject({ state: 'completed' });
  const decision = (await getRunStatus(stack.client, run.workflowId)).questions.find((q) => q.kind === 'approval')!.decision;
  expect(decision).toMatchObject({ action: 'approve', by: 'manager.dorothy', via: 'cli', role: 'approver' });
});

it('takes an approval from the bootstrap admin, found in the data directory when no token is set', async () => {
  const run = await startOnboarding(stack.client, stack.config, newHire({ role: 'admin' }), { tuneOptions: fastOptions() });
  await statusWhen(stack, run.workflowId, (s) => s.state === 'awaiting_approval', 'approval');
  const approved = await runOverture(['approve', run.workflowId, '--decision', 'approve', '--json'], { ...stack.env, OVERTURE_TOKEN: '' });
  expect(approved).toMatchObject({ code: 0, stderr: '' });
  expect(JSON.parse(approved.stdout)).toMatchObject({ workflowId: run.workflowId, applied: true, message: 'approve by admin' });
  await expect(run.handle.result()).resolves.toMatchObject({ state: 'completed' });
});

describe('operators', () => {
  it('adds an operator with a token shown once, lists without tokens, rotates and removes', async () => {
    const env = { ...stack.env, OVERTURE_TOKEN: '' };
    const added = await runOverture(['operators', 'add', 'Ops.Ivy', '--role', 'operator', '--email', 'ivy@example.com'], env);
    expect(added.code).toBe(0);
    const token = /^token: (ovt_[A-Za-z0-9_-]{43})$/m.exec(added.stdout)?.[1];
    expect(token).toBeDefined();
    const twice = await runOverture(['operators', 'add', 'ops.ivy', '--role', 'viewer'], env);
    expect(twice).toMatchObject({ code: 2, stderr: 'operator "Ops.Ivy" already exists\n' });
    const badName = await runOverture(['operators', 'add', 'ops\u001b[31mred', '--role', 'viewer'], env);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('name: must be plain text');

    const listed = await runOverture(['operators', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Ops.Ivy', role: 'operator', email: 'ivy@example.com', disabled: false })]),
    );
    const text = await runOverture(['operators', 'list'], env);
    for (const out of [listed.stdout, text.stdout]) {
      expect(out).not.toContain(token);
      expect(out).not.toMatch(/ovt_|[0-9a-f]{64}/);
    }
    // Neither is the token in the store: only its hash.
    expect(fs.readFileSync(path.join(stack.config.OVERTURE_DATA_DIR, 'operators.db')).includes(token!)).toBe(false);

    // The token works (the run is unknown, so the command gets as far as asking Temporal).
    const works = await runOverture(['resolve', 'no-such-run', '--step', 'x', '--action', 'retry'], { ...env, OVERTURE_TOKEN: token! });
    expect(works.code).toBe(1);
    expect(works.stderr).not.toContain('token');

    const rotated = await runOverture(['operators', 'rotate-token', 'ops.ivy'], env);
    const newToken = /^token: (ovt_[A-Za-z0-9_-]{43})$/m.exec(rotated.stdout)?.[1];
    expect(newToken).toBeDefined();
    expect(newToken).not.toBe(token);
    const old = await runOverture(['resolve', 'no-such-run', '--step', 'x', '--action', 'retry'], { ...env, OVERTURE_TOKEN: token! });
    expect(old.code).toBe(2);
    expect(old.stderr).toContain('is not valid (unknown, rotated or removed)');

    expect(await runOverture(['operators', 'set-role', 'ops.ivy', '--role', 'viewer'], env)).toMatchObject({
      code: 0,
      stdout: 'Ops.Ivy is now viewer\n',
    });
    const demoted = await runOverture(['resolve', 'no-such-run', '--step', 'x', '--action', 'retry'], {
      ...env,
      OVERTURE_TOKEN: newToken!,
    });
    expect(demoted).toMatchObject({
      code: 1,
      stderr: 'refused: deciding an escalation needs the role operator or above; Ops.Ivy is viewer\n',
    });

    expect((await runOverture(['operators', 'remove', 'ops.ivy'], env)).code).toBe(0);
    const removed = await runOverture(['resolve', 'no-such-run', '--step', 'x', '--action', 'retry'], {
      ...env,
      OVERTURE_TOKEN: newToken!,
    });
    expect(removed.code).toBe(2);
    expect(JSON.parse((await runOverture(['operators', 'list', '--json'], env)).stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Ops.Ivy', disabled: true })]),
    );
    const reused = await runOverture(['operators', 'add', 'ops.ivy', '--role', 'viewer'], env);
    expect(reused.code).toBe(2);
    expect(reused.stderr).toContain('names are not reused');
  });

  it('reads a token file only when it is private to its owner', async () => {
    const erin = addOperator(stack.config.OVERTURE_DATA_DIR, 'ops.jay', 'viewer');
    const file = path.join(stack.config.OVERTURE_DATA_DIR, 'jay-token');
    fs.writeFileSync(file, `${erin.token}\n`, { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const env = { ...stack.env, OVERTURE_TOKEN: '', OVERTURE_TOKEN_FILE: file };
    const open = await runOverture(['resolve', 'no-such-run', '--step', 'x', '--action', 'retry'], env);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain(`the token file ${file} is readable by others (mode 644): make it private with chmod 600`);
    fs.chmodSync(file, 0o600);
    const private_ = await runOverture(['resolve', 'no-such-run', '--step', 'x', '--action', 'retry'], env);
    expect(private_).toMatchObject({
      code: 1,
      stderr: 'refused: deciding an escalation needs the role operator or above; ops.jay is viewer\n',
    });
  });
});

it('injects a fault into a running run, and refuses an unknown step', async () => {
  // The slow first step keeps the run open while two CLI processes start: the rest takes milliseconds.
  const run = await startOnboarding(stack.client, stack.config, newHire(), {
    tuneOptions: fastOptions(),
    faults: { createAccount: { kind: 'latency', ms: 6_000 } },
  });
  const unknown = await runOverture(['inject', run.workflowId, 'makeCoffee=permanent'], stack.env);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('unknown step makeCoffee');
  const injected = await runOverture(['inject', run.workflowId, 'notifyTeam=transient:2'], stack.env);
  expect(injected).toMatchObject({ code: 0, stdout: 'notifyTeam=transient:2 injected\n' });
  await run.handle.result();
  const status = await getRunStatus(stack.client, run.workflowId);
  expect(status.steps.find((s) => s.step === 'notifyTeam')).toMatchObject({ state: 'completed', attempts: 3, fault: 'transient:2' });
});

it('starts an onboarding with an injected fault from the command line', async () => {
  const hire = newHire();
  const result = await runOverture(
    ['onboard', '-', '--inject', 'createAccount=transient:1', '--wait', '--json'],
    stack.env,
    JSON.stringify(hire),
  );
  expect(result.code).toBe(0);
  const status = JSON.parse(result.stdout) as Awaited<ReturnType<typeof getRunStatus>>;
  expect(status.steps[0]).toMatchObject({ step: 'createAccount', attempts: 2, fault: 'transient:1' });
});

it('still lists a waiting run when no worker answers for it', async () => {
  const run = await startOnboarding(stack.client, stack.config, newHire(), {
    tuneOptions: fastOptions(),
    faults: { notifyTeam: { kind: 'permanent' } },
  });
  await statusWhen(stack, run.workflowId, (s) => s.state === 'needs_attention', 'escalation');
  await stack.stopWorker();
  try {
    const listed = await runOverture(['escalations', '--task-queue', stack.config.TEMPORAL_TASK_QUEUE, '--json'], stack.env);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        workflowId: run.workflowId,
        kind: 'escalation',
        step: 'notifyTeam',
        detail: '(details unavailable: no worker answered the status query)',
      }),
    ]);
    // The status of one run says why it cannot be read, instead of hanging.
    const status = getRunStatus(stack.client, run.workflowId, 1_000);
    await expect(status).rejects.toBeInstanceOf(NoWorkerError);
    await expect(status).rejects.toThrow(`is a worker polling task queue ${stack.config.TEMPORAL_TASK_QUEUE}?`);
  } finally {
    await stack.startWorker();
    await run.handle.terminate('test done');
  }
});
