/** The embedded CRM and the welcome sequence's texts, without Temporal: a real SQLite file in a temporary folder. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { welcomeEmail } from '../../../activities/customer-onboarding/activities';
import { SqliteCrm } from '../../../activities/customer-onboarding/sqlite-crm';
import { customerSchema } from '../../../workflows/customer-onboarding/definition';

let dir: string;
let crm: SqliteCrm;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-'));
  crm = new SqliteCrm(path.join(dir, 'crm.db'), 'https://app.example.com/');
});
afterEach(() => {
  crm.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const customer = {
  customerId: 'C-1',
  company: 'Acme',
  plan: 'growth' as const,
  contactName: 'Ada Lovelace',
  contactEmail: 'ada@example.com',
};

it('opens one account and provisions one tenant per customer, however often asked (a retry after a lost reply)', async () => {
  const first = await crm.openAccount(customer);
  await expect(crm.openAccount({ ...customer, company: 'Acme renamed' })).resolves.toEqual(first);
  const access = await crm.provisionAccess({ customerId: 'C-1', plan: 'growth', seats: 5 });
  expect(access).toEqual({ tenantId: 'tenant-c-1', loginUrl: 'https://app.example.com/t/tenant-c-1/login', seats: 5, status: 'active' });
  await expect(crm.provisionAccess({ customerId: 'C-1', plan: 'growth', seats: 50 })).resolves.toEqual(access);
});

it('closes and revokes once, keeping the record, and a later run for the customer opens them again', async () => {
  await crm.openAccount(customer);
  await crm.provisionAccess({ customerId: 'C-1', plan: 'growth', seats: 5 });
  await expect(crm.revokeAccess('C-1')).resolves.toBe(true);
  await expect(crm.revokeAccess('C-1')).resolves.toBe(false);
  await expect(crm.closeAccount('C-1')).resolves.toBe(true);
  await expect(crm.closeAccount('C-1')).resolves.toBe(false);
  await expect(crm.customer('C-1')).resolves.toMatchObject({ account: { status: 'closed' }, access: { status: 'revoked' } });
  await expect(crm.openAccount(customer)).resolves.toMatchObject({ status: 'active' });
  await expect(crm.provisionAccess({ customerId: 'C-1', plan: 'growth', seats: 5 })).resolves.toMatchObject({ status: 'active' });
});

it('writes the sequence by day: the welcome with the login, the tips, the check-in', () => {
  const at = (day: number) =>
    welcomeEmail({ company: 'Acme', contactName: 'Ada Lovelace', loginUrl: 'https://app.example.com/t/x/login', day });
  expect(at(0)).toMatchObject({ subject: 'Welcome to Overture, Acme' });
  expect(at(0).text).toContain('https://app.example.com/t/x/login');
  expect(at(0).text.startsWith('Hi Ada,')).toBe(true);
  expect(at(3).subject).toBe('Three steps to finish setting up Acme');
  expect(at(7).subject).toBe('How is Acme getting on?');
});

it('refuses bad input naming the fields, never their values, and normalises the customer id', () => {
  const bad = customerSchema.safeParse({ ...customer, customerId: 'c 1', plan: 'platinum', seats: 0, contactEmail: 'not-an-address' });
  expect(bad.success).toBe(false);
  expect(bad.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['contactEmail', 'customerId', 'plan', 'seats']);
  expect(JSON.stringify(bad.error!.issues)).not.toContain('not-an-address');
  expect(customerSchema.parse({ ...customer, customerId: 'c-1' })).toMatchObject({ customerId: 'C-1', seats: 5 });
});
