/** Employee onboarding in the registry: its input, workflow id, options and example. */
import path from 'node:path';
import { processOptionsFrom, type OvertureConfig } from '../config';
import { newHireSchema } from '../../workflows/kit/input';
import type { StepPolicy, SystemName } from '../../workflows/kit/types';
import { ONBOARDING } from '../../workflows/onboarding/shape';
import type { NewHire, OnboardingOptions } from '../../workflows/onboarding/types';
import type { EventRoute, ProcessDefinition } from '../registry/types';

/**
 * Retry policy defaults per kind of step: directory writes are quick, mail and chat wait longer between tries.
 * Every step is short (a SQLite write, one SMTP message, one webhook post: milliseconds to ~150 ms), so all run on
 * the fast path as local activities: five no-op steps took p50 41 ms as local activities against 115 ms as
 * activities on the tuned dev server (550 ms untuned), measured here on 2 cores. The email and chat steps get a retry
 * budget in time (ONBOARDING_STEP_SYSTEMS), which takes them off the fast path: they may wait out an outage.
 */
export const DEFAULT_STEP_POLICIES: Record<string, StepPolicy> = {
  createAccount: { startToCloseTimeoutMs: 30_000, initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 30_000, maximumAttempts: 5, runAs: 'local' },
  assignPermissions: { startToCloseTimeoutMs: 30_000, initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 30_000, maximumAttempts: 5, runAs: 'local' },
  sendWelcomeEmail: { startToCloseTimeoutMs: 60_000, initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 60_000, maximumAttempts: 6, runAs: 'local' },
  createWorkspace: { startToCloseTimeoutMs: 60_000, initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 60_000, maximumAttempts: 4, runAs: 'local' },
  notifyTeam: { startToCloseTimeoutMs: 30_000, initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 60_000, maximumAttempts: 4, runAs: 'local' },
};

/**
 * The workflow ID of an employee's onboarding: the employee id only, never a name or an address, in upper
 * case like the schema normalises it, so "n13" and "N13" are one run.
 */
export function onboardingWorkflowId(employeeId: string): string {
  return `onboarding-${employeeId.toUpperCase()}`;
}

/** The steps that send through a downstream system: they retry for that system's time budget (src/config.ts). */
export const ONBOARDING_STEP_SYSTEMS: Partial<Record<string, SystemName>> = { sendWelcomeEmail: 'email', notifyTeam: 'chat' };

/** The onboarding's run options: the kit's, plus which permissions need the manager's approval. */
export function onboardingOptionsFrom(config: OvertureConfig): OnboardingOptions {
  const options = processOptionsFrom(config, DEFAULT_STEP_POLICIES, ONBOARDING_STEP_SYSTEMS);
  return { ...options, approval: { ...options.approval, privilegedPermissions: [...config.PRIVILEGED_PERMISSIONS] } };
}

/**
 * An HR system announces a hire: the event's data is the onboarding input, and it starts the employee's
 * onboarding (or reaches the open one, which logs it: the same hire announced again starts nothing new).
 */
export const employeeHiredRoute: EventRoute<NewHire, NewHire> = {
  type: 'hr.employee-hired',
  description: 'an HR system announces a hire (data: the onboarding input); starts the employee\'s onboarding',
  schema: newHireSchema,
  workflowId: (hire) => onboardingWorkflowId(hire.employeeId),
  startInput: (hire) => hire,
};

export const onboardingProcess: ProcessDefinition<NewHire> = {
  shape: ONBOARDING,
  workflowType: 'onboarding',
  inputSchema: newHireSchema,
  workflowId: (hire) => onboardingWorkflowId(hire.employeeId),
  subject: (hire) => hire.employeeId,
  options: onboardingOptionsFrom,
  workflowArgs: (hire, options) => [{ hire, options }],
  describe: (hire) => ({
    summary: `Onboarding of employee ${hire.employeeId} into team ${hire.team}`,
    details: `Process: onboarding\nEmployee id: ${hire.employeeId}\nTeam: ${hire.team}\nRole: ${hire.role}`,
  }),
  example: path.join('examples', 'onboarding.json'),
  events: [employeeHiredRoute],
};
