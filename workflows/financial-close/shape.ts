/**
 * The shape of a month-end financial close, and of the per-entity reconciliation each close fans out to.
 */
import { defineShape } from '../kit/shape';

export const FINANCIAL_CLOSE = defineShape({
  name: 'financial-close',
  title: 'Month-end financial close',
  steps: {
    lockPeriod: { title: 'Lock the period against postings', kind: 'activity' },
    reconcileEntities: { title: 'Reconcile each entity with its bank (one child run per entity)', needs: ['lockPeriod'], kind: 'fan-out' },
    revalueForeignCurrency: {
      title: 'Revalue foreign-currency cash at the period rates',
      needs: ['lockPeriod'],
      kind: 'activity',
      outputs: { source: 'text?' },
    },
    postAccruals: { title: 'Post the period accruals', needs: ['reconcileEntities', 'revalueForeignCurrency'], kind: 'activity' },
    controllerSignOff: { title: "The controller's sign-off", needs: ['postAccruals'], kind: 'approval' },
    publishStatements: {
      title: 'Publish the trial balance and income statement',
      needs: ['controllerSignOff'],
      kind: 'activity',
      outputs: { trialBalancePath: 'text?', incomeStatementPath: 'text?' },
    },
  },
});

export const RECONCILE_ENTITY = defineShape({
  name: 'reconcile-entity',
  title: "Reconcile one entity's cash with its bank statement",
  steps: {
    reconcile: {
      title: 'Compare ledger cash with the bank statement',
      kind: 'activity',
      // Matched, it hands on the difference; when it does not match, the person who skips it enters the adjustment.
      outputs: { difference: 'decimal?', adjustment: 'decimal?', memo: 'text?' },
      skipRequires: ['adjustment'],
    },
    postAdjustment: {
      title: "Post the person's adjustment (when one was entered)",
      needs: ['reconcile'],
      kind: 'activity',
      optional: true,
      outputs: { entryId: 'text?' },
    },
  },
});
