/**
 * The console's gauges, computed at scrape time: what waits for a person, the runs in flight, and the systems'
 * health. From Temporal's visibility (search attributes, see workflows/kit/search-attributes.ts) and the
 * system-health store, never from a run's status query: the work per scrape is bounded by the number of processes
 * and of runs waiting (one list page per 1,000 of them, at most {@link MAX_WAITING_SCANNED}), and the result is
 * kept {@link CENSUS_TTL_MS} so that several scrapers, or several gauges of one scrape, cost one census.
 *
 * A run's kind of question is read from its state, which the run tracker derives from its open questions
 * (workflows/kit/run-tracker.ts): an escalation first, then an approval, then a task or a process's own question
 * ("input"). A run counts once, under the first kind it waits on; its age is that of its oldest open question.
 */
import type { Client } from '@temporalio/client';
import { Gauge, type Registry } from 'prom-client';
import type { OvertureConfig } from '../../config/platform';
import { ConfigError } from '../../config/platform';
import { PROCESSES } from '../../registry';
import type { SystemHealthRecords } from '../../stores/system-health/sqlite-health';
import { NEEDS_ATTENTION, PROCESS, RUN_STATE, WAITING_SINCE } from '../../../workflows/kit/search-attributes';
import { SYSTEM_NAMES } from '../../../workflows/kit/vocabulary';
import { runTimeBudgetSeconds } from './settings';

/** The names of the console's gauges, as its metrics endpoint shows them. */
export const CENSUS_METRICS = {
  questionsOpen: 'overture_questions_open',
  questionOldestAge: 'overture_question_oldest_age_seconds',
  questionLadder: 'overture_question_ladder_seconds',
  runsInFlight: 'overture_runs_in_flight',
  runsOverBudget: 'overture_runs_over_budget',
  runTimeBudget: 'overture_run_time_budget_seconds',
  systemDegraded: 'overture_system_degraded',
  systemPaused: 'overture_system_paused',
  censusUp: 'overture_census_up',
  censusTruncated: 'overture_census_truncated',
} as const;

/** How long a census is reused: below Prometheus's usual 15 s interval, so each scrape sees a fresh one. */
export const CENSUS_TTL_MS = 10_000;
/** Beyond this many runs waiting, the question gauges count the first ones found and say so ({@link CENSUS_METRICS}.censusTruncated). */
export const MAX_WAITING_SCANNED = 50_000;
const PAGE_SIZE = 1_000;
const HOUR_S = 3_600;

/** The kind of question a waiting run's state says it waits on. */
const KIND_OF_STATE: Readonly<Record<string, QuestionKindLabel>> = {
  needs_attention: 'escalation',
  awaiting_approval: 'approval',
  awaiting_input: 'input',
};
/** escalation, approval, or input (a manual task or a process's own question). */
export type QuestionKindLabel = 'escalation' | 'approval' | 'input';
const KINDS: readonly QuestionKindLabel[] = ['escalation', 'approval', 'input'];

/** One census: counts by (process, kind), the oldest wait, runs in flight and over budget, and each system's state. */
export interface Census {
  questions: Array<{ process: string; kind: QuestionKindLabel; open: number; oldestAgeSeconds: number }>;
  truncated: boolean;
  runs: Array<{ process: string; inFlight: number; overBudget: number }>;
  systems: Array<{ system: string; degraded: boolean; paused: boolean }>;
}

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The seconds each kind's ladder gives a person before it acts alone (or, for tasks and keep-waiting questions, only says so). */
export function ladderSeconds(config: Pick<OvertureConfig, 'ESCALATION_AUTO_ACTION_HOURS' | 'APPROVAL_TIMEOUT_HOURS'>) {
  // Tasks and a process's own questions climb the approval ladder (workflows/kit/questions.ts).
  return {
    escalation: config.ESCALATION_AUTO_ACTION_HOURS * HOUR_S,
    approval: config.APPROVAL_TIMEOUT_HOURS * HOUR_S,
    input: config.APPROVAL_TIMEOUT_HOURS * HOUR_S,
  } satisfies Record<QuestionKindLabel, number>;
}

