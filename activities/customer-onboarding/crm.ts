/**
 * The CRM as customer onboarding uses it: the customer's account, and the access provisioned for it (a tenant and
 * its admin login). Every operation is idempotent on the customer, so a retried or re-run step never opens a second
 * account or a second tenant. The embedded default is a SQLite file (./sqlite-crm.ts); a hosted CRM goes behind the
 * same interface.
 */
import type { Plan } from '../../workflows/customer-onboarding/types';

export interface CrmAccount {
  accountId: string;
  customerId: string;
  company: string;
  plan: Plan;
  status: 'active' | 'closed';
}

export interface CustomerAccess {
  tenantId: string;
  loginUrl: string;
  seats: number;
  status: 'active' | 'revoked';
}

export interface Crm {
  /** Opens the customer's account, or returns the one already open (a second call changes nothing). */
  openAccount(input: { customerId: string; company: string; plan: Plan; contactName: string; contactEmail: string }): Promise<CrmAccount>;
  /** Closes the account (the undo of openAccount); false when there was none open. */
  closeAccount(customerId: string): Promise<boolean>;
  /** Provisions the customer's tenant and admin login, or returns what was provisioned. */
  provisionAccess(input: { customerId: string; plan: Plan; seats: number }): Promise<CustomerAccess>;
  /** Revokes the access (the undo of provisionAccess); false when there was none active. */
  revokeAccess(customerId: string): Promise<boolean>;
  /** What the CRM holds of a customer: what tests and people checking a run look at. */
  customer(customerId: string): Promise<{ account?: CrmAccount; access?: CustomerAccess }>;
  close(): void | Promise<void>;
}
