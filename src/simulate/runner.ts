/**
 * `overture simulate`: runs a process's real workflow and activities on Temporal's time-skipping test server, with
 * in-memory systems (./in-memory-systems.ts), an in-process worker on a task queue of its own, and plays the scenario:
 * faults from the start, answers some simulated time after their question is asked, events at offsets from the start,
 * questions nobody answers left to their ladders. Simulated time only moves when the run is idle (a step's activity
 * holds it), so a month of reminders and deadlines plays in seconds. Bounded by a horizon and a wall-clock limit.
 */
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { InternalConnectionOptionsSymbol, type InternalConnectionOptions } from '@temporalio/client/lib/connection';
import { msToTs, tsToMs } from '@temporalio/common/lib/time';
import { DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { OvertureConfig } from '../config/platform';
import { answerQuestion, decisionIdFor, getRunStatus, prepareRunStart, resolveEscalation, startOptionsOf, type RunStatus } from '../client';
import { findProcess, faultableSteps, type ProcessDefinition } from '../registry';
import { FAILURE_CONVERTER_PATH } from '../temporal/codec/data-converter';
import { provisionTestServer, startTimeSkippingServer } from '../tools/dev-stack/time-skipping-server';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../workflows/kit/search-attributes';
import { eventSignal } from '../../workflows/kit/events';
import { InputError, parseInput } from '../../workflows/kit/input';
import type { DecisionIdentity, QuestionStatus } from '../../workflows/kit/types';
import { openSimulationSystems } from './in-memory-systems';
import { simulationWorkflowCode } from './workflow-code';
import { describeWait, outcomeOf, pathOf, sortPath, type PathEntry, type SimulationReport } from './path-report';
import {
  formatOffset,
  parseScenario,
  type ScenarioSpecs,
  type SimulatedAnswer,
  type SimulatedEvent,
  type SimulationScenario,
} from './spec';

/** A simulation, checked and ready: nothing has started yet. */
export interface PreparedSimulation {
  definition: ProcessDefinition<unknown, unknown>;
  input: unknown;
  scenario: SimulationScenario;
  /** Each event with the data it carries (checked against its route, for this run). */
  events: Array<SimulatedEvent & { data: Record<string, unknown> }>;
}

/** Raised when a simulation takes longer than its wall-clock limit. */
export class SimulationTimeoutError extends Error {
  override readonly name = 'SimulationTimeoutError';
}

/** The data an event carries when the scenario gives none: the run's input, or the part of it the route's schema takes. */
function eventDataFor(
  schema: { safeParse(v: unknown): { success: boolean } },
  input: Record<string, unknown>,
): Record<string, unknown> | undefined {
  if (schema.safeParse(input).success) return input;
  for (const [key, value] of Object.entries(input)) if (schema.safeParse({ [key]: value }).success) return { [key]: value };
  return undefined;
}

/** Checks the process, its input and the scenario; throws UnknownProcessError or InputError (exit 2) before anything starts. */
export function prepareSimulation(
  processName: string,
  rawInput: unknown,
  specs: ScenarioSpecs,
  eventData: ReadonlyArray<Record<string, unknown> | undefined> = [],
): PreparedSimulation {
  const definition = findProcess(processName, { startable: true });
  const input = parseInput(definition.inputSchema, rawInput, `${processName} input`);
  const routes = definition.events ?? [];
  const scenario = parseScenario(specs, { steps: faultableSteps(definition), eventTypes: routes.map((r) => r.type) });
  const workflowId = definition.workflowId(input);
  const events = scenario.events.map((event, i) => {
    const route = routes.find((r) => r.type === event.type)!;
    const given = eventData[i];
    const data = given ?? eventDataFor(route.schema, input as Record<string, unknown>);
    if (!data) throw new InputError([`event ${event.type}: its data cannot be made from the input; give it`], 'simulation');
    const parsed = parseInput(route.schema, data, `${event.type} event data`) as Record<string, unknown>;
    if (route.workflowId(parsed) !== workflowId)
      throw new InputError([`event ${event.type}: its data is for run ${route.workflowId(parsed)}, not ${workflowId}`], 'simulation');
    return { ...event, data: parsed };
  });
  return { definition, input, scenario, events };
}

/** Where a simulation runs: a test server of its own (started and stopped around it), or one already running. */
export interface SimulationOptions {
  /** The configuration whose processes' settings (policies, ladders, contacts) the simulated run uses. */
  config: OvertureConfig;
  /** A running time-skipping test server to use (else one is started for this simulation and stopped after). */
  serverAddress?: string;
  /** The workflow code (else the prebuilt bundle of a compiled build, or bundled now). */
  workflowBundle?: WorkflowBundleOption;
  /** Wall-clock limit of the simulation itself, once the server is up. */
  wallClockLimitMs?: number;
  log?: (line: string) => void;
}

/** Keeps the Temporal runtime to errors in a process of its own (the CLI): an injected fault is no warning to print. */
export function quietSimulationRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
    });
  } catch {
    // Installed already (the console's own process): its logging stands.
  }
}

