/**
 * What shell completion offers, taken from the command table and the process registry: commands with their summaries,
 * verbs, options and positional arguments, and the values of the options that have a known vocabulary.
 */
import { PROCESS_STEP_NAMES, STARTABLE_PROCESSES } from '../../registry';
import { APPROVAL_CHOICES, ESCALATION_ACTIONS, RUN_STATES } from '../../../workflows/kit/vocabulary';
import type { ArgumentKind, CliCommand } from './command';

/** One command as completion sees it. */
export interface CompletedCommand {
  name: string;
  summary: string;
  verbs: string[];
  /** `--name`, each; `--help` included. */
  options: string[];
  args: ArgumentKind[];
}

/** Everything the completion scripts embed. */
export interface CompletionModel {
  commands: CompletedCommand[];
  /** Options that take a value (`--step`), across commands: the value is not a positional argument. */
  valued: string[];
  processes: string[];
  steps: string[];
  /** The values offered after an option, by option (`--step`: the step names). */
  optionValues: Record<string, string[]>;
  /** Options whose value is a file. */
  fileOptions: string[];
}

/** The model of the given commands (hidden ones left out). */
export function completionModel(commands: readonly CliCommand[]): CompletionModel {
  const shown = commands.filter((c) => !c.hidden);
  const processes = STARTABLE_PROCESSES.map((p) => p.shape.name);
  const steps = [...PROCESS_STEP_NAMES];
  const valued = new Set<string>();
  const completed = shown.map((c) => {
    for (const o of c.options ?? []) if (o.endsWith('=')) valued.add(`--${o.slice(0, -1)}`);
    return {
      name: c.name,
      summary: c.summary,
      verbs: [...(c.verbs ?? [])],
      options: [...(c.options ?? []).map((o) => `--${o.replace(/=$/, '')}`), '--help'],
      args: [...(c.args ?? [])],
    };
  });
  return {
    commands: completed,
    valued: [...valued].sort(),
    processes,
    steps,
    optionValues: {
      '--step': steps,
      '--inject': steps.map((s) => `${s}=`),
      '--process': processes,
      '--status': [...RUN_STATES],
      '--action': [...ESCALATION_ACTIONS],
      '--decision': [...APPROVAL_CHOICES],
    },
    fileOptions: ['--input'],
  };
}
