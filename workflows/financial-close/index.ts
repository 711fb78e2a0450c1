/** The financial close's workflows, for the worker's bundle: the close and its per-entity reconciliation. */
export { financialClose } from './workflow';
export { reconcileEntity } from './reconcile-entity';
