/** The data pipeline's workflows, for the worker's bundle: a batch, a partition's transform, a backfill. */
export { dataPipeline } from './workflow';
export { transformPartition } from './transform-partition';
export { pipelineBackfill } from './backfill';
