/**
 * One entity's reconciliation, a child run of the close: compare its ledger cash with its bank statement.
 * A difference beyond tolerance escalates this entity alone; the person enters an adjustment (skip with
 * output), retries after fixing the data, or aborts the whole close.
 */
import { activitiesOf, runProcess, type NoticeActivities } from '../kit';
import type { AccountingActivities } from '../../activities/financial-close/activities';
import { RECONCILE_ENTITY } from './shape';
import type { EntityReconciliation, ReconcileEntityInput } from './types';

/** Reconciles one entity's cash for the period; the fan-out of the close runs one per entity. */
export async function reconcileEntity(input: ReconcileEntityInput): Promise<EntityReconciliation> {
  const { period, item: entity, options } = input;
  const request = {
    shape: RECONCILE_ENTITY,
    options,
    activities: activitiesOf<AccountingActivities & NoticeActivities>(),
    subject: `${entity} ${period}`,
  };
  return runProcess(request, async (p) => {
    const done = await p.dag({
      reconcile: (step) => step.run((a) => a.reconcileEntity({ period, entity, toleranceCents: input.toleranceCents })),
      postAdjustment: {
        when: { holds: ({ reconcile }) => reconcile.adjustment !== undefined, otherwise: 'the entity matched its bank statement' },
        run: async (step, { reconcile }) => {
          const amount = reconcile.adjustment!;
          const memo = reconcile.memo ?? 'reconciliation adjustment entered by a person';
          const posted = await step.run(
            async (a) => ({ output: await a.postReconciliationAdjustment({ period, entity, amount, memo }), attempt: 1 }),
            {
              summary: "Post the person's reconciliation adjustment",
            },
          );
          step.log(`adjustment of ${amount} posted for ${entity} (entry ${posted.entryId ?? '?'})`);
        },
      },
    });
    const { reconcile } = done;
    if (reconcile.adjustment !== undefined) return { entity, result: 'adjusted', adjustment: reconcile.adjustment };
    return { entity, result: 'matched', difference: reconcile.difference };
  });
}
