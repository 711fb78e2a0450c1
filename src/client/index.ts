/**
 * Overture's client: start runs of any installed process, read where runs are, and carry people's decisions and
 * events to them. The CLI, the console, the event gateway, the benchmarks and the tests all go through here.
 */
export { connectClient } from './connect';
export { prepareRunStart, startOptionsOf, startProcess, type RunStart, type StartedRun, type StartOptions } from './start';
export { getRunStatus, NoWorkerError, type RunStatus } from './status';
export { listOpenQuestions, listQuery, listRuns, type ListFilters, type OpenQuestion, type RunSummary } from './list';
export {
  answerQuestion,
  decideApproval,
  decisionIdFor,
  escalationDecisionId,
  injectFault,
  questionFor,
  reschedule,
  resolveEscalation,
} from './decisions';
export { deliverEvent, NoOpenRunError, prepareEventDelivery, sendEvent, type DeliveredEvent, type EventDelivery } from './events';
