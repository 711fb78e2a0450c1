/**
 * `overture simulate PROCESS FILE`: what a run would do — each step, retry, fallback, reminder, hand-over and
 * escalation at its simulated time, and where it ends — played on Temporal's time-skipping test server with the real
 * process code and in-memory systems (src/simulate). Nothing is sent and nothing is written outside a temporary folder.
 */
import { parseArgs } from 'node:util';
import { readInput, UsageError } from '../io';
import type { CliCommand } from '../command';
import { printJson } from '../command';
import { formatReport } from '../../../simulate/path-report';
import { prepareSimulation, quietSimulationRuntime, runSimulation } from '../../../simulate/runner';
import { parseOffset } from '../../../simulate/spec';

/** `overture simulate`. */
export const command: CliCommand = {
  name: 'simulate',
  summary: 'play a run on simulated time with in-memory systems and print the path it takes',
  usage: `usage: overture simulate PROCESS FILE|- [--fault STEP=MODE]... [--answer QUESTION=DECISION@+OFFSET]...
                         [--no-answer QUESTION]... [--event TYPE@+OFFSET]... [--until +30d] [--timeout 120s] [--json]

Runs PROCESS's real workflow and activities on Temporal's time-skipping test server (Java 17+; provisioned once with
\`npm run test-server:provision\`), with in-memory mail, chat and stores, and prints the path the run takes: each step,
retry, fallback, question, reminder, hand-over, escalation and decision with its simulated time, then where it ends
(completed, failed, aborted, or still waiting for something at the horizon). No email is sent, nothing is posted, and
nothing is written outside a temporary folder. Timers are skipped: a month of reminders plays in seconds.

  --fault STEP=MODE          inject a fault from the start (MODE: transient:N, permanent, latency:MS)
  --answer QUESTION=DECISION@+OFFSET
                             a person answers QUESTION (a step's name, or a question id such as createWorkspace#1)
                             OFFSET after it is asked (+0 at once, +4h, +2d, +1d12h); each time it is asked.
                             DECISION: retry | skip | abort for an escalated step, approve | reject, done, or the
                             process's own choice. Outputs a decision needs are filled with placeholders.
  --no-answer QUESTION       nobody answers it: its reminders, hand-overs and deadline play out (the default for
                             any question without --answer; naming it documents the scenario)
  --event TYPE@+OFFSET       deliver event TYPE OFFSET after the start, its data taken from FILE
  --until +OFFSET            the horizon: report where the run stands after this much simulated time (default +30d)
  --timeout DURATION         wall-clock limit of the simulation once the server is up (default 120s)
  --json                     the SimulationReport: {process, workflowId, outcome: completed|failed|aborted|waiting,
                             finalState, endedAfterMs, waitingFor?, path: [{atMs, kind, step?, detail}], steps: [...],
                             sent: {emails, posts}, wallClockMs}

The run uses this installation's configuration for its policies, ladders and contacts. OVERTURE_SIMULATE_SERVER=HOST:PORT
uses a time-skipping test server already running instead of starting one (about 5 s).
Exit 0 when the simulation ran (whatever its outcome), 1 when it could not (no Java, the time limit), 2 bad input.`,
  options: ['fault', 'answer', 'no-answer', 'event', 'until', 'timeout', 'json'],
  async run(args, io, env) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        fault: { type: 'string', multiple: true },
        answer: { type: 'string', multiple: true },
        'no-answer': { type: 'string', multiple: true },
        event: { type: 'string', multiple: true },
        until: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const [processName, file, ...extra] = positionals;
    if (!processName || !file || extra.length)
      throw new UsageError(`simulate takes a process and an input FILE (or -)\n\n${command.usage}`);
    const timeoutMs = values.timeout === undefined ? 120_000 : parseOffset(values.timeout, 'timeout');
    // Everything is checked before anything starts: the process, the input, each fault, answer, event and the horizon.
    const prepared = prepareSimulation(processName, readInput(file, io), {
      faults: values.fault,
      answers: values.answer,
      noAnswer: values['no-answer'],
      events: values.event,
      until: values.until,
    });
    const config = env.config();
    quietSimulationRuntime();
    const report = await runSimulation(prepared, {
      config,
      wallClockLimitMs: timeoutMs,
      ...(process.env.OVERTURE_SIMULATE_SERVER ? { serverAddress: process.env.OVERTURE_SIMULATE_SERVER } : {}),
      log: (line) => io.stderr(line),
    });
    if (values.json) printJson(io, report);
    else io.stdout(formatReport(report));
    return 0;
  },
};
