/**
 * The lines of a notice that let its recipient answer from the email: one signed link per choice, made by the
 * worker that sends the email (it holds the link key and knows its console), for the address the email goes to.
 */
import type { NoticeActions } from '../../workflows/kit/context';
import { linkExpiry, newNonce, signLink } from './token';

export interface NoticeLinkSettings {
  key: Buffer;
  /** This worker's console, where `/act` confirms a link. */
  consoleUrl: string;
  ttlHours: number;
}

/** Makes the link lines of one email; each call signs new links with new nonces. */
export type NoticeLinkMaker = (workflowId: string, to: string, actions: NoticeActions, now?: number) => string;

const label = (choice: string) => choice.charAt(0).toUpperCase() + choice.slice(1).replace(/-/g, ' ');

/** A maker of link lines bound to the key, the console and the TTL. */
export function createNoticeLinks(settings: NoticeLinkSettings): NoticeLinkMaker {
  const base = settings.consoleUrl.replace(/\/+$/, '');
  return (workflowId, to, actions, now = Date.now()) => {
    const expiresAt = linkExpiry(now, settings.ttlHours, actions.deadline);
    // A link made after the deadline would only be refused: the email then says to use the console or the CLI.
    if (expiresAt <= now) return '';
    const lines = actions.choices.map((decision) => {
      const token = signLink(settings.key, {
        workflowId,
        question: actions.question,
        decision,
        approver: to,
        expiresAt,
        nonce: newNonce(),
      });
      return `  ${label(decision)}: ${base}/act?t=${token}`;
    });
    const until = new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return [
      `Or decide from this email (the links are for ${to} alone, each works once, until ${until}; you confirm on the page):`,
      ...lines,
    ].join('\n');
  };
}