/** Refuses (ConfigError) a RUN_TIME_BUDGETS that names a process this installation does not have. */
export function checkRunTimeBudgets(config: Pick<OvertureConfig, 'RUN_TIME_BUDGETS'>, processes: readonly string[]): void {
  const unknown = Object.keys(config.RUN_TIME_BUDGETS).filter((p) => !processes.includes(p));
  if (unknown.length)
    throw new ConfigError(
      `invalid configuration:\n  RUN_TIME_BUDGETS: no installed process is named ${unknown.join(', ')} (installed: ${processes.join(', ')})`,
    );
}

/** What a census reads: Temporal's visibility, the systems' records, and the clock. */
export interface CensusSources {
  client: Client;
  config: OvertureConfig;
  systems: SystemHealthRecords;
  now?: () => number;
}

/** Takes one census: one list of the runs waiting, two counts per process with runs, one read per system. */
export async function takeCensus({ client, config, systems, now = Date.now }: CensusSources): Promise<Census> {
  const processes = PROCESSES.map((p) => p.shape.name);
  const scope = `TaskQueue = ${quote(config.TEMPORAL_TASK_QUEUE)}`;
  const at = now();

  const questions = new Map<string, Census['questions'][number]>();
  let scanned = 0;
  const waiting =
    `${PROCESS.name} IN (${processes.map(quote).join(', ')}) AND ${NEEDS_ATTENTION.name} = true ` +
    `AND ExecutionStatus = 'Running' AND ${scope}`;
  for await (const run of client.workflow.list({ query: waiting, pageSize: PAGE_SIZE })) {
    if (++scanned > MAX_WAITING_SCANNED) break;
    const attrs = run.typedSearchAttributes;
    const kind = KIND_OF_STATE[attrs.get(RUN_STATE) ?? ''];
    const process = attrs.get(PROCESS);
    if (!kind || !process) continue;
    const since = attrs.get(WAITING_SINCE)?.getTime() ?? run.startTime.getTime();
    const key = `${process}\u0000${kind}`;
    const entry = questions.get(key) ?? { process, kind, open: 0, oldestAgeSeconds: 0 };
    entry.open += 1;
    entry.oldestAgeSeconds = Math.max(entry.oldestAgeSeconds, Math.max(0, (at - since) / 1000));
    questions.set(key, entry);
  }

  const runs: Census['runs'] = [];
  // One after another: visibility calls are rate limited per namespace (10 a second by default).
  for (const process of processes) {
    const inFlightQuery = `${PROCESS.name} = ${quote(process)} AND ExecutionStatus = 'Running' AND ${scope}`;
    const inFlight = (await client.workflow.count(inFlightQuery)).count;
    const budgetStart = new Date(at - runTimeBudgetSeconds(config, process) * 1000).toISOString();
    const overBudget = inFlight === 0 ? 0 : (await client.workflow.count(`${inFlightQuery} AND StartTime < ${quote(budgetStart)}`)).count;
    runs.push({ process, inFlight, overBudget });
  }

  const systemStates = await Promise.all(
    SYSTEM_NAMES.map(async (system) => {
      const [outage, pause] = await Promise.all([systems.currentOutage(system), systems.pauseOf(system)]);
      // Degraded as the operators are told: an outage alerted, or old enough to be (docs/operating.md, "Outages of a downstream system").
      const degraded = outage !== undefined && (outage.alertedAt !== undefined || at - outage.startedAt >= config.OUTAGE_ALERT_AFTER_MS);
      return { system, degraded, paused: pause !== undefined };
    }),
  );
  return { questions: [...questions.values()], truncated: scanned > MAX_WAITING_SCANNED, runs, systems: systemStates };
}

