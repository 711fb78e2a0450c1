/**
 * Content publishing end to end on the real server, with the local site, SMTP and webhook receivers: a draft
 * started by its event fails its checks and is revised, the editor approves, the scheduled publication goes
 * out once on every channel; the editor's request for changes loops back to the checks, and `reschedule --now`
 * publishes at once; an abort after a partial publication withdraws what went out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  answerQuestion,
  deliverEvent,
  getRunStatus,
  prepareEventDelivery,
  reschedule,
  resolveEscalation,
  sendEvent,
  startProcess,
} from '../../../src/client';
import { startSiteServer, type SiteServer } from '../../../src/tools/dev-stack/site-server';
import { contentPublishingDefinition } from '../../../workflows/content-publishing/definition';
import type { ContentPublishingResult, Draft } from '../../../workflows/content-publishing/types';
import type { ProcessDefinition } from '../../../src/registry';
import type { ProcessOptions } from '../../../workflows/kit/types';
import { runOverture } from '../../helpers/processes';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../../helpers/test-stack';
import { addOperator, decidedBy, envAs } from '../../helpers/operators';

const EDITOR = 'editor@news.example.com';
const SUBSCRIBERS = ['sub.one@readers.example.com', 'sub.two@readers.example.com'];
const AUTHOR = { name: 'Ida Tarbell', email: 'ida.tarbell@writers.example.com' };

let stack: TestStack;
let site: SiteServer;
let siteDir: string;
let counter = 0;

beforeAll(async () => {
  siteDir = fs.mkdtempSync(path.join(process.env.OVERTURE_TEST_DIR ?? '/tmp', 'site-'));
  fs.writeFileSync(path.join(siteDir, 'about.html'), '<p>About us</p>');
  site = await startSiteServer({ dir: siteDir });
  stack = await startTestStack(({ webhooks }) => ({
    SITE_DIR: siteDir,
    SITE_URL: site.url,
    EDITOR_EMAIL: EDITOR,
    NEWSLETTER_SUBSCRIBERS: SUBSCRIBERS.join(','),
    SOCIAL_WEBHOOK_URL: `${webhooks.baseUrl}/hooks/social`,
  }));
});
afterAll(async () => {
  await stack?.stop();
  await site?.stop();
});

/** A draft with a content id of its own (the workflow id is `content-<contentId>`). */
function draft(overrides: Partial<Draft> = {}): Draft {
  counter += 1;
  return {
    contentId: `story-${Date.now().toString(36)}-${counter}`,
    revision: 1,
    title: 'The history of the Standard Oil Company',
    body: `A clean draft with a link to [our page](${site.url}/about.html).\n`,
    author: AUTHOR,
    channels: ['site', 'newsletter', 'social'],
    publishAt: new Date(Date.now() - 60_000).toISOString(),
    ...overrides,
  };
}

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const tune = { tuneOptions: fastOptions() };
const definition = contentPublishingDefinition as ProcessDefinition<unknown, unknown>;

/** Sends a draft event the way the gateway does: validated by its route, then signal-with-start. */
async function emit(type: 'draft.submitted' | 'draft.revised', data: Draft, id: string) {
  const route = contentPublishingDefinition.events!.find((r) => r.type === type)!;
  return deliverEvent(stack.client, stack.config, prepareEventDelivery(stack.config, definition, route, { id, data }, tune));
}

const socialPosts = (contentId: string) =>
  stack.webhooks.received().filter((w) => w.path === '/hooks/social' && JSON.stringify(w.body).includes(contentId));
const newsletters = (subscriber: string, contentId: string) =>
  stack.mail.messages().filter((m) => m.to.includes(subscriber) && m.text.includes(`/${contentId}.html`));
const feedItems = (contentId: string) =>
  (
    fs
      .readFileSync(path.join(siteDir, 'feed.xml'), 'utf8')
      .match(new RegExp(`<guid isPermaLink="true">[^<]*/${contentId}\\.html</guid>`, 'g')) ?? []
  ).length;
const editorAsked = (workflowId: string, n: number) =>
  statusWhen(
    stack,
    workflowId,
    (s) => s.questions.some((q) => q.id === `editorialReview/question#${n}` && q.open),
    `the editor to be asked (#${n})`,
    30_000,
  );

