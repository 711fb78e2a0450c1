/**
 * The month-end financial close: lock the period → (reconcile every entity, one child run each ‖ revalue
 * foreign currency) → post accruals → the controller's sign-off → publish the statements.
 *
 * Real effects on the general ledger; a rejection at sign-off (or an abort) unlocks the period and reverses
 * the accruals, never deleting an entry.
 */
import { runProcess } from '../kit';
import type { NoticeActivities } from '../kit';
import type { AccountingActivities } from '../../activities/financial-close/activities';
import { FINANCIAL_CLOSE, RECONCILE_ENTITY } from './shape';
import type { EntityReconciliation, FinancialCloseInput, FinancialCloseResult } from './types';

type Activities = AccountingActivities & NoticeActivities;

/** Entities reconciled at once: each reads the ledger and a bank statement. */
const RECONCILE_CONCURRENCY = 8;

/** Closes one period for the given entities, durably, with people where the books need them. */
export async function financialClose(input: FinancialCloseInput): Promise<FinancialCloseResult> {
  const { close, options } = input;
  const scope = { period: close.period, entities: close.entities };
  return runProcess({ shape: FINANCIAL_CLOSE, options, subject: close.period }, async (p) => {
    const erp = (step: string, summary: string) => p.activities<Activities>(step, summary);
    const undo = p.support<Activities>('Undo a close step');
    let reconciliations: EntityReconciliation[] = [];
    let rateSource = '';
    let statements: { trialBalancePath?: string; incomeStatementPath?: string } = {};

    await p.dag([
      {
        step: 'lockPeriod',
        run: () =>
          p.step('lockPeriod', () => erp('lockPeriod', `Lock ${close.period}`).lockPeriod({ ...scope, fault: p.fault('lockPeriod') }), {
            undo: { done: 'period unlocked', run: () => undo.unlockPeriod(scope) },
          }),
      },
      {
        step: 'reconcileEntities',
        run: async () => {
          const joined = await p.fanOut<string, EntityReconciliation>('reconcileEntities', {
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
      },
      {
        step: 'revalueForeignCurrency',
        run: async () => {
          const fx = await p.step<{ rateSetId?: string; source?: string; ratesPeriod?: string }>(
            'revalueForeignCurrency',
            () => erp('revalueForeignCurrency', 'Revalue foreign-currency cash').revalueForeignCurrency({ ...scope, fault: p.fault('revalueForeignCurrency') }),
            {
              cannotUndo: 'revaluation entries stay: they record the period rates, whatever happens to the close',
              fallback: {
                describe: 'revalue at the last published rates',
                run: async (reason) => {
                  const last = await p.support<Activities>('Revalue at the last published rates').revalueAtLastPublishedRates({ ...scope, reason });
                  p.log(`revalued at the last published rates (${last.ratesPeriod}), recorded as such`, 'revalueForeignCurrency', 'warn');
                  return last;
                },
              },
            },
          );
          rateSource = fx.source ?? 'unknown';
        },
      },
      {
        step: 'postAccruals',
        run: () =>
          p.step('postAccruals', () => erp('postAccruals', 'Post the accruals').postAccruals({ ...scope, fault: p.fault('postAccruals') }), {
            undo: { done: 'accruals reversed by reversing entries', run: () => undo.reverseAccruals(scope) },
          }),
      },
      {
        step: 'controllerSignOff',
        run: async () => {
          const adjusted = reconciliations.filter((r) => r.result === 'adjusted').map((r) => `${r.entity} (${r.adjustment})`);
          await p.approval('controllerSignOff', {
            subject: `the ${close.period} close`,
            approver: close.controllerEmail,
            details: [
              `Period ${close.period}, entities ${close.entities.join(', ')}.`,
              `Reconciled: ${reconciliations.length} of ${close.entities.length}${adjusted.length ? `; adjusted: ${adjusted.join(', ')}` : ''}.`,
              `Rates: ${rateSource}.`,
            ].join('\n'),
          });
          p.log('the controller signed off', 'controllerSignOff');
        },
      },
      {
        step: 'publishStatements',
        run: async () => {
          statements = await p.step('publishStatements', () =>
            erp('publishStatements', 'Publish the statements').publishStatements({ ...scope, controllerEmail: close.controllerEmail, fault: p.fault('publishStatements') }),
          );
        },
      },
    ]);

    return {
      state: 'completed',
      period: close.period,
      reconciliations,
      rateSource,
      trialBalancePath: statements.trialBalancePath,
      incomeStatementPath: statements.incomeStatementPath,
      skippedSteps: p.skippedSteps(),
    };
  });
}
