/**
 * Content publishing: automated checks of the draft (links ‖ images ‖ reading time ‖ banned words) → the
 * author revises until they pass → the editor approves, rejects or asks for changes (back to the checks) →
 * a durable wait until the publication time, which people may move → every chosen channel in parallel
 * (site ‖ newsletter ‖ social). An abandoned run withdraws what went out and tells the author.
 */
import { activitiesOf, runProcess, type NoticeActivities } from '../kit';
import type { PublishingActivities } from '../../activities/content-publishing/activities';
import { publishEverywhere } from './publication';
import { awaitRevision, editorialReview, runChecks, tellAuthor } from './review';
import { CONTENT_PUBLISHING } from './shape';
import type { ContentPublishingInput, ContentPublishingResult } from './types';

/** Takes one content item from its first draft to publication, durably, with its author and editor. */
export async function contentPublishing(input: ContentPublishingInput): Promise<ContentPublishingResult> {
  const { options } = input;
  let draft = input.draft;
  return runProcess(
    {
      shape: CONTENT_PUBLISHING,
      options,
      activities: activitiesOf<PublishingActivities & NoticeActivities>(),
      subject: draft.contentId,
      onAbandoned: async (p, reason) => {
        const ref = { contentId: draft.contentId, revision: draft.revision, title: draft.title };
        await p.support('Tell the author the draft will not be published').emailAuthorWithdrawn({ ...ref, to: draft.author.email, reason });
        p.log('author told that the draft will not be published');
      },
    },
    async (p) => {
      for (;;) {
        const { reports, readingMinutes } = await runChecks(p, draft);
        const failed = reports.filter((r) => !r.passed);
        if (failed.length > 0) {
          p.log(`revision ${draft.revision} failed ${failed.map((r) => r.check).join(', ')}; the author is asked to revise`);
          await tellAuthor(p, draft, { findings: failed.flatMap((r) => r.findings) });
          draft = await awaitRevision(p, draft, options);
          continue;
        }
        const review = await editorialReview(p, draft, options, readingMinutes);
        if (review.decision === 'approve') break;
        await tellAuthor(p, draft, { changes: { by: review.by, reason: review.reason } });
        draft = await awaitRevision(p, draft, options);
      }

      const scheduled = await p.step('scheduledPublication').waitUntil(draft.publishAt);
      const publication = await publishEverywhere(p, draft, scheduled.firedAt);
      return {
        state: 'completed',
        contentId: draft.contentId,
        revision: draft.revision,
        publishedAt: scheduled.firedAt,
        channels: draft.channels,
        ...publication,
        skippedSteps: p.skippedSteps(),
      };
    },
  );
}
