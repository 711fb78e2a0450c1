/**
 * The directory Overture provisions into: accounts, role grants, workspaces and IT tickets.
 *
 * Every operation is idempotent on the employee, so a retried or re-run step never creates a second thing.
 * The embedded default is a SQLite database (sqlite-directory.ts); several hosts share one on PostgreSQL
 * (postgres-directory.ts, DIRECTORY_URL); SCIM or HTTP directories implement the same interface.
 */

export interface Account {
  accountId: string;
  employeeId: string;
  username: string;
  status: 'active' | 'disabled';
}

export interface NewAccount {
  employeeId: string;
  fullName: string;
  email: string;
  role: string;
  team: string;
}

export interface Workspace {
  workspaceId: string;
  employeeId: string;
  url: string;
}

export interface Ticket {
  ticketId: string;
  employeeId: string;
  summary: string;
}

/** What the directory holds for one employee: what tests, the console and people checking a run look at. */
export interface DirectoryInventory {
  accounts: Account[];
  grants: string[];
  workspaces: Workspace[];
  tickets: Ticket[];
}

export interface DirectoryProvider {
  /** Creates the account, or returns (and re-enables) the employee's existing one. */
  createAccount(account: NewAccount): Promise<Account>;
  /** Grants the role's permissions plus extras; an unknown role or permission is a PermanentError. */
  grantPermissions(employeeId: string, role: string, extraPermissions: string[]): Promise<string[]>;
  createWorkspace(employeeId: string, team: string): Promise<Workspace>;
  /** Opens an IT ticket once per idempotency key. */
  openTicket(key: string, employeeId: string, summary: string): Promise<Ticket>;
  revokePermissions(employeeId: string): Promise<number>;
  deleteWorkspace(employeeId: string): Promise<boolean>;
  disableAccount(employeeId: string): Promise<boolean>;
}

/** The link of an employee's workspace: known before the workspace exists, so the welcome email can carry it. */
export function workspaceUrlFor(baseUrl: string, employeeId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/w/${encodeURIComponent(employeeId.toLowerCase())}`;
}
