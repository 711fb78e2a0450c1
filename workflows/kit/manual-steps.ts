/**
 * Manual first, then automate: any step the process runs through an activity may be done by a person instead, in
 * a run started with `--manual` (or configured with MANUAL_STEPS). The person gets the step's instructions and
 * completes it with the outputs the shape declares, so the graph, the DAG and the steps after it stay the same.
 *
 * The choice is frozen into the run's options when it starts (ProcessOptions.manualSteps): a run replays the way it
 * ran, and a run without manual steps runs exactly as before. Pure: bundled into the workflow sandbox and read by
 * the clients, which refuse a step that cannot be done by hand before anything starts.
 */
import { InputError } from './input';
import type { ProcessShape } from './shape';
import type { ProcessOptions } from './types';
import type { StepKind } from './vocabulary';

/** `--manual all`: every step a person can do, a run as a checklist. */
export const ALL_MANUAL = 'all';

/**
 * The kinds of step a person can do instead: one that calls an activity, and one that is manual already. An
 * approval is a person's decision already; a fan-out starts child runs (whose own steps may be manual); an event
 * step waits for the outside world, which no person can stand in for.
 */
export const MANUAL_CAPABLE_KINDS: readonly StepKind[] = ['activity', 'manual'];

/** How a step ran, for the KPIs: done by a person, or by the process's own code. */
export type StepMode = 'manual' | 'automated';

/** Whether the run does this step by hand: a manual step of the shape, or one the run was started to do by hand. */
export function isManualStep(shape: ProcessShape, options: ProcessOptions, step: string): boolean {
  const spec = shape.steps.find((s) => s.name === step);
  if (!spec) return false;
  return spec.kind === 'manual' || (options.manualSteps?.includes(step) ?? false);
}

/** How the run does (or did) this step: what the KPI sink records as the step's `mode`. */
export function stepMode(shape: ProcessShape, options: ProcessOptions, step: string): StepMode {
  return isManualStep(shape, options, step) ? 'manual' : 'automated';
}

/** What a person doing the step by hand is told: the step's own instructions, else its title. */
export function manualInstructions(shape: ProcessShape, step: string, subject: string): string {
  const spec = shape.steps.find((s) => s.name === step);
  const what = spec?.instructions ?? spec?.title ?? step;
  const outputs = (spec?.outputs ?? []).map((o) => `${o.name} (${o.type}${o.optional ? ', optional' : ''})`);
  return [
    `${what} — for ${shape.name} ${subject}, by hand (this step is not automated in this run).`,
    ...(outputs.length ? [`Report: ${outputs.join(', ')}.`] : []),
  ].join('\n');
}

/**
 * The steps of a process (and of the processes it starts) a run may do by hand, in their order: those of a kind a
 * person can do. `--manual all` means these.
 */
export function manualCapableSteps(shapes: readonly ProcessShape[]): string[] {
  const kinds = stepKinds(shapes);
  return [...kinds].filter(([, k]) => k.every((kind) => MANUAL_CAPABLE_KINDS.includes(kind))).map(([name]) => name);
}

/**
 * The steps a run is asked to do by hand, checked against the process's shapes (its own first, then those of the
 * processes it starts): `all`, or step names. Throws an InputError naming each unknown step and each step that
 * cannot be done by hand, so a bad request starts nothing. Returns them in the process's order, without repeats.
 */
export function resolveManualSteps(shapes: readonly ProcessShape[], requested: readonly string[], what = 'manual steps'): string[] {
  const kinds = stepKinds(shapes);
  const capable = manualCapableSteps(shapes);
  if (requested.includes(ALL_MANUAL)) return capable;
  const problems = requested.flatMap((step) => {
    const found = kinds.get(step);
    if (!found) return [`${step}: unknown step; steps are ${[...kinds.keys()].join(', ')}`];
    const refused = found.filter((k) => !MANUAL_CAPABLE_KINDS.includes(k));
    return refused.length
      ? [`${step}: a step of kind ${refused.join(', ')} cannot be done by hand; steps that can: ${capable.join(', ')}`]
      : [];
  });
  if (problems.length) throw new InputError(problems, what);
  return capable.filter((step) => requested.includes(step));
}

/** Reads a `--manual` value: `all` or comma-separated step names (blanks ignored). */
export function parseManualList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Each step name with the kinds it has across the shapes (a name may repeat in a process and one it starts). */
function stepKinds(shapes: readonly ProcessShape[]): Map<string, StepKind[]> {
  const kinds = new Map<string, StepKind[]>();
  for (const step of shapes.flatMap((s) => s.steps)) kinds.set(step.name, [...(kinds.get(step.name) ?? []), step.kind]);
  return kinds;
}
