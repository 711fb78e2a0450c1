/**
 * Customer onboarding: the customer's account in the CRM → (an enterprise contract waits for the account manager)
 * → access provisioned → the welcome sequence (day 0 at once; day 3 and day 7 on durable timers, each not sent once
 * the customer has completed setup) ‖ the wait for `customer.setup-completed` ‖ the account team told.
 * An abandoned run revokes the access and closes the account.
 */
import { activitiesOf, runProcess, type NoticeActivities } from '../kit';
import type { CustomerOnboardingActivities } from '../../activities/customer-onboarding/activities';
import { CUSTOMER_ONBOARDING } from './shape';
import type { CustomerOnboardingInput, CustomerOnboardingResult } from './types';

const DAY_MS = 86_400_000;

/** Onboards one customer, durably, from the CRM account to the end of the welcome sequence. */
export async function customerOnboarding(input: CustomerOnboardingInput): Promise<CustomerOnboardingResult> {
  const { customer, options } = input;
  const target = { customerId: customer.customerId };
  const contact = {
    customerId: customer.customerId,
    company: customer.company,
    contactName: customer.contactName,
    contactEmail: customer.contactEmail,
  };
  const run = {
    shape: CUSTOMER_ONBOARDING,
    options,
    activities: activitiesOf<CustomerOnboardingActivities & NoticeActivities>(),
    subject: customer.customerId,
  };
  return runProcess(run, async (p) => {
    let setupCompleted = false;
    let sequenceStartedAt = 0;
    let welcomeEmails = 0;
    const setUp = () => setupCompleted;
    /** Waits until the sequence's day comes, or the customer completes setup first (then the email is not needed). */
    const onDay = async (step: { waitFor: (c: () => boolean, ms: number, why: string) => Promise<boolean> }, day: number) =>
      !(await step.waitFor(
        setUp,
        sequenceStartedAt + day * DAY_MS - Date.now(),
        `until day ${day} of the welcome sequence, unless the customer completes setup first`,
      ));

    const done = await p.dag({
      createCrmAccount: (step) =>
        step.run(
          (a) =>
            a.createCrmAccount({
              customerId: customer.customerId,
              company: customer.company,
              plan: customer.plan,
              contactName: customer.contactName,
              contactEmail: customer.contactEmail,
            }),
          {
            undo: { done: 'CRM account closed', run: (a) => a.closeCrmAccount(target) },
          },
        ),
      approveContract: {
        when: { holds: () => customer.plan === 'enterprise', otherwise: 'only an enterprise contract needs the account manager' },
        run: (step, { createCrmAccount }) =>
          step.approval({
            subject: `the enterprise contract of ${customer.customerId}`,
            approver: options.accountManagerEmail,
            details: `Customer ${customer.customerId} (CRM account ${createCrmAccount.accountId}) signed up for the enterprise plan, ${customer.seats} seats.`,
          }),
      },
      provisionAccess: (step) =>
        step.run((a) => a.provisionCustomerAccess({ customerId: customer.customerId, plan: customer.plan, seats: customer.seats }), {
          undo: { done: 'access revoked', run: (a) => a.revokeCustomerAccess(target) },
        }),
      welcomeDay0: async (step, { provisionAccess }) => {
        const sent = await step.run((a) => a.sendCustomerWelcome({ ...contact, day: 0, loginUrl: provisionAccess.loginUrl }), {
          cannotUndo: 'a sent email cannot be recalled',
        });
        // The sequence counts from here; an email a person skipped was not sent.
        sequenceStartedAt = Date.now();
        if (sent.messageId) welcomeEmails += 1;
      },
      welcomeDay3: async (step, { provisionAccess }) => {
        if (!(await onDay(step, options.sequence.tipsAfterDays)))
          return step.notTaken('the customer completed setup before the setup tips were due');
        const sent = await step.run(
          (a) => a.sendCustomerWelcome({ ...contact, day: options.sequence.tipsAfterDays, loginUrl: provisionAccess.loginUrl }),
          { cannotUndo: 'a sent email cannot be recalled' },
        );
        if (sent.messageId) welcomeEmails += 1;
      },
      welcomeDay7: async (step, { provisionAccess }) => {
        if (!(await onDay(step, options.sequence.checkInAfterDays)))
          return step.notTaken('the customer completed setup before the check-in was due');
        const sent = await step.run(
          (a) => a.sendCustomerWelcome({ ...contact, day: options.sequence.checkInAfterDays, loginUrl: provisionAccess.loginUrl }),
          { cannotUndo: 'a sent email cannot be recalled' },
        );
        if (sent.messageId) welcomeEmails += 1;
      },
      customerSetup: async (step) => {
        const event = await step.awaitEvent(
          'customer.setup-completed',
          (e) => e.data.customerId === customer.customerId,
          options.setupWaitMs,
          { onTimeout: 'complete' },
        );
        setupCompleted = event !== undefined;
        step.log(
          setupCompleted
            ? 'the customer completed setup: the rest of the welcome sequence is not sent'
            : 'the customer did not complete setup within the wait',
        );
      },
      notifyAccountTeam: (step, { provisionAccess }) =>
        step.run((a) =>
          a.notifyAccountTeam({
            customerId: customer.customerId,
            company: customer.company,
            plan: customer.plan,
            seats: customer.seats,
            tenantId: provisionAccess.tenantId,
          }),
        ),
    });

    return {
      state: 'completed',
      customerId: customer.customerId,
      accountId: done.createCrmAccount.accountId,
      tenantId: done.provisionAccess.tenantId,
      setupCompleted,
      welcomeEmails,
      skippedSteps: p.skippedSteps(),
    };
  });
}
