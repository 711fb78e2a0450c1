/**
 * `overture completion bash|zsh|fish`: prints a shell completion script, and the hidden `overture __complete run-ids`
 * the scripts call for run ids at the moment of completion.
 */
import { parseArgs } from 'node:util';
import { connectClient, listRuns } from '../../../client';
import { UsageError } from '../io';
import { completionModel } from '../completion-model';
import { completionScript, SHELLS, type Shell } from '../completion-scripts';
import { printJson, type CliCommand, type CliEnv } from '../command';

/** How long completion waits for run ids: a person is waiting at the prompt. */
const RUN_IDS_WITHIN_MS = 1500;
const MAX_RUN_IDS = 100;

/** `overture completion SHELL`. */
export const command: CliCommand = {
  name: 'completion',
  summary: `print a shell completion script (${SHELLS.join(', ')})`,
  usage: `usage: overture completion ${SHELLS.join('|')} [--json]

Prints a completion script for the shell: commands, their verbs and options, process names, step names (for --step,
--inject and inject's STEP=MODE), run states, and run ids, asked of Temporal's visibility as you complete (within
${RUN_IDS_WITHIN_MS / 1000} s; nothing is offered when no server answers).

  bash   eval "$(overture completion bash)"           in ~/.bashrc
  zsh    eval "$(overture completion zsh)"            in ~/.zshrc, after compinit
  fish   overture completion fish | source            or save it as ~/.config/fish/completions/overture.fish

  --json   what the scripts offer: {commands: [{name, summary, verbs, options, args}], valued, processes, steps,
           optionValues: {option: [value]}, fileOptions}`,
  args: ['other'],
  options: ['json'],
  run(args, io, env) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
    const model = completionModel(env.commands());
    if (values.json && positionals.length === 0) {
      printJson(io, model);
      return 0;
    }
    const shell = positionals[0];
    if (positionals.length !== 1 || !(SHELLS as readonly string[]).includes(shell!))
      throw new UsageError(`completion takes one shell: ${SHELLS.join(', ')}`);
    if (values.json) printJson(io, { shell, script: completionScript(shell as Shell, model) });
    else io.stdout(completionScript(shell as Shell, model));
    return 0;
  },
};

/** The ids of recent runs, or none when Temporal does not answer within the time (a prompt must not hang). */
async function recentRunIds(env: CliEnv): Promise<string[]> {
  const work = (async () => {
    const client = await connectClient(env.config());
    try {
      return (await listRuns(client, { limit: MAX_RUN_IDS })).map((r) => r.workflowId);
    } finally {
      void client.connection.close();
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([]), RUN_IDS_WITHIN_MS)));
  try {
    return await Promise.race([work.catch(() => []), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `overture __complete run-ids`: what the completion scripts call; silent and exit 0 whatever happens. */
export const completeValuesCommand: CliCommand = {
  name: '__complete',
  summary: 'values for the completion scripts',
  usage: `usage: overture __complete run-ids [--json]

Prints the workflow ids of recent runs, one per line (with --json, an array), for the completion scripts; prints
nothing when Temporal does not answer within ${RUN_IDS_WITHIN_MS / 1000} s.`,
  hidden: true,
  options: ['json'],
  async run(args, io, env) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
    if (positionals[0] !== 'run-ids') return 0;
    let ids: string[] = [];
    try {
      ids = await recentRunIds(env);
    } catch {
      // A configuration error says nothing at a prompt.
    }
    if (values.json) printJson(io, ids);
    else if (ids.length) io.stdout(ids.join('\n'));
    return 0;
  },
};
