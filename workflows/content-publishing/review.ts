/**
 * Before publication: the automated checks of a revision, the author told what to change, the wait for the
 * revised draft, and the editor's review.
 */
import type { NoticeActivities, ProcessRun, StepResult } from '../kit';
import type { PublishingActivities } from '../../activities/content-publishing';
import { newerRevision } from './revisions';
import { DRAFT_CHECKS } from './shape';
import type { CheckReport, ContentPublishingOptions, Draft } from './types';

type Activities = PublishingActivities & NoticeActivities;

const HOUR_MS = 3_600_000;

/** Characters of the body the editor's notice quotes: enough to recognise it, short enough for chat. */
const EXCERPT_CHARS = 1_500;

/** What a check step hands forward (a skipped check may hand nothing). */
type CheckOutput = { passed?: string; findings?: string; minutes?: string };

/** A check step's output as a report; a check a person skipped counts as passed. */
function reportOf(check: string, output: CheckOutput): CheckReport {
  return { check, passed: output.passed !== 'no', findings: (output.findings ?? '').split('\n').filter(Boolean) };
}

/** Runs the four automated checks of a revision in parallel; returns each one's report, in the shape's order. */
export async function runChecks(p: ProcessRun, draft: Draft): Promise<{ reports: CheckReport[]; readingMinutes?: string }> {
  const text = { title: draft.title, body: draft.body };
  const outputs = new Map<string, CheckOutput>();
  const node = (step: (typeof DRAFT_CHECKS)[number], summary: string, call: (a: Activities) => Promise<StepResult<CheckOutput>>) => ({
    step,
    run: async () => {
      const activities = p.activities<Activities>(step, `${summary} (revision ${draft.revision})`);
      outputs.set(step, await p.step<CheckOutput>(step, () => call(activities)));
    },
  });
  await p.dag([
    node('checkLinks', 'Check the links', (a) => a.checkLinks({ contentId: draft.contentId, body: draft.body, fault: p.fault('checkLinks') })),
    node('checkImages', 'Check the alt texts', (a) => a.checkImages({ ...text, fault: p.fault('checkImages') })),
    node('readingTime', 'Estimate the reading time', (a) => a.readingTime({ ...text, fault: p.fault('readingTime') })),
    node('checkBannedWords', 'Check for banned words', (a) => a.checkBannedWords({ ...text, fault: p.fault('checkBannedWords') })),
  ]);
  // In the shape's order, whichever finished first: the author's email lists them the same way every time.
  const reports = DRAFT_CHECKS.map((check) => reportOf(check, outputs.get(check) ?? {}));
  return { reports, readingMinutes: outputs.get('readingTime')?.minutes };
}

/** Emails the author the checks' findings or the editor's requested changes. */
export async function tellAuthor(p: ProcessRun, draft: Draft, about: { findings: string[] } | { changes: { by: string; reason: string } }): Promise<void> {
  const ref = { contentId: draft.contentId, revision: draft.revision, title: draft.title, to: draft.author.email };
  await p.step('emailAuthor', () => p.activities<Activities>('emailAuthor', 'Email the author').emailAuthor({ ...ref, ...about, fault: p.fault('emailAuthor') }), {
    cannotUndo: 'the email to the author cannot be recalled',
  });
}

/**
 * Waits for a newer revision of the draft. When none comes in time, the editor decides: keep waiting, or
 * abandon the draft (also what happens when nobody answers).
 */
export async function awaitRevision(p: ProcessRun, draft: Draft, options: ContentPublishingOptions): Promise<Draft> {
  for (;;) {
    // Only a newer revision counts: the event that started the run carries the first draft again.
    const event = await p.awaitEvent('awaitRevision', 'draft.revised', (e) => newerRevision(e, draft) !== undefined, options.revisionWaitMs);
    if (event) {
      const revised = newerRevision(event, draft)!;
      p.log(`revision ${revised.revision} of ${draft.contentId} received; checking it`, 'awaitRevision');
      return revised;
    }
    const hours = Math.round(options.revisionWaitMs / HOUR_MS);
    await p.ask('awaitRevision', {
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
export async function editorialReview(p: ProcessRun, draft: Draft, options: ContentPublishingOptions, readingMinutes?: string): Promise<Review> {
  const excerpt = draft.body.length > EXCERPT_CHARS ? `${draft.body.slice(0, EXCERPT_CHARS)}\n[...]` : draft.body;
  const { decision } = await p.ask('editorialReview', {
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
