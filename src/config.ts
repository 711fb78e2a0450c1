/**
 * Overture's configuration: every environment variable, validated with zod, with embedded defaults
 * that run the whole stack on one machine (local SMTP, local webhook receiver, SQLite files under .data/).
 */
import path from 'node:path';
import { z } from 'zod';
import { ONBOARDING_STEPS, type OnboardingOptions, type OnboardingStep, type StepPolicy } from '../workflows/onboarding-types';

const HOUR_MS = 3_600_000;

const hours = (fallback: number) => z.coerce.number().positive().default(fallback);
const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

const stepPolicyOverride = z
  .object({
    startToCloseTimeoutMs: z.number().int().positive(),
    initialIntervalMs: z.number().int().positive(),
    backoffCoefficient: z.number().min(1),
    maximumIntervalMs: z.number().int().positive(),
    maximumAttempts: z.number().int().positive(),
  })
  .partial()
  .strict();

const policyOverrides = z
  .string()
  .default('{}')
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"createWorkspace":{"maximumAttempts":5}}' });
      return z.NEVER;
    }
  })
  .pipe(z.partialRecord(z.enum(ONBOARDING_STEPS), stepPolicyOverride));

export const configSchema = z.object({
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('overture-onboarding'),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_UI_URL: z.string().url().optional(),
  OVERTURE_DATA_DIR: z.string().default('.data'),
  DIRECTORY_DB_PATH: z.string().optional(),
  LEDGER_DB_PATH: z.string().optional(),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('Overture Onboarding <onboarding@overture.local>'),
  NOTIFY_WEBHOOK_URL: z.string().url().optional(),
  LOCAL_SMTP_PORT: port(2525),
  LOCAL_WEBHOOK_PORT: port(4040),
  WORKSPACE_BASE_URL: z.string().url().default('https://workspaces.overture.local'),
  ESCALATION_CONTACTS: list('it-oncall@overture.local,it-lead@overture.local').pipe(
    z.array(z.email({ error: 'each contact must be an email address' })).min(1, 'name at least one escalation contact'),
  ),
  ESCALATION_REMINDER_HOURS: hours(4),
  ESCALATION_NEXT_CONTACT_HOURS: hours(24),
  ESCALATION_AUTO_ACTION_HOURS: hours(72),
  ESCALATION_AUTO_ACTION: z.enum(['abort', 'skip']).default('abort'),
  APPROVAL_REMINDER_HOURS: hours(8),
  APPROVAL_NEXT_CONTACT_HOURS: hours(24),
  APPROVAL_TIMEOUT_HOURS: hours(72),
  PRIVILEGED_PERMISSIONS: list('admin,root,billing-admin,security-admin'),
  STEP_POLICIES: policyOverrides,
  CONSOLE_HOST: z.string().default('127.0.0.1'),
  CONSOLE_PORT: port(4000),
  CONSOLE_TOKEN: z.string().optional(),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface OvertureConfig extends RawConfig {
  directoryDbPath: string;
  ledgerDbPath: string;
  smtpUrl: string;
  webhookUrl: string;
  temporalUiUrl: string;
  consoleUrl: string;
}

/** Thrown for a configuration that does not validate; its message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the configuration from an environment (process.env by default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): OvertureConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  const raw = parsed.data;
  if (!(raw.ESCALATION_REMINDER_HOURS < raw.ESCALATION_NEXT_CONTACT_HOURS && raw.ESCALATION_NEXT_CONTACT_HOURS < raw.ESCALATION_AUTO_ACTION_HOURS)) {
    throw new ConfigError('invalid configuration: ESCALATION_REMINDER_HOURS < ESCALATION_NEXT_CONTACT_HOURS < ESCALATION_AUTO_ACTION_HOURS must hold');
  }
  if (!(raw.APPROVAL_REMINDER_HOURS < raw.APPROVAL_NEXT_CONTACT_HOURS && raw.APPROVAL_NEXT_CONTACT_HOURS < raw.APPROVAL_TIMEOUT_HOURS)) {
    throw new ConfigError('invalid configuration: APPROVAL_REMINDER_HOURS < APPROVAL_NEXT_CONTACT_HOURS < APPROVAL_TIMEOUT_HOURS must hold');
  }
  const dataDir = path.resolve(raw.OVERTURE_DATA_DIR);
  return {
    ...raw,
    OVERTURE_DATA_DIR: dataDir,
    directoryDbPath: path.resolve(raw.DIRECTORY_DB_PATH ?? path.join(dataDir, 'directory.db')),
    ledgerDbPath: path.resolve(raw.LEDGER_DB_PATH ?? path.join(dataDir, 'overture.db')),
    smtpUrl: raw.SMTP_URL ?? `smtp://127.0.0.1:${raw.LOCAL_SMTP_PORT}`,
    webhookUrl: raw.NOTIFY_WEBHOOK_URL ?? `http://127.0.0.1:${raw.LOCAL_WEBHOOK_PORT}/hooks/team`,
    temporalUiUrl: raw.TEMPORAL_UI_URL ?? `http://127.0.0.1:${raw.TEMPORAL_UI_PORT}`,
    consoleUrl: `http://${raw.CONSOLE_HOST}:${raw.CONSOLE_PORT}`,
  };
}

/** Retry policy defaults per kind of step: directory writes are quick, mail and chat wait longer between tries. */
export const DEFAULT_STEP_POLICIES: Record<OnboardingStep, StepPolicy> = {
  createAccount: { startToCloseTimeoutMs: 30_000, initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 30_000, maximumAttempts: 5 },
  assignPermissions: { startToCloseTimeoutMs: 30_000, initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 30_000, maximumAttempts: 5 },
  sendWelcomeEmail: { startToCloseTimeoutMs: 60_000, initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 60_000, maximumAttempts: 6 },
  createWorkspace: { startToCloseTimeoutMs: 60_000, initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 60_000, maximumAttempts: 4 },
  notifyTeam: { startToCloseTimeoutMs: 30_000, initialIntervalMs: 2_000, backoffCoefficient: 2, maximumIntervalMs: 60_000, maximumAttempts: 4 },
};

export const DEFAULT_SUPPORT_POLICY: StepPolicy = {
  startToCloseTimeoutMs: 30_000,
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 60_000,
  maximumAttempts: 10,
};

/** The run options a client freezes into a new run's input, from configuration. */
export function onboardingOptionsFrom(config: OvertureConfig): OnboardingOptions {
  // Fresh objects: a caller tuning its run's options must never change the defaults of later runs.
  const overrides = config.STEP_POLICIES as Partial<Record<OnboardingStep, Partial<StepPolicy>>>;
  const policies = Object.fromEntries(
    ONBOARDING_STEPS.map((step) => [step, { ...DEFAULT_STEP_POLICIES[step], ...overrides[step] }]),
  ) as Record<OnboardingStep, StepPolicy>;
  return {
    policies,
    supportPolicy: { ...DEFAULT_SUPPORT_POLICY },
    escalation: {
      contacts: config.ESCALATION_CONTACTS,
      ladder: {
        reminderAfterMs: config.ESCALATION_REMINDER_HOURS * HOUR_MS,
        nextContactAfterMs: config.ESCALATION_NEXT_CONTACT_HOURS * HOUR_MS,
        automaticActionAfterMs: config.ESCALATION_AUTO_ACTION_HOURS * HOUR_MS,
        automaticAction: config.ESCALATION_AUTO_ACTION,
      },
    },
    approval: {
      privilegedPermissions: config.PRIVILEGED_PERMISSIONS,
      ladder: {
        reminderAfterMs: config.APPROVAL_REMINDER_HOURS * HOUR_MS,
        nextContactAfterMs: config.APPROVAL_NEXT_CONTACT_HOURS * HOUR_MS,
        automaticActionAfterMs: config.APPROVAL_TIMEOUT_HOURS * HOUR_MS,
        automaticAction: 'abort',
      },
    },
    faults: {},
    consoleUrl: config.consoleUrl,
  };
}
