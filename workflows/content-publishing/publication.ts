/**
 * Publication on every channel the author chose, in parallel. Each channel is a step with its undo: the
 * page and feed entry come down, the social channel gets a correction; the newsletter cannot be recalled.
 */
import type { NoticeActivities, ProcessRun } from '../kit';
import type { PublishingActivities } from '../../activities/content-publishing';
import type { Channel, Draft } from './types';

type Activities = PublishingActivities & NoticeActivities;

export interface Publication {
  pageUrl?: string;
  newsletterRecipients?: string;
}

/** Publishes the approved revision on its channels; returns where it went. */
export async function publishEverywhere(p: ProcessRun, draft: Draft, publishedAt: string): Promise<Publication> {
  const chosen = new Set<Channel>(draft.channels);
  const chose = (channel: Channel) => ({ holds: () => chosen.has(channel), otherwise: `the author did not choose the ${channel} channel` });
  const channel = (step: string, summary: string) => p.activities<Activities>(step, summary);
  const undo = p.support<Activities>('Withdraw a publication');
  const ref = { contentId: draft.contentId, revision: draft.revision, title: draft.title };
  const withPageLink = chosen.has('site');
  const publication: Publication = {};

  await p.dag([
    {
      step: 'publishToSite',
      when: chose('site'),
      run: async () => {
        const site = await p.step<{ pageUrl?: string; feedItems?: string }>(
          'publishToSite',
          () => channel('publishToSite', 'Publish the page and feed entry').publishToSite({ ...ref, body: draft.body, authorName: draft.author.name, publishedAt, fault: p.fault('publishToSite') }),
          { undo: { done: 'page and feed entry removed', run: () => undo.unpublishFromSite({ contentId: draft.contentId }) } },
        );
        publication.pageUrl = site.pageUrl;
      },
    },
    {
      step: 'sendNewsletter',
      when: chose('newsletter'),
      run: async () => {
        const sent = await p.step<{ recipients?: string; sent?: string }>(
          'sendNewsletter',
          () => channel('sendNewsletter', 'Email the newsletter').sendNewsletter({ ...ref, body: draft.body, authorName: draft.author.name, withPageLink, fault: p.fault('sendNewsletter') }),
          { cannotUndo: 'the newsletter cannot be recalled: subscribers who received it keep it' },
        );
        publication.newsletterRecipients = sent.recipients;
      },
    },
    {
      step: 'postToSocial',
      when: chose('social'),
      run: () =>
        p.step('postToSocial', () => channel('postToSocial', 'Post to the social channel').postToSocial({ ...ref, withPageLink, fault: p.fault('postToSocial') }), {
          undo: { done: 'correction posted to the social channel', run: () => undo.postCorrection(ref) },
        }),
    },
  ]);
  return publication;
}
