/** Every workflow the worker registers; the worker's `workflowsPath` points here. */
export { onboarding } from './onboarding';
