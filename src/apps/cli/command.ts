/**
 * What a CLI command is: a module with its name, a one-line summary for `overture --help`, its full usage for
 * `overture NAME --help`, the options and verbs shell completion offers, and `run`. A command gets the configuration
 * and the Temporal client from `env` only when it asks for them, so `--help` (answered before `run`) never loads
 * configuration, connects or creates a file.
 *
 * To add a command: write src/apps/cli/commands/NAME.ts exporting `command: CliCommand`, and add one line to the
 * COMMANDS table in src/apps/cli/main.ts.
 */
import type { Client } from '@temporalio/client';
import type { OvertureConfig } from '../../config/platform';
import type { Io } from './io';

/** What a command may need from its surroundings; each part is made on first use. */
export interface CliEnv {
  /** The configuration from the environment (a ConfigError, exit 2, when it is invalid). */
  config(): OvertureConfig;
  /** A client connected to Temporal; runCli closes it when the command ends. */
  client(): Promise<Client>;
  /** Every command in the CLI's table (for `completion`). */
  commands(): readonly CliCommand[];
}

/**
 * What a positional argument is, so completion can offer values: a run's workflow id (from Temporal's visibility, when
 * it answers quickly), a process name, a step name followed by `=` (`inject ID STEP=MODE`), or a file.
 */
export type ArgumentKind = 'run-id' | 'process' | 'step=' | 'file' | 'other';

/** One `overture` command. */
export interface CliCommand {
  /** The word typed after `overture`. */
  name: string;
  /** One line, shown in `overture --help`. */
  summary: string;
  /** The full text `overture NAME --help` prints: synopsis, options, what it prints with --json. */
  usage: string;
  /** Its verbs (e.g. `schedule list`), offered by shell completion. */
  verbs?: readonly string[];
  /**
   * Its long options without the dashes, offered by shell completion; one that takes a value ends in `=` (e.g.
   * `['step=', 'json']`). Completion offers values for `step=`/`inject=` (step names), `process=` (process names),
   * `status=` (run states), `action=` and the files for `input=`.
   */
  options?: readonly string[];
  /** What each positional argument is, for shell completion (after the verb, if the command has verbs). */
  args?: readonly ArgumentKind[];
  /** Left out of `overture --help` and completion (internal helpers). */
  hidden?: boolean;
  /** Does the work; returns the exit code (0 done, 1 failed, 2 usage or bad input; UsageError/InputError give 2). */
  run(args: string[], io: Io, env: CliEnv): Promise<number> | number;
}

/** Whether the arguments ask for help (`--help` or `-h` before any `--`). */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** Prints a value as the command's JSON output (one document; `watch --json` prints one per line instead). */
export function printJson(io: Io, value: unknown): void {
  io.stdout(JSON.stringify(value, null, 2));
}
