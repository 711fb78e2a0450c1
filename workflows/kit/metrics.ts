/**
 * Overture's own metrics from workflow code, through the SDK's workflow metric meter: they leave through the
 * worker runtime's exporter (the Prometheus endpoint of METRICS_PORT) beside the SDK's, and nothing is emitted
 * when a run is replayed (the meter skips replay), so a run counts once however often it is replayed.
 * Without a configured exporter the meter records nothing.
 */
import { metricMeter } from '@temporalio/workflow';

/** The names of Overture's metrics, as the Prometheus endpoint shows them. */
export const OVERTURE_METRICS = {
  runsStarted: 'overture_runs_started',
  runsEnded: 'overture_runs_ended',
  escalations: 'overture_escalations',
  personWait: 'overture_person_wait_seconds',
  stepAttemptFailures: 'overture_step_attempt_failures',
  // Counted by the worker's activity interceptor (src/temporal/observability/step-failures.ts), beside the failures: the failure rate's denominator.
  stepAttempts: 'overture_step_attempts',
} as const;

/** Counts a run that started, by process. */
export function countRunStarted(process: string): void {
  metricMeter.createCounter(OVERTURE_METRICS.runsStarted, 'runs', 'Process runs started').add(1, { process });
}

/** Counts a run that ended, by process and outcome (completed, failed, aborted, rejected, compensation_failed). */
export function countRunEnded(process: string, outcome: string): void {
  metricMeter.createCounter(OVERTURE_METRICS.runsEnded, 'runs', 'Process runs ended, by outcome').add(1, { process, outcome });
}

/** Counts a step handed to a person after it failed, by process and step. */
export function countEscalation(process: string, step: string): void {
  metricMeter.createCounter(OVERTURE_METRICS.escalations, 'escalations', 'Failed steps handed to a person').add(1, { process, step });
}

/** Records how long a run waited for a person's answer (workflow time), by process and kind of question. */
export function recordPersonWait(process: string, kind: string, seconds: number): void {
  metricMeter
    .createHistogram(OVERTURE_METRICS.personWait, 'float', 's', 'Time a run waited for a person to answer')
    .record(Math.max(0, seconds), { process, kind });
}
