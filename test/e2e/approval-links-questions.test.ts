/**
 * Email links on a process's own question, on a real stack: the editor's review of a draft carries one link per
 * choice (approve, reject, request-changes), signed for the editor; asking for changes from the email, with the
 * reason typed on the confirmation page, sends the draft back to its author with that reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { getRunStatus, startProcess } from '../../src/client';
import { findFreePort } from '../../src/tools/dev-stack/temporal-server';
import { startOperatorConsole, type RunningConsole } from '../../src/apps/console/server';
import { startSiteServer, type SiteServer } from '../../src/tools/dev-stack/site-server';
import type { Draft } from '../../workflows/content-publishing/types';
import { fastOptions, startTestStack, statusWhen, type TestStack } from '../helpers/test-stack';

const EDITOR = 'editor@news.example.com';
const AUTHOR = { name: 'Ida Tarbell', email: 'ida.tarbell@writers.example.com' };
let stack: TestStack;
let site: SiteServer;
let console_: RunningConsole;

beforeAll(async () => {
  const siteDir = fs.mkdtempSync(path.join(process.env.OVERTURE_TEST_DIR ?? '/tmp', 'site-'));
  fs.writeFileSync(path.join(siteDir, 'about.html'), '<p>About us</p>');
  site = await startSiteServer({ dir: siteDir });
  const port = await findFreePort();
  stack = await startTestStack(({ webhooks }) => ({
    SITE_DIR: siteDir,
    SITE_URL: site.url,
    EDITOR_EMAIL: EDITOR,
    NEWSLETTER_SUBSCRIBERS: 'reader@readers.example.com',
    SOCIAL_WEBHOOK_URL: `${webhooks.baseUrl}/hooks/social`,
    CONSOLE_PORT: String(port),
  }));
  console_ = await startOperatorConsole({ client: stack.client, config: stack.config, host: '127.0.0.1', port });
});
afterAll(async () => {
  await console_?.stop();
  await stack?.stop();
  await site?.stop();
});

it("asks for changes from the editor's email, with the reason typed on the confirmation page", async () => {
  const draft: Draft = {
    contentId: `story-links-${Date.now().toString(36)}`,
    revision: 1,
    title: 'The history of the Standard Oil Company',
    body: `A clean draft with a link to [our page](${site.url}/about.html).\n`,
    author: AUTHOR,
    channels: ['site'],
    publishAt: new Date(Date.now() + 86_400_000).toISOString(),
  };
  const run = await startProcess(stack.client, stack.config, 'content-publishing', draft, { tuneOptions: fastOptions() });
  const asked = await statusWhen(
    stack,
    run.workflowId,
    (s) => s.questions.some((q) => q.id === 'editorialReview/question#1' && q.open),
    'the editor to be asked',
    30_000,
  );
  const question = asked.questions.find((q) => q.id === 'editorialReview/question#1')!;
  const notice = await stack.mail.waitFor((m) => m.to.includes(EDITOR) && m.subject.includes('Review revision 1'), 10_000);
  const links = Object.fromEntries([...notice.text.matchAll(/^ {2}([\w ]+): (http:\/\/\S+\/act\?t=\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  expect(Object.keys(links)).toEqual(['Approve', 'Reject', 'Request changes']);
  // The editor's question has no automatic decision: the links last the TTL (72 h).
  const payload = JSON.parse(
    Buffer.from(new URL(links['Request changes']!).searchParams.get('t')!.split('.')[0]!, 'base64url').toString(),
  ) as { a: string; d: string; e: number };
  expect(payload).toMatchObject({ a: EDITOR, d: 'request-changes' });
  expect(payload.e - Date.parse(question.openedAt)).toBeGreaterThan(71 * 3_600_000);

  const page = await fetch(links['Request changes']!);
  const html = await page.text();
  expect(page.status).toBe(200);
  expect(html).toContain(
    `<dd data-testid="act-prompt">Review revision 1 of ${draft.contentId}: approve, reject, or request-changes (say which in the reason)</dd>`,
  );
  const token = /name="t" value="([^"]+)"/.exec(html)![1]!;
  const done = await fetch(`${console_.url}/act`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t: token, reason: 'Add a conclusion' }).toString(),
  });
  expect(done.status).toBe(200);
  expect(await done.text()).toContain(`Recorded: request-changes editorialReview/question#1 by ${EDITOR}.`);

  const changes = await stack.mail.waitFor((m) => m.to.includes(AUTHOR.email) && m.subject.includes('asks for changes'), 10_000);
  expect(changes.text).toContain('Add a conclusion (from the email link)');
  const status = await getRunStatus(stack.client, run.workflowId);
  expect(status.questions.find((q) => q.id === question.id)!.decision).toMatchObject({
    action: 'request-changes',
    by: EDITOR,
    via: 'email-link',
  });
});
