/**
 * The shape of a month-end financial close, and of the per-entity reconciliation each close fans out to.
 */
import type { ProcessShape } from '../kit/types';

export const FINANCIAL_CLOSE: ProcessShape = {
  name: 'financial-close',
  title: 'Month-end financial close',
  steps: [
    { name: 'lockPeriod', title: 'Lock the period against postings', needs: [], kind: 'activity' },
    { name: 'reconcileEntities', title: 'Reconcile each entity with its bank (one child run per entity)', needs: ['lockPeriod'], kind: 'fan-out' },
    { name: 'revalueForeignCurrency', title: 'Revalue foreign-currency cash at the period rates', needs: ['lockPeriod'], kind: 'activity' },
    { name: 'postAccruals', title: 'Post the period accruals', needs: ['reconcileEntities', 'revalueForeignCurrency'], kind: 'activity' },
    { name: 'controllerSignOff', title: "The controller's sign-off", needs: ['postAccruals'], kind: 'approval' },
    { name: 'publishStatements', title: 'Publish the trial balance and income statement', needs: ['controllerSignOff'], kind: 'activity' },
  ],
};

export const RECONCILE_ENTITY: ProcessShape = {
  name: 'reconcile-entity',
  title: "Reconcile one entity's cash with its bank statement",
  steps: [
    { name: 'reconcile', title: 'Compare ledger cash with the bank statement', needs: [], kind: 'activity' },
    { name: 'postAdjustment', title: "Post the person's adjustment (when one was entered)", needs: ['reconcile'], kind: 'activity', optional: true },
  ],
};
