/**
 * The general ledger several worker hosts share (ACCOUNTING_URL): the SQLite ledger's books and guarantees
 * (sqlite-general-ledger.ts) on PostgreSQL, so a close whose activities land on different hosts works on one set of
 * books. The schema is migrations/postgres/books/; what the entries say still comes from accounting-rules.ts.
 *
 * Every write runs in a transaction that first takes one transaction-level advisory lock of the books: writers take
 * turns across hosts as SQLite's IMMEDIATE transactions make them take turns on one host, so an activity retried on
 * another host while its first attempt still runs finds that attempt's key once it gets the lock. The unique
 * idempotency key is the last word: an entry is inserted with ON CONFLICT DO NOTHING, and a key already there is
 * returned as posted, never written twice. Triggers keep the journal append-only.
 */
import type pg from 'pg';
import { PermanentError } from '../kit/errors';
import {
  accrualDrafts,
  accrualReversal,
  incomeStatementOf,
  INCOME_STATEMENT_TYPES,
  needsTranslation,
  nextAccrualBatch,
  periodLockApplies,
  requireBalanced,
  requireDateInPeriod,
  requireOneSidedLine,
  requireOpenPeriod,
  requirePeriod,
  requireTranslationRates,
  requireTwoLines,
  revaluationEntry,
  revaluationKey,
  revaluationLines,
  revaluedCents,
  trialBalanceOf,
  TRIAL_BALANCE_TYPES,
  type AccountBalance,
  type GroupBalances,
  type StatementRange,
} from './accounting-rules';
import {
  CASH_ACCOUNT,
  type AccountType,
  type Entity,
  type EntryKind,
  type GeneralLedger,
  type IncomeStatement,
  type JournalEntry,
  type NewEntry,
  type PeriodStatus,
  type PostedEntry,
  type RateSet,
  type TrialBalance,
} from './general-ledger';
import {
  rowIdOf,
  toAccountBalance,
  toForeignCashHolding,
  toJournalEntry,
  toRateSet,
  toRecurringAccrual,
  type EntryRow,
  type ForeignCashRow,
  type LineRow,
  type NetBalanceRow,
  type RateSetRow,
  type RecurringAccrualRow,
} from './ledger-schema';
import { readLedgerFile } from './ledger-file';
import { toCents } from './money';
import { endPool, openPool } from '../../src/stores/postgres/connection';
import { migrate } from '../../src/stores/postgres/migrate';
import { inPoolTransaction } from '../../src/stores/postgres/transaction';

/** The books' writer lock ("OVBK", 1): one writer at a time across hosts, as SQLite's IMMEDIATE is on one. */
const WRITER_LOCK = [0x4f56424b, 1] as const;
/** Connections per worker: the close's activities are short, a few at a time. */
const POOL_SIZE = 5;

/** What both a pooled connection and the pool can do: run one query. */
type Db = Pick<pg.ClientBase, 'query'>;

// Cents are bigint columns; float8 is exact for whole numbers below 2^53, and node-postgres returns it as a number.
const ENTRY_COLUMNS = `e.entry_id, e.idempotency_key, e.entity, e.period, e.entry_date, e.memo, e.kind, e.batch, e.reverses_entry_id, e.rate_set_id`;
const RATE_SET_COLUMNS = 'rate_set_id, period, rates_period, source, published_at, base, rates';

export interface PostgresGeneralLedgerOptions {
  log?: (line: string) => void;
}

/** A GeneralLedger on PostgreSQL, shared by every host that reaches the database. */
export class PostgresGeneralLedger implements GeneralLedger {
  private constructor(private readonly pool: pg.Pool) {}

  /** Opens the books at `url`: creates the database if missing, applies the books' migrations, opens a pool. */
  static async open(url: string, opts: PostgresGeneralLedgerOptions = {}): Promise<PostgresGeneralLedger> {
    await migrate(url, 'books', { log: opts.log });
    return new PostgresGeneralLedger(openPool(url, 'overture-books', POOL_SIZE));
  }

