/**
 * The directory several hosts share (DIRECTORY_URL): the same accounts, grants, workspaces and tickets as the
 * embedded SQLite directory, on PostgreSQL, with the same idempotency on the employee (INSERT ... ON CONFLICT) and
 * the same PermanentErrors. Account creation takes a transaction-level advisory lock, as SQLite's IMMEDIATE
 * transaction serialises it: the email check and the choice of a free username must see every other host's accounts.
 */
import type pg from 'pg';
import { PermanentError } from '../../../activities/kit/errors';
import { endPool, openPool } from '../postgres/connection';
import { migrate } from '../postgres/migrate';
import { inPoolTransaction } from '../postgres/transaction';
import {
  workspaceUrlFor,
  type Account,
  type DirectoryInventory,
  type DirectoryProvider,
  type NewAccount,
  type Ticket,
  type Workspace,
} from './directory';
import { distinctUsername, EMAIL_TAKEN, permissionsFor, usernameBase } from './roles';

// The lock of account creation ("OVRT", 2): the migrator's is ("OVRT", 1).
const ACCOUNTS_LOCK = [0x4f565254, 2];
const POOL_SIZE = 10;

interface AccountRow {
  account_id: string;
  employee_id: string;
  username: string;
  status: 'active' | 'disabled';
}

const toAccount = (row: AccountRow): Account => ({
  accountId: row.account_id,
  employeeId: row.employee_id,
  username: row.username,
  status: row.status,
});

export interface PostgresDirectoryOptions {
  log?: (line: string) => void;
}

