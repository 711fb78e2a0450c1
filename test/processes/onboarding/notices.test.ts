/**
 * What escalation notices say and where they link, through real runs: a directory conflict does not name the
 * employee who holds the address, and the console link is the worker's, not the starting client's.
 */
import { getRunStatus } from '../../../src/client';
import { loadConfig } from '../../../src/config';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../../helpers/test-stack';
import { newHire, startOnboarding } from './helpers';

const CONTACT = 'oncall@it.example.com';
const WORKER_CONSOLE_PORT = '4517';
const CLIENT_CONSOLE_PORT = '4999';
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ ESCALATION_CONTACTS: CONTACT, CONSOLE_PORT: WORKER_CONSOLE_PORT });
});
afterAll(async () => stack.stop());

const escalated = (workflowId: string, step: string) =>
  statusWhen(stack, workflowId, (s) => s.questions.some((q) => q.kind === 'escalation' && q.open && q.step === step), `${step} escalated`);

describe('a directory conflict', () => {
  it('escalates without naming the employee who already has the email address', async () => {
    const first = newHire({ fullName: 'Margaret Hamilton' });
    const firstRun = await startOnboarding(stack.client, stack.config, first, { tuneOptions: fastOptions() });
    await expect(firstRun.handle.result()).resolves.toMatchObject({ state: 'completed' });

    const second = newHire({ fullName: 'Grace Hopper', email: first.email });
    const secondRun = await startOnboarding(stack.client, stack.config, second, { tuneOptions: fastOptions() });
    await escalated(secondRun.workflowId, 'createAccount');

    const notice = await stack.mail.waitFor((m) => m.to.includes(CONTACT) && m.subject.includes(secondRun.workflowId));
    await stack.webhooks.waitFor((w) => JSON.stringify(w.body).includes(`${secondRun.workflowId}: step createAccount needs a decision`));
    const posts = stack.webhooks
      .received()
      .map((w) => JSON.stringify(w.body))
      .filter((text) => text.includes(secondRun.workflowId));
    const status = JSON.stringify(await getRunStatus(stack.client, secondRun.workflowId));

    expect(notice.text).toContain('directory conflict: the email address already belongs to another account');
    expect(posts.length).toBeGreaterThanOrEqual(1);
    expect(posts.join('\n')).toContain('the email address already belongs to another account');
    expect(status).toContain('the email address already belongs to another account');
    const firstEmployee = [first.employeeId, first.employeeId.toLowerCase(), first.fullName];
    for (const text of [notice.subject, notice.text, ...posts, status]) {
      for (const detail of firstEmployee) expect(text).not.toContain(detail);
    }
    // The address itself stays out of chat and the notice too.
    for (const text of [notice.text, ...posts]) expect(text).not.toContain(first.email);
  });
});

describe('the console link of a notice', () => {
  it("is the worker's console, whatever console port the starting client was configured with", async () => {
    const clientConfig = loadConfig({ ...stack.env, CONSOLE_PORT: CLIENT_CONSOLE_PORT });
    expect(clientConfig.consoleUrl).toBe(`http://127.0.0.1:${CLIENT_CONSOLE_PORT}`);
    expect(stack.config.consoleUrl).toBe(`http://127.0.0.1:${WORKER_CONSOLE_PORT}`);
    const hire = newHire();
    const started = await startOnboarding(stack.client, clientConfig, hire, {
      tuneOptions: fastOptions(),
      faults: { createWorkspace: { kind: 'permanent' } },
    });
    await escalated(started.workflowId, 'createWorkspace');

    const link = `http://127.0.0.1:${WORKER_CONSOLE_PORT}/runs/${encodeURIComponent(started.workflowId)}`;
    const notice = await stack.mail.waitFor((m) => m.to.includes(CONTACT) && m.subject.includes(started.workflowId));
    const post = await stack.webhooks.waitFor((w) =>
      JSON.stringify(w.body).includes(`${started.workflowId}: step createWorkspace needs a decision`),
    );
    const postText = (post.body as { text: string }).text;

    expect(notice.text.split('\n')).toContain(`Or open ${link}`);
    expect(postText.split('\n')).toContain(`Or open ${link}`);
    for (const text of [notice.text, postText]) {
      expect(text).not.toContain(`:${CLIENT_CONSOLE_PORT}`);
      expect(text.match(/Or open /g)).toHaveLength(1);
    }
  });

  it("of a manual task is the worker's console too", async () => {
    const clientConfig = loadConfig({ ...stack.env, CONSOLE_PORT: CLIENT_CONSOLE_PORT });
    const started = await startOnboarding(stack.client, clientConfig, newHire({ equipment: ['Laptop 14'] }), {
      tuneOptions: fastOptions(),
    });

    const notice = await stack.mail.waitFor(
      (m) => m.to.includes(CONTACT) && m.subject.includes(`${started.workflowId}: task requestEquipment`),
    );

    expect(notice.text.split('\n')).toContain(
      `Or open http://127.0.0.1:${WORKER_CONSOLE_PORT}/runs/${encodeURIComponent(started.workflowId)}`,
    );
    expect(notice.text).not.toContain(`:${CLIENT_CONSOLE_PORT}`);
  });
});
