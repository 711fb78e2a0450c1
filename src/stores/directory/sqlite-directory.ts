/**
 * The embedded directory: a real SQLite database (better-sqlite3) holding accounts, grants, workspaces and tickets.
 */
import type Database from 'better-sqlite3';
import { PermanentError } from '../../../activities/kit/errors';
import { openDatabase } from '../sqlite';
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

/** Roles and permissions live in ./roles (shared with the PostgreSQL directory); re-exported for existing importers. */
export { ROLE_PERMISSIONS } from './roles';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS accounts (
  account_id TEXT PRIMARY KEY,
  employee_id TEXT NOT NULL UNIQUE,
  username TEXT NOT NULL UNIQUE,
  full_name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  team TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS grants (
  employee_id TEXT NOT NULL,
  permission TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  PRIMARY KEY (employee_id, permission)
);
CREATE TABLE IF NOT EXISTS workspaces (
  workspace_id TEXT PRIMARY KEY,
  employee_id TEXT NOT NULL UNIQUE,
  team TEXT NOT NULL,
  url TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tickets (
  ticket_id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  employee_id TEXT NOT NULL,
  summary TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open',
  created_at TEXT NOT NULL
);
`;

const nowIso = () => new Date().toISOString();

/** Opens (and creates when missing) a SQLite database file with settings fit for several processes (see src/stores/sqlite.ts). */
export function openSqlite(file: string): Database.Database {
  return openDatabase(file);
}

/** A DirectoryProvider on a SQLite file; also answers the counting questions tests and the console ask. */
export class SqliteDirectory implements DirectoryProvider {
  readonly db: Database.Database;

  constructor(
    file: string,
    private readonly workspaceBaseUrl: string,
  ) {
    this.db = openDatabase(file, { schema: SCHEMA });
  }

  async createAccount(account: NewAccount): Promise<Account> {
    const create = this.db.transaction((): Account => {
      const existing = this.db.prepare('SELECT * FROM accounts WHERE employee_id = ?').get(account.employeeId) as AccountRow | undefined;
      if (existing) {
        if (existing.status === 'disabled') {
          this.db.prepare("UPDATE accounts SET status = 'active', updated_at = ? WHERE employee_id = ?").run(nowIso(), account.employeeId);
        }
        return toAccount({ ...existing, status: 'active' });
      }
      const emailTaken = this.db.prepare('SELECT 1 FROM accounts WHERE email = ?').get(account.email) !== undefined;
      // The message reaches notices and the team chat: it must not say whose account holds the address.
      if (emailTaken) throw new PermanentError(EMAIL_TAKEN);
      const username = this.freeUsername(account.fullName, account.employeeId);
      const row: AccountRow = {
        account_id: `acct-${account.employeeId.toLowerCase()}`,
        employee_id: account.employeeId,
        username,
        full_name: account.fullName,
        email: account.email,
        role: account.role,
        team: account.team,
        status: 'active',
        created_at: nowIso(),
        updated_at: nowIso(),
      };
      this.db
        .prepare(
          `INSERT INTO accounts (account_id, employee_id, username, full_name, email, role, team, status, created_at, updated_at)
           VALUES (@account_id, @employee_id, @username, @full_name, @email, @role, @team, @status, @created_at, @updated_at)`,
        )
        .run(row);
      return toAccount(row);
    });
    return create.immediate();
  }

  private freeUsername(fullName: string, employeeId: string): string {
    const base = usernameBase(fullName);
    const taken = this.db.prepare('SELECT 1 FROM accounts WHERE username = ?');
    return taken.get(base) ? distinctUsername(base, employeeId) : base;
  }

  async grantPermissions(employeeId: string, role: string, extraPermissions: string[]): Promise<string[]> {
    const permissions = permissionsFor(role, extraPermissions);
    this.requireAccount(employeeId);
    const insert = this.db.prepare('INSERT OR IGNORE INTO grants (employee_id, permission, granted_at) VALUES (?, ?, ?)');
    this.db.transaction(() => permissions.forEach((p) => insert.run(employeeId, p, nowIso()))).immediate();
    return permissions;
  }

  async createWorkspace(employeeId: string, team: string): Promise<Workspace> {
    this.requireAccount(employeeId);
    const url = workspaceUrlFor(this.workspaceBaseUrl, employeeId);
    const workspaceId = `ws-${employeeId.toLowerCase()}`;
    this.db
      .prepare('INSERT OR IGNORE INTO workspaces (workspace_id, employee_id, team, url, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(workspaceId, employeeId, team, url, nowIso());
    return { workspaceId, employeeId, url };
  }

  async openTicket(key: string, employeeId: string, summary: string): Promise<Ticket> {
    const open = this.db.transaction((): Ticket => {
      const existing = this.db.prepare('SELECT ticket_id, employee_id, summary FROM tickets WHERE idempotency_key = ?').get(key) as
        { ticket_id: string; employee_id: string; summary: string } | undefined;
      if (existing) return { ticketId: existing.ticket_id, employeeId: existing.employee_id, summary: existing.summary };
      const count = (this.db.prepare('SELECT COUNT(*) AS n FROM tickets').get() as { n: number }).n;
      const ticketId = `IT-${1000 + count + 1}`;
      this.db
        .prepare('INSERT INTO tickets (ticket_id, idempotency_key, employee_id, summary, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(ticketId, key, employeeId, summary, nowIso());
      return { ticketId, employeeId, summary };
    });
    return open.immediate();
  }

  async revokePermissions(employeeId: string): Promise<number> {
    return this.db.prepare('DELETE FROM grants WHERE employee_id = ?').run(employeeId).changes;
  }

  async deleteWorkspace(employeeId: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM workspaces WHERE employee_id = ?').run(employeeId).changes > 0;
  }

  async disableAccount(employeeId: string): Promise<boolean> {
    return (
      this.db
        .prepare("UPDATE accounts SET status = 'disabled', updated_at = ? WHERE employee_id = ? AND status = 'active'")
        .run(nowIso(), employeeId).changes > 0
    );
  }

  /** What the directory holds for one employee: used by tests, the console and people checking a run. */
  inventory(employeeId: string): DirectoryInventory {
    const accounts = (this.db.prepare('SELECT * FROM accounts WHERE employee_id = ?').all(employeeId) as AccountRow[]).map(toAccount);
    const grants = (
      this.db.prepare('SELECT permission FROM grants WHERE employee_id = ? ORDER BY permission').all(employeeId) as Array<{
        permission: string;
      }>
    ).map((g) => g.permission);
    const workspaces = (
      this.db.prepare('SELECT workspace_id, employee_id, url FROM workspaces WHERE employee_id = ?').all(employeeId) as Array<{
        workspace_id: string;
        employee_id: string;
        url: string;
      }>
    ).map((w) => ({ workspaceId: w.workspace_id, employeeId: w.employee_id, url: w.url }));
    const tickets = (
      this.db.prepare('SELECT ticket_id, employee_id, summary FROM tickets WHERE employee_id = ?').all(employeeId) as Array<{
        ticket_id: string;
        employee_id: string;
        summary: string;
      }>
    ).map((t) => ({ ticketId: t.ticket_id, employeeId: t.employee_id, summary: t.summary }));
    return { accounts, grants, workspaces, tickets };
  }

  private requireAccount(employeeId: string): void {
    const row = this.db.prepare("SELECT 1 FROM accounts WHERE employee_id = ? AND status = 'active'").get(employeeId);
    if (!row) throw new PermanentError(`no active account for employee ${employeeId}`);
  }

  close(): void {
    this.db.close();
  }
}

interface AccountRow {
  account_id: string;
  employee_id: string;
  username: string;
  full_name: string;
  email: string;
  role: string;
  team: string;
  status: 'active' | 'disabled';
  created_at: string;
  updated_at: string;
}

function toAccount(row: AccountRow): Account {
  return { accountId: row.account_id, employeeId: row.employee_id, username: row.username, status: row.status };
}
