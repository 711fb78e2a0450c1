/**
 * Approve from the email, on a real stack: the worker signs the links into the approval request (sent through a
 * real SMTP receiver), the operator console (in process, on the port the worker links to) shows the confirmation
 * page without using the link, and the Confirm button decides as the email's recipient. A used link is refused
 * and not applied again; a forged, altered or expired one is refused; refused links lock the address out.
 */
import fs from 'node:fs';
import { decideApproval, getRunStatus } from '../../src/client';
import { findFreePort } from '../../src/tools/dev-stack/temporal-server';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { newNonce, signLink } from '../../src/approval-links';
import type { ReceivedMail } from '../../src/tools/dev-stack/mail-receiver';
import type { EscalationLadder, FaultMode, QuestionStatus } from '../../workflows/kit/types';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';
import { addOperator } from '../helpers/operators';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

const MANAGER = 'approving.manager@example.com';
const CONTACT = 'oncall@it.example.com';
const PROMPT = 'privileged permissions (admin)';
let stack: TestStack;
let console_: RunningConsole;
const lines: string[] = [];

beforeAll(async () => {
  // The worker links to its own console (CONSOLE_HOST:CONSOLE_PORT): the console listens right there.
  const port = await findFreePort();
  stack = await startTestStack({ ESCALATION_CONTACTS: CONTACT, CONSOLE_PORT: String(port) });
  // Refused links from this test's one address would lock it out at the default 5 a minute (see the last test).
  const config = { ...stack.config, CONSOLE_SIGNIN_FAILURES_PER_MINUTE: 100 };
  console_ = await startOperatorConsole({ client: stack.client, config, host: '127.0.0.1', port, log: (l) => lines.push(l) });
});
afterAll(async () => {
  await console_?.stop();
  await stack?.stop();
});

const approvalOf = (s: { questions: QuestionStatus[] }) => s.questions.find((q) => q.kind === 'approval')!;

async function privilegedRun(approvalLadder: Partial<EscalationLadder> = {}, faults: Partial<Record<string, FaultMode>> = {}) {
  const hire = newHire({ role: 'admin', managerEmail: MANAGER });
  const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions({}, approvalLadder), faults });
  const status = await statusWhen(stack, started.workflowId, (s) => approvalOf(s)?.open === true, 'approval requested');
  return { started, status };
}

/** The request's email to `to` (the first notice unless `prefix` says which). */
const requestTo = (to: string, workflowId: string, prefix = '[Overture]') =>
  stack.mail.waitFor((m) => m.to.includes(to) && m.subject.startsWith(prefix) && m.subject.includes(workflowId), 10_000);

