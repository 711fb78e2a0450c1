/**
 * The shape of content publishing: automated checks in parallel, the author's revision when they find
 * something, the editor's review, the scheduled publication, then every chosen channel in parallel.
 * Revisions loop back to the checks; the graph shows one pass.
 */
import { defineShape } from '../kit/shape';

/** The automated checks, run in parallel on every revision. */
export const DRAFT_CHECKS = ['checkLinks', 'checkImages', 'readingTime', 'checkBannedWords'] as const;

/** What an automated check hands on: passed or not, and one finding a line (a check a person skipped counts as passed). */
const CHECK_OUTPUTS = { passed: 'boolean?', findings: 'text?' } as const;

export const CONTENT_PUBLISHING = defineShape({
  name: 'content-publishing',
  title: 'Content publishing',
  steps: {
    checkLinks: { title: 'Check that every link answers (allow-listed hosts only)', kind: 'activity', outputs: CHECK_OUTPUTS },
    checkImages: { title: 'Check that every image has alt text', kind: 'activity', outputs: CHECK_OUTPUTS },
    readingTime: {
      title: 'Estimate the reading time (fails above the maximum)',
      kind: 'activity',
      outputs: { ...CHECK_OUTPUTS, minutes: 'integer?' },
    },
    checkBannedWords: { title: 'Check for banned words', kind: 'activity', outputs: CHECK_OUTPUTS },
    emailAuthor: {
      title: "Email the author the findings or the editor's changes",
      needs: [...DRAFT_CHECKS],
      kind: 'activity',
      optional: true,
    },
    awaitRevision: { title: 'Wait for the revised draft (draft.revised)', needs: ['emailAuthor'], kind: 'event', optional: true },
    editorialReview: { title: "The editor's review: approve, reject or request changes", needs: [...DRAFT_CHECKS], kind: 'approval' },
    scheduledPublication: { title: 'Wait until the publication time (reschedule moves it)', needs: ['editorialReview'], kind: 'event' },
    publishToSite: {
      title: 'Publish the page and its feed entry',
      needs: ['scheduledPublication'],
      kind: 'activity',
      optional: true,
      outputs: { pageUrl: 'text?' },
    },
    sendNewsletter: {
      title: 'Email the newsletter to the subscribers',
      needs: ['scheduledPublication'],
      kind: 'activity',
      optional: true,
      outputs: { recipients: 'integer?' },
    },
    postToSocial: { title: 'Post to the social channel', needs: ['scheduledPublication'], kind: 'activity', optional: true },
  },
});
