/**
 * The month-end close's accounting rules as pure functions of plain data: what makes a journal entry acceptable,
 * the entries the recurring accruals call for and their reversals, how foreign-currency cash is revalued, and how
 * the group's balances are translated and consolidated into the statements. No SQL and no I/O here: the ledger
 * looks the facts up and hands them in, so a rule reads (and changes) the same whichever store keeps the books.
 */
import { PermanentError } from '../kit/errors';
import {
  CLOSE_ENTRY_KINDS,
  periodEnd,
  type Account,
  type AccountType,
  type BalanceScope,
  type Entity,
  type EntryKind,
  type IncomeStatement,
  type IncomeStatementLine,
  type JournalEntry,
  type JournalLine,
  type NewEntry,
  type PeriodStatus,
  type RateSet,
  type TrialBalance,
  type TrialBalanceRow,
} from './general-ledger';
import { convertCents, formatCents } from './money';

/** Where unrealized exchange gains (credit) and losses (debit) on revaluation go. */
export const FX_GAIN_LOSS_ACCOUNT = '4900';
/** Absorbs the cents lost when each account is translated and rounded separately in the consolidation. */
const TRANSLATION_ADJUSTMENT: Account = { code: '3900', name: 'Currency translation adjustment', type: 'equity' };

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A recurring accrual of an entity: the same expense accrued at every month end, amount in cents. */
export interface RecurringAccrual {
  code: string;
  memo: string;
  expenseAccount: string;
  liabilityAccount: string;
  amount: number;
}

/** Cash an entity holds in another currency than its own: the cash account and the face amount in cents of that currency. */
export interface ForeignCashHolding {
  account: string;
  currency: string;
  amount: number;
}

/** A foreign-cash account's balance as booked and as revalued, both in cents of the entity's currency. */
export interface CashToRevalue {
  account: string;
  revalued: number;
  booked: number;
}

/** An account's net balance: debit minus credit, in cents. */
export interface AccountBalance {
  account: Account;
  net: number;
}

/** One entity of the group with its net balances. */
export interface EntityBalances {
  entity: Entity;
  balances: AccountBalance[];
}

/** What the group statements are drawn from: each entity's net balances, the base currency and the rates, if needed. */
export interface GroupBalances {
  base: string;
  group: EntityBalances[];
  rateSet: RateSet | undefined;
}

/** Balances through the end of the period (the trial balance) or movements in the period (the income statement). */
export type StatementRange = 'through' | 'in';

/** The account types the trial balance lists: all of them. */
export const TRIAL_BALANCE_TYPES: readonly AccountType[] = ['asset', 'liability', 'equity', 'revenue', 'expense'];
/** The account types the income statement lists. */
export const INCOME_STATEMENT_TYPES: readonly AccountType[] = ['revenue', 'expense'];

/** Refuses a period that is not written YYYY-MM. */
export function requirePeriod(period: string): void {
  if (!PERIOD.test(period)) throw new PermanentError(`"${period}" is not a period as YYYY-MM`);
}

/** Refuses an entry whose period is not YYYY-MM or whose date is not a day of that period. */
export function requireDateInPeriod(entry: NewEntry): void {
  requirePeriod(entry.period);
  if (!DATE.test(entry.date) || !entry.date.startsWith(`${entry.period}-`)) {
    throw new PermanentError(`entry ${entry.key}: date ${entry.date} is not in period ${entry.period}`);
  }
}

/** Whether a period lock applies to an entry of the kind: ordinary postings yes, the close's own entries no. */
export function periodLockApplies(kind: EntryKind): boolean {
  return !CLOSE_ENTRY_KINDS.includes(kind);
}

/** Refuses an entry into a locked period; asked only of entries the lock applies to. */
export function requireOpenPeriod(entry: NewEntry, status: PeriodStatus): void {
  if (status === 'locked') {
    throw new PermanentError(
      `period ${entry.period} is locked for ${entry.entity}: ordinary postings are refused until the period is reopened`,
    );
  }
}

/** Refuses an entry of fewer than two lines. */
export function requireTwoLines(entry: NewEntry): void {
  if (entry.lines.length < 2) throw new PermanentError(`entry ${entry.key} needs at least two lines`);
}

