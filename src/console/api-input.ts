/** Validation of the API's request bodies: each answers 400 with every problem, before anything reaches a run. */
import { InputError, parseFaultSpec, parseNewHire } from '../schemas';
import { ONBOARDING_STEPS, type FaultMode, type OnboardingStep } from '../../workflows/onboarding-types';
import { HttpError } from './http-helpers';

type Faults = Partial<Record<OnboardingStep, FaultMode>>;

const FAULT_MODES = /^(none|permanent|transient:\d+|latency:\d+)$/;

/** The step named by a field, or a 400 listing the steps. */
export function requireStep(value: unknown, field = 'step'): OnboardingStep {
  if (typeof value !== 'string' || !(ONBOARDING_STEPS as readonly string[]).includes(value)) {
    throw new HttpError(400, `${field} must be one of ${ONBOARDING_STEPS.join(', ')}`, { problems: [`${field}: must be one of ${ONBOARDING_STEPS.join(', ')}`] });
  }
  return value as OnboardingStep;
}

function optionalReason(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 500) throw new HttpError(400, 'reason must be a string of at most 500 characters', { problems: ['reason: must be a string of at most 500 characters'] });
  return value;
}

function parseFaults(raw: unknown): Faults {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(['faults: must be an object of step: mode']);
  const faults: Faults = {};
  const problems: string[] = [];
  for (const [step, mode] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof mode !== 'string') {
      problems.push(`faults.${step}: must be a string (none, permanent, transient:N, latency:MS)`);
      continue;
    }
    try {
      const parsed = parseFaultSpec(`${step}=${mode}`);
      if (parsed.fault) faults[parsed.step] = parsed.fault;
    } catch (err) {
      if (err instanceof InputError) problems.push(...err.problems.map((p) => `faults.${step}: ${p}`));
      else throw err;
    }
  }
  if (problems.length) throw new InputError(problems);
  return faults;
}

/** `POST /api/runs`: the new hire (still raw: startOnboarding parses it) and its faults; one InputError names every bad field. */
export function parseStartRequest(body: Record<string, unknown>): { hire: Record<string, unknown>; faults: Faults } {
  const { faults: rawFaults, ...hire } = body;
  const problems: string[] = [];
  let faults: Faults = {};
  try {
    parseNewHire(hire);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    problems.push(...err.problems);
  }
  try {
    faults = parseFaults(rawFaults);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length) throw new InputError(problems);
  return { hire, faults };
}

/** `POST /api/runs/:id/resolve`: the escalated step and what to do with it. */
export function parseResolveRequest(body: Record<string, unknown>): { step: OnboardingStep; action: 'retry' | 'skip' | 'abort'; reason?: string } {
  const step = requireStep(body.step);
  const action = body.action;
  if (action !== 'retry' && action !== 'skip' && action !== 'abort') {
    throw new HttpError(400, 'action must be retry, skip or abort', { problems: ['action: must be retry, skip or abort'] });
  }
  return { step, action, reason: optionalReason(body.reason) };
}

/** `POST /api/runs/:id/approve`: the approver's decision. */
export function parseApproveRequest(body: Record<string, unknown>): { decision: 'approve' | 'reject'; reason?: string } {
  const decision = body.decision;
  if (decision !== 'approve' && decision !== 'reject') {
    throw new HttpError(400, 'decision must be approve or reject', { problems: ['decision: must be approve or reject'] });
  }
  return { decision, reason: optionalReason(body.reason) };
}

/** `POST /api/runs/:id/inject`: the step and the fault to inject (none clears it). */
export function parseInjectRequest(body: Record<string, unknown>): { step: OnboardingStep; fault?: FaultMode } {
  const step = requireStep(body.step);
  if (typeof body.mode !== 'string' || !FAULT_MODES.test(body.mode)) {
    throw new HttpError(400, 'mode must be none, permanent, transient:N or latency:MS', { problems: ['mode: must be none, permanent, transient:N or latency:MS'] });
  }
  return { step, fault: parseFaultSpec(`${step}=${body.mode}`).fault };
}