/** A census reused for `ttlMs`; concurrent callers share the one being taken. */
export function cachedCensus(take: () => Promise<Census>, ttlMs = CENSUS_TTL_MS, now: () => number = Date.now): () => Promise<Census> {
  let last: { at: number; census: Promise<Census> } | undefined;
  return () => {
    if (last && now() - last.at < ttlMs) return last.census;
    const census = take();
    last = { at: now(), census };
    // A failed census is not kept: the next scrape tries again.
    census.catch(() => {
      if (last?.census === census) last = undefined;
    });
    return census;
  };
}

/**
 * Registers the census gauges on the console's registry. A census that fails (Temporal unreachable) leaves its
 * gauges empty and `overture_census_up` 0, rather than failing the whole scrape: the request metrics still come.
 */
export function registerCensusGauges(registry: Registry, config: OvertureConfig, census: () => Promise<Census>): void {
  const processes = PROCESSES.map((p) => p.shape.name);
  let current: Promise<Census | undefined> | undefined;
  // Every gauge's collect of one scrape asks at about the same time: they share one attempt.
  const latest = () => {
    current ??= census()
      .catch(() => undefined)
      .finally(() => setImmediate(() => (current = undefined)));
    return current;
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>, c: Census) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        const c = await latest();
        if (c) fill(this, c);
      },
    });

  gauge(
    CENSUS_METRICS.questionsOpen,
    'Runs waiting for a person, by process and the kind of question they wait on',
    ['process', 'kind'],
    (g, c) => {
      for (const q of c.questions) g.set({ process: q.process, kind: q.kind }, q.open);
    },
  );
  gauge(
    CENSUS_METRICS.questionOldestAge,
    'Age of the oldest open question, by process and kind, in seconds',
    ['process', 'kind'],
    (g, c) => {
      for (const q of c.questions) g.set({ process: q.process, kind: q.kind }, q.oldestAgeSeconds);
    },
  );
  gauge(CENSUS_METRICS.runsInFlight, 'Runs started and not ended, by process', ['process'], (g, c) => {
    for (const r of c.runs) g.set({ process: r.process }, r.inFlight);
  });
  gauge(CENSUS_METRICS.runsOverBudget, "Runs in flight for longer than their process's time budget", ['process'], (g, c) => {
    for (const r of c.runs) g.set({ process: r.process }, r.overBudget);
  });
  gauge(
    CENSUS_METRICS.systemDegraded,
    'Whether a downstream system is degraded (an outage the operators are alerted to)',
    ['system'],
    (g, c) => {
      for (const s of c.systems) g.set({ system: s.system }, s.degraded ? 1 : 0);
    },
  );
  gauge(CENSUS_METRICS.systemPaused, 'Whether an operator paused a downstream system', ['system'], (g, c) => {
    for (const s of c.systems) g.set({ system: s.system }, s.paused ? 1 : 0);
  });
  gauge(CENSUS_METRICS.censusTruncated, `Whether more runs wait than the census reads (${MAX_WAITING_SCANNED})`, [], (g, c) =>
    g.set(c.truncated ? 1 : 0),
  );
  new Gauge({
    name: CENSUS_METRICS.censusUp,
    help: 'Whether the last census of runs and systems succeeded (0: Temporal or the system-health store did not answer)',
    registers: [registry],
    async collect() {
      this.set((await latest()) ? 1 : 0);
    },
  });

  // Configuration, for the alert rules to compare with: constant for the life of the process.
  const ladder = new Gauge({
    name: CENSUS_METRICS.questionLadder,
    help: "Seconds a kind of question's ladder gives a person before it acts alone (or says it still waits)",
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const ladders = ladderSeconds(config);
  for (const kind of KINDS) ladder.set({ kind }, ladders[kind]);
  const budget = new Gauge({
    name: CENSUS_METRICS.runTimeBudget,
    help: "A process's time budget in seconds (RUN_TIME_BUDGET_HOURS, RUN_TIME_BUDGETS)",
    labelNames: ['process'] as const,
    registers: [registry],
  });
  for (const process of processes) budget.set({ process }, runTimeBudgetSeconds(config, process));
}