/** Refuses a line that is not exactly one of a debit and a credit, in whole non-negative cents. */
export function requireOneSidedLine(entry: NewEntry, line: JournalLine): void {
  const amounts = [line.debit, line.credit];
  if (!amounts.every((a) => Number.isSafeInteger(a) && a >= 0) || line.debit > 0 === line.credit > 0) {
    throw new PermanentError(`entry ${entry.key}: each line needs either a debit or a credit, in whole non-negative cents`);
  }
}

/** Refuses an entry whose debits and credits differ. */
export function requireBalanced(entry: NewEntry): void {
  const debits = entry.lines.reduce((sum, l) => sum + l.debit, 0);
  const credits = entry.lines.reduce((sum, l) => sum + l.credit, 0);
  if (debits !== credits) {
    throw new PermanentError(`entry ${entry.key} is unbalanced: debits ${formatCents(debits)} and credits ${formatCents(credits)} differ`);
  }
}

/**
 * The period's next accrual batch after those already posted. A batch is one posting of the period's accruals: a
 * close that was undone (accruals reversed) and run again needs a new one, so keys carry the batch and stay unique
 * while retries within a batch reuse them.
 */
export function nextAccrualBatch(period: string, postedBatches: number): string {
  return `accruals/${period}#${postedBatches + 1}`;
}

/** The entries the entity's recurring accruals call for at the period end, keyed within the batch (not posted). */
export function accrualDrafts(period: string, entity: string, batch: string, accruals: RecurringAccrual[]): NewEntry[] {
  return accruals.map((a) => ({
    key: `${batch}/${entity}/${a.code}`,
    entity,
    period,
    date: periodEnd(period),
    memo: a.memo,
    kind: 'accrual' as const,
    lines: [
      { account: a.expenseAccount, debit: a.amount, credit: 0 },
      { account: a.liabilityAccount, debit: 0, credit: a.amount },
    ],
  }));
}

/** The entry reversing an accrual: same day, debits and credits swapped, keyed on the accrual's key. */
export function accrualReversal(accrual: JournalEntry): NewEntry {
  return {
    key: `reversal-of/${accrual.key}`,
    entity: accrual.entity,
    period: accrual.period,
    date: accrual.date,
    memo: `Reversal of ${accrual.entryId}: ${accrual.memo}`,
    kind: 'accrual-reversal',
    lines: accrual.lines.map((l) => ({ account: l.account, debit: l.credit, credit: l.debit })),
  };
}

/** Units of the base currency per unit of the currency; a rate set without it cannot be used for that entity. */
export function rateOf(rateSet: RateSet, currency: string): number {
  if (currency === rateSet.base) return 1;
  const rate = rateSet.rates[currency];
  if (rate === undefined) throw new PermanentError(`rate set ${rateSet.rateSetId} has no rate for ${currency}`);
  return rate;
}

/** The idempotency key of an entity's revaluation: there is one per period and entity. */
export function revaluationKey(period: string, entity: string): string {
  return `revaluation/${period}/${entity}`;
}

/** What a foreign-cash holding is worth in the entity's currency at the rate set: the balance its account should show. */
export function revaluedCents(holding: ForeignCashHolding, rateSet: RateSet, entityCurrency: string): number {
  return convertCents(holding.amount, rateOf(rateSet, holding.currency) / rateOf(rateSet, entityCurrency));
}

/**
 * Lines bringing each foreign-cash account from its booked to its revalued balance, the net to unrealized FX gain
 * or loss; none when nothing changed.
 */
export function revaluationLines(cash: CashToRevalue[]): JournalLine[] {
  const lines: JournalLine[] = [];
  for (const c of cash) {
    const change = c.revalued - c.booked;
    if (change !== 0) lines.push({ account: c.account, debit: Math.max(change, 0), credit: Math.max(-change, 0) });
  }
  if (!lines.length) return lines;
  const net = lines.reduce((sum, l) => sum + l.debit - l.credit, 0);
  if (net !== 0) lines.push({ account: FX_GAIN_LOSS_ACCOUNT, debit: Math.max(-net, 0), credit: Math.max(net, 0) });
  return lines;
}

/** The period-end revaluation entry of the lines, naming the rates in its memo and keeping the rate set for the audit trail. */
export function revaluationEntry(period: string, entity: string, rateSet: RateSet, lines: JournalLine[]): NewEntry {
  const memo = `Unrealized FX revaluation of foreign-currency cash at ${rateSet.source} rates of ${rateSet.ratesPeriod}`;
  return {
    key: revaluationKey(period, entity),
    entity,
    period,
    date: periodEnd(period),
    memo,
    kind: 'revaluation',
    lines,
    rateSetId: rateSet.rateSetId,
  };
}

