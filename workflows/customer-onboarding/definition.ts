/**
 * Customer onboarding in the registry: its input, workflow id, step policies, options and example; the
 * `customer.signed-up` event that starts it, and `customer.setup-completed`, which stops its welcome sequence.
 */
import { z } from 'zod';
import { defineProcess, type EventRoute } from '../kit/definition';
import { emailAddress, identityText } from '../kit/input';
import type { StepPolicy } from '../kit/types';
import type { CustomerSettings } from '../../activities/customer-onboarding/settings';
import { CUSTOMER_ONBOARDING } from './shape';
import { PLANS, type CustomerOnboardingOptions, type CustomerRequest, type Plan } from './types';

const DAY_MS = 86_400_000;

/** A customer id: letters, digits and "-", e.g. C-1001, in upper case like the CRM keeps it. */
const customerId = z
  .string({ error: 'is required' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/, 'must be 1-40 letters, digits or "-" (it becomes part of the workflow ID)')
  .transform((id) => id.toUpperCase());

/** The input, validated before anything starts. Messages name fields, never values (values are personal data). */
export const customerSchema = z
  .object({
    customerId,
    company: identityText({ max: 200 }),
    plan: z.enum(PLANS as [Plan, ...Plan[]], { error: `must be one of ${PLANS.join(', ')}` }),
    seats: z.number().int().min(1).max(10_000).default(5),
    contactName: identityText({ max: 200 }),
    contactEmail: emailAddress(),
  })
  .strict();

/** The workflow id of a customer's onboarding: the customer id only, never a name or an address. */
export function customerOnboardingWorkflowId(id: string): string {
  return `customer-onboarding-${id.toUpperCase()}`;
}

/** A short step: a SQLite write or one message, milliseconds. */
const short = (overrides: Partial<StepPolicy> = {}): StepPolicy => ({
  startToCloseTimeoutMs: 30_000,
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 30_000,
  maximumAttempts: 5,
  runAs: 'local',
  ...overrides,
});

const email = short({ startToCloseTimeoutMs: 60_000, initialIntervalMs: 2_000, maximumIntervalMs: 60_000, maximumAttempts: 6 });

/** A billing or sign-up system announces a customer: the event's data is the input, and it starts the onboarding. */
const signedUp: EventRoute<CustomerRequest, CustomerRequest> = {
  type: 'customer.signed-up',
  description: "a new customer signed up (data: the customer onboarding's input); starts their onboarding",
  schema: customerSchema,
  workflowId: (customer) => customerOnboardingWorkflowId(customer.customerId),
  startInput: (customer) => customer,
};

/** The product says the customer finished setup: the open onboarding stops its welcome sequence. */
const setupCompleted: EventRoute<{ customerId: string }, CustomerRequest> = {
  type: 'customer.setup-completed',
  description: 'the customer completed setup (data: customerId); the open onboarding stops its welcome sequence',
  schema: z.object({ customerId }).strict(),
  workflowId: (data) => customerOnboardingWorkflowId(data.customerId),
};

export const customerOnboardingDefinition = defineProcess<typeof CUSTOMER_ONBOARDING, CustomerRequest, CustomerSettings>({
  shape: CUSTOMER_ONBOARDING,
  workflowType: 'customerOnboarding',
  inputSchema: customerSchema,
  workflowId: (customer) => customerOnboardingWorkflowId(customer.customerId),
  subject: (customer) => customer.customerId,
  policies: {
    createCrmAccount: short(),
    provisionAccess: short(),
    welcomeDay0: email,
    welcomeDay3: email,
    welcomeDay7: email,
    notifyAccountTeam: short({ initialIntervalMs: 2_000, maximumIntervalMs: 60_000, maximumAttempts: 4 }),
  },
  // The emails and the team's message may wait out an outage of their system (RETRY_BUDGET_*).
  stepSystems: { welcomeDay0: 'email', welcomeDay3: 'email', welcomeDay7: 'email', notifyAccountTeam: 'chat' },
  options: (kit, settings): CustomerOnboardingOptions => ({
    ...kit,
    accountManagerEmail: settings.accountManagerEmail,
    sequence: { tipsAfterDays: 3, checkInAfterDays: 7 },
    setupWaitMs: 7 * DAY_MS,
  }),
  workflowArgs: (customer, options) => [{ customer, options }],
  describe: (customer) => ({
    summary: `Onboarding of customer ${customer.customerId} (${customer.plan}, ${customer.seats} seats)`,
    details: `Process: customer-onboarding\nCustomer: ${customer.customerId}\nPlan: ${customer.plan}\nSeats: ${customer.seats}`,
  }),
  example: 'examples/customer-onboarding.json',
  freshExample: (customer) => ({ ...customer, customerId: `C-${Date.now().toString(36).toUpperCase()}` }),
  events: [signedUp, setupCompleted],
});

/** The process, as the registry reads it. */
export const definitions = [customerOnboardingDefinition];
