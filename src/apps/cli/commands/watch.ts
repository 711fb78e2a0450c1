/**
 * `overture watch ID`: follows a run until it ends. On a terminal the step table is redrawn in place; into a pipe each
 * log line is printed once; with --json each change is one JSON line (JSON Lines), so a script can react as it comes.
 */
import { parseArgs } from 'node:util';
import type { RunStatus } from '../../../client';
import { printable } from '../../../../workflows/kit/safe-text';
import { decorates, UsageError, type Io } from '../io';
import { followRun } from '../output';
import type { CliCommand } from '../command';

/** Prints, as JSON lines, what changed since the previous status: steps that changed state, new log lines. */
function jsonLinesPrinter(io: Io): (status: RunStatus) => void {
  const stepStates = new Map<string, string>();
  let logged = 0;
  return (status) => {
    for (const s of status.steps) {
      if (stepStates.get(s.step) === s.state) continue;
      stepStates.set(s.step, s.state);
      io.stdout(JSON.stringify({ event: 'step', workflowId: status.workflowId, step: s.step, state: s.state, attempts: s.attempts }));
    }
    for (const l of status.log.slice(logged))
      io.stdout(JSON.stringify({ event: 'log', workflowId: status.workflowId, at: l.at, level: l.level, message: l.message }));
    logged = status.log.length;
  };
}

/** `overture watch ID`. */
export const command: CliCommand = {
  name: 'watch',
  args: ['run-id'],
  summary: 'follow a run live until it ends',
  usage: `usage: overture watch ID [--json]

Follows run ID until it ends: on a terminal a step table redrawn in place, into a pipe one line per log entry, and
"run STATE" at the end. Exit 0 when the run completed, 1 otherwise.

  --json   JSON Lines, one object per line as things happen:
             {"event":"step","workflowId","step","state","attempts"}   a step changed state
             {"event":"log","workflowId","at","level","message"}       a new log line
             {"event":"end","workflowId","state","status":{...}}      the run ended (status as status --json)`,
  options: ['json'],
  async run(args, io, env) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
    if (positionals.length !== 1) throw new UsageError('watch takes one workflow ID');
    const client = await env.client();
    if (values.json) {
      const status = await followRun(client, positionals[0]!, { onStatus: jsonLinesPrinter(io) });
      io.stdout(JSON.stringify({ event: 'end', workflowId: status.workflowId, state: status.state, status }));
      return status.state === 'completed' ? 0 : 1;
    }
    const status = await followRun(client, positionals[0]!, { print: io.stdout, redraw: io.isTty, icons: decorates(io) });
    io.stdout(printable(`run ${status.state}`));
    return status.state === 'completed' ? 0 : 1;
  },
};
