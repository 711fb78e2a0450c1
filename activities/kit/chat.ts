/**
 * Activities that post to the team chat through a Slack-compatible incoming webhook.
 */
import { createHash } from 'node:crypto';
import type { DeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { PermanentError, TransientError } from './errors';
import { announcementText, withConsoleLink, type NoticeInput, type TeamAnnouncement } from './mail';
import { stepActivity, idempotencyKey } from './step-attempt';
import { classified } from './classified';
import { attemptDeliveryOptions } from './delivery-attempt';
import { deliverGuarded, type SystemGuard } from './system-guard';

export interface ChatDependencies {
  webhookUrl: string;
  ledger: DeliveryLedger;
  timeoutMs?: number;
  /** This worker's operator console, for the links in notices; none when empty or unset. */
  consoleUrl?: string;
  /** Pauses and health reports of the team chat (activities/system-guard.ts); none for other webhooks (social). */
  guard?: SystemGuard;
}

/** HTTP 429 and 5xx may pass on a later try; any other 4xx will not (bad URL, revoked hook, bad payload). */
export function classifyWebhookStatus(status: number): Error | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 429 || status >= 500) return new TransientError(`webhook answered HTTP ${status}`);
  return new PermanentError(`webhook refused the message with HTTP ${status}`);
}

/**
 * The text as Slack-compatible chat shows it literally: `&`, `<` and `>` escaped as Slack asks, so a name,
 * team, title or reason holding `<!channel>`, `<@U123>` or `<https://evil.example|sso.company.com>` cannot
 * broadcast, mention or disguise a link. Overture's own markup (emoji codes like `:wave:`) is untouched.
 */
export function slackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Posts text to the team webhook once per key (the delivery ledger remembers it); returns the delivery id.
 * The text is plain: it is escaped here, for every caller (announcements, notices, summaries, social posts).
 */
export async function postToTeamOnce(deps: ChatDependencies, key: string, text: string): Promise<string> {
  const delivery = await deliverGuarded(deps.ledger, deps.guard, 'chat', { key, channel: 'webhook', options: attemptDeliveryOptions() }, async () => {
    let response: Response;
    try {
      response = await fetch(deps.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-idempotency-key': key },
        body: JSON.stringify({ text: slackText(text) }),
        signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new TransientError(`webhook unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
    await response.text();
    const failure = classifyWebhookStatus(response.status);
    if (failure) throw failure;
    return createHash('sha256').update(key).digest('hex').slice(0, 16);
  });
  return delivery.receipt;
}

/** Chat activities bound to a webhook URL and the delivery ledger. */
export function createChatActivities(deps: ChatDependencies) {
  const post = (key: string, text: string) => postToTeamOnce(deps, key, text);

  return {
    notifyTeam: stepActivity(async (input: TeamAnnouncement) => ({ deliveryId: await post(idempotencyKey('notifyTeam'), `:wave: ${announcementText(input)}`) })),

    /** Posts a notice (escalation, reminder, approval request) once per key. */
    async postNotice(input: NoticeInput) {
      const text = withConsoleLink(input.text, deps.consoleUrl, input.consolePath);
      return classified(async () => ({ deliveryId: await post(idempotencyKey(`notice/${input.key}`), `:rotating_light: ${text}`) }));
    },

    /** Compensation of the whole run: tells the team the onboarding was cancelled. */
    async announceCancellation(input: { employeeId: string; team: string; reason: string }) {
      return classified(async () => ({
        deliveryId: await post(idempotencyKey('announceCancellation'), `:x: The onboarding of employee ${input.employeeId} into ${input.team} was cancelled (${input.reason}).`),
      }));
    },
  };
}
