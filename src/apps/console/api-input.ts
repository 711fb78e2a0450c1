/** Validation of the API's request bodies: each answers 400 with every problem, before anything reaches a run. */
import { InputError, parseFaultSpec, parseInput } from '../../../workflows/kit/input';
import { familyShapes, findProcess, UnknownProcessError, type ProcessDefinition } from '../../registry';
import { resolveManualSteps } from '../../../workflows/kit/manual-steps';
import {
  APPROVAL_CHOICES,
  ESCALATION_ACTIONS,
  FAULT_SYNTAX,
  readFault,
  type EscalationAction,
  type FaultMode,
} from '../../../workflows/kit/vocabulary';
import { DECISION_LIMITS } from '../../../workflows/kit/limits';
import { HttpError } from './http-helpers';

type Faults = Partial<Record<string, FaultMode>>;

/** Bounds on what an operator may send: the kit's, which the workflow's validators enforce too. */
export const INPUT_LIMITS = {
  reasonChars: DECISION_LIMITS.reasonChars,
  outputKeys: DECISION_LIMITS.outputKeys,
  outputKeyChars: DECISION_LIMITS.outputKeyChars,
  outputValueChars: DECISION_LIMITS.outputValueChars,
  outputTotalChars: DECISION_LIMITS.outputTotalChars,
  nameChars: DECISION_LIMITS.nameChars,
};

const badRequest = (field: string, problem: string) => new HttpError(400, `${field} ${problem}`, { problems: [`${field}: ${problem}`] });

/** A required string of at most `max` characters, or a 400 naming the field. */
export function requireString(value: unknown, field: string, max = INPUT_LIMITS.nameChars): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max)
    throw badRequest(field, `must be a non-empty string of at most ${max} characters`);
  return value;
}

/** The step named by a field, which must be one of `steps` (the run's or the process's own). */
export function requireStep<S extends string>(value: unknown, steps: readonly S[], field = 'step'): S {
  if (typeof value !== 'string' || !(steps as readonly string[]).includes(value))
    throw badRequest(field, `must be one of ${steps.join(', ')}`);
  return value as S;
}

function optionalString(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > max) throw badRequest(field, `must be a string of at most ${max} characters`);
  return value;
}

const optionalReason = (value: unknown) => optionalString(value, 'reason', INPUT_LIMITS.reasonChars);

/** An answer's or a skip's output: an object of at most 20 strings, each at most 500 characters, 4000 in all. */
function optionalOutput(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  const { outputKeys, outputKeyChars, outputValueChars, outputTotalChars } = INPUT_LIMITS;
  const problem = `must be an object of at most ${outputKeys} string values of at most ${outputValueChars} characters`;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('output', problem);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > outputKeys) throw badRequest('output', problem);
  for (const [key, v] of entries) {
    if (key === '' || key.length > outputKeyChars) throw badRequest('output', `keys must be 1-${outputKeyChars} characters`);
    if (typeof v !== 'string' || v.length > outputValueChars)
      throw badRequest(`output.${key}`, `must be a string of at most ${outputValueChars} characters`);
  }
  const total = entries.reduce((sum, [key, v]) => sum + key.length + (v as string).length, 0);
  if (total > outputTotalChars) throw badRequest('output', `may hold at most ${outputTotalChars} characters in all (keys and values)`);
  return entries.length ? (value as Record<string, string>) : undefined;
}

function parseFaults(raw: unknown, steps: readonly string[]): Faults {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(['faults: must be an object of step: mode']);
  const faults: Faults = {};
  const problems: string[] = [];
  for (const [step, mode] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof mode !== 'string') {
      problems.push(`faults.${step}: must be a string: ${FAULT_SYNTAX}`);
      continue;
    }
    try {
      const parsed = parseFaultSpec(`${step}=${mode}`, steps);
      if (parsed.fault) faults[parsed.step] = parsed.fault;
    } catch (err) {
      if (err instanceof InputError) problems.push(...err.problems.map((p) => `faults.${step}: ${p}`));
      else throw err;
    }
  }
  if (problems.length) throw new InputError(problems);
  return faults;
}

/** Runs each check, collecting every InputError's problems into one. */
function collect(...checks: Array<() => void>): void {
  const problems: string[] = [];
  for (const check of checks) {
    try {
      check();
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length) throw new InputError(problems, 'request');
}

export interface StartRequest {
  process: string;
  /** Still raw: startProcess parses it (again) against the process's schema. */
  input: unknown;
  faults: Faults;
  /** Steps people do by hand in this run (`all`: a checklist), checked against the process's steps. */
  manual?: string[];
}

/** The `manual` of a start request: step names (or `all`) a person can do, else an InputError naming each. */
function parseManual(raw: unknown, definition: ProcessDefinition<unknown, unknown>): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.some((s) => typeof s !== 'string'))
    throw new InputError(['manual: must be a list of step names, or ["all"]']);
  const steps = raw as string[];
  try {
    resolveManualSteps(familyShapes(definition), steps);
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.problems.map((p) => `manual.${p}`));
    throw err;
  }
  return steps;
}

