/**
 * A step's outputs as the shape declares them: read as their types when they are handed on (a person gives text;
 * runs recorded before outputs were typed hold text too), shown in the status, and required of a person who skips.
 */
import type { OutputField } from './shape';
import type { Outcome, ShownOutcome } from './types';
import { readOutput, type OutputType } from './vocabulary';

/** The output with each declared output read as its type; a value that is not of its type is kept as it came. */
export function typedOutputs<T extends Outcome>(fields: readonly OutputField[] | undefined, output: T): T {
  if (!fields?.length) return output;
  const typed: Outcome = { ...output };
  for (const field of fields) {
    const value = output[field.name];
    if (value === undefined) continue;
    const read = readOutput(field.type, value);
    if (read !== undefined) typed[field.name] = read;
  }
  return typed as T;
}

/** The outcome the status shows: present values only. */
export function shownOutcome(output: object | undefined): ShownOutcome {
  const shown: ShownOutcome = {};
  for (const [key, value] of Object.entries(output ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') shown[key] = value;
  }
  return shown;
}

/** The outputs a person who skips the step (or completes its task) must give. */
export function requiredOutputs(fields: readonly OutputField[] | undefined): string[] {
  return (fields ?? []).filter((f) => f.requiredOnSkip).map((f) => f.name);
}

/** The declared outputs' types, by name, for the validator of a person's answer. */
export function outputTypes(fields: readonly OutputField[] | undefined): Record<string, OutputType> | undefined {
  if (!fields?.length) return undefined;
  return Object.fromEntries(fields.map((f) => [f.name, f.type]));
}
