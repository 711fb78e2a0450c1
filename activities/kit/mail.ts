/**
 * Activities that send email through SMTP (nodemailer): the welcome email, notices to people,
 * and the team announcement when the chat webhook is down.
 */
import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import { Context } from '@temporalio/activity';
import type { NoticeLinkMaker } from '../../src/approval-links/notice-links';
import type { NoticeActions } from '../../workflows/kit/context';
import type { DeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { workspaceUrlFor } from '../../src/stores/directory/directory';
import { PermanentError, TransientError } from './errors';
import type { NewHire } from '../../workflows/onboarding/types';
import { stepActivity, idempotencyKey } from './step-attempt';
import { classified } from './classified';
import { replaceUnsafe } from '../../workflows/kit/safe-text';
import { attemptDeliveryOptions } from './delivery-attempt';
import { deliverGuarded, type SystemGuard } from './system-guard';

export interface EmailDependencies {
  transport: Transporter;
  from: string;
  ledger: DeliveryLedger;
  workspaceBaseUrl: string;
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

export interface TeamAnnouncement {
  employeeId: string;
  fullName: string;
  role: string;
  team: string;
  startDate: string;
  workspaceUrl?: string;
  ticketId?: string;
}

/** SMTP replies 5xx mean the server will never accept this message; 4xx and connection errors may pass later. */
export function classifySmtpError(err: unknown): Error {
  const code = (err as { responseCode?: number }).responseCode;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'number' && code >= 500) return new PermanentError(`SMTP server refused the message (${code}): ${message}`);
  return new TransientError(`SMTP delivery failed${code ? ` (${code})` : ''}: ${message}`);
}

/** A Message-ID derived from the idempotency key, so mail systems downstream can drop a duplicate too. */
export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@overture.local>`;
}

/** The text of the team's announcement, shared by the webhook and its email fallback. */
export function announcementText(a: TeamAnnouncement): string {
  const where = a.workspaceUrl ? `Workspace: ${a.workspaceUrl}` : a.ticketId ? `Workspace: being set up by IT (ticket ${a.ticketId})` : 'Workspace: not provisioned';
  return `Please welcome ${a.fullName}, joining ${a.team} as ${a.role} on ${a.startDate}. ${where}`;
}

/**
 * A subject that carries only plain text: every control character (CR and LF above all), separator or
 * direction override becomes a space, and an RFC 2047 encoded word (`=?utf-8?B?...?=`) is broken up, so a
 * name or title in it can neither add a header nor make a mail reader decode text the sender never wrote.
 */
export function plainSubject(subject: string): string {
  return replaceUnsafe(subject, ' ')
    .replace(/=\?/g, '= ?')
    .replace(/\s+/g, ' ')
    .trim();
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
  const delivery = await deliverGuarded(deps.ledger, deps.guard, 'email', { key, channel: 'email', options: attemptDeliveryOptions() }, async () => {
    try {
      const info = await deps.transport.sendMail({ from: deps.from, to, subject: plainSubject(subject), text, messageId: messageIdFor(key) });
      return String(info.messageId);
    } catch (err) {
      throw classifySmtpError(err);
    }
  });
  return { messageId: delivery.receipt, alreadyDelivered: delivery.alreadyDelivered };
}

/** Email activities bound to an SMTP transport and the delivery ledger. */
export function createEmailActivities(deps: EmailDependencies) {
  const send = async (key: string, to: string, subject: string, text: string) => (await sendEmailOnce(deps, key, to, subject, text)).messageId;

  return {
    sendWelcomeEmail: stepActivity(async (input: { hire: NewHire; accountId: string }) => {
      const { hire } = input;
      const firstName = hire.fullName.split(/\s+/)[0] ?? hire.fullName;
      const workspaceUrl = workspaceUrlFor(deps.workspaceBaseUrl, hire.employeeId);
      const text = [
        `Hi ${firstName},`,
        '',
        `Welcome to the ${hire.team} team! You start on ${hire.startDate} as ${hire.role}.`,
        `Your account: ${input.accountId}`,
        `Your workspace: ${workspaceUrl}`,
        `Your manager: ${hire.managerEmail}`,
        '',
        'See you soon!',
      ].join('\n');
      const messageId = await send(idempotencyKey('sendWelcomeEmail'), hire.email, `Welcome to the ${hire.team} team, ${firstName}!`, text);
      return { messageId };
    }),

    /** Sends a notice (escalation, reminder, approval request) once per key. */
    async sendNotice(input: NoticeInput & { to: string; subject: string; actions?: NoticeActions }) {
      return classified(async () => {
        // Signed here, for this recipient: the tokens never enter the workflow history, and are never logged.
        const workflowId = Context.current().info.workflowExecution?.workflowId;
        const links = input.actions && deps.noticeLinks && workflowId ? deps.noticeLinks(workflowId, input.to, input.actions) : '';
        const text = withConsoleLink(links ? `${input.text}\n${links}` : input.text, deps.consoleUrl, input.consolePath);
        return { messageId: await send(idempotencyKey(`notice/${input.key}`), input.to, input.subject, text) };
      });
    },

    /** Fallback of notifyTeam: the announcement goes to the manager by email. */
    async emailTeamAnnouncement(input: TeamAnnouncement & { to: string }) {
      return classified(async () => {
        const text = `${announcementText(input)}\n\n(The team chat could not be reached; please pass this on to the team.)`;
        return { messageId: await send(idempotencyKey('emailTeamAnnouncement'), input.to, `New team member joining ${input.team}`, text) };
      });
    },
  };
}
