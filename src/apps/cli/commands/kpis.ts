/**
 * `overture kpis [PROCESS] [--since 7d] [--json]`: how processes perform, from the KPI projection the workers keep
 * (KPIS_URL, else this host's kpis.db): every process's runs and durations, or one process's in full — per day, per
 * step (time, the wait for people, escalations, errors, manual against automated), approvals and fan-out items.
 */
import { parseArgs } from 'node:util';
import { UsageError, type Io } from '../io';
import { printJson, type CliCommand, type CliEnv } from '../command';
import { openKpiStore } from '../../../stores/kpis/open';
import { kpiOverview, processKpis } from '../../../kpis/aggregate';
import { formatOverview, formatProcessKpis } from '../../../kpis/format';
import { isInstalled, stepOrderOf } from '../../../kpis/steps-of';
import { DEFAULT_SINCE, parseSince } from '../../../kpis/window';

const KPIS_USAGE = `usage: overture kpis [PROCESS] [--since 7d] [--json]

  Without PROCESS: every process's runs (started, completed, failed, aborted) and the p50/p95 duration of its
  completed runs. With PROCESS: those per day, and per step its median and p95 time, how much of it waited for a
  person, its escalation and error rates, and manual against automated (runs, median, error rate); the approvals'
  latency and the fan-out items that failed. Read from the KPI projection the workers keep (KPIS_URL, else
  kpis.db in OVERTURE_DATA_DIR).

  --since WHEN   the window: 30m, 24h, 7d, 2w, or a date (2026-12-01), up to now (default ${DEFAULT_SINCE})
  --json         without PROCESS: {since, until, processes: [{process, started, completed, failed, aborted, durationP50Ms?, durationP95Ms?}]}
                 with PROCESS: {process, since, until, runs: {started, completed, failed, aborted, perDay: [{day, ...}]},
                   duration: {p50Ms?, p95Ms?, perDay: [{day, p50Ms?, p95Ms?}]}, steps: [{step, runs, medianMs?, p95Ms?,
                   personWaitMs: {median?, p95?, share}, escalationRate, errorRate, manual: {runs, medianMs?, errorRate},
                   automated: {...}}], approvalLatency: {count, p50Ms?, p95Ms?}, fanOut: {items, failed, failureRate}}
                 Durations in milliseconds, rates from 0 to 1, days in UTC; a percentile is absent when nothing was measured.`;

/** Runs `overture kpis ...`; returns the exit code. */
async function kpis(args: string[], io: Io, env: CliEnv): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { since: { type: 'string' }, json: { type: 'boolean' } } });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${KPIS_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`name at most one process\n${KPIS_USAGE}`);
  let window;
  try {
    window = parseSince(values.since);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const process = positionals[0];
  const store = await openKpiStore(env.config());
  try {
    if (process === undefined) {
      const overview = await kpiOverview(store, window);
      if (values.json) printJson(io, overview);
      else io.stdout(formatOverview(overview));
      return 0;
    }
    const result = await processKpis(store, process, window, stepOrderOf(process));
    // A typo would show zeros: a process neither installed nor with runs is a usage mistake.
    if (!isInstalled(process) && result.runs.started === 0 && result.steps.length === 0)
      throw new UsageError(`no process ${JSON.stringify(process)} is installed, and the KPIs hold no runs of it`);
    if (values.json) printJson(io, result);
    else io.stdout(formatProcessKpis(result));
    return 0;
  } finally {
    await store.close();
  }
}

/** `overture kpis`. */
export const command: CliCommand = {
  name: 'kpis',
  summary: 'how processes perform: runs, durations, steps, approvals',
  usage: KPIS_USAGE,
  options: ['since=', 'json'],
  args: ['process'],
  run: kpis,
};
