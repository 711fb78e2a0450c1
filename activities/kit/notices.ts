/**
 * The notices every process sends to people — escalations, approval requests, reminders, hand-overs, tasks —
 * by email to the person asked and by webhook to the team, each once per key, with a link to the run in this
 * worker's console (and, in the email only, signed links that answer as its recipient).
 */
import { Context } from '@temporalio/activity';
import type { NoticeActions } from '../../workflows/kit/context';
import { postToTeamOnce, type ChatDependencies } from './chat';
import { classified } from './classified';
import { sendEmailOnce, withConsoleLink, type EmailDependencies, type NoticeInput } from './mail';
import { idempotencyKey } from './step-attempt';

/** The notice activities, bound to the worker's mail and chat. */
export function createNoticeActivities(deps: { mail: EmailDependencies; chat: ChatDependencies }) {
  return {
    /** Sends a notice (escalation, reminder, approval request) to a person, once per key. */
    async sendNotice(input: NoticeInput & { to: string; subject: string; actions?: NoticeActions }) {
      return classified(async () => {
        // Signed here, for this recipient: the tokens never enter the workflow history, and are never logged.
        const workflowId = Context.current().info.workflowExecution?.workflowId;
        const links =
          input.actions && deps.mail.noticeLinks && workflowId ? deps.mail.noticeLinks(workflowId, input.to, input.actions) : '';
        const text = withConsoleLink(links ? `${input.text}\n${links}` : input.text, deps.mail.consoleUrl, input.consolePath);
        const sent = await sendEmailOnce(deps.mail, idempotencyKey(`notice/${input.key}`), input.to, input.subject, text);
        return { messageId: sent.messageId };
      });
    },

    /** Posts a notice to the team's webhook, once per key. */
    async postNotice(input: NoticeInput) {
      const text = withConsoleLink(input.text, deps.chat.consoleUrl, input.consolePath);
      return classified(async () => ({
        deliveryId: await postToTeamOnce(deps.chat, idempotencyKey(`notice/${input.key}`), `:rotating_light: ${text}`),
      }));
    },
  };
}