describe('content publishing', () => {
  it('sends the findings to the author, takes the revision, and publishes once on every channel at the scheduled time', async () => {
    const first = draft({
      body: [
        `Read [the missing page](${site.url}/missing-page.html) and [about us](${site.url}/about.html).`,
        '',
        '![](data:image/png;base64,iVBORw0KGgo=)',
      ].join('\n'),
    });
    const workflowId = `content-${first.contentId}`;
    const started = await emit('draft.submitted', first, `${first.contentId}-submitted`);
    expect(started).toMatchObject({ workflowId, started: true });

    // The checks fail: the author gets the findings, and the run waits for a revision (the starting event is not one).
    const findings = await stack.mail.waitFor(
      (m) => m.to.includes(AUTHOR.email) && m.subject.includes('needs changes before review'),
      30_000,
    );
    expect(findings.text).toContain(`link ${site.url}/missing-page.html: broken: HTTP 404`);
    expect(findings.text).toContain('has no alt text');
    expect(findings.text).not.toContain('about.html');
    const waiting = await statusWhen(
      stack,
      workflowId,
      (s) => s.steps.find((x) => x.step === 'awaitRevision')?.state === 'waiting',
      'the wait for a revision',
    );
    // Checked once: the event that started the run carried the same draft, and was not taken for a revision.
    expect(waiting.steps.find((s) => s.step === 'checkLinks')).toMatchObject({
      state: 'completed',
      attempts: 1,
      outcome: { passed: false },
    });
    expect(waiting.steps.find((s) => s.step === 'readingTime')).toMatchObject({
      state: 'completed',
      outcome: { passed: true, minutes: 1 },
    });

    const publishAt = inSeconds(8);
    const revised: Draft = {
      ...first,
      revision: 2,
      publishAt,
      body: `Read [about us](${site.url}/about.html).\n\n![Our newsroom](data:image/png;base64,iVBORw0KGgo=)\n`,
    };
    expect(await emit('draft.revised', revised, `${first.contentId}-r2`)).toMatchObject({ started: false });

    await editorAsked(workflowId, 1);
    const notice = await stack.mail.waitFor((m) => m.to.includes(EDITOR) && m.subject.includes('Review revision 2'));
    expect(notice.text).toContain(`Title: ${first.title}`);
    expect(notice.text).toContain('--decision approve|reject|request-changes');
    await answerQuestion(stack.client, workflowId, {
      question: 'editorialReview',
      decision: 'approve',
      ...decidedBy('the.editor'),
      reason: 'fit to print',
    });

    const scheduled = await statusWhen(
      stack,
      workflowId,
      (s) => s.steps.find((x) => x.step === 'scheduledPublication')?.state === 'waiting',
      'the scheduled wait',
    );
    expect(scheduled.steps.find((s) => s.step === 'scheduledPublication')!.outcome).toEqual({ dueAt: publishAt });
    expect(fs.existsSync(path.join(siteDir, `${first.contentId}.html`))).toBe(false);

    const result = (await stack.client.workflow.getHandle(workflowId).result()) as ContentPublishingResult;
    expect(result).toMatchObject({
      state: 'completed',
      revision: 2,
      channels: ['site', 'newsletter', 'social'],
      pageUrl: `${site.url}/${first.contentId}.html`,
      newsletterRecipients: 2,
    });
    expect(Date.parse(result.publishedAt)).toBeGreaterThanOrEqual(Date.parse(publishAt));

    const page = await fetch(result.pageUrl!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<img src="data:image/png;base64,iVBORw0KGgo=" alt="Our newsroom">');
    expect(feedItems(first.contentId)).toBe(1);
    for (const subscriber of SUBSCRIBERS) {
      expect(newsletters(subscriber, first.contentId)).toHaveLength(1);
    }
    const posts = socialPosts(first.contentId);
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]!.body)).toContain(result.pageUrl!);
  });

  it('loops back to the checks when the editor asks for changes, and reschedule --now publishes at once', async () => {
    const first = draft({ channels: ['site', 'social'], publishAt: inSeconds(86_400) });
    const run = await startProcess(stack.client, stack.config, 'content-publishing', first, tune);
    await editorAsked(run.workflowId, 1);
    await answerQuestion(stack.client, run.workflowId, {
      question: 'editorialReview',
      decision: 'request-changes',
      ...decidedBy('the.editor'),
      reason: 'Add a conclusion',
    });

    const changes = await stack.mail.waitFor((m) => m.to.includes(AUTHOR.email) && m.subject.includes('asks for changes'));
    expect(changes.text).toContain('Add a conclusion');
    await statusWhen(
      stack,
      run.workflowId,
      (s) => s.steps.find((x) => x.step === 'awaitRevision')?.state === 'waiting',
      'the wait for a revision',
    );
    // A stale revision is not taken; the newer one is checked again before the editor sees it.
    await sendEvent(stack.client, run.workflowId, { type: 'draft.revised', id: 'stale', data: { ...first, body: 'stale' } });
    await sendEvent(stack.client, run.workflowId, {
      type: 'draft.revised',
      id: 'r2',
      data: { ...first, revision: 2, body: `${first.body}\nIn conclusion: it went well.\n` },
    });
    const asked = await editorAsked(run.workflowId, 2);
    expect(asked.steps.find((s) => s.step === 'checkBannedWords')!.attempts).toBe(2);
    await answerQuestion(stack.client, run.workflowId, { question: 'editorialReview', decision: 'approve', ...decidedBy('the.editor') });

    const waiting = await statusWhen(
      stack,
      run.workflowId,
      (s) => s.steps.find((x) => x.step === 'scheduledPublication')?.state === 'waiting',
      'the scheduled wait',
    );
    expect(waiting.steps.find((s) => s.step === 'scheduledPublication')!.outcome).toEqual({
      dueAt: new Date(first.publishAt).toISOString(),
    });
    // Refused before they reach the history: an unreadable time, both a time and now, another step.
    await expect(reschedule(stack.client, run.workflowId, { at: 'tomorrow', ...decidedBy('ops') })).rejects.toBeInstanceOf(
      WorkflowUpdateFailedError,
    );
    await expect(reschedule(stack.client, run.workflowId, { at: inSeconds(60), now: true, ...decidedBy('ops') })).rejects.toThrow();
    await expect(reschedule(stack.client, run.workflowId, { step: 'publishToSite', now: true, ...decidedBy('ops') })).rejects.toThrow();
    expect(
      await reschedule(stack.client, run.workflowId, { at: inSeconds(3_600), ...decidedBy('ops'), reason: 'after the embargo' }),
    ).toMatchObject({ applied: true });

    const nightEditor = addOperator(stack.config.OVERTURE_DATA_DIR, 'night.editor', 'operator');
    const cli = await runOverture(['reschedule', run.workflowId, '--now', '--reason', 'breaking news'], envAs(stack.env, nightEditor));
    expect(cli).toMatchObject({ code: 0 });
    expect(cli.stdout).toContain('scheduledPublication goes now, by night.editor');
    const result = (await run.handle.result()) as ContentPublishingResult;
    expect(result).toMatchObject({ state: 'completed', revision: 2, channels: ['site', 'social'] });
    const status = await getRunStatus(stack.client, run.workflowId);
    expect(status.steps.find((s) => s.step === 'scheduledPublication')).toMatchObject({
      state: 'completed',
      path: 'person',
      outcome: { trigger: 'now', rescheduled: '2' },
    });
    expect(status.steps.find((s) => s.step === 'sendNewsletter')!.state).toBe('not_taken');
    expect((await fetch(result.pageUrl!)).status).toBe(200);
    expect(await runOverture(['reschedule', run.workflowId, '--at', 'noon'], stack.env)).toMatchObject({ code: 2 });
  });

  it('withdraws a partial publication on abort: page and feed entry removed, a correction posted, the newsletter logged as sent', async () => {
    const first = draft();
    const run = await startProcess(stack.client, stack.config, 'content-publishing', first, {
      ...tune,
      faults: { postToSocial: { kind: 'permanent' } },
    });
    await editorAsked(run.workflowId, 1);
    await answerQuestion(stack.client, run.workflowId, { question: 'editorialReview', decision: 'approve', ...decidedBy('the.editor') });
    const escalated = await statusWhen(
      stack,
      run.workflowId,
      (s) =>
        s.questions.some((q) => q.kind === 'escalation' && q.open) &&
        ['publishToSite', 'sendNewsletter'].every((n) => s.steps.find((x) => x.step === n)?.state === 'completed'),
      'postToSocial to escalate after the other channels',
    );
    expect(escalated.steps.find((s) => s.step === 'postToSocial')!.state).toBe('escalated');
    expect((await fetch(`${site.url}/${first.contentId}.html`)).status).toBe(200);
    expect(feedItems(first.contentId)).toBe(1);

    await resolveEscalation(stack.client, run.workflowId, {
      step: 'postToSocial',
      action: 'abort',
      ...decidedBy('the.lawyer'),
      reason: 'legal hold',
    });
    const error: unknown = await run.handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toContain('aborted by the.lawyer: legal hold');

    expect((await fetch(`${site.url}/${first.contentId}.html`)).status).toBe(404);
    expect(feedItems(first.contentId)).toBe(0);
    const posts = socialPosts(first.contentId);
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]!.body)).toContain(`Correction: \\"${first.title}\\" (${first.contentId}) has been withdrawn`);
    for (const subscriber of SUBSCRIBERS) expect(newsletters(subscriber, first.contentId)).toHaveLength(1);
    const status = await getRunStatus(stack.client, run.workflowId);
    expect(status.state).toBe('aborted');
    expect(status.steps.find((s) => s.step === 'publishToSite')!.state).toBe('compensated');
    expect(status.steps.find((s) => s.step === 'postToSocial')!.state).toBe('compensated');
    expect(status.log.map((l) => l.message)).toContain('the newsletter cannot be recalled: subscribers who received it keep it');
    await stack.mail.waitFor(
      (m) => m.to.includes(AUTHOR.email) && m.text.includes(first.contentId) && m.subject === `"${first.title}" will not be published`,
    );
  });

  it('asks the editor when no revision comes in time, and abandons the draft on their word', async () => {
    const first = draft({ body: 'TODO: write the story.\n' });
    const impatient = <O extends ProcessOptions>(options: O): O => ({ ...fastOptions()(options), revisionWaitMs: 1_500 });
    const run = await startProcess(stack.client, stack.config, 'content-publishing', first, { tuneOptions: impatient });
    const findings = await stack.mail.waitFor(
      (m) => m.to.includes(AUTHOR.email) && m.text.includes(first.contentId) && m.subject.includes('needs changes'),
    );
    expect(findings.text).toContain('banned word "TODO" appears 1 time(s)');
    const asked = await statusWhen(
      stack,
      run.workflowId,
      (s) => s.questions.some((q) => q.id === 'awaitRevision/question#1' && q.open),
      'the editor to be asked about the missing revision',
    );
    expect(asked.steps.find((s) => s.step === 'awaitRevision')).toMatchObject({
      state: 'failed',
      lastError: 'no draft.revised event within 2 s',
    });
    await answerQuestion(stack.client, run.workflowId, {
      question: 'awaitRevision',
      decision: 'abandon',
      ...decidedBy('the.editor'),
      reason: 'the author moved on',
    });
    await expect(run.handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await getRunStatus(stack.client, run.workflowId)).state).toBe('aborted');
  });

  it('ends the run when the editor rejects the draft, and tells the author', async () => {
    const first = draft({ publishAt: inSeconds(3_600) });
    const run = await startProcess(stack.client, stack.config, 'content-publishing', first, tune);
    await editorAsked(run.workflowId, 1);
    await answerQuestion(stack.client, run.workflowId, {
      question: 'editorialReview',
      decision: 'reject',
      ...decidedBy('the.editor'),
      reason: 'off topic',
    });
    await expect(run.handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await getRunStatus(stack.client, run.workflowId)).state).toBe('rejected');
    const told = await stack.mail.waitFor(
      (m) => m.to.includes(AUTHOR.email) && m.text.includes(first.contentId) && m.subject === `"${first.title}" will not be published`,
    );
    expect(told.text).toContain('approval rejected by the.editor: off topic');
    expect(socialPosts(first.contentId)).toHaveLength(0);
  });
});
