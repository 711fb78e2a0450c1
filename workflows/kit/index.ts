/**
 * The process kit: durable steps with policies, fallbacks and undo, questions to people with reminder
 * ladders, DAGs, fan-out/fan-in and event waits. It knows no process; each process is a thin definition on it.
 */
export { runProcess, ProcessRun, type RunRequest } from './process';
export { fanOut, fanOutProgressQuery, PROCESS_ABORTED, type FanOutSpec, type FanOutOutcome, type ItemFailurePolicy } from './fan-out';
export { eventSignal, type ProcessEvent } from './events';
export * from './messages';
export { systemResumedSignal } from './system-pause';
export * from './types';
export type { NoticeActivities } from './context';
export type { DagNode } from './dag';
export type { StepOptions, StepOutput } from './step';
export type { Undo } from './saga';
export type { ScheduledOutcome } from './scheduled-wait';
