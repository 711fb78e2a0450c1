/** The KPIs as tables for people (`overture kpis` without --json). */
import type { KpiOverview, ModeKpis, ProcessKpis } from './types';

/** A duration for people: 850ms, 12.3s, 4m 05s, 3h 20m, 2d 4h; a dash when not measured. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m ${String(Math.floor((ms % 60_000) / 1_000)).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

const percent = (rate: number) => `${Math.round(rate * 100)}%`;

/** Rows as columns padded to their widest cell, the first row a header. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

const window = (k: { since: string; until: string }) =>
  `${k.since.slice(0, 16).replace('T', ' ')} to ${k.until.slice(0, 16).replace('T', ' ')} UTC`;

/** Every process's runs and durations. */
export function formatOverview(overview: KpiOverview): string {
  if (overview.processes.length === 0) return `No runs from ${window(overview)}.`;
  const rows = overview.processes.map((p) => [
    p.process,
    String(p.started),
    String(p.completed),
    String(p.failed),
    String(p.aborted),
    formatDuration(p.durationP50Ms),
    formatDuration(p.durationP95Ms),
  ]);
  return `Runs from ${window(overview)}\n\n${table([['PROCESS', 'STARTED', 'COMPLETED', 'FAILED', 'ABORTED', 'P50', 'P95'], ...rows])}`;
}

const mode = (m: ModeKpis) => (m.runs === 0 ? '-' : `${m.runs} / ${formatDuration(m.medianMs)} / ${percent(m.errorRate)}`);

/** One process: runs, durations, each step, approvals, fan-out, and the days. */
export function formatProcessKpis(k: ProcessKpis): string {
  const lines = [
    `${k.process}: runs from ${window(k)}`,
    `Runs: ${k.runs.started} started, ${k.runs.completed} completed, ${k.runs.failed} failed, ${k.runs.aborted} aborted`,
    `Duration of completed runs: p50 ${formatDuration(k.duration.p50Ms)}, p95 ${formatDuration(k.duration.p95Ms)}`,
    `Approval latency: ${k.approvalLatency.count} decided, p50 ${formatDuration(k.approvalLatency.p50Ms)}, p95 ${formatDuration(k.approvalLatency.p95Ms)}`,
  ];
  if (k.fanOut.items > 0) lines.push(`Fan-out items: ${k.fanOut.items} run, ${k.fanOut.failed} failed (${percent(k.fanOut.failureRate)})`);
  if (k.steps.length > 0) {
    const rows = k.steps.map((s) => [
      s.step,
      String(s.runs),
      formatDuration(s.medianMs),
      formatDuration(s.p95Ms),
      `${formatDuration(s.personWaitMs.median)} (${percent(s.personWaitMs.share)})`,
      percent(s.escalationRate),
      percent(s.errorRate),
      mode(s.manual),
      mode(s.automated),
    ]);
    lines.push(
      '',
      'Steps (manual and automated: runs / median / errors)',
      table([['STEP', 'RUNS', 'MEDIAN', 'P95', 'PERSON WAIT (SHARE)', 'ESCALATED', 'ERRORS', 'MANUAL', 'AUTOMATED'], ...rows]),
    );
  }
  const days = k.runs.perDay.map((d, i) => [
    d.day,
    String(d.started),
    String(d.completed),
    String(d.failed),
    String(d.aborted),
    formatDuration(k.duration.perDay[i]?.p50Ms),
    formatDuration(k.duration.perDay[i]?.p95Ms),
  ]);
  lines.push('', 'Per day (UTC)', table([['DAY', 'STARTED', 'COMPLETED', 'FAILED', 'ABORTED', 'P50', 'P95'], ...days]));
  return lines.join('\n');
}
