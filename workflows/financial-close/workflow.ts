/**
 * The month-end financial close: lock the period → (reconcile every entity, one child run each ‖ revalue
 * foreign currency) → post accruals → the controller's sign-off → publish the statements.
 *
 * Real effects on the general ledger; a rejection at sign-off (or an abort) unlocks the period and reverses
 * the accruals, never deleting an entry.
 */
import { activitiesOf, runProcess, type NoticeActivities } from '../kit';
import type { AccountingActivities } from '../../activities/financial-close/activities';
import { FINANCIAL_CLOSE, RECONCILE_ENTITY } from './shape';
import type { EntityReconciliation, FinancialCloseInput, FinancialCloseResult } from './types';

/** Entities reconciled at once: each reads the ledger and a bank statement. */
const RECONCILE_CONCURRENCY = 8;

/** Closes one period for the given entities, durably, with people where the books need them. */
export async function financialClose(input: FinancialCloseInput): Promise<FinancialCloseResult> {
  const { close, options } = input;
  const scope = { period: close.period, entities: close.entities };
  const request = {
    shape: FINANCIAL_CLOSE,
    options,
    activities: activitiesOf<AccountingActivities & NoticeActivities>(),
    subject: close.period,
  };
  return runProcess(request, async (p) => {
    let reconciliations: EntityReconciliation[] = [];

    const done = await p.dag({
      lockPeriod: (step) => step.run((a) => a.lockPeriod(scope), { undo: { done: 'period unlocked', run: (a) => a.unlockPeriod(scope) } }),
      reconcileEntities: async (step) => {
        const joined = await step.fanOut<string, EntityReconciliation>({
          workflowType: 'reconcileEntity',
          itemProcess: RECONCILE_ENTITY.name,
          items: close.entities,
          key: (entity) => entity,
          common: { period: close.period, toleranceCents: close.toleranceCents, options },
          maxConcurrent: RECONCILE_CONCURRENCY,
          // The books cannot close with an entity unreconciled: one failure stops the rest, and a person decides.
          onItemFailure: 'stop',
        });
        reconciliations = joined.results.map((r) => r.result);
      },
      revalueForeignCurrency: (step) =>
        step.run((a) => a.revalueForeignCurrency(scope), {
          cannotUndo: 'revaluation entries stay: they record the period rates, whatever happens to the close',
          fallback: {
            describe: 'revalue at the last published rates',
            run: async (reason, a) => {
              const last = await a.revalueAtLastPublishedRates({ ...scope, reason });
              step.log(`revalued at the last published rates (${last.ratesPeriod}), recorded as such`, 'warn');
              return last;
            },
          },
        }),
      postAccruals: (step) =>
        step.run((a) => a.postAccruals(scope), {
          undo: { done: 'accruals reversed by reversing entries', run: (a) => a.reverseAccruals(scope) },
        }),
      controllerSignOff: async (step, done) => {
        const adjusted = reconciliations.filter((r) => r.result === 'adjusted').map((r) => `${r.entity} (${r.adjustment})`);
        await step.approval({
          subject: `the ${close.period} close`,
          approver: close.controllerEmail,
          details: [
            `Period ${close.period}, entities ${close.entities.join(', ')}.`,
            `Reconciled: ${reconciliations.length} of ${close.entities.length}${adjusted.length ? `; adjusted: ${adjusted.join(', ')}` : ''}.`,
            `Rates: ${done.revalueForeignCurrency.source ?? 'unknown'}.`,
          ].join('\n'),
        });
        step.log('the controller signed off');
      },
      publishStatements: (step) => step.run((a) => a.publishStatements({ ...scope, controllerEmail: close.controllerEmail })),
    });

    return {
      state: 'completed',
      period: close.period,
      reconciliations,
      rateSource: done.revalueForeignCurrency.source ?? 'unknown',
      trialBalancePath: done.publishStatements.trialBalancePath,
      incomeStatementPath: done.publishStatements.incomeStatementPath,
      skippedSteps: p.skippedSteps(),
    };
  });
}