  /** Runs `work` in a transaction holding the books' writer lock. */
  private write<T>(work: (db: Db) => Promise<T>): Promise<T> {
    return inPoolTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...WRITER_LOCK]);
      return work(client);
    });
  }

  async lockPeriod(period: string, entities: string[]): Promise<string[]> {
    return this.setPeriodStatus(period, entities, 'locked');
  }

  async unlockPeriod(period: string, entities: string[]): Promise<string[]> {
    return this.setPeriodStatus(period, entities, 'open');
  }

  private async setPeriodStatus(period: string, entities: string[], status: PeriodStatus): Promise<string[]> {
    requirePeriod(period);
    return this.write(async (db) => {
      const changed: string[] = [];
      for (const entity of entities) {
        await this.requireEntity(entity, db);
        if ((await this.status(entity, period, db)) === status) continue;
        await db.query(
          `INSERT INTO periods (entity, period, status) VALUES ($1, $2, $3)
           ON CONFLICT (entity, period) DO UPDATE SET status = excluded.status, updated_at = now()`,
          [entity, period, status],
        );
        changed.push(entity);
      }
      return changed;
    });
  }

  async periodStatus(entity: string, period: string): Promise<PeriodStatus> {
    await this.requireEntity(entity);
    return this.status(entity, period);
  }

  private async status(entity: string, period: string, db: Db = this.pool): Promise<PeriodStatus> {
    const { rows } = await db.query<{ status: PeriodStatus }>('SELECT status FROM periods WHERE entity = $1 AND period = $2', [
      entity,
      period,
    ]);
    return rows[0]?.status ?? 'open';
  }

  async baseCurrency(): Promise<string> {
    return this.setting('baseCurrency');
  }

  async entity(entity: string): Promise<Entity> {
    return this.requireEntity(entity);
  }

  async cashBalance(entity: string, period: string): Promise<number> {
    await this.requireEntity(entity);
    requirePeriod(period);
    return this.accountBalance(entity, CASH_ACCOUNT, period);
  }

  /** Debit minus credit on one account through the end of the period. */
  private async accountBalance(entity: string, account: string, period: string, db: Db = this.pool): Promise<number> {
    const { rows } = await db.query<{ balance: number }>(
      `SELECT COALESCE(SUM(l.debit_cents - l.credit_cents), 0)::float8 AS balance
       FROM journal_lines l JOIN journal_entries e ON e.entry_id = l.entry_id
       WHERE l.entity = $1 AND l.account = $2 AND e.period <= $3`,
      [entity, account, period],
    );
    return rows[0]!.balance;
  }

  async postEntry(entry: NewEntry): Promise<PostedEntry> {
    return this.write((db) => this.post(db, entry));
  }

  /** Posts inside the caller's transaction; the key is checked first so a retry of a posted entry always succeeds. */
  private async post(db: Db, entry: NewEntry, links: { batch?: string; reverses?: number } = {}): Promise<PostedEntry> {
    const existing = await this.entryByKey(entry.key, db);
    if (existing) return alreadyPosted(entry, existing);
    await this.validate(db, entry);
    const { rows } = await db.query<{ entry_id: number }>(
      `INSERT INTO journal_entries (idempotency_key, entity, period, entry_date, memo, kind, batch, reverses_entry_id, rate_set_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING entry_id`,
      [
        entry.key,
        entry.entity,
        entry.period,
        entry.date,
        entry.memo,
        entry.kind,
        links.batch ?? null,
        links.reverses ?? null,
        entry.rateSetId ?? null,
      ],
    );
    // Only a writer that bypassed the lock could have got there first: its entry stands, this one is not written.
    if (!rows[0]) return alreadyPosted(entry, (await this.entryByKey(entry.key, db))!);
    const entryId = rows[0].entry_id;
    for (const [i, l] of entry.lines.entries()) {
      await db.query(
        'INSERT INTO journal_lines (entry_id, line_no, entity, account, debit_cents, credit_cents) VALUES ($1, $2, $3, $4, $5, $6)',
        [entryId, i + 1, entry.entity, l.account, l.debit, l.credit],
      );
    }
    return { entry: (await this.entryByKey(entry.key, db))!, alreadyPosted: false };
  }

  /** The accounting rules for an entry, in order, with the entity, the period's lock and each account looked up here. */
  private async validate(db: Db, entry: NewEntry): Promise<void> {
    await this.requireEntity(entry.entity, db);
    requireDateInPeriod(entry);
    if (periodLockApplies(entry.kind)) requireOpenPeriod(entry, await this.status(entry.entity, entry.period, db));
    requireTwoLines(entry);
    for (const l of entry.lines) {
      requireOneSidedLine(entry, l);
      const known = await db.query('SELECT 1 FROM accounts WHERE entity = $1 AND code = $2', [entry.entity, l.account]);
      if (!known.rowCount) throw new PermanentError(`entry ${entry.key}: account ${l.account} does not exist for ${entry.entity}`);
    }
    requireBalanced(entry);
  }

  async accrualsFor(period: string, entity: string): Promise<NewEntry[]> {
    await this.requireEntity(entity);
    requirePeriod(period);
    return this.accrualDrafts(period, entity, await this.nextAccrualBatch(period, entity));
  }

  /** The batch the period's accruals would be posted in next, after the batches already posted. */
  private async nextAccrualBatch(period: string, entity: string, db: Db = this.pool): Promise<string> {
    const { rows } = await db.query<{ n: number }>(
      "SELECT COUNT(DISTINCT batch)::int AS n FROM journal_entries WHERE kind = 'accrual' AND entity = $1 AND period = $2",
      [entity, period],
    );
    return nextAccrualBatch(period, rows[0]!.n);
  }

  private async accrualDrafts(period: string, entity: string, batch: string, db: Db = this.pool): Promise<NewEntry[]> {
    const { rows } = await db.query<RecurringAccrualRow>(
      `SELECT code, memo, expense_account, liability_account, amount_cents::float8 AS amount_cents
       FROM recurring_accruals WHERE entity = $1 ORDER BY code`,
      [entity],
    );
    return accrualDrafts(period, entity, batch, rows.map(toRecurringAccrual));
  }

  async postAccruals(period: string, entity: string): Promise<PostedEntry[]> {
    await this.requireEntity(entity);
    requirePeriod(period);
    return this.write(async (db) => {
      const inForce = await this.unreversed(db, period, entity, 'accrual');
      if (inForce.length) return inForce.map((entry) => ({ entry, alreadyPosted: true }));
      const batch = await this.nextAccrualBatch(period, entity, db);
      const posted: PostedEntry[] = [];
      for (const draft of await this.accrualDrafts(period, entity, batch, db)) posted.push(await this.post(db, draft, { batch }));
      return posted;
    });
  }

  async reverseAccruals(period: string, entity: string): Promise<JournalEntry[]> {
    await this.requireEntity(entity);
    requirePeriod(period);
    return this.write(async (db) => {
      for (const accrual of await this.unreversed(db, period, entity, 'accrual')) {
        await this.post(db, accrualReversal(accrual), { reverses: rowIdOf(accrual.entryId) });
      }
      // The reversals of the latest batch: what this undo stands for, the same on every retry.
      const { rows } = await db.query<{ batch: string }>(
        "SELECT batch FROM journal_entries WHERE kind = 'accrual' AND entity = $1 AND period = $2 ORDER BY entry_id DESC LIMIT 1",
        [entity, period],
      );
      if (!rows[0]) return [];
      return this.selectEntries(
        db,
        `WHERE e.reverses_entry_id IN (SELECT entry_id FROM journal_entries WHERE kind = 'accrual' AND entity = $1 AND period = $2 AND batch = $3)`,
        [entity, period, rows[0].batch],
      );
    });
  }

  private unreversed(db: Db, period: string, entity: string, kind: EntryKind): Promise<JournalEntry[]> {
    return this.selectEntries(
      db,
      `WHERE e.kind = $1 AND e.entity = $2 AND e.period = $3
         AND NOT EXISTS (SELECT 1 FROM journal_entries r WHERE r.reverses_entry_id = e.entry_id)`,
      [kind, entity, period],
    );
  }

  async latestPublishedRates(beforePeriod: string): Promise<RateSet | undefined> {
    requirePeriod(beforePeriod);
    // Rates fetched live at an earlier close were the official rates of their month: they count as published.
    return this.rateSet(
      `WHERE source IN ('published', 'live') AND rates_period < $1 ORDER BY rates_period DESC, published_at DESC, seq DESC LIMIT 1`,
      [beforePeriod],
    );
  }

  async ratesFor(period: string): Promise<RateSet | undefined> {
    requirePeriod(period);
    return this.rateSet('WHERE period = $1 ORDER BY seq DESC LIMIT 1', [period]);
  }

  private async rateSet(where: string, params: unknown[]): Promise<RateSet | undefined> {
    const { rows } = await this.pool.query<RateSetRow>(`SELECT ${RATE_SET_COLUMNS} FROM rate_sets ${where}`, params);
    return rows[0] && toRateSet(rows[0]);
  }

  /** The rates the period's statements are translated at: those its close recorded, else the latest published. */
  private async translationRates(period: string): Promise<RateSet | undefined> {
    return (await this.ratesFor(period)) ?? this.latestPublishedRates(period);
  }

  async recordRateSet(rateSet: RateSet): Promise<RateSet> {
    requirePeriod(rateSet.period);
    requirePeriod(rateSet.ratesPeriod);
    await this.pool.query(
      `INSERT INTO rate_sets (rate_set_id, period, rates_period, source, published_at, base, rates)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (rate_set_id) DO NOTHING`,
      [
        rateSet.rateSetId,
        rateSet.period,
        rateSet.ratesPeriod,
        rateSet.source,
        rateSet.publishedAt,
        rateSet.base,
        JSON.stringify(rateSet.rates),
      ],
    );
    return (await this.rateSet('WHERE rate_set_id = $1', [rateSet.rateSetId]))!;
  }

  async revalueForeignCash(period: string, entity: string, rateSet: RateSet): Promise<JournalEntry | undefined> {
    const { currency } = await this.requireEntity(entity);
    requirePeriod(period);
    const key = revaluationKey(period, entity);
    return this.write(async (db) => {
      const existing = await this.entryByKey(key, db);
      if (existing) return existing;
      const { rows: holdings } = await db.query<ForeignCashRow>(
        `SELECT account, currency, amount_cents::float8 AS amount_cents FROM foreign_currency_cash
         WHERE entity = $1 ORDER BY account, currency`,
        [entity],
      );
      const cash = [];
      for (const h of holdings.map(toForeignCashHolding)) {
        cash.push({
          account: h.account,
          revalued: revaluedCents(h, rateSet, currency),
          booked: await this.accountBalance(entity, h.account, period, db),
        });
      }
      const lines = revaluationLines(cash);
      if (!lines.length) return undefined;
      return (await this.post(db, revaluationEntry(period, entity, rateSet, lines))).entry;
    });
  }

  async trialBalance(period: string, entities: string[]): Promise<TrialBalance> {
    return trialBalanceOf(period, await this.groupBalances(period, entities, 'through', TRIAL_BALANCE_TYPES));
  }

  async incomeStatement(period: string, entities: string[]): Promise<IncomeStatement> {
    return incomeStatementOf(period, await this.groupBalances(period, entities, 'in', INCOME_STATEMENT_TYPES));
  }

  /** What the group statements are drawn from: each entity's net balances and, when an entity needs translating, the rates. */
  private async groupBalances(
    period: string,
    entities: string[],
    range: StatementRange,
    types: readonly AccountType[],
  ): Promise<GroupBalances> {
    requirePeriod(period);
    const base = await this.setting('baseCurrency');
    const group = [];
    for (const e of entities)
      group.push({ entity: await this.requireEntity(e), balances: await this.netBalances(e, period, range, types) });
    const needsRates = needsTranslation(group, base);
    const rateSet = needsRates ? await this.translationRates(period) : undefined;
    requireTranslationRates(period, base, needsRates, rateSet);
    return { base, group, rateSet };
  }

  /** Net balances (debit minus credit) of the entity's accounts of the types, through or in the period. */
  private async netBalances(
    entity: string,
    period: string,
    range: StatementRange,
    types: readonly AccountType[],
  ): Promise<AccountBalance[]> {
    const { rows } = await this.pool.query<NetBalanceRow>(
      `SELECT a.code, a.name, a.type, COALESCE(SUM(l.debit_cents - l.credit_cents), 0)::float8 AS net
       FROM accounts a
       LEFT JOIN (journal_lines l JOIN journal_entries e ON e.entry_id = l.entry_id AND e.period ${range === 'through' ? '<=' : '='} $1)
         ON l.entity = a.entity AND l.account = a.code
       WHERE a.entity = $2 AND a.type = ANY($3)
       GROUP BY a.entity, a.code ORDER BY a.code`,
      [period, entity, [...types]],
    );
    return rows.map(toAccountBalance);
  }

  async entries(entity: string, period: string): Promise<JournalEntry[]> {
    return this.selectEntries(this.pool, 'WHERE e.entity = $1 AND e.period = $2', [entity, period]);
  }

  async seedFrom(exampleFile: string): Promise<boolean> {
    const file = await readLedgerFile(exampleFile);
    return this.write(async (db) => {
      const { rows } = await db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM entities');
      if (rows[0]!.n > 0) return false;
      await db.query("INSERT INTO ledger_settings (key, value) VALUES ('baseCurrency', $1)", [file.baseCurrency]);
      for (const e of file.entities) {
        await db.query('INSERT INTO entities (entity, name, currency) VALUES ($1, $2, $3)', [e.entity, e.name, e.currency]);
        for (const a of file.chartOfAccounts)
          await db.query('INSERT INTO accounts (entity, code, name, type) VALUES ($1, $2, $3, $4)', [e.entity, a.code, a.name, a.type]);
        for (const h of e.foreignCurrencyCash) {
          await db.query('INSERT INTO foreign_currency_cash (entity, account, currency, amount_cents) VALUES ($1, $2, $3, $4)', [
            e.entity,
            h.account,
            h.currency,
            toCents(h.amount),
          ]);
        }
        for (const a of e.recurringAccruals) {
          await db.query(
            'INSERT INTO recurring_accruals (entity, code, memo, expense_account, liability_account, amount_cents) VALUES ($1, $2, $3, $4, $5, $6)',
            [e.entity, a.code, a.memo, a.expenseAccount, a.liabilityAccount, toCents(a.amount)],
          );
        }
        for (const entry of e.entries) {
          const lines = entry.lines.map((l) => ({
            account: l.account,
            debit: l.debit ? toCents(l.debit) : 0,
            credit: l.credit ? toCents(l.credit) : 0,
          }));
          await this.post(db, { ...entry, entity: e.entity, lines });
        }
      }
      for (const r of file.rateSets) {
        await db.query(
          `INSERT INTO rate_sets (rate_set_id, period, rates_period, source, published_at, base, rates)
           VALUES ($1, $2, $2, 'published', $3, $4, $5)`,
          [r.rateSetId, r.period, r.publishedAt, r.base, JSON.stringify(r.rates)],
        );
      }
      return true;
    });
  }

  private async setting(key: string): Promise<string> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM ledger_settings WHERE key = $1', [key]);
    if (!rows[0]) throw new PermanentError(`the general ledger has no ${key}: seed it first`);
    return rows[0].value;
  }

  private async requireEntity(entity: string, db: Db = this.pool): Promise<Entity> {
    const { rows } = await db.query<Entity>('SELECT entity, name, currency FROM entities WHERE entity = $1', [entity]);
    if (!rows[0]) throw new PermanentError(`entity ${entity} does not exist in the general ledger`);
    return rows[0];
  }

  private async entryByKey(key: string, db: Db): Promise<JournalEntry | undefined> {
    return (await this.selectEntries(db, 'WHERE e.idempotency_key = $1', [key]))[0];
  }

  /** The entries `where` selects with their lines, fetched in one more query. */
  private async selectEntries(db: Db, where: string, params: unknown[]): Promise<JournalEntry[]> {
    const { rows } = await db.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM journal_entries e ${where} ORDER BY e.entry_id`, params);
    if (!rows.length) return [];
    const { rows: lines } = await db.query<LineRow & { entry_id: number }>(
      `SELECT entry_id, account, debit_cents::float8 AS debit_cents, credit_cents::float8 AS credit_cents
       FROM journal_lines WHERE entry_id = ANY($1) ORDER BY entry_id, line_no`,
      [rows.map((r) => r.entry_id)],
    );
    return rows.map((r) =>
      toJournalEntry(
        r,
        lines.filter((l) => l.entry_id === r.entry_id),
      ),
    );
  }

  /** Ends the pool once its connections in use are back. */
  async close(): Promise<void> {
    await endPool(this.pool);
  }
}

/** A key already posted: the entry stands, unless the key was used for a different entry. */
function alreadyPosted(entry: NewEntry, existing: JournalEntry): PostedEntry {
  if (existing.entity !== entry.entity || existing.kind !== entry.kind || existing.period !== entry.period) {
    throw new PermanentError(`idempotency key ${entry.key} was already used for a different entry (${existing.entryId})`);
  }
  return { entry: existing, alreadyPosted: true };
}
