/**
 * The `overture` command line: start any registered process, see where runs are, and act on the ones that need a person.
 *
 * Exit codes: 0 done, 1 failed (server unreachable, decision refused, run failed), 2 bad input or usage.
 */
import fs from 'node:fs';
import type { Client } from '@temporalio/client';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ConfigError, loadConfig, type OvertureConfig } from '../../config';
import { connectClient } from '../../client';
import { InputError } from '../../../workflows/kit/input';
import { UnknownProcessError } from '../../registry';
import { TemporalConnectionError } from '../../temporal/connect';
import { printable } from '../../../workflows/kit/safe-text';
import { exitAfterOutput, UsageError, type Io } from './io';
import { refuseTypedName } from './identity';
import { asksForHelp, type CliCommand, type CliEnv } from './command';
import { processesCommand, statusCommand, listCommand, escalationsCommand } from './commands/runs';
import { command as start, shortcutCommands } from './commands/start';
import { command as watch } from './commands/watch';
import { approveCommand, completeCommand, injectCommand, rescheduleCommand, resolveCommand } from './commands/decisions';
import { command as emit } from './commands/emit';
import { command as schedule } from './commands/schedule';
import { command as systems } from './commands/systems';
import { command as operators } from './commands/operators';
import { command as keys } from './commands/keys';
import { command as deployment } from './commands/deployment';
import { command as choose } from './commands/choose';
import { command as kpis } from './commands/kpis';
import { command as newProcess } from './commands/new';
import { command as simulate } from './commands/simulate';
import { command as completion, completeValuesCommand } from './commands/completion';

/**
 * Every command, in the order `overture --help` lists them. To add one: write src/apps/cli/commands/NAME.ts exporting
 * `command: CliCommand` (see ./command.ts: name, summary, usage, run(args, io, env)), import it above as
 * `import { command as NAME } from './commands/NAME';` and add NAME to this list (one line each).
 */
const COMMANDS: readonly CliCommand[] = [
  processesCommand,
  start,
  ...shortcutCommands,
  statusCommand,
  watch,
  listCommand,
  escalationsCommand,
  resolveCommand,
  approveCommand,
  completeCommand,
  injectCommand,
  rescheduleCommand,
  emit,
  systems,
  schedule,
  operators,
  keys,
  deployment,
  kpis,
  choose,
  simulate,
  newProcess,
  completion,
  completeValuesCommand,
];

/** The CLI's top-level usage (`overture --help`); the build writes it to dist/cli-usage.txt for bin/overture.js. */
export const USAGE = `usage: overture <command> [options]

${COMMANDS.filter((c) => !c.hidden)
  .map((c) => `  ${c.name.padEnd(14)}${c.summary}`)
  .join('\n')}

Run overture <command> --help for a command's options and its --json output. Every command takes --json.
Commands that change a run act as the operator whose personal token you hold: OVERTURE_TOKEN, else the file
OVERTURE_TOKEN_FILE or ~/.config/overture/token (chmod 600); decisions are recorded under that operator's name.
Configuration comes from the environment (see docs/configuration.md): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...
Exit codes: 0 done, 1 failed (server unreachable, decision refused, run failed), 2 bad input or usage.`;

/** Every command of the CLI, hidden ones included. */
export function cliCommands(): readonly CliCommand[] {
  return COMMANDS;
}

/** The command named so, if there is one. */
export function findCommand(name: string): CliCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** Every command's help, by name: the build writes them beside the top-level usage for bin/overture.js. */
export function commandUsages(): Record<string, string> {
  return Object.fromEntries(COMMANDS.map((c) => [c.name, c.usage]));
}

// Run data never reaches the terminal raw: a control or bidi character is shown as a visible escape (valid in JSON too).
const defaultIo: Io = {
  stdout: (t) => process.stdout.write(printable(t, { keepNewlines: true }) + '\n'),
  stderr: (t) => process.stderr.write(printable(t, { keepNewlines: true }) + '\n'),
  readStdin: () => fs.readFileSync(0, 'utf8'),
  isTty: Boolean(process.stdout.isTTY),
};

/** The configuration and the client, each made when a command first asks; `close` ends the connection if one was made. */
function lazyEnv(): CliEnv & { close(): Promise<void> } {
  let config: OvertureConfig | undefined;
  let client: Promise<Client> | undefined;
  return {
    config: () => (config ??= loadConfig()),
    client() {
      client ??= connectClient(this.config());
      return client;
    },
    commands: () => COMMANDS,
    async close() {
      const connected = await client?.catch(() => undefined);
      await connected?.connection.close();
    },
  };
}

/** Runs the CLI with the given arguments and returns its exit code. */
export async function runCli(argv: string[], io: Io = defaultIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.stdout(USAGE);
    return name ? 0 : 2;
  }
  if (name === 'help') {
    const asked = args[0] === undefined ? undefined : findCommand(args[0]);
    if (args[0] !== undefined && !asked) {
      io.stderr(`unknown command "${args[0]}"\n\n${USAGE}`);
      return 2;
    }
    io.stdout(asked?.usage ?? USAGE);
    return 0;
  }
  const command = findCommand(name);
  if (!command) {
    io.stderr(`unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  // Answered from the module alone: no configuration, no connection, no file.
  if (asksForHelp(args)) {
    io.stdout(command.usage);
    return 0;
  }
  const env = lazyEnv();
  try {
    refuseTypedName(args);
    return await command.run(args, io, env);
  } catch (err) {
    return reportError(err, io, command);
  } finally {
    await env.close();
  }
}

function reportError(err: unknown, io: Io, command: CliCommand): number {
  if (err instanceof InputError || err instanceof UsageError || err instanceof ConfigError || err instanceof UnknownProcessError) {
    io.stderr(err.message);
    return 2;
  }
  if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
    io.stderr(`${err.message}\n\n${command.usage}`);
    return 2;
  }
  // A TLS failure says which certificate or variable is wrong; exit 1, as for any server that cannot be reached.
  if (err instanceof TemporalConnectionError) {
    io.stderr(`cannot reach Temporal: ${err.message}`);
    return 1;
  }
  if (err instanceof WorkflowUpdateFailedError) {
    io.stderr(`refused: ${err.cause?.message ?? err.message}`);
    return 1;
  }
  if (err instanceof WorkflowFailedError) {
    io.stderr(`run failed: ${err.cause?.message ?? err.message}`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  // A decision sent to a run that ended meanwhile (and that its status does not show as this decision).
  if (/already completed/i.test(message)) io.stderr(`the run has already ended; nothing changed (${message})`);
  else if (/not found/i.test(message)) io.stderr(`no such run: ${message}`);
  else if (/connect|UNAVAILABLE|ECONNREFUSED/i.test(message))
    io.stderr(`cannot reach Temporal: ${message}\nIs the stack running? Start it with: npm start`);
  else io.stderr(message);
  return 1;
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => exitAfterOutput(code),
    (err: unknown) => {
      console.error(err);
      exitAfterOutput(1);
    },
  );
}
