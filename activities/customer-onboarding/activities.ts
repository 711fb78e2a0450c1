/**
 * Customer onboarding's activities: the CRM account and the access (./crm.ts), the welcome sequence's emails, and
 * the account team's message, through the email and chat the worker shares (each sent once per run and purpose).
 */
import type { Plan } from '../../workflows/customer-onboarding/types';
import { postToTeamOnce, type ChatDependencies } from '../kit/chat';
import { classified } from '../kit/classified';
import { sendEmailOnce, type EmailDependencies } from '../kit/mail';
import { idempotencyKey, stepActivity } from '../kit/step-attempt';
import type { Crm } from './crm';

/** The welcome sequence's emails, by the day they are due. */
export function welcomeEmail(input: { company: string; contactName: string; loginUrl: string; day: number }): {
  subject: string;
  text: string;
} {
  const firstName = input.contactName.split(/\s+/)[0] ?? input.contactName;
  if (input.day === 0) {
    return {
      subject: `Welcome to Overture, ${input.company}`,
      text: [
        `Hi ${firstName},`,
        '',
        `${input.company} is set up. Sign in and finish the setup here:`,
        input.loginUrl,
        '',
        'Welcome aboard!',
      ].join('\n'),
    };
  }
  const checkIn = input.day > 3;
  return {
    subject: checkIn ? `How is ${input.company} getting on?` : `Three steps to finish setting up ${input.company}`,
    text: (checkIn
      ? [`Hi ${firstName},`, '', 'Your setup is not finished yet. Reply to this email and your account team will help.', input.loginUrl]
      : [`Hi ${firstName},`, '', '1. Invite your team.', '2. Connect your first system.', '3. Start your first run.', '', input.loginUrl]
    ).join('\n'),
  };
}

/** The activities, bound to the CRM, the worker's email and chat. */
export function createCustomerOnboardingActivities(deps: { crm: Crm; mail: EmailDependencies; chat: ChatDependencies }) {
  return {
    createCrmAccount: stepActivity(
      async (input: { customerId: string; company: string; plan: Plan; contactName: string; contactEmail: string }) => {
        const account = await deps.crm.openAccount(input);
        return { accountId: account.accountId };
      },
    ),

    /** Undo of createCrmAccount. */
    async closeCrmAccount(input: { customerId: string }) {
      return classified(async () => ({ closed: await deps.crm.closeAccount(input.customerId) }));
    },

    provisionCustomerAccess: stepActivity(async (input: { customerId: string; plan: Plan; seats: number }) => {
      const access = await deps.crm.provisionAccess(input);
      return { tenantId: access.tenantId, loginUrl: access.loginUrl, seats: access.seats };
    }),

    /** Undo of provisionCustomerAccess. */
    async revokeCustomerAccess(input: { customerId: string }) {
      return classified(async () => ({ revoked: await deps.crm.revokeAccess(input.customerId) }));
    },

    /** One email of the welcome sequence, sent once per run and day. */
    sendCustomerWelcome: stepActivity(
      async (input: { customerId: string; company: string; contactName: string; contactEmail: string; loginUrl: string; day: number }) => {
        const { subject, text } = welcomeEmail(input);
        const sent = await sendEmailOnce(deps.mail, idempotencyKey(`welcome-day-${input.day}`), input.contactEmail, subject, text);
        return { messageId: sent.messageId };
      },
    ),

    /** The account team hears of the new customer: the company and its plan, no contact's personal data. */
    notifyAccountTeam: stepActivity(async (input: { customerId: string; company: string; plan: Plan; seats: number; tenantId: string }) => {
      const text = `:handshake: New customer ${input.company} (${input.customerId}): ${input.plan} plan, ${input.seats} seats, tenant ${input.tenantId}.`;
      return { deliveryId: await postToTeamOnce(deps.chat, idempotencyKey('notifyAccountTeam'), text) };
    }),
  };
}

export type CustomerOnboardingActivities = ReturnType<typeof createCustomerOnboardingActivities>;
