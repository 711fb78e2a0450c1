/**
 * Types of the onboarding process, shared by its workflow, its activities and its clients.
 *
 * Pure types only: this module is bundled into the deterministic workflow sandbox.
 */
import type { ProcessOptions } from '../kit/types';

/** The person being onboarded. Personal data: never put it in workflow IDs, search attributes or logs. */
export interface NewHire {
  employeeId: string;
  fullName: string;
  email: string;
  role: string;
  team: string;
  managerEmail: string;
  /** ISO date, YYYY-MM-DD. */
  startDate: string;
  extraPermissions: string[];
  /** Equipment IT is to prepare (a laptop, a badge...): a manual step when listed. */
  equipment?: string[];
}

/** The run's options: the kit's, plus the permissions that need the manager's approval. */
export interface OnboardingOptions extends ProcessOptions {
  approval: ProcessOptions['approval'] & { privilegedPermissions: string[] };
}

export interface OnboardingInput {
  hire: NewHire;
  options: OnboardingOptions;
}

export interface OnboardingResult {
  state: 'completed';
  accountId: string;
  workspaceUrl?: string;
  ticketId?: string;
  /** Asset tags or notes IT reported for the equipment, when the hire listed some. */
  equipment?: string;
  skippedSteps: string[];
}
