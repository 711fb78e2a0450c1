/**
 * The registry: every process this installation runs, found by its name (./installed.ts) in its two folders —
 * `workflows/<name>/definition.ts` (what the process is) and `activities/<name>/` (its settings and its worker
 * part). The worker registers their workflows and activities, the CLI and the console offer them, the event
 * gateway routes their events, the client starts, lists and decides on their runs. Nothing else names a process.
 */
import path from 'node:path';
import type { ProcessSettings } from '../../activities/kit/settings';
import type { ConsoleDemo } from '../../activities/kit/demo';
import type { LocalService, ProcessWorker } from '../../activities/kit/process-worker';
import type { ProcessDefinition } from '../../workflows/kit/definition';
import type { ProcessOptions } from '../../workflows/kit/types';
import type { ProcessShape } from '../../workflows/kit/shape';
import { InputError } from '../../workflows/kit/input';
import { resolveManualSteps } from '../../workflows/kit/manual-steps';
import { ConfigError, type OvertureConfig } from '../config/platform';
import { INSTALLED_PROCESSES } from './installed';
import { runOptions } from './options';

export type { EventRoute, ProcessDefinition } from '../../workflows/kit/definition';

/** The repository's root: the processes' folders are found from it, and example paths are relative to it. */
export const REPO_ROOT = path.join(__dirname, '..', '..');

/** A process as installed: its folder, its definitions (the process first, then those only it starts) and its settings. */
export interface InstalledProcess {
  folder: string;
  definitions: ReadonlyArray<ProcessDefinition<unknown, unknown>>;
  settings?: ProcessSettings<unknown>;
}

/** A process that cannot be loaded: a programming error, said with the file to look at. */
export class ProcessLoadError extends Error {
  override readonly name = 'ProcessLoadError';
}

