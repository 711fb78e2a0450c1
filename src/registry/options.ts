/**
 * The options a client freezes into a new run's input: the process's step policies (with the `STEP_POLICIES`
 * overrides and the outage budgets of steps that send through email or chat), the escalation contacts and the
 * ladders, from configuration, and the process's own options from its settings.
 */
import type { OvertureConfig } from '../config/platform';
import type { ProcessDefinition } from '../../workflows/kit/definition';
import type { ProcessOptions, StepPolicy } from '../../workflows/kit/types';
import type { SystemName } from '../../workflows/kit/vocabulary';
import { KIT_VERSION } from '../../workflows/kit/kit-version';

const HOUR_MS = 3_600_000;

/** The time budget of a step that sends through a system: retried for hours, not a few attempts (none for other steps). */
export function systemBudget(config: OvertureConfig, system: SystemName | undefined): Partial<StepPolicy> {
  if (!system) return {};
  const budget = system === 'email' ? config.RETRY_BUDGET_EMAIL_MS : config.RETRY_BUDGET_CHAT_MS;
  return budget > 0 ? { retryBudgetMs: budget, maximumIntervalMs: config.RETRY_MAX_INTERVAL_MS } : {};
}

/** The policy of compensations, notices and fallbacks, for every process. */
export const DEFAULT_SUPPORT_POLICY: StepPolicy = {
  startToCloseTimeoutMs: 30_000,
  // Notices and fallbacks send email and webhook posts, heartbeating while they send (activities/kit/delivery-attempt.ts).
  heartbeatTimeoutMs: 15_000,
  initialIntervalMs: 1_000,
  backoffCoefficient: 2,
  maximumIntervalMs: 60_000,
  maximumAttempts: 10,
};

/** The kit's run options for steps with these default policies, from configuration. */
export function processOptionsFrom(
  config: OvertureConfig,
  defaultPolicies: Readonly<Record<string, StepPolicy>>,
  stepSystems: Readonly<Partial<Record<string, SystemName>>> = {},
): ProcessOptions {
  // Fresh objects: a caller tuning its run's options must never change the defaults of later runs.
  const overrides = config.STEP_POLICIES as Partial<Record<string, Partial<StepPolicy>>>;
  const policies = Object.fromEntries(
    Object.entries(defaultPolicies).map(([step, policy]) => [
      step,
      { ...policy, ...systemBudget(config, stepSystems[step]), ...overrides[step] },
    ]),
  );
  return {
    policies,
    supportPolicy: { ...DEFAULT_SUPPORT_POLICY },
    escalation: {
      contacts: [...config.ESCALATION_CONTACTS],
      ladder: {
        reminderAfterMs: config.ESCALATION_REMINDER_HOURS * HOUR_MS,
        nextContactAfterMs: config.ESCALATION_NEXT_CONTACT_HOURS * HOUR_MS,
        automaticActionAfterMs: config.ESCALATION_AUTO_ACTION_HOURS * HOUR_MS,
        automaticAction: config.ESCALATION_AUTO_ACTION,
      },
    },
    approval: {
      ladder: {
        reminderAfterMs: config.APPROVAL_REMINDER_HOURS * HOUR_MS,
        nextContactAfterMs: config.APPROVAL_NEXT_CONTACT_HOURS * HOUR_MS,
        automaticActionAfterMs: config.APPROVAL_TIMEOUT_HOURS * HOUR_MS,
        automaticAction: 'abort',
      },
    },
    faults: {},
    consoleUrl: config.consoleUrl,
    kitVersion: KIT_VERSION,
  };
}

/** A run's options: the kit's for the process's steps, then the process's own from its settings. */
export function runOptions<I, S>(config: OvertureConfig, definition: ProcessDefinition<I, S>, settings: S): ProcessOptions {
  const kit = processOptionsFrom(config, definition.policies, definition.stepSystems);
  return definition.options ? definition.options(kit, settings) : kit;
}
