/**
 * Types of a customer onboarding, shared by its workflow, its activities and its clients. Pure types only: this
 * module is bundled into the deterministic workflow sandbox.
 */
import type { ProcessOptions } from '../kit/types';

/** What a customer buys: an enterprise contract waits for the account manager's approval. */
export type Plan = 'starter' | 'growth' | 'enterprise';

export const PLANS: readonly Plan[] = ['starter', 'growth', 'enterprise'];

/** A new customer. The contact's name and address are personal data: never in workflow ids, search attributes or logs. */
export interface CustomerRequest {
  /** The customer's id in the CRM, e.g. C-1001: part of the workflow id. */
  customerId: string;
  company: string;
  plan: Plan;
  seats: number;
  contactName: string;
  contactEmail: string;
}

/** The welcome sequence: the day of each email after access is provisioned (day 0 is at once). */
export interface WelcomeSequence {
  tipsAfterDays: number;
  checkInAfterDays: number;
}

/** The run's options: the kit's, plus who approves enterprise contracts, the sequence and how long setup may take. */
export interface CustomerOnboardingOptions extends ProcessOptions {
  accountManagerEmail: string;
  sequence: WelcomeSequence;
  /** How long the run waits for the customer to complete setup before it ends without. */
  setupWaitMs: number;
}

export interface CustomerOnboardingInput {
  customer: CustomerRequest;
  options: CustomerOnboardingOptions;
}

export interface CustomerOnboardingResult {
  state: 'completed';
  customerId: string;
  accountId: string;
  tenantId: string;
  /** Whether the customer completed setup within the wait. */
  setupCompleted: boolean;
  /** The welcome sequence's emails sent (the ones after day 0 stop once setup is complete). */
  welcomeEmails: number;
  skippedSteps: string[];
}
