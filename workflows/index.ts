/** Every workflow the worker registers; the worker's `workflowsPath` points here. */
export { onboarding } from './onboarding/workflow';
export { financialClose } from './financial-close/workflow';
export { reconcileEntity } from './financial-close/reconcile-entity';
export { fanOut } from './kit/fan-out';
