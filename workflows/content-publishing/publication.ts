/**
 * Publication on every channel the author chose, in parallel. Each channel is a step with its undo: the
 * page and feed entry come down, the social channel gets a correction; the newsletter cannot be recalled.
 */
import type { PublishingRun } from './review';
import type { Channel, Draft } from './types';

export interface Publication {
  pageUrl?: string;
  newsletterRecipients?: number;
}

/** Publishes the approved revision on its channels; returns where it went. */
export async function publishEverywhere(p: PublishingRun, draft: Draft, publishedAt: string): Promise<Publication> {
  const chosen = new Set<Channel>(draft.channels);
  const chose = (channel: Channel) => ({ holds: () => chosen.has(channel), otherwise: `the author did not choose the ${channel} channel` });
  const ref = { contentId: draft.contentId, revision: draft.revision, title: draft.title };
  const withPageLink = chosen.has('site');

  const done = await p.dag({
    publishToSite: {
      when: chose('site'),
      run: (step) =>
        step.run((a) => a.publishToSite({ ...ref, body: draft.body, authorName: draft.author.name, publishedAt }), {
          summary: 'Publish the page and feed entry',
          undo: { done: 'page and feed entry removed', run: (a) => a.unpublishFromSite({ contentId: draft.contentId }) },
        }),
    },
    sendNewsletter: {
      when: chose('newsletter'),
      run: (step) =>
        step.run((a) => a.sendNewsletter({ ...ref, body: draft.body, authorName: draft.author.name, withPageLink }), {
          summary: 'Email the newsletter',
          cannotUndo: 'the newsletter cannot be recalled: subscribers who received it keep it',
        }),
    },
    postToSocial: {
      when: chose('social'),
      run: (step) =>
        step.run((a) => a.postToSocial({ ...ref, withPageLink }), {
          undo: { done: 'correction posted to the social channel', run: (a) => a.postCorrection(ref) },
        }),
    },
  });
  return { pageUrl: done.publishToSite?.pageUrl, newsletterRecipients: done.sendNewsletter?.recipients };
}
