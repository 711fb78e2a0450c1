/**
 * The "before" half of the console's side-by-side demo: the same five onboarding steps as a plain script.
 *
 * It calls the same kinds of systems the activities call (a directory, SMTP, the team webhook; in the console, the
 * demo's in-memory sandbox), one after the other, with no orchestrator around them: no retries, no escalation, no
 * durable state and no delivery ledger. An injected failure throws and leaves the onboarding half done; running the script again redoes
 * every step from the top, so whatever is not idempotent by itself (the welcome email, the team message)
 * happens a second time.
 */
import type { Transporter } from 'nodemailer';
import { workspaceUrlFor, type DirectoryProvider } from '../../src/stores/directory/directory';
import type { NewHire } from '../../workflows/onboarding/types';

/** The systems the script talks to: the same kinds the worker's activities use. */
export interface ScriptChainSystems {
  directory: DirectoryProvider;
  transport: Transporter;
  from: string;
  webhookUrl: string;
  /** How the team post is sent (the demo's sandbox keeps it in memory). */
  fetch: typeof fetch;
  workspaceBaseUrl: string;
}

export interface ScriptStepResult {
  step: OnboardingStep;
  state: 'done' | 'failed' | 'not run';
  detail?: string;
}

export interface ScriptChainResult {
  completed: boolean;
  error?: string;
  steps: ScriptStepResult[];
  /** Side effects that reached the outside world during this run, in order. */
  sideEffects: string[];
}

/**
 * The order a sequential script naturally does the steps in (no parallel branches): the onboarding's five
 * system steps; the script knows nothing of the manual equipment step.
 */
export const SCRIPT_ORDER = ['createAccount', 'assignPermissions', 'sendWelcomeEmail', 'createWorkspace', 'notifyTeam'] as const;

/** A step of the plain script. */
export type OnboardingStep = (typeof SCRIPT_ORDER)[number];

/**
 * Runs the five steps in sequence. On `inject`, that step throws before its side effect and the script
 * stops there: what was done stays done, what comes after never happens.
 */
export async function runScriptChain(systems: ScriptChainSystems, hire: NewHire, inject?: OnboardingStep): Promise<ScriptChainResult> {
  const steps: ScriptStepResult[] = SCRIPT_ORDER.map((step) => ({ step, state: 'not run' }));
  const sideEffects: string[] = [];
  const mark = (step: OnboardingStep, state: ScriptStepResult['state'], detail?: string) => {
    const entry = steps.find((s) => s.step === step);
    if (entry) Object.assign(entry, { state, detail });
  };
  const failIfInjected = (step: OnboardingStep) => {
    if (step === inject) throw new Error(`injected permanent fault in ${step}`);
  };
  let current: OnboardingStep = 'createAccount';
  try {
    current = 'createAccount';
    failIfInjected(current);
    const account = await systems.directory.createAccount(hire);
    sideEffects.push(`account ${account.accountId} created (or found)`);
    mark(current, 'done', account.accountId);

    current = 'assignPermissions';
    failIfInjected(current);
    const permissions = await systems.directory.grantPermissions(hire.employeeId, hire.role, hire.extraPermissions);
    sideEffects.push(`permissions granted: ${permissions.join(', ')}`);
    mark(current, 'done', permissions.join(', '));

    current = 'sendWelcomeEmail';
    failIfInjected(current);
    const firstName = hire.fullName.split(/\s+/)[0] ?? hire.fullName;
    const info: { messageId?: string } = await systems.transport.sendMail({
      from: systems.from,
      to: hire.email,
      subject: `Welcome to the ${hire.team} team, ${firstName}!`,
      text: `Hi ${firstName},\n\nWelcome to the ${hire.team} team! Your workspace: ${workspaceUrlFor(systems.workspaceBaseUrl, hire.employeeId)}\n`,
    });
    sideEffects.push('welcome email sent');
    mark(current, 'done', info.messageId ?? 'sent');

    current = 'createWorkspace';
    failIfInjected(current);
    const workspace = await systems.directory.createWorkspace(hire.employeeId, hire.team);
    sideEffects.push(`workspace ${workspace.workspaceId} created (or found)`);
    mark(current, 'done', workspace.url);

    current = 'notifyTeam';
    failIfInjected(current);
    const response = await systems.fetch(systems.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: `:wave: Please welcome ${hire.fullName}, joining ${hire.team} as ${hire.role} on ${hire.startDate}.` }),
      signal: AbortSignal.timeout(10_000),
    });
    await response.text();
    if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`);
    sideEffects.push('team notified');
    mark(current, 'done', `HTTP ${response.status}`);
    return { completed: true, steps, sideEffects };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    mark(current, 'failed', error);
    return { completed: false, error, steps, sideEffects };
  }
}
