/**
 * The shape of a ledger seed file (examples/financial-close/ledger.json): entities with their chart of
 * accounts, foreign-currency holdings, recurring accruals and entries, plus the published rate sets.
 * Amounts are decimal strings in major units, as an accountant would type them.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PermanentError } from '../kit/errors';

const amount = z.string().regex(/^-?\d+(\.\d{1,2})?$/, 'must be a decimal amount with at most 2 decimals');
const period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a period as YYYY-MM');
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code');
const accountCode = z.string().regex(/^\d{4}$/, 'must be a 4-digit account code');

const line = z
  .object({ account: accountCode, debit: amount.optional(), credit: amount.optional() })
  .strict()
  .refine((l) => (l.debit === undefined) !== (l.credit === undefined), 'a line has either a debit or a credit');

/** A seed file, validated strictly so a typo in a field name is reported rather than ignored. */
export const ledgerFileSchema = z
  .object({
    baseCurrency: currency,
    chartOfAccounts: z.array(
      z
        .object({ code: accountCode, name: z.string().min(1), type: z.enum(['asset', 'liability', 'equity', 'revenue', 'expense']) })
        .strict(),
    ),
    entities: z.array(
      z
        .object({
          entity: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
          name: z.string().min(1),
          currency,
          foreignCurrencyCash: z.array(z.object({ account: accountCode, currency, amount }).strict()).default([]),
          recurringAccruals: z
            .array(
              z
                .object({
                  code: z.string().min(1),
                  memo: z.string().min(1),
                  expenseAccount: accountCode,
                  liabilityAccount: accountCode,
                  amount,
                })
                .strict(),
            )
            .default([]),
          entries: z.array(
            z
              .object({
                key: z.string().min(1),
                period,
                date: z.iso.date(),
                kind: z.enum(['opening', 'posting']),
                memo: z.string().min(1),
                lines: z.array(line).min(2),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
    rateSets: z.array(
      z
        .object({
          rateSetId: z.string().min(1),
          period,
          publishedAt: z.iso.datetime(),
          base: currency,
          rates: z.record(currency, z.number().positive()),
        })
        .strict(),
    ),
  })
  .strict();

export type LedgerFile = z.infer<typeof ledgerFileSchema>;

/** Reads and validates a seed file; a missing or malformed file is a PermanentError naming the file and field. */
export async function readLedgerFile(file: string): Promise<LedgerFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new PermanentError(`ledger seed file ${file} cannot be read as JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const result = ledgerFileSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new PermanentError(`ledger seed file ${file} is invalid: ${problems.join('; ')}`);
  }
  return result.data;
}