/** A module's export, if the module exists (its other errors, e.g. a syntax error, are thrown). */
function exportOf(file: string, name: string): unknown {
  let resolved: string;
  try {
    resolved = require.resolve(file);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the registry loads each process by its folder's name
  return (require(resolved) as Record<string, unknown>)[name];
}

function load(folder: string): InstalledProcess {
  const file = path.join(REPO_ROOT, 'workflows', folder, 'definition');
  const definitions = exportOf(file, 'definitions');
  if (!Array.isArray(definitions) || definitions.length === 0) {
    throw new ProcessLoadError(
      `process "${folder}" (src/registry/installed.ts) has no workflows/${folder}/definition.ts exporting its definitions`,
    );
  }
  const main = definitions[0] as ProcessDefinition;
  if (main.shape?.name !== folder)
    throw new ProcessLoadError(
      `workflows/${folder}/definition.ts: its first definition must be the process "${folder}", not "${main.shape?.name}"`,
    );
  const settings = exportOf(path.join(REPO_ROOT, 'activities', folder, 'settings'), 'settings') as ProcessSettings<unknown> | undefined;
  return { folder, definitions: definitions as ProcessDefinition[], ...(settings ? { settings } : {}) };
}

/** Every installed process, in the order of ./installed.ts. */
export const INSTALLED: readonly InstalledProcess[] = INSTALLED_PROCESSES.map(load);

/** Every process definition, the internal ones (a fan-out's items) included. */
export const PROCESSES: ReadonlyArray<ProcessDefinition<unknown, unknown>> = INSTALLED.flatMap((p) => p.definitions);

/** A process a user can start (not an internal one). */
export const STARTABLE_PROCESSES = PROCESSES.filter((p) => !p.internal);

{
  const names = PROCESSES.map((p) => p.shape.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new ProcessLoadError(`two processes are named "${twice}"`);
}

/** Thrown for a process name the registry does not know. */
export class UnknownProcessError extends Error {
  override readonly name = 'UnknownProcessError';
}

/** The registered process of that name, or a clear error listing the ones there are. */
export function findProcess(name: string, opts: { startable?: boolean } = {}): ProcessDefinition<unknown, unknown> {
  const candidates = opts.startable ? STARTABLE_PROCESSES : PROCESSES;
  const found = candidates.find((p) => p.shape.name === name);
  if (!found) throw new UnknownProcessError(`unknown process "${name}"; processes are ${candidates.map((p) => p.shape.name).join(', ')}`);
  return found;
}

/** The installed process a definition belongs to. */
function ownerOf(definition: ProcessDefinition<unknown, unknown>): InstalledProcess {
  const owner = INSTALLED.find((p) => p.definitions.includes(definition));
  if (!owner) throw new ProcessLoadError(`process ${definition.shape.name} is not installed`);
  return owner;
}

/** The options a run of this process starts with: the kit's from configuration, the process's own from its settings. */
export function optionsFor(config: OvertureConfig, definition: ProcessDefinition<unknown, unknown>): ProcessOptions {
  return runOptions(config, definition, ownerOf(definition).settings?.of(config));
}

/**
 * The steps a run of this process may be given faults for: its own, and those of the processes it starts (a fan-out's
 * items get the run's options, faults included).
 */
export function faultableSteps(definition: ProcessDefinition<unknown, unknown>): string[] {
  return [...new Set(ownerOf(definition).definitions.flatMap((d) => d.shape.steps.map((s) => s.name)))];
}

/** The shapes of a process and of the processes it starts (a fan-out's items): the steps a run's options reach. */
export function familyShapes(definition: ProcessDefinition<unknown, unknown>): ProcessShape[] {
  return [
    definition.shape,
    ...ownerOf(definition)
      .definitions.filter((d) => d !== definition)
      .map((d) => d.shape),
  ];
}

/**
 * The steps a run of this process does by hand: those MANUAL_STEPS configures for it, and those the start asks for
 * (`--manual`, the console's `manual`), checked against its steps. An InputError names each step that is unknown or
 * cannot be done by hand, so nothing starts.
 */
export function manualStepsFor(
  config: OvertureConfig,
  definition: ProcessDefinition<unknown, unknown>,
  requested: readonly string[] = [],
): string[] {
  const configured = config.MANUAL_STEPS[definition.shape.name] ?? [];
  return resolveManualSteps(familyShapes(definition), [...configured, ...requested], `${definition.shape.name} manual steps`);
}

/** Every step name of every process (names may repeat across processes: a STEP_POLICIES entry applies to each). */
export const PROCESS_STEP_NAMES: readonly string[] = [...new Set(PROCESSES.flatMap((p) => p.shape.steps.map((s) => s.name)))];

/**
 * Checks what configuration holds for the installed processes: each one's settings, and that `STEP_POLICIES`
 * names their steps. Throws a ConfigError naming every problem.
 */
export function checkProcessSettings(config: OvertureConfig): void {
  const problems: string[] = [];
  for (const process of INSTALLED) {
    try {
      process.settings?.of(config);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.message.split('\n').slice(1));
    }
  }
  const unknown = Object.keys(config.STEP_POLICIES).filter((step) => !PROCESS_STEP_NAMES.includes(step));
  if (unknown.length)
    problems.push(
      `  STEP_POLICIES: unknown step${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; steps are ${PROCESS_STEP_NAMES.join(', ')}`,
    );
  problems.push(...manualStepsProblems(config));
  if (problems.length) throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}

/** What is wrong with MANUAL_STEPS: a process that is not installed, or steps it does not have or a person cannot do. */
function manualStepsProblems(config: OvertureConfig): string[] {
  return Object.entries(config.MANUAL_STEPS).flatMap(([name, steps]) => {
    const definition = STARTABLE_PROCESSES.find((p) => p.shape.name === name);
    if (!definition)
      return [`  MANUAL_STEPS: unknown process ${name}; processes are ${STARTABLE_PROCESSES.map((p) => p.shape.name).join(', ')}`];
    try {
      resolveManualSteps(familyShapes(definition), steps);
      return [];
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      return err.problems.map((p) => `  MANUAL_STEPS.${name}.${p}`);
    }
  });
}

/** The worker parts of the installed processes (loaded on demand: only a worker and `npm start` need them). */
export function processWorkers(): Array<{ folder: string; worker: ProcessWorker }> {
  return INSTALLED.flatMap((p) => {
    const worker = exportOf(path.join(REPO_ROOT, 'activities', p.folder), 'worker') as ProcessWorker | undefined;
    if (worker && typeof worker.connect !== 'function')
      throw new ProcessLoadError(`activities/${p.folder}/index.ts: its worker has no connect()`);
    return worker ? [{ folder: p.folder, worker }] : [];
  });
}

/** The console demos the installed processes offer (activities/<name>/demo.ts), loaded on demand by the console. */
export function processDemos(): ConsoleDemo[] {
  return INSTALLED.flatMap((p) => {
    const demo = exportOf(path.join(REPO_ROOT, 'activities', p.folder, 'demo'), 'demo') as ConsoleDemo | undefined;
    return demo ? [demo] : [];
  });
}

/** The local servers the installed processes need on one machine (`npm start` runs those that run here). */
export function processLocalServices(config: OvertureConfig): LocalService[] {
  return processWorkers().flatMap(({ worker }) => worker.localServices?.(config) ?? []);
}
