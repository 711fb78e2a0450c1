/**
 * The embedded CRM: a SQLite file (better-sqlite3) with the customers' accounts and the access provisioned for them.
 * Keyed on the customer: opening an account or provisioning access twice finds the first one. Closing and revoking
 * keep the row, marked, so the CRM remembers what was undone.
 */
import type Database from 'better-sqlite3';
import { openDatabase } from '../../src/stores/sqlite';
import type { Plan } from '../../workflows/customer-onboarding/types';
import type { Crm, CrmAccount, CustomerAccess } from './crm';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS crm_accounts (
  customer_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL UNIQUE,
  company TEXT NOT NULL,
  plan TEXT NOT NULL,
  contact_name TEXT NOT NULL,
  contact_email TEXT NOT NULL,
  status TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  closed_at TEXT
);
CREATE TABLE IF NOT EXISTS customer_access (
  customer_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL UNIQUE,
  login_url TEXT NOT NULL,
  seats INTEGER NOT NULL,
  status TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  revoked_at TEXT
);`;

interface AccountRow {
  account_id: string;
  customer_id: string;
  company: string;
  plan: Plan;
  status: 'active' | 'closed';
}

interface AccessRow {
  tenant_id: string;
  login_url: string;
  seats: number;
  status: 'active' | 'revoked';
}

const toAccount = (r: AccountRow): CrmAccount => ({
  accountId: r.account_id,
  customerId: r.customer_id,
  company: r.company,
  plan: r.plan,
  status: r.status,
});
const toAccess = (r: AccessRow): CustomerAccess => ({ tenantId: r.tenant_id, loginUrl: r.login_url, seats: r.seats, status: r.status });

/** The CRM on a SQLite file; `loginBaseUrl` is where tenants' logins live (e.g. https://app.example.com). */
export class SqliteCrm implements Crm {
  private readonly db: Database.Database;

  constructor(
    file: string,
    private readonly loginBaseUrl: string,
  ) {
    this.db = openDatabase(file, { schema: SCHEMA });
  }

  async openAccount(input: {
    customerId: string;
    company: string;
    plan: Plan;
    contactName: string;
    contactEmail: string;
  }): Promise<CrmAccount> {
    const accountId = `acct-${input.customerId.toLowerCase()}`;
    // One statement: a second call (a retry after a lost reply) finds the account and changes nothing; an account
    // closed by an abandoned run is opened again by the next run for the customer.
    this.db
      .prepare(
        `INSERT INTO crm_accounts (customer_id, account_id, company, plan, contact_name, contact_email, status, opened_at)
         VALUES (?, ?, ?, ?, ?, ?, 'active', ?)
         ON CONFLICT (customer_id) DO UPDATE SET status = 'active', closed_at = NULL WHERE crm_accounts.status = 'closed'`,
      )
      .run(input.customerId, accountId, input.company, input.plan, input.contactName, input.contactEmail, new Date().toISOString());
    return toAccount(this.db.prepare('SELECT * FROM crm_accounts WHERE customer_id = ?').get(input.customerId) as AccountRow);
  }

  async closeAccount(customerId: string): Promise<boolean> {
    const closed = this.db
      .prepare(`UPDATE crm_accounts SET status = 'closed', closed_at = ? WHERE customer_id = ? AND status = 'active'`)
      .run(new Date().toISOString(), customerId);
    return closed.changes > 0;
  }

  async provisionAccess(input: { customerId: string; plan: Plan; seats: number }): Promise<CustomerAccess> {
    const tenantId = `tenant-${input.customerId.toLowerCase()}`;
    const loginUrl = `${this.loginBaseUrl.replace(/\/+$/, '')}/t/${encodeURIComponent(tenantId)}/login`;
    this.db
      .prepare(
        `INSERT INTO customer_access (customer_id, tenant_id, login_url, seats, status, granted_at) VALUES (?, ?, ?, ?, 'active', ?)
         ON CONFLICT (customer_id) DO UPDATE SET status = 'active', revoked_at = NULL WHERE customer_access.status = 'revoked'`,
      )
      .run(input.customerId, tenantId, loginUrl, input.seats, new Date().toISOString());
    return toAccess(this.db.prepare('SELECT * FROM customer_access WHERE customer_id = ?').get(input.customerId) as AccessRow);
  }

  async revokeAccess(customerId: string): Promise<boolean> {
    const revoked = this.db
      .prepare(`UPDATE customer_access SET status = 'revoked', revoked_at = ? WHERE customer_id = ? AND status = 'active'`)
      .run(new Date().toISOString(), customerId);
    return revoked.changes > 0;
  }

  async customer(customerId: string): Promise<{ account?: CrmAccount; access?: CustomerAccess }> {
    const account = this.db.prepare('SELECT * FROM crm_accounts WHERE customer_id = ?').get(customerId) as AccountRow | undefined;
    const access = this.db.prepare('SELECT * FROM customer_access WHERE customer_id = ?').get(customerId) as AccessRow | undefined;
    return { ...(account ? { account: toAccount(account) } : {}), ...(access ? { access: toAccess(access) } : {}) };
  }

  close(): void {
    this.db.close();
  }
}
