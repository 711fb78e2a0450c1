/**
 * Activities that post to the social channel through a Slack-compatible incoming webhook: the announcement
 * of a published content item, and the correction when it is withdrawn. Each post goes once per content
 * revision through the delivery ledger, whichever run asks.
 */
import type { DeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { postToTeamOnce } from '../kit/chat';
import { classified } from '../kit/classified';
import { stepActivity } from '../kit/step-attempt';

export interface SocialDependencies {
  webhookUrl: string;
  ledger: DeliveryLedger;
  siteUrl: string;
  timeoutMs?: number;
}

interface ContentRef {
  contentId: string;
  revision: number;
  title: string;
}

/** Social activities bound to a webhook URL and the delivery ledger. */
export function createSocialActivities(deps: SocialDependencies) {
  // The same once-per-key webhook post as the team chat, to the social channel's hook.
  const post = (key: string, text: string) => postToTeamOnce(deps, key, text);

  const pageLink = (ref: ContentRef, withPageLink: boolean) => (withPageLink ? ` ${deps.siteUrl}/${ref.contentId}.html` : '');

  return {
    postToSocial: stepActivity(async (input: ContentRef & { withPageLink: boolean }) => ({
      deliveryId: await post(
        `content/${input.contentId}/r${input.revision}/social`,
        `:newspaper: New: ${input.title}${pageLink(input, input.withPageLink)}`,
      ),
    })),

    /** Undo of postToSocial (and of the publication as a whole): the correction that the item was withdrawn. */
    async postCorrection(input: ContentRef) {
      return classified(async () => ({
        deliveryId: await post(
          `content/${input.contentId}/r${input.revision}/correction`,
          `:warning: Correction: "${input.title}" (${input.contentId}) has been withdrawn and is no longer published.`,
        ),
      }));
    },
  };
}