/** Connection options asking for the test server's own service (what `@temporalio/testing` does internally). */
function withTestService(address: string): InternalConnectionOptions {
  return { address, [InternalConnectionOptionsSymbol]: { supportsTestService: true } };
}

/** Starts the simulation's own test server, unless one is given. */
async function testServer(opts: SimulationOptions): Promise<{ address: string; stop(): Promise<void> }> {
  if (opts.serverAddress) return { address: opts.serverAddress, stop: async () => {} };
  const provisioned = await provisionTestServer({ log: opts.log });
  return startTimeSkippingServer({ ...provisioned, searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS });
}

/** Runs the simulation and reports its path; the test server, worker and systems are gone when it returns. */
export async function runSimulation(prepared: PreparedSimulation, opts: SimulationOptions): Promise<SimulationReport> {
  const [server, bundle] = await Promise.all([
    testServer(opts),
    opts.workflowBundle ? Promise.resolve(opts.workflowBundle) : simulationWorkflowCode(),
  ]);
  try {
    const systems = await openSimulationSystems(opts.config, server.address);
    const dataConverter = { failureConverterPath: FAILURE_CONVERTER_PATH };
    const [nativeConnection, connection] = await Promise.all([
      NativeConnection.connect({ address: server.address }),
      Connection.connect(withTestService(server.address)),
    ]);
    try {
      const worker = await Worker.create({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue: systems.config.TEMPORAL_TASK_QUEUE,
        workflowBundle: bundle,
        activities: systems.activities,
        dataConverter,
        // Simulated runs are not the team's: their KPIs (the kit's `kpis` sink) are dropped.
        sinks: { kpis: { record: { fn: () => undefined, callDuringReplay: false } } },
      });
      const client = new Client({ connection, namespace: 'default', dataConverter });
      const started = Date.now();
      const report = await worker.runUntil(playScenario(client, connection, systems.config, prepared, opts.wallClockLimitMs ?? 120_000));
      return {
        ...report,
        sent: { emails: systems.mail.messages().length, posts: systems.webhooks.received().length },
        wallClockMs: Date.now() - started,
      };
    } finally {
      await connection.close();
      await nativeConnection.close();
      await systems.close();
    }
  } finally {
    await server.stop();
  }
}

/** The longest single move of simulated time: the run's end is noticed within it. */
const MAX_SKIP_MS = 6 * 3_600_000;

/** Who the simulated person is: an admin, so that a question asked of a named person (an editor, an approver) takes the answer. */
const SIMULATED_PERSON: DecisionIdentity = { operator: 'simulation', role: 'admin', via: 'api' };

/** Placeholder outputs of the types a question asks for (a skipped step's outputs, a manual task's). */
function placeholderOutput(question: QuestionStatus): Record<string, string> | undefined {
  if (!question.requiredOutput.length) return undefined;
  const byType = { integer: '0', number: '0', decimal: '0.00', boolean: 'true', text: 'simulated' } as const;
  return Object.fromEntries(question.requiredOutput.map((key) => [key, byType[question.outputTypes?.[key] ?? 'text']]));
}

