/**
 * Employee onboarding in the registry: its input (a new hire), workflow id, step policies, options, the
 * `hr.employee-hired` event that starts it, its example, and `overture onboard` as its shortcut.
 */
import { z } from 'zod';
import { defineProcess, type EventRoute } from '../kit/definition';
import { emailAddress, identityText } from '../kit/input';
import type { StepPolicy } from '../kit/types';
import type { OnboardingSettings } from '../../activities/onboarding/settings';
import { ONBOARDING } from './shape';
import type { NewHire, OnboardingOptions } from './types';

/**
 * An employee id, in upper case: "n13" and "N13" are one employee (the directory and the workflow id
 * `onboarding-N13` would otherwise see two), so every spelling is normalised before anything uses it.
 */
export const employeeIdSchema = z
  .string({ error: 'is required' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1-64 letters, digits, "-" or "_" (it becomes part of the workflow ID)')
  .transform((id) => id.toUpperCase());

const permission = z.string().regex(/^[a-z][a-z0-9:_-]{0,62}$/, 'must be lowercase letters, digits, ":", "_" or "-"');

/** A new hire, validated before anything starts. Messages name fields, never values: values are personal data. */
export const newHireSchema = z
  .object({
    employeeId: employeeIdSchema,
    fullName: identityText({ max: 200 }),
    email: emailAddress(),
    role: z.string({ error: 'is required' }).regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a lowercase role name, e.g. engineer'),
    team: identityText({ max: 100 }),
    managerEmail: emailAddress(),
    startDate: z.iso.date({ error: 'must be a date as YYYY-MM-DD' }),
    extraPermissions: z.array(permission, { error: 'must be a list of permission names' }).max(50).default([]),
    equipment: z
      .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 .,()'+-]{0,79}$/, "each item must be 1-80 letters, digits, spaces or .,()'+-"), {
        error: 'must be a list of equipment items',
      })
      .max(20, 'at most 20 items')
      .optional(),
  })
  .strict();

/** A short step: a SQLite write, one SMTP message or one webhook post, milliseconds to ~150 ms. */
const short = (overrides: Partial<StepPolicy>): StepPolicy => ({
  startToCloseTimeoutMs: 30_000,
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 30_000,
  maximumAttempts: 5,
  runAs: 'local',
  ...overrides,
});

/**
 * Every step is short, so all run on the fast path as local activities: five no-op steps took p50 41 ms as local
 * activities against 115 ms as activities on the tuned dev server (550 ms untuned), measured here on 2 cores. The
 * email and chat steps get a retry budget in time (stepSystems), which takes them off the fast path: they may wait
 * out an outage. Mail and chat wait longer between tries.
 */
const policies = {
  createAccount: short({}),
  assignPermissions: short({}),
  sendWelcomeEmail: short({ startToCloseTimeoutMs: 60_000, initialIntervalMs: 2_000, maximumIntervalMs: 60_000, maximumAttempts: 6 }),
  createWorkspace: short({ startToCloseTimeoutMs: 60_000, initialIntervalMs: 2_000, maximumIntervalMs: 60_000, maximumAttempts: 4 }),
  notifyTeam: short({ initialIntervalMs: 2_000, maximumIntervalMs: 60_000, maximumAttempts: 4 }),
};

/**
 * The workflow ID of an employee's onboarding: the employee id only, never a name or an address, in upper
 * case like the schema normalises it, so "n13" and "N13" are one run.
 */
export function onboardingWorkflowId(employeeId: string): string {
  return `onboarding-${employeeId.toUpperCase()}`;
}

/**
 * An HR system announces a hire: the event's data is the onboarding input, and it starts the employee's
 * onboarding (or reaches the open one, which logs it: the same hire announced again starts nothing new).
 */
const employeeHired: EventRoute<NewHire, NewHire> = {
  type: 'hr.employee-hired',
  description: "an HR system announces a hire (data: the onboarding input); starts the employee's onboarding",
  schema: newHireSchema,
  workflowId: (hire) => onboardingWorkflowId(hire.employeeId),
  startInput: (hire) => hire,
};

export const onboardingDefinition = defineProcess<typeof ONBOARDING, NewHire, OnboardingSettings>({
  shape: ONBOARDING,
  workflowType: 'onboarding',
  inputSchema: newHireSchema,
  workflowId: (hire) => onboardingWorkflowId(hire.employeeId),
  subject: (hire) => hire.employeeId,
  policies,
  stepSystems: { sendWelcomeEmail: 'email', notifyTeam: 'chat' },
  // Which permissions wait for the manager's approval.
  options: (kit, settings): OnboardingOptions => ({
    ...kit,
    approval: { ...kit.approval, privilegedPermissions: [...settings.privilegedPermissions] },
  }),
  workflowArgs: (hire, options) => [{ hire, options }],
  describe: (hire) => ({
    summary: `Onboarding of employee ${hire.employeeId} into team ${hire.team}`,
    details: `Process: onboarding\nEmployee id: ${hire.employeeId}\nTeam: ${hire.team}\nRole: ${hire.role}`,
  }),
  example: 'examples/onboarding.json',
  freshExample: (hire) => {
    const employeeId = `E${Date.now().toString(36).toUpperCase()}`;
    return { ...hire, employeeId, email: hire.email.replace('@', `.${employeeId.toLowerCase()}@`) };
  },
  events: [employeeHired],
  shortcut: { command: 'onboard', summary: 'start an onboarding (start onboarding ...)' },
});

/** The onboarding process, as the registry reads it. */
export const definitions = [onboardingDefinition];
