/**
 * Activities of the month-end financial close against the general ledger, the banks' statement exports, the
 * exchange-rate publisher, and the controller's mailbox.
 *
 * Ledger writes are keyed on the business (period and entity), not on the run: a second close of the same
 * month finds the first one's entries instead of doubling them.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Transporter } from 'nodemailer';
import { closingBalance, statementPath } from './bank-statement';
import { CASH_ACCOUNT, periodEnd, RECONCILIATION_SUSPENSE_ACCOUNT, type GeneralLedger, type RateSet } from './general-ledger';
import { formatCents, toCents } from './money';
import { describeSource, fetchPublishedRates } from './rates-source';
import { incomeStatementHtml, trialBalanceCsv } from './statements';
import type { DeliveryLedger } from '../../src/stores/delivery-ledger/sqlite-ledger';
import { attemptDeliveryOptions } from '../kit/delivery-attempt';
import { PermanentError, TransientError } from '../kit/errors';
import { classified } from '../kit/classified';
import { classifySmtpError, messageIdFor } from '../kit/mail';
import { stepActivity, idempotencyKey } from '../kit/step-attempt';
import { deliverGuarded, type SystemGuard } from '../kit/system-guard';

/** The systems the close works against; the worker builds them from its configuration. */
export interface AccountingDependencies {
  ledger: GeneralLedger;
  /** Holds `<entity>-<period>.csv` per entity and month. */
  bankStatementsDir: string;
  /** The month's rates: a JSON file path or an http(s) URL. */
  ratesSource: string;
  /** Statements are written to `<statementsDir>/<period>/`. */
  statementsDir: string;
  email: { transport: Transporter; from: string; deliveries: DeliveryLedger; guard?: SystemGuard };
  ratesTimeoutMs?: number;
}

interface PeriodInput {
  period: string;
  entities: string[];
}

/** Writes through a temporary file, so a crash mid-write never leaves a half statement where the old one was. */
async function writeAtomically(file: string, content: string): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, content, 'utf8');
  await rename(partial, file);
}

