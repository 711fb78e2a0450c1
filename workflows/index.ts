/** Every workflow the worker registers; the worker's `workflowsPath` points here. */
export { onboarding } from './onboarding/workflow';
export { financialClose } from './financial-close/workflow';
export { reconcileEntity } from './financial-close/reconcile-entity';
export { fanOut } from './kit/fan-out';
export { scheduledStart } from './kit/scheduled-start';
export { dataPipeline } from './data-pipeline/workflow';
export { transformPartition } from './data-pipeline/transform-partition';
export { pipelineBackfill } from './data-pipeline/backfill';
export { contentPublishing } from './content-publishing/workflow';
