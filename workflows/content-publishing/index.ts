/** Content publishing's workflows, for the worker's bundle. */
export { contentPublishing } from './workflow';