/** Accounting activities bound to a general ledger (SQLite by default), the statement and rate sources, and SMTP. */
export function createAccountingActivities(deps: AccountingDependencies) {
  const { ledger } = deps;

  /** Revalues each entity's foreign-currency cash; returns how many entities carry a revaluation entry. */
  async function revalueAll(period: string, entities: string[], rateSet: RateSet): Promise<number> {
    let revalued = 0;
    for (const entity of entities) if (await ledger.revalueForeignCash(period, entity, rateSet)) revalued++;
    return revalued;
  }

  return {
    lockPeriod: stepActivity(async (input: PeriodInput) => {
      await ledger.lockPeriod(input.period, input.entities);
      // All of them, not only those this attempt changed: a retry after a lost reply reports the same thing.
      return { lockedEntities: input.entities.join(',') };
    }),

    /** Undo of lockPeriod: reopens the period for ordinary postings. */
    async unlockPeriod(input: PeriodInput) {
      return classified(async () => {
        await ledger.unlockPeriod(input.period, input.entities);
        return { unlocked: input.entities.join(',') };
      });
    },

    reconcileEntity: stepActivity(async (input: { period: string; entity: string; toleranceCents: number }) => {
      const { entity, period, toleranceCents } = input;
      if (!Number.isSafeInteger(toleranceCents) || toleranceCents < 0)
        throw new PermanentError('toleranceCents must be a whole number of cents, 0 or more');
      const { currency } = await ledger.entity(entity);
      const bankBalance = await closingBalance(statementPath(deps.bankStatementsDir, entity, period));
      const ledgerBalance = await ledger.cashBalance(entity, period);
      const difference = bankBalance - ledgerBalance;
      if (Math.abs(difference) > toleranceCents) {
        throw new PermanentError(
          `${entity} ${period} does not reconcile: ledger cash ${formatCents(ledgerBalance)} ${currency}, ` +
            `bank statement ${formatCents(bankBalance)} ${currency}, difference ${formatCents(difference)} ${currency} ` +
            `(bank minus ledger; tolerance ${formatCents(toleranceCents)})`,
        );
      }
      return {
        entity,
        ledgerBalance: formatCents(ledgerBalance),
        bankBalance: formatCents(bankBalance),
        difference: formatCents(difference),
        result: 'matched',
      };
    }),

    /** Resolution of a reconciliation difference: parks `amount` (bank minus ledger) in suspense against cash, once per period and entity. */
    async postReconciliationAdjustment(input: { period: string; entity: string; amount: string; memo: string }) {
      return classified(async () => {
        const cents = toCents(input.amount);
        if (cents === 0) throw new PermanentError('a reconciliation adjustment of 0.00 posts nothing');
        const cash = { account: CASH_ACCOUNT, debit: Math.max(cents, 0), credit: Math.max(-cents, 0) };
        const suspense = { account: RECONCILIATION_SUSPENSE_ACCOUNT, debit: cash.credit, credit: cash.debit };
        const { entry } = await ledger.postEntry({
          key: `adjustment/${input.period}/${input.entity}/bank-reconciliation`,
          entity: input.entity,
          period: input.period,
          date: periodEnd(input.period),
          memo: `Bank reconciliation adjustment: ${input.memo}`,
          kind: 'adjustment',
          lines: [cash, suspense],
        });
        return { entryId: entry.entryId };
      });
    },

    revalueForeignCurrency: stepActivity(async (input: PeriodInput) => {
      const published = await fetchPublishedRates(deps.ratesSource, input.period, deps.ratesTimeoutMs);
      const base = await ledger.baseCurrency();
      const where = describeSource(deps.ratesSource);
      if (published.base !== base)
        throw new TransientError(`exchange rates ${where} are quoted in ${published.base}, the group reports in ${base}`);
      for (const entity of input.entities) {
        const { currency } = await ledger.entity(entity);
        if (currency !== base && published.rates[currency] === undefined)
          throw new TransientError(`exchange rates ${where} have no rate for ${currency}`);
      }
      const rateSet = await ledger.recordRateSet({
        rateSetId: `live/${input.period}/${published.publishedAt}`,
        period: input.period,
        ratesPeriod: published.period,
        source: 'live',
        publishedAt: published.publishedAt,
        base: published.base,
        rates: published.rates,
      });
      const revalued = await revalueAll(input.period, input.entities, rateSet);
      return { rateSetId: rateSet.rateSetId, source: 'live', revalued };
    }),

    /** Fallback of revalueForeignCurrency: revalue at the latest rates published before the period. */
    async revalueAtLastPublishedRates(input: PeriodInput & { reason: string }) {
      return classified(async () => {
        const last = await ledger.latestPublishedRates(input.period);
        if (!last)
          throw new PermanentError(`no exchange rates were published before ${input.period}: the revaluation needs rates entered by hand`);
        const rateSet = await ledger.recordRateSet({
          ...last,
          rateSetId: `last-published/${input.period}/${last.rateSetId}`,
          period: input.period,
          source: 'last-published',
        });
        await revalueAll(input.period, input.entities, rateSet);
        return { rateSetId: rateSet.rateSetId, source: 'last-published', ratesPeriod: rateSet.ratesPeriod };
      });
    },

    postAccruals: stepActivity(async (input: PeriodInput) => {
      const posted = [];
      for (const entity of input.entities) posted.push(...(await ledger.postAccruals(input.period, entity)));
      const batches = [...new Set(posted.map((p) => p.entry.batch ?? ''))].filter(Boolean);
      return { batchId: batches.join(',') || 'none', entries: posted.length };
    }),

    /** Undo of postAccruals: reversing entries, so the audit trail keeps both. */
    async reverseAccruals(input: PeriodInput) {
      return classified(async () => {
        let reversed = 0;
        for (const entity of input.entities) reversed += (await ledger.reverseAccruals(input.period, entity)).length;
        return { reversed };
      });
    },

    publishStatements: stepActivity(async (input: PeriodInput & { controllerEmail: string }) => {
      const { period, entities } = input;
      const trialBalance = await ledger.trialBalance(period, entities);
      const unbalanced = trialBalance.scopes.find((s) => s.totalDebit !== s.totalCredit);
      if (unbalanced)
        throw new PermanentError(`the ${period} trial balance of ${unbalanced.scope} does not balance: statements not published`);
      const incomeStatement = await ledger.incomeStatement(period, entities);

      const dir = path.join(deps.statementsDir, period);
      await mkdir(dir, { recursive: true });
      const trialBalancePath = path.join(dir, 'trial-balance.csv');
      const incomeStatementPath = path.join(dir, 'income-statement.html');
      await writeAtomically(trialBalancePath, trialBalanceCsv(trialBalance));
      await writeAtomically(incomeStatementPath, incomeStatementHtml(incomeStatement));

      const group = incomeStatement.scopes.find((s) => s.scope === 'consolidated')!;
      const text = [
        `The month-end close of ${period} is complete for ${entities.join(', ')}.`,
        '',
        `Consolidated net income: ${formatCents(group.netIncome)} ${group.currency}.`,
        'Attached: the trial balance (CSV) and the income statement (HTML), per entity and consolidated.',
      ].join('\n');
      const key = idempotencyKey('publishStatements');
      const delivery = await deliverGuarded(
        deps.email.deliveries,
        deps.email.guard,
        'email',
        { key, channel: 'email', options: attemptDeliveryOptions() },
        async () => {
          try {
            const info = await deps.email.transport.sendMail({
              from: deps.email.from,
              to: input.controllerEmail,
              subject: `Month-end close ${period}: financial statements`,
              text,
              messageId: messageIdFor(key),
              attachments: [
                { filename: 'trial-balance.csv', path: trialBalancePath, contentType: 'text/csv' },
                { filename: 'income-statement.html', path: incomeStatementPath, contentType: 'text/html' },
              ],
            });
            return String(info.messageId);
          } catch (err) {
            throw classifySmtpError(err);
          }
        },
      );
      return { trialBalancePath, incomeStatementPath, messageId: delivery.receipt };
    }),
  };
}

export type AccountingActivities = ReturnType<typeof createAccountingActivities>;