/** The run's status and its descendants' (a fan-out's items are the fan-out's children), each run found while it was open. */
async function statusesOf(client: Client, handle: WorkflowHandle, children: Set<string>): Promise<{ main: RunStatus; kids: RunStatus[] }> {
  const open = [handle.workflowId];
  while (open.length) {
    const description = await client.workflow
      .getHandle(open.pop()!)
      .describe()
      .catch(() => undefined);
    for (const child of description?.raw.pendingChildren ?? [])
      if (child.workflowId && !children.has(child.workflowId)) {
        children.add(child.workflowId);
        open.push(child.workflowId);
      }
  }
  const main = await getRunStatus(client, handle.workflowId);
  const kids = await Promise.all([...children].map((id) => getRunStatus(client, id).catch(() => undefined)));
  // A fan-out's own workflow answers no status query: only process runs are kept.
  return { main, kids: kids.filter((k): k is RunStatus => k !== undefined && Array.isArray(k.steps)) };
}

/** Plays the scenario against a started worker and returns the report (without what was sent and the wall-clock time). */
async function playScenario(
  client: Client,
  connection: Connection,
  config: OvertureConfig,
  prepared: PreparedSimulation,
  wallClockLimitMs: number,
): Promise<Omit<SimulationReport, 'sent' | 'wallClockMs'>> {
  const testService = connection.testService!;
  const now = async () => tsToMs((await testService.getCurrentTime({})).time);
  // A move of simulated time, cancelled (its RPC aborted) when the loop stops waiting for it.
  const skip = (ms: number, signal: AbortSignal) =>
    connection.withAbortSignal(signal, () => testService.unlockTimeSkippingWithSleep({ duration: msToTs(Math.max(1, Math.round(ms))) }));
  const deadline = Date.now() + wallClockLimitMs;
  const { definition, input, scenario } = prepared;

  const run = prepareRunStart(config, definition, input, { faults: scenario.faults });
  const handle = await client.workflow.start(run.workflowType, startOptionsOf(run, config));
  const t0 = await now();
  const horizon = t0 + scenario.horizonMs;
  const children = new Set<string>();
  const pendingEvents = [...prepared.events].sort((a, b) => a.afterMs - b.afterMs);
  /** Answers due, by question id: once a question is seen open, its answer is due `afterMs` after it was asked. */
  const due = new Map<string, { at: number; workflowId: string; question: QuestionStatus; decision: string }>();
  const answered = new Set<string>();
  const used = new Set<SimulatedAnswer>();
  const delivered: PathEntry[] = [];

  for (;;) {
    if (Date.now() > deadline)
      throw new SimulationTimeoutError(`the simulation took longer than ${Math.round(wallClockLimitMs / 1000)} s of wall-clock time`);
    const at = await now();
    const closed = (await handle.describe()).status.name !== 'RUNNING';
    const { main, kids } = await statusesOf(client, handle, children);
    if (closed || at >= horizon) {
      const report = finish(main, kids, closed, t0, Math.min(at, horizon), delivered);
      // A run left waiting would hold the test server's clock for the next simulation on it (its tasks go unpolled).
      if (!closed) await handle.terminate('the simulation reached its horizon');
      return report;
    }
    // Open questions an answer is given for (and none marked never to be answered).
    for (const status of [main, ...kids])
      for (const q of status.questions.filter((x) => x.open && !answered.has(x.id) && !due.has(x.id))) {
        const spec = scenario.answers.find((a) => a.question === q.id || a.question === q.step);
        if (spec) used.add(spec);
        if (spec)
          due.set(q.id, { at: Date.parse(q.openedAt) + spec.afterMs, workflowId: status.workflowId, question: q, decision: spec.decision });
      }
    const ready = [...due.entries()].filter(([, d]) => d.at <= at);
    const events = pendingEvents.filter((e) => t0 + e.afterMs <= at);
    for (const event of events) {
      pendingEvents.splice(pendingEvents.indexOf(event), 1);
      await handle.signal(eventSignal, { type: event.type, id: `simulated-${event.type}-${event.afterMs}`, data: event.data });
    }
    for (const [id, answer] of ready) {
      due.delete(id);
      answered.add(id);
      const outcome = await decide(client, answer.workflowId, answer.question, answer.decision);
      if (outcome) delivered.push({ atMs: at - t0, kind: 'decision', step: answer.question.step, detail: outcome });
    }
    if (ready.length || events.length) continue;
    // Simulated time moves to the next thing the scenario does, or to the horizon; while answers wait for questions
    // not yet asked, in steps no longer than the shortest such delay, so that each is given on time.
    const unseen = scenario.answers.filter((a) => !used.has(a));
    const step = unseen.length ? Math.max(Math.min(...unseen.map((a) => a.afterMs)), 15 * 60_000) : Infinity;
    const next = Math.min(
      horizon,
      at + Math.min(step, MAX_SKIP_MS),
      ...[...due.values()].map((d) => d.at),
      ...pendingEvents.map((e) => t0 + e.afterMs),
    );
    const moved = await skipUnlessClosed((signal) => skip(next - at, signal), handle, deadline);
    // A move cut short left the server's clock unlocked: locked again, as the move would have at its end.
    if (!moved) await testService.lockTimeSkipping({}).catch(() => undefined);
  }
}

