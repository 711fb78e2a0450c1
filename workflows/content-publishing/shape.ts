/**
 * The shape of content publishing: automated checks in parallel, the author's revision when they find
 * something, the editor's review, the scheduled publication, then every chosen channel in parallel.
 * Revisions loop back to the checks; the graph shows one pass.
 */
import type { ProcessShape } from '../kit/types';

/** The automated checks, run in parallel on every revision. */
export const DRAFT_CHECKS = ['checkLinks', 'checkImages', 'readingTime', 'checkBannedWords'] as const;

export const CONTENT_PUBLISHING: ProcessShape = {
  name: 'content-publishing',
  title: 'Content publishing',
  steps: [
    { name: 'checkLinks', title: 'Check that every link answers (allow-listed hosts only)', needs: [], kind: 'activity' },
    { name: 'checkImages', title: 'Check that every image has alt text', needs: [], kind: 'activity' },
    { name: 'readingTime', title: 'Estimate the reading time (fails above the maximum)', needs: [], kind: 'activity' },
    { name: 'checkBannedWords', title: 'Check for banned words', needs: [], kind: 'activity' },
    { name: 'emailAuthor', title: "Email the author the findings or the editor's changes", needs: [...DRAFT_CHECKS], kind: 'activity', optional: true },
    { name: 'awaitRevision', title: 'Wait for the revised draft (draft.revised)', needs: ['emailAuthor'], kind: 'event', optional: true },
    { name: 'editorialReview', title: "The editor's review: approve, reject or request changes", needs: [...DRAFT_CHECKS], kind: 'approval' },
    { name: 'scheduledPublication', title: 'Wait until the publication time (reschedule moves it)', needs: ['editorialReview'], kind: 'event' },
    { name: 'publishToSite', title: 'Publish the page and its feed entry', needs: ['scheduledPublication'], kind: 'activity', optional: true },
    { name: 'sendNewsletter', title: 'Email the newsletter to the subscribers', needs: ['scheduledPublication'], kind: 'activity', optional: true },
    { name: 'postToSocial', title: 'Post to the social channel', needs: ['scheduledPublication'], kind: 'activity', optional: true },
  ],
};
