/**
 * A worker configured with LEDGER_URL and DIRECTORY_URL (a real PostgreSQL whose databases do not exist yet)
 * creates and migrates them, and onboards a hire into them: the account, grants and workspace land in the shared
 * directory, the welcome email and team notification in the shared ledger, nothing in the SQLite files.
 */

import { PostgresDirectory } from '../../src/stores/directory/postgres-directory';
import { PostgresDeliveryLedger } from '../../src/stores/delivery-ledger/postgres-ledger';
import { fastOptions, startTestStack, type TestStack } from '../helpers/test-stack';
import { startTestPostgres, type TestPostgres } from '../helpers/private-postgres';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

let pg: TestPostgres;
let stack: TestStack;

beforeAll(async () => {
  pg = await startTestPostgres();
  stack = await startTestStack({ LEDGER_URL: pg.urlFor('overture_ledger'), DIRECTORY_URL: pg.urlFor('overture_directory') });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await pg?.stop();
});

it('onboards a hire into the PostgreSQL directory and ledger', async () => {
  const hire = newHire({ extraPermissions: ['vpn:access'] });
  const started = await startOnboarding(stack.client, stack.config, hire, { tuneOptions: fastOptions() });
  await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed', accountId: `acct-${hire.employeeId.toLowerCase()}` });

  const directory = await PostgresDirectory.open(stack.config.DIRECTORY_URL!, stack.config.WORKSPACE_BASE_URL);
  const ledger = await PostgresDeliveryLedger.open(stack.config.LEDGER_URL!);
  try {
    const inventory = await directory.inventory(hire.employeeId);
    expect(inventory.accounts).toEqual([expect.objectContaining({ employeeId: hire.employeeId, status: 'active' })]);
    expect(inventory.grants).toEqual(['chat:join', 'ci:run', 'repo:read', 'repo:write', 'vpn:access']);
    expect(inventory.workspaces).toHaveLength(1);
    expect(await ledger.count('email', `${started.workflowId}/`)).toBe(1);
    expect(await ledger.count('webhook', `${started.workflowId}/`)).toBe(1);
  } finally {
    await directory.close();
    await ledger.close();
  }
  // The SQLite directory of the data directory saw nothing of it.
  expect(stack.directory.inventory(hire.employeeId).accounts).toEqual([]);
  expect(stack.mail.messages().filter((m) => m.to.includes(hire.email))).toHaveLength(1);
});
