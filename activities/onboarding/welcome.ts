/**
 * The onboarding's messages to people: the welcome email to the new hire, the team's announcement on the chat
 * (or by email to the manager when the chat is down), and the team told when an onboarding is cancelled.
 */
import type { NewHire } from '../../workflows/onboarding/types';
import { workspaceUrlFor } from '../../src/stores/directory/directory';
import { postToTeamOnce, type ChatDependencies } from '../kit/chat';
import { classified } from '../kit/classified';
import { sendEmailOnce, type EmailDependencies } from '../kit/mail';
import { idempotencyKey, stepActivity } from '../kit/step-attempt';

export interface TeamAnnouncement {
  employeeId: string;
  fullName: string;
  role: string;
  team: string;
  startDate: string;
  workspaceUrl?: string;
  ticketId?: string;
}

/** The text of the team's announcement, shared by the webhook and its email fallback. */
export function announcementText(a: TeamAnnouncement): string {
  const where = a.workspaceUrl
    ? `Workspace: ${a.workspaceUrl}`
    : a.ticketId
      ? `Workspace: being set up by IT (ticket ${a.ticketId})`
      : 'Workspace: not provisioned';
  return `Please welcome ${a.fullName}, joining ${a.team} as ${a.role} on ${a.startDate}. ${where}`;
}

/** The onboarding's mail and chat activities, bound to the worker's mail and chat and the workspaces' base URL. */
export function createWelcomeActivities(deps: { mail: EmailDependencies; chat: ChatDependencies; workspaceBaseUrl: string }) {
  const send = async (key: string, to: string, subject: string, text: string) =>
    (await sendEmailOnce(deps.mail, key, to, subject, text)).messageId;
  const post = (key: string, text: string) => postToTeamOnce(deps.chat, key, text);

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

    notifyTeam: stepActivity(async (input: TeamAnnouncement) => ({
      deliveryId: await post(idempotencyKey('notifyTeam'), `:wave: ${announcementText(input)}`),
    })),

    /** Fallback of notifyTeam: the announcement goes to the manager by email. */
    async emailTeamAnnouncement(input: TeamAnnouncement & { to: string }) {
      return classified(async () => {
        const text = `${announcementText(input)}\n\n(The team chat could not be reached; please pass this on to the team.)`;
        return { messageId: await send(idempotencyKey('emailTeamAnnouncement'), input.to, `New team member joining ${input.team}`, text) };
      });
    },

    /** Compensation of the whole run: tells the team the onboarding was cancelled. */
    async announceCancellation(input: { employeeId: string; team: string; reason: string }) {
      return classified(async () => ({
        deliveryId: await post(
          idempotencyKey('announceCancellation'),
          `:x: The onboarding of employee ${input.employeeId} into ${input.team} was cancelled (${input.reason}).`,
        ),
      }));
    },
  };
}