/** Whether an entity reports in another currency than the group's base, so the statements need rates to translate it. */
export function needsTranslation(group: EntityBalances[], base: string): boolean {
  return group.some((g) => g.entity.currency !== base);
}

/** Refuses to consolidate without rates when an entity needs translating, or at rates quoted against another base. */
export function requireTranslationRates(period: string, base: string, needed: boolean, rateSet: RateSet | undefined): void {
  if (needed && !rateSet) throw new PermanentError(`no exchange rates recorded for ${period} or earlier: the group cannot be consolidated`);
  if (rateSet && rateSet.base !== base)
    throw new PermanentError(`rate set ${rateSet.rateSetId} is based on ${rateSet.base}, the group reports in ${base}`);
}

/** The trial balance: every account with a balance through the period, per entity and consolidated, with totals. */
export function trialBalanceOf(period: string, books: GroupBalances): TrialBalance {
  const { rateSetId, scopes } = statementScopes<TrialBalanceRow>(books, 'through', (a, net) => ({
    ...a,
    debit: Math.max(net, 0),
    credit: Math.max(-net, 0),
  }));
  return {
    period,
    rateSetId,
    scopes: scopes.map((s) => ({
      ...s,
      totalDebit: s.rows.reduce((sum, r) => sum + r.debit, 0),
      totalCredit: s.rows.reduce((sum, r) => sum + r.credit, 0),
    })),
  };
}

/** The income statement: revenue and expenses of the period, per entity and consolidated, with the net income. */
export function incomeStatementOf(period: string, books: GroupBalances): IncomeStatement {
  const { rateSetId, scopes } = statementScopes<IncomeStatementLine>(books, 'in', (a, net) => ({
    ...a,
    amount: a.type === 'revenue' ? -net : net,
  }));
  return {
    period,
    rateSetId,
    scopes: scopes.map((s) => {
      const totalRevenue = s.rows.filter((r) => r.type === 'revenue').reduce((sum, r) => sum + r.amount, 0);
      const totalExpenses = s.rows.filter((r) => r.type === 'expense').reduce((sum, r) => sum + r.amount, 0);
      return { ...s, totalRevenue, totalExpenses, netIncome: totalRevenue - totalExpenses };
    }),
  };
}

/**
 * The rows of each entity, and of the group translated into the base currency at the rate set (the closing rate,
 * for balances and results alike: a simplification). Accounts without a balance are left out.
 */
function statementScopes<Row>(
  { base, group, rateSet }: GroupBalances,
  range: StatementRange,
  toRow: (account: Account, net: number) => Row,
): { rateSetId: string; scopes: Array<BalanceScope<Row>> } {
  const consolidated = new Map<string, AccountBalance>();
  for (const { entity, balances } of group) {
    const rate = rateSet ? rateOf(rateSet, entity.currency) : 1;
    for (const { account, net } of balances) {
      const slot = consolidated.get(account.code) ?? { account, net: 0 };
      slot.net += convertCents(net, rate);
      consolidated.set(account.code, slot);
    }
  }
  const rounding = [...consolidated.values()].reduce((sum, s) => sum + s.net, 0);
  // Rounding only matters where balances sum to zero by construction: the trial balance, not the income statement.
  if (range === 'through' && rounding !== 0) {
    const slot = consolidated.get(TRANSLATION_ADJUSTMENT.code) ?? { account: TRANSLATION_ADJUSTMENT, net: 0 };
    slot.net -= rounding;
    consolidated.set(TRANSLATION_ADJUSTMENT.code, slot);
  }
  const rows = (balances: AccountBalance[]) =>
    balances
      .filter((b) => b.net !== 0)
      .sort((a, b) => a.account.code.localeCompare(b.account.code))
      .map((b) => toRow(b.account, b.net));
  return {
    rateSetId: rateSet?.rateSetId ?? '',
    scopes: [
      ...group.map(({ entity, balances }) => ({
        scope: entity.entity,
        name: entity.name,
        currency: entity.currency,
        rows: rows(balances),
      })),
      { scope: 'consolidated', name: `Group consolidated (${base})`, currency: base, rows: rows([...consolidated.values()]) },
    ],
  };
}
