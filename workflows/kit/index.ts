/**
 * The process kit: durable steps with policies, fallbacks and undo, questions to people with reminder
 * ladders, DAGs, fan-out/fan-in and event waits. It knows no process; each process is a thin definition on it.
 */
export { runProcess, type RunRequest } from './process';
export { ProcessRun, StepHandle, activitiesOf, type ActivitiesOf, type Ran, type StepOptions } from './process-run';
export { defineShape, type Shape, type StepName, type DeclaredOutputs, type Done } from './shape';
export { fanOut, fanOutProgressQuery, PROCESS_ABORTED, type FanOutSpec, type FanOutOutcome, type ItemFailurePolicy } from './fan-out';
export { eventSignal, type ProcessEvent } from './events';
export * from './messages';
export { systemResumedSignal } from './system-pause';
export * from './types';
export type { NoticeActivities } from './context';
export type { DagNodes, DagOutputs } from './dag';
export type { StepActivities } from './step-proxies';
export type { Undo } from './saga';
export type { ScheduledOutcome } from './scheduled-wait';
