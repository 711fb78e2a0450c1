/**
 * Content publishing's email over SMTP: the newsletter to its subscribers, and the author's messages (the
 * checks' findings, the editor's requested changes, a withdrawal). Each message goes once per key through
 * the delivery ledger; the newsletter's keys name the content item and the subscriber, not the run, so no
 * subscriber gets the same article twice, whichever run sends it.
 */
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import type { DeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { classified } from '../kit/classified';
import { sendEmailOnce } from '../kit/mail';
import type { SystemGuard } from '../kit/system-guard';
import { stepActivity, idempotencyKey } from '../kit/step-attempt';

export interface PublishingMailDependencies {
  transport: Transporter;
  from: string;
  ledger: DeliveryLedger;
  subscribers: readonly string[];
  siteUrl: string;
  /** Pauses and health reports of the email system (activities/system-guard.ts). */
  guard?: SystemGuard;
}

interface ContentRef {
  contentId: string;
  revision: number;
  title: string;
}

/** A subscriber as a ledger key holds it: a digest, so the ledger keeps no addresses. */
const subscriberKey = (address: string) => createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 16);

/** Publishing mail activities bound to an SMTP transport, the delivery ledger and the subscriber list. */
export function createPublishingMailActivities(deps: PublishingMailDependencies) {
  const send = (key: string, to: string, subject: string, text: string) => sendEmailOnce(deps, key, to, subject, text);

  const revisionHint = (ref: ContentRef) =>
    `Send the revised draft as a draft.revised event for ${ref.contentId} with revision ${ref.revision + 1} or later.`;

  return {
    /** Tells the author what the automated checks found in a revision, or what the editor wants changed. */
    emailAuthor: stepActivity(async (input: ContentRef & { to: string; findings?: string[]; changes?: { by: string; reason: string } }) => {
      const kind = input.changes ? 'changes' : 'findings';
      const subject = input.changes ? `The editor asks for changes to "${input.title}"` : `"${input.title}" needs changes before review`;
      const what = input.changes
        ? [
            `The editor (${input.changes.by}) reviewed revision ${input.revision} of ${input.contentId} and asks for changes:`,
            '',
            input.changes.reason || '(no reason given)',
          ]
        : [
            `The automated checks of revision ${input.revision} of ${input.contentId} found:`,
            '',
            ...(input.findings ?? []).map((f) => `- ${f}`),
          ];
      const text = [...what, '', revisionHint(input)].join('\n');
      const sent = await send(idempotencyKey(`emailAuthor/r${input.revision}/${kind}`), input.to, subject, text);
      return { messageId: sent.messageId, about: kind };
    }),

    /** The run's last word when abandoned: the author learns that the draft will not be published, and why. */
    async emailAuthorWithdrawn(input: ContentRef & { to: string; reason: string }) {
      return classified(async () => {
        const text = `Revision ${input.revision} of ${input.contentId} will not be published: ${input.reason}.`;
        return {
          messageId: (await send(idempotencyKey('emailAuthor/withdrawn'), input.to, `"${input.title}" will not be published`, text))
            .messageId,
        };
      });
    },

    sendNewsletter: stepActivity(async (input: ContentRef & { body: string; authorName: string; withPageLink: boolean }) => {
      const link = input.withPageLink ? `Read it on the site: ${deps.siteUrl}/${input.contentId}.html\n\n` : '';
      const text = `${input.title}\nBy ${input.authorName}\n\n${link}${input.body}\n`;
      const { isLocal } = Context.current().info;
      let sent = 0;
      for (const subscriber of deps.subscribers) {
        const delivery = await send(`content/${input.contentId}/newsletter/${subscriberKey(subscriber)}`, subscriber, input.title, text);
        if (!delivery.alreadyDelivered) sent += 1;
        // A long list takes a while: the heartbeat tells the server the worker is alive (and lets it cancel us).
        if (!isLocal) Context.current().heartbeat(sent);
      }
      return { recipients: deps.subscribers.length, sent };
    }),
  };
}