/**
 * `POST /api/runs`: `{ process, input, faults, manual? }`. One InputError names every bad field; faults may name only the
 * process's activity steps, with the bounds of a live injection.
 */
export function parseStartRequest(body: Record<string, unknown>): StartRequest {
  const { faults: rawFaults, process: rawProcess, input, manual: rawManual, ...rest } = body;
  let faults: Faults = {};
  let manual: string[] | undefined;
  let process = '';
  collect(
    () => {
      if (Object.keys(rest).length)
        throw new InputError([`(input): unknown field(s) ${Object.keys(rest).join(', ')}; expected process, input, faults, manual`]);
    },
    () => {
      if (typeof rawProcess !== 'string') throw new InputError(['process: must be the name of a process']);
      let definition;
      try {
        definition = findProcess(rawProcess, { startable: true });
      } catch (err) {
        if (err instanceof UnknownProcessError) throw new InputError([`process: ${err.message}`]);
        throw err;
      }
      process = rawProcess;
      const activitySteps = definition.shape.steps.filter((s) => s.kind === 'activity').map((s) => s.name);
      collect(
        () => {
          try {
            parseInput(definition.inputSchema, input, `${rawProcess} input`);
          } catch (err) {
            // Fields of the input are named as such.
            if (err instanceof InputError)
              throw new InputError(err.problems.map((p) => (p.startsWith('(input)') ? p.replace('(input)', 'input') : `input.${p}`)));
            throw err;
          }
        },
        () => {
          faults = parseFaults(rawFaults, activitySteps);
        },
        () => {
          manual = parseManual(rawManual, definition);
        },
      );
    },
  );
  return { process, input, faults, ...(manual ? { manual } : {}) };
}

/** `POST /api/runs/:id/resolve`: the escalated step (checked against the run's steps later) and what to do with it. */
export function parseResolveRequest(body: Record<string, unknown>): {
  step: string;
  action: EscalationAction;
  reason?: string;
  output?: Record<string, string>;
} {
  const action = body.action as EscalationAction;
  if (!ESCALATION_ACTIONS.includes(action)) {
    const must = `must be one of ${ESCALATION_ACTIONS.join(', ')}`;
    throw new HttpError(400, `action ${must}`, { problems: [`action: ${must}`] });
  }
  const step = requireString(body.step, 'step');
  return { step, action, reason: optionalReason(body.reason), output: optionalOutput(body.output) };
}

export interface AnswerRequest {
  question?: string;
  decision: string;
  reason?: string;
  output?: Record<string, string>;
}

/** `POST /api/runs/:id/answer`: an answer to an approval, a manual task or a process's own question. */
export function parseAnswerRequest(body: Record<string, unknown>): AnswerRequest {
  return {
    question: optionalString(body.question, 'question', INPUT_LIMITS.nameChars),
    decision: requireString(body.decision, 'decision', 100),
    reason: optionalReason(body.reason),
    output: optionalOutput(body.output),
  };
}

/** `POST /api/runs/:id/approve` (kept for older clients): approve or reject the run's open approval. */
export function parseApproveRequest(body: Record<string, unknown>): AnswerRequest {
  const decision = body.decision as (typeof APPROVAL_CHOICES)[number];
  if (!APPROVAL_CHOICES.includes(decision)) {
    const must = `must be one of ${APPROVAL_CHOICES.join(', ')}`;
    throw new HttpError(400, `decision ${must}`, { problems: [`decision: ${must}`] });
  }
  return { question: optionalString(body.question, 'question', INPUT_LIMITS.nameChars), decision, reason: optionalReason(body.reason) };
}

/** `POST /api/runs/:id/inject`: the form of the request; the step is checked against the run with {@link faultFor}. */
export function parseInjectRequest(body: Record<string, unknown>): { step: string; mode: string } {
  const step = requireString(body.step, 'step');
  if (typeof body.mode !== 'string' || readFault(body.mode) === undefined) {
    throw new HttpError(400, `mode must be ${FAULT_SYNTAX}`, { problems: [`mode: must be ${FAULT_SYNTAX}`] });
  }
  return { step, mode: body.mode };
}

/** The fault to inject into one of the run's own steps (none clears it), or a 400 naming the steps. */
export function faultFor(request: { step: string; mode: string }, steps: readonly string[]): FaultMode | undefined {
  requireStep(request.step, steps);
  return parseFaultSpec(`${request.step}=${request.mode}`, steps).fault;
}
