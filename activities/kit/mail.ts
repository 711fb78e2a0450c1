/**
 * Email, a system every process may use: a plain-text message sent once per key through SMTP (nodemailer), its
 * Message-ID derived from the key, its subject made safe, its failures sorted into permanent and transient.
 */
import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { NoticeLinkMaker } from '../../src/approval-links/notice-links';
import type { DeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { PermanentError, TransientError } from './errors';
import { replaceUnsafe } from '../../workflows/kit/safe-text';
import { attemptDeliveryOptions } from './delivery-attempt';
import { deliverGuarded, type SystemGuard } from './system-guard';
import { redactUrlsIn } from '../../src/config/redact-url';

export interface EmailDependencies {
  transport: Transporter;
  from: string;
  ledger: DeliveryLedger;
  /** This worker's operator console, for the links in notices; none when empty or unset. */
  consoleUrl?: string;
  /** Signs the approval links of a notice for its recipient (src/approval-links); without it, notices carry none. */
  noticeLinks?: NoticeLinkMaker;
  /** Pauses and health reports of the email system (activities/system-guard.ts); the worker always has one. */
  guard?: SystemGuard;
}

/** A notice's input: the workflow gives the run's console path, the worker knows where its console is. */
export interface NoticeInput {
  key: string;
  text: string;
  /** The run's page in the console, e.g. `/runs/onboarding-E1001`; runs from before it put the link in the text. */
  consolePath?: string;
}

/** The notice's text with the link to the run in this worker's console, when both are known. */
export function withConsoleLink(text: string, consoleUrl: string | undefined, consolePath: string | undefined): string {
  return consoleUrl && consolePath ? `${text}\nOr open ${consoleUrl.replace(/\/+$/, '')}${consolePath}` : text;
}

/** SMTP replies 5xx mean the server will never accept this message; 4xx and connection errors may pass later. */
export function classifySmtpError(err: unknown): Error {
  const code = (err as { responseCode?: number }).responseCode;
  const message = redactUrlsIn(err instanceof Error ? err.message : String(err));
  if (typeof code === 'number' && code >= 500) return new PermanentError(`SMTP server refused the message (${code}): ${message}`);
  return new TransientError(`SMTP delivery failed${code ? ` (${code})` : ''}: ${message}`);
}

/** A Message-ID derived from the idempotency key, so mail systems downstream can drop a duplicate too. */
export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@overture.local>`;
}

/**
 * A subject that carries only plain text: every control character (CR and LF above all), separator or
 * direction override becomes a space, and an RFC 2047 encoded word (`=?utf-8?B?...?=`) is broken up, so a
 * name or title in it can neither add a header nor make a mail reader decode text the sender never wrote.
 */
export function plainSubject(subject: string): string {
  return replaceUnsafe(subject, ' ').replace(/=\?/g, '= ?').replace(/\s+/g, ' ').trim();
}

/** Sends a plain-text email once per key (the delivery ledger remembers it); its Message-ID derives from the key. */
export async function sendEmailOnce(
  deps: Pick<EmailDependencies, 'transport' | 'from' | 'ledger' | 'guard'>,
  key: string,
  to: string,
  subject: string,
  text: string,
): Promise<{ messageId: string; alreadyDelivered: boolean }> {
  // Only the send itself is guarded: a message already delivered needs no relay, paused or not.
  const delivery = await deliverGuarded(
    deps.ledger,
    deps.guard,
    'email',
    { key, channel: 'email', options: attemptDeliveryOptions() },
    async () => {
      try {
        const info = await deps.transport.sendMail({
          from: deps.from,
          to,
          subject: plainSubject(subject),
          text,
          messageId: messageIdFor(key),
        });
        return String(info.messageId);
      } catch (err) {
        throw classifySmtpError(err);
      }
    },
  );
  return { messageId: delivery.receipt, alreadyDelivered: delivery.alreadyDelivered };
}