/**
 * Waits for a move of simulated time, or for the run to close meanwhile: the test server (1.31) can keep its clock
 * held once a run with child runs has failed, and the move would then never end. Bounded by the wall-clock deadline.
 * True when the move ended.
 */
async function skipUnlessClosed(
  start: (signal: AbortSignal) => Promise<unknown>,
  handle: WorkflowHandle,
  deadline: number,
): Promise<boolean> {
  const abort = new AbortController();
  const move = start(abort.signal);
  // Settled once, either way: the move left behind when the run closes fails as the connection closes, unheard.
  const settled = move.then(
    () => 'moved',
    () => 'moved',
  );
  for (;;) {
    const polled = await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 250, 'poll'))]);
    if (polled === 'moved') return Boolean(await move);
    if ((await handle.describe()).status.name !== 'RUNNING' || Date.now() > deadline) {
      // The loop reports the run's end, or the time limit.
      abort.abort();
      await settled;
      return false;
    }
  }
}

/** Sends a simulated person's decision; a refusal is part of the path, not a failure of the simulation. */
async function decide(client: Client, workflowId: string, question: QuestionStatus, decision: string): Promise<string | undefined> {
  const output = placeholderOutput(question);
  const decisionId = decisionIdFor(question, decision);
  try {
    if (question.kind === 'escalation')
      await resolveEscalation(client, workflowId, {
        step: question.step,
        action: decision as 'retry' | 'skip' | 'abort',
        by: SIMULATED_PERSON.operator,
        identity: SIMULATED_PERSON,
        decisionId,
        ...(output ? { output } : {}),
      });
    else
      await answerQuestion(client, workflowId, {
        question: question.id,
        decision,
        by: SIMULATED_PERSON.operator,
        identity: SIMULATED_PERSON,
        decisionId,
        ...(output ? { output } : {}),
      });
    return undefined; // the run logs the decision itself, at its time
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    return `${decision} on ${question.id} refused: ${cause ?? (err instanceof Error ? err.message : String(err))}`;
  }
}

/** The report of a run that ended, or that still waits at the horizon. */
function finish(
  main: RunStatus,
  kids: RunStatus[],
  closed: boolean,
  t0: number,
  endAt: number,
  extra: PathEntry[],
): Omit<SimulationReport, 'sent' | 'wallClockMs'> {
  const startMs = Date.parse(main.startedAt) || t0;
  const endedAfterMs = closed && main.endedAt ? Date.parse(main.endedAt) - startMs : endAt - t0;
  const outcome = outcomeOf(main.state, closed);
  const path = sortPath([
    ...pathOf(main, startMs),
    ...kids.flatMap((k) =>
      pathOf(k, startMs, k.workflowId.startsWith(main.workflowId) ? k.workflowId.slice(main.workflowId.length + 1) : k.workflowId),
    ),
    ...extra,
  ]);
  const waitingFor = outcome === 'waiting' ? describeWait(main, kids) : undefined;
  path.push({
    atMs: endedAfterMs,
    kind: 'end',
    detail:
      outcome === 'waiting'
        ? `still ${main.state} at the horizon (+${formatOffset(endedAfterMs)}): waiting for ${waitingFor}`
        : `run ${main.state}`,
  });
  return {
    process: main.process,
    workflowId: main.workflowId,
    outcome,
    finalState: main.state,
    endedAfterMs,
    ...(waitingFor ? { waitingFor } : {}),
    path,
    steps: main.steps,
  };
}
