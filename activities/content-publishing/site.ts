/**
 * Activities against the site: publish a content item's page and feed entry, and take them down again.
 * Idempotent on the content item and its revision, whichever run asks.
 */
import { plainText } from './markdown';
import type { SiteStore } from './site-store';
import { classified } from '../kit/classified';
import { stepActivity } from '../kit/step-attempt';

/** Characters of the text the feed shows as an item's description. */
const SUMMARY_CHARS = 280;

export interface SitePublication {
  contentId: string;
  revision: number;
  title: string;
  body: string;
  authorName: string;
  publishedAt: string;
}

/** Site activities bound to the site store. */
export function createSiteActivities(site: SiteStore) {
  return {
    publishToSite: stepActivity(async (input: SitePublication) => {
      const text = plainText(input.body).replace(/\s+/g, ' ').trim();
      const summary = text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS - 1)}…` : text;
      const { contentId, revision, title, authorName, publishedAt } = input;
      const published = await site.publish({ contentId, revision, title, authorName, publishedAt, summary }, input.body);
      return { pageUrl: published.pageUrl, feedItems: published.feedItems };
    }),

    /** Undo of publishToSite: the page and its feed entry removed. */
    async unpublishFromSite(input: { contentId: string }) {
      return classified(async () => ({ removed: (await site.unpublish(input.contentId)).removed ? 'yes' : 'nothing was published' }));
    },
  };
}
