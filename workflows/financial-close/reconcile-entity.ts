/**
 * One entity's reconciliation, a child run of the close: compare its ledger cash with its bank statement.
 * A difference beyond tolerance escalates this entity alone; the person enters an adjustment (skip with
 * output), retries after fixing the data, or aborts the whole close.
 */
import { runProcess } from '../kit';
import type { NoticeActivities } from '../kit';
import type { AccountingActivities } from '../../activities/financial-close/activities';
import { RECONCILE_ENTITY } from './shape';
import type { EntityReconciliation, ReconcileEntityInput } from './types';

type Activities = AccountingActivities & NoticeActivities;

/** Reconciles one entity's cash for the period; the fan-out of the close runs one per entity. */
export async function reconcileEntity(input: ReconcileEntityInput): Promise<EntityReconciliation> {
  const { period, item: entity, options } = input;
  return runProcess({ shape: RECONCILE_ENTITY, options, subject: `${entity} ${period}` }, async (p) => {
    let reconciliation: EntityReconciliation = { entity, result: 'matched' };
    let adjustment: { amount: string; memo: string } | undefined;
    await p.dag([
      {
        step: 'reconcile',
        run: async () => {
          const compared = await p.step<{ difference?: string; adjustment?: string; memo?: string }, 'adjustment'>(
            'reconcile',
            () =>
              p
                .activities<Activities>('reconcile', 'Compare ledger cash with the bank statement')
                .reconcileEntity({ period, entity, toleranceCents: input.toleranceCents, fault: p.fault('reconcile') }),
            { outputs: ['adjustment'] },
          );
          if (compared.adjustment !== undefined) adjustment = { amount: compared.adjustment, memo: compared.memo ?? 'reconciliation adjustment entered by a person' };
          else reconciliation = { entity, result: 'matched', difference: compared.difference };
        },
      },
      {
        step: 'postAdjustment',
        when: { holds: () => adjustment !== undefined, otherwise: 'the entity matched its bank statement' },
        run: async () => {
          const entered = adjustment!;
          const posted = await p.step('postAdjustment', async () => ({
            output: await p
              .activities<Activities>('postAdjustment', "Post the person's reconciliation adjustment")
              .postReconciliationAdjustment({ period, entity, amount: entered.amount, memo: entered.memo }),
            attempt: 1,
          }));
          p.log(`adjustment of ${entered.amount} posted for ${entity} (entry ${posted.entryId ?? '?'})`, 'postAdjustment');
          reconciliation = { entity, result: 'adjusted', adjustment: entered.amount };
        },
      },
    ]);
    return reconciliation;
  });
}