/** A DirectoryProvider on PostgreSQL; also answers the inventory question tests and the console ask. */
export class PostgresDirectory implements DirectoryProvider {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly workspaceBaseUrl: string,
  ) {}

  /** Opens the directory at `url`: creates the database if missing, applies the directory's migrations, opens a pool. */
  static async open(url: string, workspaceBaseUrl: string, opts: PostgresDirectoryOptions = {}): Promise<PostgresDirectory> {
    await migrate(url, 'directory', { log: opts.log });
    return new PostgresDirectory(openPool(url, 'overture-directory', POOL_SIZE), workspaceBaseUrl);
  }

  /** Runs `work` in a transaction on one pooled connection, rolled back if it throws. */
  private transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inPoolTransaction(this.pool, work);
  }

  async createAccount(account: NewAccount): Promise<Account> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', ACCOUNTS_LOCK);
      const existing = (
        await client.query<AccountRow>('SELECT account_id, employee_id, username, status FROM accounts WHERE employee_id = $1', [
          account.employeeId,
        ])
      ).rows[0];
      if (existing) {
        if (existing.status === 'disabled')
          await client.query("UPDATE accounts SET status = 'active', updated_at = now() WHERE employee_id = $1", [account.employeeId]);
        return toAccount({ ...existing, status: 'active' });
      }
      // The message reaches notices and the team chat: it must not say whose account holds the address.
      if ((await client.query('SELECT 1 FROM accounts WHERE email = $1', [account.email])).rowCount) throw new PermanentError(EMAIL_TAKEN);
      const base = usernameBase(account.fullName);
      const taken = Boolean((await client.query('SELECT 1 FROM accounts WHERE username = $1', [base])).rowCount);
      const row: AccountRow = {
        account_id: `acct-${account.employeeId.toLowerCase()}`,
        employee_id: account.employeeId,
        username: taken ? distinctUsername(base, account.employeeId) : base,
        status: 'active',
      };
      await client.query(
        `INSERT INTO accounts (account_id, employee_id, username, full_name, email, role, team, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active') ON CONFLICT (employee_id) DO NOTHING`,
        [row.account_id, row.employee_id, row.username, account.fullName, account.email, account.role, account.team],
      );
      return toAccount(row);
    });
  }

  async grantPermissions(employeeId: string, role: string, extraPermissions: string[]): Promise<string[]> {
    const permissions = permissionsFor(role, extraPermissions);
    await this.requireAccount(employeeId);
    await this.pool.query('INSERT INTO grants (employee_id, permission) SELECT $1, p FROM unnest($2::text[]) AS p ON CONFLICT DO NOTHING', [
      employeeId,
      permissions,
    ]);
    return permissions;
  }

  async createWorkspace(employeeId: string, team: string): Promise<Workspace> {
    await this.requireAccount(employeeId);
    const url = workspaceUrlFor(this.workspaceBaseUrl, employeeId);
    const workspaceId = `ws-${employeeId.toLowerCase()}`;
    await this.pool.query('INSERT INTO workspaces (workspace_id, employee_id, team, url) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      workspaceId,
      employeeId,
      team,
      url,
    ]);
    return { workspaceId, employeeId, url };
  }

  async openTicket(key: string, employeeId: string, summary: string): Promise<Ticket> {
    // One statement: a new ticket, or (the key known) none inserted and the existing one read back.
    const { rows } = await this.pool.query<{ ticket_id: string; employee_id: string; summary: string }>(
      `WITH opened AS (
         INSERT INTO tickets (ticket_id, idempotency_key, employee_id, summary)
         VALUES ('IT-' || nextval('ticket_numbers'), $1, $2, $3) ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING ticket_id, employee_id, summary)
       SELECT ticket_id, employee_id, summary FROM opened
       UNION ALL SELECT ticket_id, employee_id, summary FROM tickets WHERE idempotency_key = $1 AND NOT EXISTS (SELECT 1 FROM opened)`,
      [key, employeeId, summary],
    );
    const row = rows[0];
    // A concurrent insert of the same key that has not committed yet is invisible to this statement: try again.
    if (!row) return this.openTicket(key, employeeId, summary);
    return { ticketId: row.ticket_id, employeeId: row.employee_id, summary: row.summary };
  }

  async revokePermissions(employeeId: string): Promise<number> {
    return (await this.pool.query('DELETE FROM grants WHERE employee_id = $1', [employeeId])).rowCount ?? 0;
  }

  async deleteWorkspace(employeeId: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM workspaces WHERE employee_id = $1', [employeeId])).rowCount ?? 0) > 0;
  }

  async disableAccount(employeeId: string): Promise<boolean> {
    return (
      ((
        await this.pool.query("UPDATE accounts SET status = 'disabled', updated_at = now() WHERE employee_id = $1 AND status = 'active'", [
          employeeId,
        ])
      ).rowCount ?? 0) > 0
    );
  }

  /** What the directory holds for one employee: used by tests, the console and people checking a run. */
  async inventory(employeeId: string): Promise<DirectoryInventory> {
    const [accounts, grants, workspaces, tickets] = await Promise.all([
      this.pool.query<AccountRow>('SELECT account_id, employee_id, username, status FROM accounts WHERE employee_id = $1', [employeeId]),
      // COLLATE "C": the order of code points, as SQLite sorts, whatever the database's locale.
      this.pool.query<{ permission: string }>('SELECT permission FROM grants WHERE employee_id = $1 ORDER BY permission COLLATE "C"', [
        employeeId,
      ]),
      this.pool.query<{ workspace_id: string; employee_id: string; url: string }>(
        'SELECT workspace_id, employee_id, url FROM workspaces WHERE employee_id = $1',
        [employeeId],
      ),
      this.pool.query<{ ticket_id: string; employee_id: string; summary: string }>(
        'SELECT ticket_id, employee_id, summary FROM tickets WHERE employee_id = $1 ORDER BY created_at, ticket_id',
        [employeeId],
      ),
    ]);
    return {
      accounts: accounts.rows.map(toAccount),
      grants: grants.rows.map((g) => g.permission),
      workspaces: workspaces.rows.map((w) => ({ workspaceId: w.workspace_id, employeeId: w.employee_id, url: w.url })),
      tickets: tickets.rows.map((t) => ({ ticketId: t.ticket_id, employeeId: t.employee_id, summary: t.summary })),
    };
  }

  private async requireAccount(employeeId: string): Promise<void> {
    const { rowCount } = await this.pool.query("SELECT 1 FROM accounts WHERE employee_id = $1 AND status = 'active'", [employeeId]);
    if (!rowCount) throw new PermanentError(`no active account for employee ${employeeId}`);
  }

  /** Ends the pool once the connections in use are given back (at most a few seconds: see endPool). */
  async close(): Promise<void> {
    await endPool(this.pool);
  }
}
