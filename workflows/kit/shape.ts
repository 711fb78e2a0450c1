/**
 * A process's shape, declared once: its steps in the order they are shown, what each needs first, how it is done,
 * and the outputs later steps read. The compiler checks it: a `needs` entry that names no step of the shape, a
 * DAG node for a step the shape lacks, or an output a later step reads that the step does not declare, are errors.
 *
 * ```ts
 * export const ONBOARDING = defineShape({
 *   name: 'onboarding',
 *   title: 'Employee onboarding',
 *   steps: {
 *     createAccount: { title: 'Create the directory account', kind: 'activity', outputs: { accountId: 'text' } },
 *     notifyTeam: { title: 'Notify the team', kind: 'activity', needs: ['createAccount'] },
 *   },
 * });
 * ```
 *
 * Pure: bundled into the workflow sandbox, and read by the tracker, the registry, the CLI and the console.
 */
import type { OutputType, OutputValue, StepKind } from './vocabulary';

/** An output a step hands on: its type, with `?` when some runs may not have it (e.g. `'text?'`). */
export type OutputSpec = OutputType | `${OutputType}?`;

/** One step as a process declares it; `Name` is every other step of the shape, `Output` each output it declares. */
export interface StepSpec<Name extends string = string, Output extends string = string> {
  title: string;
  kind: StepKind;
  /** What a person does when the step is done by hand (a run's `--manual`); its title when not given. */
  instructions?: string;
  /** Steps that must be done (or skipped) before this one starts; none means it starts first. */
  needs?: readonly Name[];
  /** Outputs later steps read: typed for them, and required (unless `?`) of a person who skips the step. */
  outputs?: Readonly<Record<string, OutputSpec>>;
  /**
   * The outputs a person who skips the step must give, when they are not the outputs the step always has: e.g. a
   * reconciliation that hands on its difference when it matches, and the adjustment a person enters when it does not.
   */
  skipRequires?: readonly Output[];
  /** Only some runs take this step (a branch, an optional step): later steps may find no outputs of it. */
  optional?: boolean;
}

/** The steps of a shape, each of whose `needs` names the shape's other steps. */
export type StepSpecs<S> = {
  [K in keyof S]: StepSpec<Exclude<keyof S, K> & string, S[K] extends { outputs: infer O } ? keyof O & string : never>;
};

/** An output of a step at run time: its name, its type, whether it may be absent, and whether a person who skips must give it. */
export interface OutputField {
  name: string;
  type: OutputType;
  optional: boolean;
  requiredOnSkip: boolean;
}

/** One node of a process's graph at run time, as the tracker, the CLI and the console read it. */
export interface StepDefinition {
  name: string;
  title: string;
  needs: string[];
  kind: StepKind;
  outputs?: OutputField[];
  optional?: boolean;
  /** What a person does when the step is done by hand. */
  instructions?: string;
}

/** The shape of a process at run time: written once, read by the tracker, the CLI, the console and the worker. */
export interface ProcessShape {
  name: string;
  title: string;
  steps: StepDefinition[];
}

/** A shape with its declaration, from which the kit types the steps, their needs and their outputs. */
export interface Shape<S = Record<string, StepSpec>> extends ProcessShape {
  /** The declaration as written: only its types are used. */
  readonly declared: S;
}

/** Declares a process's shape; the order of `steps` is the order in which they are shown. */
export function defineShape<const S extends StepSpecs<S>>(declaration: { name: string; title: string; steps: S }): Shape<S> {
  const specs = declaration.steps as Record<string, StepSpec>;
  const steps: StepDefinition[] = Object.entries(specs).map(([name, spec]) => ({
    name,
    title: spec.title,
    needs: [...(spec.needs ?? [])],
    kind: spec.kind,
    ...(spec.outputs ? { outputs: outputFields(spec.outputs, spec.skipRequires) } : {}),
    ...(spec.optional ? { optional: true } : {}),
    ...(spec.instructions ? { instructions: spec.instructions } : {}),
  }));
  return { name: declaration.name, title: declaration.title, steps, declared: declaration.steps };
}

function outputFields(outputs: Readonly<Record<string, OutputSpec>>, skipRequires: readonly string[] | undefined): OutputField[] {
  return Object.entries(outputs).map(([name, spec]) => {
    const optional = spec.endsWith('?');
    return {
      name,
      type: spec.replace('?', '') as OutputType,
      optional,
      requiredOnSkip: skipRequires ? skipRequires.includes(name) : !optional,
    };
  });
}

// The types below read a shape's declaration; they cost nothing at run time.

type Declared<Sh> = Sh extends Shape<infer S> ? S : never;

/** The name of a step of the shape. */
export type StepName<Sh> = keyof Declared<Sh> & string;

type BaseType<T> = T extends `${infer B}?` ? B : T;
type ValueOf<T> = OutputValue<BaseType<T> & OutputType>;
type Required<O> = { -readonly [K in keyof O as O[K] extends `${string}?` ? never : K]: ValueOf<O[K]> };
type Optional<O> = { -readonly [K in keyof O as O[K] extends `${string}?` ? K : never]?: ValueOf<O[K]> };

/** The outputs a step declares, typed: what later steps may read of it. */
export type DeclaredOutputs<Sh, K extends StepName<Sh>> = Declared<Sh>[K] extends { outputs: infer O }
  ? Required<O> & Optional<O>
  : Record<never, never>;

/** The steps a step names in its `needs`. */
export type Needs<Sh, K extends StepName<Sh>> = Declared<Sh>[K] extends { needs: readonly (infer N)[] } ? N & StepName<Sh> : never;

/** Every step a step needs, directly or through the steps it needs (to a depth that covers any real process). */
export type Ancestors<Sh, K extends StepName<Sh>, Depth extends unknown[] = []> = Depth['length'] extends 16
  ? never
  : Needs<Sh, K> | (Needs<Sh, K> extends infer N ? (N extends StepName<Sh> ? Ancestors<Sh, N, [...Depth, unknown]> : never) : never);

type MayBeAbsent<Sh, K extends StepName<Sh>> = Declared<Sh>[K] extends { optional: true } ? true : false;

/** A step's declared outputs as a later step sees them: undefined when the step is one only some runs take. */
export type OutputsSeen<Sh, K extends StepName<Sh>> =
  MayBeAbsent<Sh, K> extends true ? DeclaredOutputs<Sh, K> | undefined : DeclaredOutputs<Sh, K>;

/** What a step sees of the steps before it: the declared outputs of every step it needs, directly or not. */
export type Done<Sh, K extends StepName<Sh>> = { readonly [N in Ancestors<Sh, K>]: OutputsSeen<Sh, N> };
