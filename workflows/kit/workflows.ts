/** The kit's own workflows, which every worker registers beside the processes': the fan-out window and the scheduled start. */
export { fanOut } from './fan-out';
export { scheduledStart } from './scheduled-start';
