/**
 * What every DirectoryProvider promises, as one suite run against each real store (SQLite file, PostgreSQL):
 * idempotent on the employee, PermanentErrors for unknown roles and permissions, compensations that undo once.
 */
import { workspaceUrlFor, type NewAccount } from '../../src/stores/directory/directory';
import { ROLE_PERMISSIONS } from '../../src/stores/directory/roles';
import { PermanentError } from '../../activities/kit/errors';
import type { DirectoryStore } from '../../src/stores/open';

export const CONTRACT_BASE_URL = 'https://workspaces.example.test/';

export interface DirectoryUnderTest {
  directory: DirectoryStore;
  /** A second instance on the same store (another process or host). */
  openAnother(): Promise<DirectoryStore>;
  /** How many rows of `table` the store holds for the employee (what inventory cannot show: duplicates). */
  rows(table: 'accounts' | 'grants' | 'workspaces' | 'tickets', employeeId: string): Promise<number>;
  close(): Promise<void>;
}

/** Declares the directory contract's tests; `open` is called once for the suite, with {@link CONTRACT_BASE_URL}. */
export function describeDirectoryContract(name: string, open: () => Promise<DirectoryUnderTest>, setupTimeoutMs = 5_000): void {
  describe(name, () => {
    let store: DirectoryUnderTest;
    let directory: DirectoryStore;
    let seq = 0;
    const prefix = `E${Date.now().toString(36)}`;

    const account = (overrides: Partial<NewAccount> = {}): NewAccount => {
      seq += 1;
      const employeeId = `${prefix}-${seq}`;
      return {
        employeeId,
        fullName: 'Ada Lovelace',
        email: `ada.${employeeId.toLowerCase()}@example.com`,
        role: 'engineer',
        team: 'Analytical Engines',
        ...overrides,
      };
    };
    const inventory = async (employeeId: string) => directory.inventory(employeeId);

    beforeAll(async () => {
      store = await open();
      directory = store.directory;
    }, setupTimeoutMs);

    afterAll(async () => {
      await store?.close();
    });

    describe('createAccount', () => {
      it('is idempotent: a second call returns the same account and stores no second row', async () => {
        const input = account();
        const first = await directory.createAccount(input);
        const second = await directory.createAccount(input);

        expect(second).toEqual(first);
        expect(first).toMatchObject({ employeeId: input.employeeId, status: 'active' });
        expect(first.accountId).toBe(`acct-${input.employeeId.toLowerCase()}`);
        expect(await store.rows('accounts', input.employeeId)).toBe(1);
        expect((await inventory(input.employeeId)).accounts).toEqual([first]);
      });

      it('re-enables a disabled account instead of creating another one', async () => {
        const input = account();
        const created = await directory.createAccount(input);
        expect(await directory.disableAccount(input.employeeId)).toBe(true);
        expect((await inventory(input.employeeId)).accounts[0]?.status).toBe('disabled');

        const again = await directory.createAccount(input);

        expect(again).toEqual({ ...created, status: 'active' });
        expect((await inventory(input.employeeId)).accounts).toEqual([{ ...created, status: 'active' }]);
      });

      it('refuses a second employee with the same email as a permanent directory conflict', async () => {
        const first = account();
        await directory.createAccount(first);
        const other = account({ email: first.email });

        await expect(directory.createAccount(other)).rejects.toBeInstanceOf(PermanentError);
        await expect(directory.createAccount(other)).rejects.toThrow(/directory conflict/);
        expect((await inventory(other.employeeId)).accounts).toEqual([]);
      });

      it('gives a second person with the same name a distinct username', async () => {
        const a = await directory.createAccount(account({ fullName: 'Grace Hopper' }));
        const bInput = account({ fullName: 'Grace Hopper' });
        const b = await directory.createAccount(bInput);

        expect(a.username).toBe('grace.hopper');
        expect(b.username).toBe(`grace.hopper.${bInput.employeeId.toLowerCase()}`);
      });
    });

    describe('grantPermissions', () => {
      it('grants the role permissions plus extras once, however often it is called', async () => {
        const input = account();
        await directory.createAccount(input);

        const first = await directory.grantPermissions(input.employeeId, 'engineer', ['vpn:access', 'repo:read']);
        const second = await directory.grantPermissions(input.employeeId, 'engineer', ['vpn:access', 'repo:read']);

        expect(second).toEqual(first);
        expect(new Set(first)).toEqual(new Set([...ROLE_PERMISSIONS.engineer!, 'vpn:access']));
        expect(first).toHaveLength(new Set(first).size);
        expect((await inventory(input.employeeId)).grants).toEqual([...first].sort());
        expect(await store.rows('grants', input.employeeId)).toBe(first.length);
      });

      it('refuses an unknown role permanently and grants nothing', async () => {
        const input = account();
        await directory.createAccount(input);

        await expect(directory.grantPermissions(input.employeeId, 'astronaut', [])).rejects.toBeInstanceOf(PermanentError);
        await expect(directory.grantPermissions(input.employeeId, 'astronaut', [])).rejects.toThrow(/role "astronaut"/);
        expect((await inventory(input.employeeId)).grants).toEqual([]);
      });

      it('refuses an unknown extra permission permanently and grants nothing', async () => {
        const input = account();
        await directory.createAccount(input);

        await expect(directory.grantPermissions(input.employeeId, 'engineer', ['vpn:access', 'launch:rockets'])).rejects.toBeInstanceOf(
          PermanentError,
        );
        await expect(directory.grantPermissions(input.employeeId, 'engineer', ['launch:rockets'])).rejects.toThrow(/launch:rockets/);
        expect((await inventory(input.employeeId)).grants).toEqual([]);
      });

      it('refuses grants for an employee without an account, and for a disabled account', async () => {
        await expect(directory.grantPermissions(`${prefix}-NOBODY-1`, 'engineer', [])).rejects.toBeInstanceOf(PermanentError);
        await expect(directory.grantPermissions(`${prefix}-NOBODY-1`, 'engineer', [])).rejects.toThrow(/no active account/);
        expect((await inventory(`${prefix}-NOBODY-1`)).grants).toEqual([]);

        const input = account();
        await directory.createAccount(input);
        await directory.disableAccount(input.employeeId);
        await expect(directory.grantPermissions(input.employeeId, 'engineer', [])).rejects.toBeInstanceOf(PermanentError);
      });
    });

    describe('createWorkspace', () => {
      it('is idempotent and uses the URL from workspaceUrlFor', async () => {
        const input = account({ employeeId: `Mixed-Case_${prefix}` });
        await directory.createAccount(input);

        const first = await directory.createWorkspace(input.employeeId, input.team);
        const second = await directory.createWorkspace(input.employeeId, input.team);

        expect(second).toEqual(first);
        expect(first.url).toBe(workspaceUrlFor(CONTRACT_BASE_URL, input.employeeId));
        expect(first.url).toBe(`https://workspaces.example.test/w/mixed-case_${prefix.toLowerCase()}`);
        expect((await inventory(input.employeeId)).workspaces).toEqual([first]);
        expect(await store.rows('workspaces', input.employeeId)).toBe(1);
      });

      it('refuses a workspace for an employee without an account', async () => {
        await expect(directory.createWorkspace(`${prefix}-NOBODY-2`, 'Team')).rejects.toBeInstanceOf(PermanentError);
        expect((await inventory(`${prefix}-NOBODY-2`)).workspaces).toEqual([]);
      });
    });

    describe('openTicket', () => {
      it('opens one ticket per idempotency key', async () => {
        const input = account();
        const first = await directory.openTicket(`${prefix}/run-1/openWorkspaceTicket`, input.employeeId, 'Provision by hand');
        const again = await directory.openTicket(`${prefix}/run-1/openWorkspaceTicket`, input.employeeId, 'Provision by hand (retry)');
        const other = await directory.openTicket(`${prefix}/run-2/openWorkspaceTicket`, input.employeeId, 'Provision by hand');

        expect(again).toEqual(first);
        expect(first.summary).toBe('Provision by hand');
        expect(other.ticketId).not.toBe(first.ticketId);
        expect(first.ticketId).toMatch(/^IT-\d+$/);
        expect((await inventory(input.employeeId)).tickets.map((t) => t.ticketId).sort()).toEqual([first.ticketId, other.ticketId].sort());
        expect(await store.rows('tickets', input.employeeId)).toBe(2);
      });
    });

    describe('compensations', () => {
      it('revokePermissions, deleteWorkspace and disableAccount undo once and are no-ops the second time', async () => {
        const input = account();
        await directory.createAccount(input);
        const granted = await directory.grantPermissions(input.employeeId, 'designer', ['vpn:access']);
        await directory.createWorkspace(input.employeeId, input.team);

        expect(await directory.revokePermissions(input.employeeId)).toBe(granted.length);
        expect(await directory.deleteWorkspace(input.employeeId)).toBe(true);
        expect(await directory.disableAccount(input.employeeId)).toBe(true);
        const afterFirst = await inventory(input.employeeId);

        expect(await directory.revokePermissions(input.employeeId)).toBe(0);
        expect(await directory.deleteWorkspace(input.employeeId)).toBe(false);
        expect(await directory.disableAccount(input.employeeId)).toBe(false);

        expect(await inventory(input.employeeId)).toEqual(afterFirst);
        expect(afterFirst.grants).toEqual([]);
        expect(afterFirst.workspaces).toEqual([]);
        expect(afterFirst.accounts).toHaveLength(1);
        expect(afterFirst.accounts[0]?.status).toBe('disabled');
      });

      it('do not fail for an employee the directory never saw', async () => {
        await expect(directory.revokePermissions(`${prefix}-NOBODY-3`)).resolves.toBe(0);
        await expect(directory.deleteWorkspace(`${prefix}-NOBODY-3`)).resolves.toBe(false);
        await expect(directory.disableAccount(`${prefix}-NOBODY-3`)).resolves.toBe(false);
      });
    });

    describe('two instances on one store', () => {
      it('a second instance sees and respects what the first wrote, and writes go both ways', async () => {
        const other = await store.openAnother();
        try {
          const input = account();
          const created = await directory.createAccount(input);
          await directory.grantPermissions(input.employeeId, 'analyst', []);
          const workspace = await directory.createWorkspace(input.employeeId, input.team);

          expect(await other.inventory(input.employeeId)).toEqual({
            accounts: [created],
            grants: [...ROLE_PERMISSIONS.analyst!].sort(),
            workspaces: [workspace],
            tickets: [],
          });
          // Idempotency holds across connections too: the second one finds the account rather than adding one.
          expect(await other.createAccount(input)).toEqual(created);
          await expect(other.createAccount(account({ email: input.email }))).rejects.toBeInstanceOf(PermanentError);

          const ticket = await other.openTicket(`shared/${input.employeeId}`, input.employeeId, 'Shared ticket');
          expect(await directory.openTicket(`shared/${input.employeeId}`, input.employeeId, 'Shared ticket')).toEqual(ticket);
          expect((await inventory(input.employeeId)).tickets).toEqual([ticket]);
        } finally {
          await other.close();
        }
      });

      it('two instances racing on the same employee create one account, one grant set, one workspace and one ticket', async () => {
        const other = await store.openAnother();
        try {
          const input = account();
          const both = <T>(work: (d: DirectoryStore) => Promise<T>) => Promise.all([work(directory), work(other)]);
          const [x, y] = await both((d) => d.createAccount(input));
          expect(y).toEqual(x);
          await both((d) => d.grantPermissions(input.employeeId, 'sales', ['vpn:access']));
          const [w1, w2] = await both((d) => d.createWorkspace(input.employeeId, input.team));
          expect(w2).toEqual(w1);
          const [t1, t2] = await both((d) => d.openTicket(`race/${input.employeeId}`, input.employeeId, 'Raced ticket'));
          expect(t2).toEqual(t1);

          expect(await store.rows('accounts', input.employeeId)).toBe(1);
          expect(await store.rows('grants', input.employeeId)).toBe(ROLE_PERMISSIONS.sales!.length + 1);
          expect(await store.rows('workspaces', input.employeeId)).toBe(1);
          expect(await store.rows('tickets', input.employeeId)).toBe(1);
        } finally {
          await other.close();
        }
      });
    });
  });
}
