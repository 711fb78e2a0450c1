/**
 * Manual first, then automate: an onboarding whose chosen steps are done by people (`--manual`), and one done
 * entirely by hand as a checklist, against the real server and worker. The steps wait as manual tasks with their
 * instructions, are completed with their typed outputs, feed the steps after them, and the run ends with the same
 * outputs an automated run gives; a step that cannot be done by hand is refused before anything starts.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { answerQuestion, getRunStatus, type RunStatus } from '../../../src/client';
import { workspaceUrlFor } from '../../../src/stores/directory/directory';
import { InputError } from '../../../workflows/kit/input';
import { ONBOARDING_STEPS } from '../../../workflows/onboarding/shape';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../../helpers/test-stack';
import { decidedBy } from '../../helpers/operators';
import { newHire, startOnboarding } from './helpers';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack.stop());

const openTasks = (s: RunStatus) =>
  s.questions
    .filter((q) => q.kind === 'task' && q.open)
    .map((q) => q.step)
    .sort();
const tasksOpen = (steps: string[]) => (s: RunStatus) => JSON.stringify(openTasks(s)) === JSON.stringify([...steps].sort());
const stepOf = (s: RunStatus, step: string) => s.steps.find((x) => x.step === step)!;

/** Completes a run's manual task as a person would (`overture complete ID --step S --output JSON`). */
async function complete(workflowId: string, step: string, output: Record<string, string> = {}) {
  return answerQuestion(stack.client, workflowId, { question: step, decision: 'done', ...decidedBy('it.frank'), output });
}

describe('an onboarding with chosen steps done by hand (--manual)', () => {
  it('waits on them as tasks, takes their typed outputs downstream, and ends with the outputs of an automated run', async () => {
    const automatedHire = newHire();
    const automated = await startOnboarding(stack.client, stack.config, automatedHire, { tuneOptions: fastOptions() });
    const automatedResult = await automated.handle.result();

    const hire = newHire();
    const started = await startOnboarding(stack.client, stack.config, hire, {
      tuneOptions: fastOptions(),
      manual: ['sendWelcomeEmail', 'createWorkspace'],
    });
    const waiting = await statusWhen(stack, started.workflowId, tasksOpen(['createWorkspace', 'sendWelcomeEmail']), 'both tasks');
    expect(waiting.state).toBe('awaiting_input');
    const task = waiting.questions.find((q) => q.step === 'createWorkspace')!;
    expect(task.prompt).toContain('Provision the workspace');
    expect(task.prompt).toContain(`onboarding ${hire.employeeId}`);
    expect(task.prompt).toContain('workspaceUrl (text, optional)');
    expect(stepOf(waiting, 'createAccount')).toMatchObject({ state: 'completed', path: 'primary' });
    // Nothing automated did the manual steps: no workspace, no welcome email.
    expect(stack.directory.inventory(hire.employeeId).workspaces).toEqual([]);
    expect(stack.mail.messages().filter((m) => m.to.includes(hire.email))).toEqual([]);

    const url = workspaceUrlFor(stack.config.WORKSPACE_BASE_URL, hire.employeeId);
    await complete(started.workflowId, 'sendWelcomeEmail');
    await complete(started.workflowId, 'createWorkspace', { workspaceUrl: url });
    const result = await started.handle.result();

    const sameKeys = (r: typeof result, employeeId: string) => ({
      ...r,
      accountId: r.accountId.replace(employeeId.toLowerCase(), 'ID'),
      workspaceUrl: r.workspaceUrl?.replace(employeeId.toLowerCase(), 'ID'),
    });
    expect(sameKeys(result, hire.employeeId)).toEqual(sameKeys(automatedResult, automatedHire.employeeId));
    expect(result.workspaceUrl).toBe(url);
    // The person's output fed the next step: the team's announcement names the workspace given by hand.
    const post = stack.webhooks
      .received()
      .find((w) => JSON.stringify(w.body).includes(`Please welcome`) && JSON.stringify(w.body).includes(url));
    expect(post).toBeDefined();

    const status = await getRunStatus(stack.client, started.workflowId);
    expect(status.steps.map((s) => [s.step, s.state, s.path])).toEqual([
      ['createAccount', 'completed', 'primary'],
      ['assignPermissions', 'completed', 'primary'],
      ['sendWelcomeEmail', 'completed', 'person'],
      ['createWorkspace', 'completed', 'person'],
      ['requestEquipment', 'not_taken', undefined],
      ['notifyTeam', 'completed', 'primary'],
    ]);
    expect(stepOf(status, 'createWorkspace').outcome).toEqual({ workspaceUrl: url });
  });
});

describe('an onboarding done entirely by hand (--manual all)', () => {
  it('is a checklist: each step a task once the steps it needs are done, and nothing automated runs', async () => {
    const hire = newHire({ equipment: ['laptop'] });
    const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions(), manual: ['all'] });
    const id = started.workflowId;

    const first = await statusWhen(stack, id, tasksOpen(['createAccount']), 'the first task');
    // The step's own instructions, from the process's shape (a step without them is told its title).
    expect(first.questions[0]!.prompt).toBe(
      "Create the hire's account in the directory, with the name, email, role and team of the onboarding request — " +
        `for onboarding ${hire.employeeId}, by hand (this step is not automated in this run).\nReport: accountId (text).`,
    );
    expect(first.steps.filter((s) => s.state === 'pending').map((s) => s.step)).toEqual(
      ONBOARDING_STEPS.filter((s) => s !== 'createAccount'),
    );
    await expect(complete(id, 'createAccount')).rejects.toMatchObject({
      cause: { message: `task createAccount needs its output: later steps need accountId (give it with --output '{"accountId":"..."}')` },
    });
    await complete(id, 'createAccount', { accountId: 'acct-by-hand' });
    await statusWhen(stack, id, tasksOpen(['assignPermissions']), 'the second task');
    await complete(id, 'assignPermissions');
    await statusWhen(stack, id, tasksOpen(['createWorkspace', 'requestEquipment', 'sendWelcomeEmail']), 'three tasks at once');
    await complete(id, 'sendWelcomeEmail');
    await complete(id, 'createWorkspace', { ticketId: 'IT-7' });
    await complete(id, 'requestEquipment', { assetTags: 'LT-1' });
    await statusWhen(stack, id, tasksOpen(['notifyTeam']), 'the last task');
    await complete(id, 'notifyTeam');

    expect(await started.handle.result()).toEqual({
      state: 'completed',
      accountId: 'acct-by-hand',
      ticketId: 'IT-7',
      equipment: 'LT-1',
      skippedSteps: [],
    });
    const inventory = stack.directory.inventory(hire.employeeId);
    expect([inventory.accounts, inventory.grants, inventory.workspaces]).toEqual([[], [], []]);
    const status = await getRunStatus(stack.client, id);
    expect(status.steps.every((s) => s.state === 'completed' && s.path === 'person')).toBe(true);
  });
});

describe('a bad --manual', () => {
  it.each([
    [['sendWelcomEmail'], 'sendWelcomEmail: unknown step'],
    [['notifyTeam', 'nope'], 'nope: unknown step'],
  ])('%j is refused before anything starts', async (manual, message) => {
    const hire = newHire();
    const refused = startOnboarding(stack.client, stack.config, hire, { manual });
    await expect(refused).rejects.toBeInstanceOf(InputError);
    await expect(refused).rejects.toThrow(message);
    await expect(stack.client.workflow.getHandle(`onboarding-${hire.employeeId}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