/** The email's links by label: `{ Approve: url, Reject: url }`. */
function linksIn(mail: ReceivedMail): Record<string, string> {
  return Object.fromEntries([...mail.text.matchAll(/^ {2}([\w ]+): (http:\/\/\S+\/act\?t=\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}
const tokenOf = (url: string) => new URL(url).searchParams.get('t')!;
const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { w: string; q: string; d: string; a: string; e: number };

async function open(url: string) {
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, text: await response.text(), headers: response.headers };
}
async function confirm(token: string, reason?: string) {
  const response = await fetch(`${console_.url}/act`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: console_.url },
    body: new URLSearchParams({ t: token, ...(reason === undefined ? {} : { reason }) }).toString(),
  });
  return { status: response.status, text: await response.text() };
}
const grantedLines = async (workflowId: string) =>
  (await getRunStatus(stack.client, workflowId)).log.filter((l) => l.message.startsWith('approval granted')).length;

it('approves from the email: the page shows what will happen without doing it, Confirm decides as the manager, once', async () => {
  const { started, status } = await privilegedRun();
  const question = approvalOf(status);
  const mail = await requestTo(MANAGER, started.workflowId);
  const links = linksIn(mail);
  expect(Object.keys(links)).toEqual(['Approve', 'Reject']);
  expect(links.Approve!.startsWith(`${console_.url}/act?t=`)).toBe(true);
  const approve = tokenOf(links.Approve!);
  // Signed for the recipient and this question; it expires with the question's deadline (3 h here), not after 72 h.
  expect(payloadOf(approve)).toMatchObject({
    w: started.workflowId,
    q: question.id,
    d: 'approve',
    a: MANAGER,
    e: Date.parse(question.openedAt) + 10_800_000,
  });
  // The team channel gets the request too, but never links that act as the manager.
  const posts = stack.webhooks.received().filter((w) => JSON.stringify(w.body).includes(started.workflowId));
  expect(posts.length).toBeGreaterThan(0);
  expect(posts.some((w) => JSON.stringify(w.body).includes('/act?t='))).toBe(false);

  // A mail scanner's fetch and the person's first click: the same page, and nothing decided.
  for (let i = 0; i < 2; i++) {
    const page = await open(links.Approve!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.text).toContain(`<dd data-testid="act-run">${started.workflowId}</dd>`);
    expect(page.text).toContain(`<dd data-testid="act-prompt">${PROMPT}</dd>`);
    expect(page.text).toContain('<dd data-testid="act-decision">approve</dd>');
    expect(page.text).toContain(`<dd data-testid="act-approver">${MANAGER}</dd>`);
    expect(page.text).toContain(`<input type="hidden" name="t" value="${approve}">`);
  }
  const waiting = await getRunStatus(stack.client, started.workflowId);
  expect(waiting.state).toBe('awaiting_approval');
  expect(approvalOf(waiting).open).toBe(true);

  const done = await confirm(approve);
  expect(done.status).toBe(200);
  expect(done.text).toContain(`Recorded: approve by ${MANAGER}.`);
  const final = await statusWhen(stack, started.workflowId, (s) => s.state === 'completed', 'completed');
  const decision = approvalOf(final).decision!;
  expect(decision).toMatchObject({ action: 'approve', by: MANAGER, reason: 'from the email link', automatic: false });
  expect(decision).toMatchObject({ via: 'email-link', role: 'approver' });

  // The same link again: refused, with who used it and when, and nothing applied again.
  for (const again of [await confirm(approve), await open(links.Approve!)]) {
    expect(again.status).toBe(409);
    expect(again.text).toMatch(new RegExp(`already used, by ${MANAGER.replace(/\./g, '\\.')} at \\d{4}-\\d\\d-\\d\\dT`));
  }
  // The email's other link: the question is answered, so the page says so and Confirm is refused.
  const reject = tokenOf(links.Reject!);
  const rejectPage = await open(links.Reject!);
  expect(rejectPage.status).toBe(409);
  expect(rejectPage.text).toContain(`already answered: approve by ${MANAGER}`);
  expect((await confirm(reject)).status).toBe(409);
  expect(await grantedLines(started.workflowId)).toBe(1);
  expect(approvalOf(await getRunStatus(stack.client, started.workflowId)).decision).toEqual(decision);
  // Nothing in the console's log carries a token.
  expect(lines.some((l) => l.includes(approve) || l.includes(reject) || l.includes(approve.split('.')[1]!))).toBe(false);
  expect(lines).toContain(`approval link for ${started.workflowId} ${question.id}: approve applied`);
});

it('rejects from the email: the run ends rejected by the manager', async () => {
  const { started } = await privilegedRun();
  const links = linksIn(await requestTo(MANAGER, started.workflowId));
  // A reason the run would refuse (past its length limit) is refused before the link is used.
  const badReason = await confirm(tokenOf(links.Reject!), 'x'.repeat(490));
  expect(badReason.status).toBe(400);
  expect(badReason.text).toContain('a reason must be at most 500 characters');
  expect(approvalOf(await getRunStatus(stack.client, started.workflowId)).open).toBe(true);
  // Two clicks at once: one decides, the other is told the link was used.
  const clicks = await Promise.all([
    confirm(tokenOf(links.Reject!), 'no admin rights for new hires'),
    confirm(tokenOf(links.Reject!), 'no admin rights for new hires'),
  ]);
  const done = clicks.find((c) => c.status === 200)!;
  expect(clicks.map((c) => c.status).sort()).toEqual([200, 409]);
  expect(clicks.find((c) => c.status === 409)!.text).toContain(`This link was already used, by ${MANAGER}`);
  expect(done.text).toContain(`Recorded: reject by ${MANAGER}.`);
  const final = await statusWhen(stack, started.workflowId, (s) => s.state === 'rejected', 'rejected');
  expect(approvalOf(final).decision).toMatchObject({
    action: 'reject',
    by: MANAGER,
    reason: 'no admin rights for new hires (from the email link)',
  });
  expect(final.steps.find((s) => s.step === 'assignPermissions')!.state).toBe('cancelled');
});

it("refuses with the run's own message a link whose question was answered another way", async () => {
  // A slow last step keeps the run open after the approval, so the link meets the run, not its end.
  const { started, status } = await privilegedRun({}, { notifyTeam: { kind: 'latency', ms: 5_000 } });
  const links = linksIn(await requestTo(MANAGER, started.workflowId));
  await decideApproval(stack.client, started.workflowId, {
    decision: 'approve',
    by: 'ops.admin',
    reason: 'on-call admin',
    identity: { operator: 'ops.admin', role: 'admin', via: 'api' },
  });
  const late = await confirm(tokenOf(links.Reject!));
  expect(late.status).toBe(409);
  expect(late.text).toContain(
    `The run refused this decision: question ${approvalOf(status).id} was already answered: approve by ops.admin`,
  );
  const final = await statusWhen(stack, started.workflowId, (s) => s.state === 'completed', 'completed', 30_000);
  expect(approvalOf(final).decision).toMatchObject({ action: 'approve', by: 'ops.admin' });
  expect(final.log.some((l) => l.message.startsWith('approval refused'))).toBe(false);
});

it('gives the escalation contact links of their own at the hand-over', async () => {
  const { started } = await privilegedRun({ reminderAfterMs: 300, nextContactAfterMs: 800 });
  const reminder = linksIn(await requestTo(MANAGER, started.workflowId, 'Reminder:'));
  expect(payloadOf(tokenOf(reminder.Approve!)).a).toBe(MANAGER);
  const handOver = linksIn(await requestTo(CONTACT, started.workflowId, 'Escalated:'));
  expect(payloadOf(tokenOf(handOver.Approve!)).a).toBe(CONTACT);
  expect((await confirm(tokenOf(handOver.Approve!))).status).toBe(200);
  const final = await statusWhen(stack, started.workflowId, (s) => s.state === 'completed', 'completed');
  expect(approvalOf(final).decision).toMatchObject({ action: 'approve', by: CONTACT });
});

it("records a registered approver's link under their operator name, keeping their address out of the run's log", async () => {
  const registered = 'registered.manager@example.com';
  addOperator(stack.config.OVERTURE_DATA_DIR, 'rosalind', 'viewer', registered);
  const hire = newHire({ role: 'admin', managerEmail: registered });
  const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
  await statusWhen(stack, started.workflowId, (s) => approvalOf(s)?.open === true, 'approval requested');
  const links = linksIn(await requestTo(registered, started.workflowId));
  expect((await open(links.Approve!)).text).toContain('<dd data-testid="act-approver">rosalind</dd>');
  const done = await confirm(tokenOf(links.Approve!));
  expect(done.text).toContain('Recorded: approve by rosalind.');
  const final = await statusWhen(stack, started.workflowId, (s) => s.state === 'completed', 'completed');
  expect(approvalOf(final).decision).toMatchObject({ action: 'approve', by: 'rosalind', via: 'email-link', role: 'approver' });
  expect(JSON.stringify(final.log)).not.toContain(registered);
});

describe('links that are not valid', () => {
  it('refuses a forged or altered link (403) and an expired one (410), and decides nothing', async () => {
    const { started, status } = await privilegedRun();
    const question = approvalOf(status);
    const links = linksIn(await requestTo(MANAGER, started.workflowId));
    const [payload, signature] = tokenOf(links.Reject!).split('.') as [string, string];
    // The reject link turned into an approval: the signature no longer matches.
    const altered = `${Buffer.from(JSON.stringify({ ...payloadOf(`${payload}.`), d: 'approve' })).toString('base64url')}.${signature}`;
    const link = { workflowId: started.workflowId, question: question.id, decision: 'approve', approver: MANAGER, nonce: newNonce() };
    const otherKey = signLink(Buffer.alloc(32, 1), { ...link, expiresAt: Date.now() + 3_600_000 });
    for (const token of [altered, otherKey, 'not-a-token', '']) {
      const page = await open(`${console_.url}/act?t=${encodeURIComponent(token)}`);
      expect(page.status).toBe(403);
      expect(page.text).toContain('This is not a valid link.');
      expect((await confirm(token)).status).toBe(403);
    }
    // Signed with the real key, but past its expiry.
    const key = fs.readFileSync(stack.config.approvalLinkKeyFile);
    const expired = signLink(key, { ...link, expiresAt: Date.now() - 1_000 });
    const page = await open(`${console_.url}/act?t=${expired}`);
    expect(page.status).toBe(410);
    expect(page.text).toContain('This link expired at');
    expect((await confirm(expired)).status).toBe(410);
    const after = await getRunStatus(stack.client, started.workflowId);
    expect(after.state).toBe('awaiting_approval');
    expect(approvalOf(after).open).toBe(true);
    expect(lines).toContain('refused an approval link from 127.0.0.1: not a valid link');
    // The genuine link still works.
    expect((await confirm(tokenOf(links.Reject!))).status).toBe(200);
  });

  it('locks out an address after too many refused links, even for a valid one (429)', async () => {
    const strict = await startOperatorConsole({
      client: stack.client,
      config: { ...stack.config, CONSOLE_SIGNIN_FAILURES_PER_MINUTE: 3 },
      host: '127.0.0.1',
      port: 0,
      log: (l) => lines.push(l),
    });
    try {
      const { started } = await privilegedRun();
      const links = linksIn(await requestTo(MANAGER, started.workflowId));
      for (let i = 0; i < 3; i++) expect((await open(`${strict.url}/act?t=forged.${i}`)).status).toBe(403);
      const locked = await fetch(`${strict.url}/act?t=${tokenOf(links.Approve!)}`);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(lines).toContain('locked approval links from 127.0.0.1 for 60 s after 3 refused links within a minute');
      expect(approvalOf(await getRunStatus(stack.client, started.workflowId)).open).toBe(true);
    } finally {
      await strict.stop();
    }
  });
});
