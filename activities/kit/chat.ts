/**
 * The team chat, a system every process may use: a message posted once per key through a Slack-compatible
 * incoming webhook, its text escaped, its failures sorted into permanent and transient.
 */
import { createHash } from 'node:crypto';
import type { DeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { PermanentError, TransientError } from './errors';
import { attemptDeliveryOptions } from './delivery-attempt';
import { deliverGuarded, type SystemGuard } from './system-guard';
import { withoutFormatCharacters } from '../../workflows/kit/safe-text';
import { redactUrlsIn } from '../../src/config/redact-url';

export interface ChatDependencies {
  webhookUrl: string;
  ledger: DeliveryLedger;
  timeoutMs?: number;
  /** This worker's operator console, for the links in notices; none when empty or unset. */
  consoleUrl?: string;
  /** Pauses and health reports of the team chat (activities/system-guard.ts); none for other webhooks (social). */
  guard?: SystemGuard;
  /** How the post is sent: the network's fetch unless given (the console demo's channel keeps posts in memory). */
  fetch?: typeof fetch;
}

/** HTTP 429 and 5xx may pass on a later try; any other 4xx will not (bad URL, revoked hook, bad payload). */
export function classifyWebhookStatus(status: number): Error | undefined {
  if (status >= 200 && status < 300) return undefined;
  // A redirect is not followed (the post and its idempotency key would go wherever the answer says): the
  // configured URL must be the hook itself.
  if (status >= 300 && status < 400)
    return new PermanentError(`webhook answered HTTP ${status} (a redirect, not followed): configure the final URL`);
  if (status === 429 || status >= 500) return new TransientError(`webhook answered HTTP ${status}`);
  return new PermanentError(`webhook refused the message with HTTP ${status}`);
}

/**
 * The text as Slack-compatible chat shows it literally: `&`, `<` and `>` escaped as Slack asks, so a name,
 * team, title or reason holding `<!channel>`, `<@U123>` or `<https://evil.example|sso.company.com>` cannot
 * broadcast, mention or disguise a link. Overture's own markup (emoji codes like `:wave:`) is untouched.
 * Invisible format characters (zero-width spaces, LRM/RLM, tag characters) are dropped: a message is built from
 * free text (titles, reasons, step outputs) that cannot be refused, and they would hide text or disguise a name.
 */
export function slackText(text: string): string {
  return withoutFormatCharacters(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Posts text to the team webhook once per key (the delivery ledger remembers it); returns the delivery id.
 * The text is plain: it is escaped here, for every caller (announcements, notices, summaries, social posts).
 */
export async function postToTeamOnce(deps: ChatDependencies, key: string, text: string): Promise<string> {
  const delivery = await deliverGuarded(
    deps.ledger,
    deps.guard,
    'chat',
    { key, channel: 'webhook', options: attemptDeliveryOptions() },
    async () => {
      let response: Response;
      try {
        response = await (deps.fetch ?? fetch)(deps.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-idempotency-key': key },
          body: JSON.stringify({ text: slackText(text) }),
          signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
          redirect: 'manual',
        });
      } catch (err) {
        // Node's fetch refuses a URL with credentials in an error that quotes the URL whole.
        throw new TransientError(`webhook unreachable: ${redactUrlsIn(err instanceof Error ? err.message : String(err))}`);
      }
      // Only the status matters: the body is dropped unread, however large a hook's answer is.
      await response.body?.cancel();
      const failure = classifyWebhookStatus(response.status);
      if (failure) throw failure;
      return createHash('sha256').update(key).digest('hex').slice(0, 16);
    },
  );
  return delivery.receipt;
}
