/**
 * Before publication: the automated checks of a revision, the author told what to change, the wait for the
 * revised draft, and the editor's review.
 */
import type { DeclaredOutputs, NoticeActivities, ProcessRun } from '../kit';
import type { PublishingActivities } from '../../activities/content-publishing/activities';
import { newerRevision } from './revisions';
import { type CONTENT_PUBLISHING, DRAFT_CHECKS } from './shape';
import type { CheckReport, ContentPublishingOptions, Draft } from './types';

/** A run of content publishing, as its parts work with it. */
export type PublishingRun = ProcessRun<typeof CONTENT_PUBLISHING, PublishingActivities & NoticeActivities>;

const HOUR_MS = 3_600_000;

/** Characters of the body the editor's notice quotes: enough to recognise it, short enough for chat. */
const EXCERPT_CHARS = 1_500;

/** A check step's output as a report; a check a person skipped counts as passed. */
function reportOf(check: string, output: DeclaredOutputs<typeof CONTENT_PUBLISHING, (typeof DRAFT_CHECKS)[number]>): CheckReport {
  return { check, passed: output.passed !== false, findings: (output.findings ?? '').split('\n').filter(Boolean) };
}

/** Runs the four automated checks of a revision in parallel; returns each one's report, in the shape's order. */
export async function runChecks(p: PublishingRun, draft: Draft): Promise<{ reports: CheckReport[]; readingMinutes?: number }> {
  const text = { title: draft.title, body: draft.body };
  const revision = `(revision ${draft.revision})`;
  const done = await p.dag({
    checkLinks: (step) =>
      step.run((a) => a.checkLinks({ contentId: draft.contentId, body: draft.body }), { summary: `Check the links ${revision}` }),
    checkImages: (step) => step.run((a) => a.checkImages(text), { summary: `Check the alt texts ${revision}` }),
    readingTime: (step) => step.run((a) => a.readingTime(text), { summary: `Estimate the reading time ${revision}` }),
    checkBannedWords: (step) => step.run((a) => a.checkBannedWords(text), { summary: `Check for banned words ${revision}` }),
  });
  // In the shape's order, whichever finished first: the author's email lists them the same way every time.
  const reports = DRAFT_CHECKS.map((check) => reportOf(check, done[check]));
  return { reports, readingMinutes: done.readingTime.minutes };
}

/** Emails the author the checks' findings or the editor's requested changes. */
export async function tellAuthor(
  p: PublishingRun,
  draft: Draft,
  about: { findings: string[] } | { changes: { by: string; reason: string } },
): Promise<void> {
  const ref = { contentId: draft.contentId, revision: draft.revision, title: draft.title, to: draft.author.email };
  await p.step('emailAuthor').run((a) => a.emailAuthor({ ...ref, ...about }), {
    summary: 'Email the author',
    cannotUndo: 'the email to the author cannot be recalled',
  });
}

/**
 * Waits for a newer revision of the draft. When none comes in time, the editor decides: keep waiting, or
 * abandon the draft (also what happens when nobody answers).
 */
export async function awaitRevision(p: PublishingRun, draft: Draft, options: ContentPublishingOptions): Promise<Draft> {
  const step = p.step('awaitRevision');
  for (;;) {
    // Only a newer revision counts: the event that started the run carries the first draft again.
    const event = await step.awaitEvent('draft.revised', (e) => newerRevision(e, draft) !== undefined, options.revisionWaitMs);
    if (event) {
      const revised = newerRevision(event, draft)!;
      step.log(`revision ${revised.revision} of ${draft.contentId} received; checking it`);
      return revised;
    }
    const hours = Math.round(options.revisionWaitMs / HOUR_MS);
    await step.ask({
      prompt: `No revision of ${draft.contentId} (after revision ${draft.revision}) came within ${hours} h: keep waiting, or abandon the draft?`,
      choices: ['keep-waiting', 'abandon'],
      assignee: options.editorEmail,
      onNoAnswer: 'abandon',
      ends: { abandon: 'abort' },
    });
  }
}

export type Review = { decision: 'approve' } | { decision: 'request-changes'; by: string; reason: string };

/** The editor's review: approve, reject (the run is abandoned) or request changes (with the reason). */
export async function editorialReview(
  p: PublishingRun,
  draft: Draft,
  options: ContentPublishingOptions,
  readingMinutes?: number,
): Promise<Review> {
  const excerpt = draft.body.length > EXCERPT_CHARS ? `${draft.body.slice(0, EXCERPT_CHARS)}\n[...]` : draft.body;
  const { decision } = await p.step('editorialReview').ask({
    prompt: `Review revision ${draft.revision} of ${draft.contentId}: approve, reject, or request-changes (say which in the reason)`,
    details: [
      `Title: ${draft.title}`,
      `Channels: ${draft.channels.join(', ')}; publication at ${draft.publishAt}${readingMinutes ? `; reading time ${readingMinutes} min` : ''}.`,
      'The automated checks passed.',
      '',
      excerpt,
      '',
    ].join('\n'),
    choices: ['approve', 'reject', 'request-changes'],
    assignee: options.editorEmail,
    ends: { reject: 'reject' },
  });
  if (decision.action === 'request-changes') return { decision: 'request-changes', by: decision.by, reason: decision.reason };
  return { decision: 'approve' };
}
