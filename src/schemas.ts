/**
 * The input of an onboarding, validated before anything starts. Error messages name fields, never values,
 * because values are personal data.
 */
import { z } from 'zod';
import type { FaultMode } from '../workflows/kit/types';
import type { NewHire } from '../workflows/onboarding/types';

const permission = z.string().regex(/^[a-z][a-z0-9:_-]{0,62}$/, 'must be lowercase letters, digits, ":", "_" or "-"');

export const newHireSchema = z
  .object({
    employeeId: z
      .string({ error: 'is required' })
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1-64 letters, digits, "-" or "_" (it becomes part of the workflow ID)'),
    fullName: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    email: z.email({ error: 'must be an email address' }),
    role: z.string({ error: 'is required' }).regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a lowercase role name, e.g. engineer'),
    team: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
    managerEmail: z.email({ error: 'must be an email address' }),
    startDate: z.iso.date({ error: 'must be a date as YYYY-MM-DD' }),
    extraPermissions: z.array(permission, { error: 'must be a list of permission names' }).max(50).default([]),
    equipment: z
      .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 .,()'+-]{0,79}$/, 'each item must be 1-80 letters, digits, spaces or .,()\'+-'), { error: 'must be a list of equipment items' })
      .max(20, 'at most 20 items')
      .optional(),
  })
  .strict();

/** Bad input: `problems` has one line per bad field, e.g. "email: must be an email address". */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly problems: string[],
    what = 'input',
  ) {
    super(`invalid ${what}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Validates raw input (parsed JSON) against a process's schema, or throws an InputError naming each bad field (never a value). */
export function parseInput<T>(schema: z.ZodType<T>, raw: unknown, what = 'input'): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.join('.') || '(input)';
    if (issue.code === 'unrecognized_keys') return `${field}: unknown field(s) ${issue.keys.join(', ')}`;
    if (issue.code === 'invalid_type' && issue.path.length === 0) return '(input): must be a JSON object';
    return `${field}: ${issue.message}`;
  });
  throw new InputError(problems, what);
}

/** Validates raw input (parsed JSON) as a new hire, or throws an InputError naming each bad field. */
export function parseNewHire(raw: unknown): NewHire {
  return parseInput(newHireSchema, raw, 'onboarding input');
}

/** Parses "step=mode" (mode: transient:N, permanent, latency:MS, none) as the CLI and console spell a fault. */
export function parseFaultSpec(spec: string, steps: readonly string[]): { step: string; fault?: FaultMode } {
  const [stepName, mode, ...extra] = spec.split('=');
  if (!stepName || !mode || extra.length) throw new InputError([`fault "${spec}": expected step=mode, e.g. createWorkspace=transient:2`]);
  if (!steps.includes(stepName)) {
    throw new InputError([`fault "${spec}": unknown step ${stepName}; steps are ${steps.join(', ')}`]);
  }
  const step = stepName;
  const [kind, value, ...rest] = mode.split(':');
  const count = value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
  if (rest.length) throw new InputError([`fault "${spec}": mode must be transient:N (N > 0), permanent, latency:MS or none`]);
  if (kind === 'none' && value === undefined) return { step };
  if (kind === 'permanent' && value === undefined) return { step, fault: { kind: 'permanent' } };
  if (kind === 'transient' && count > 0) return { step, fault: { kind: 'transient', failures: count } };
  if (kind === 'latency' && count >= 0) return { step, fault: { kind: 'latency', ms: count } };
  throw new InputError([`fault "${spec}": mode must be transient:N (N > 0), permanent, latency:MS or none`]);
}
