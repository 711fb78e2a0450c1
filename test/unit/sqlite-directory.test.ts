import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { workspaceUrlFor, type NewAccount } from '../../src/directory/directory-provider';
import { ROLE_PERMISSIONS, SqliteDirectory } from '../../src/directory/sqlite-directory';
import { PermanentError } from '../../src/errors';

const BASE_URL = 'https://workspaces.example.test/';

describe('SqliteDirectory (real SQLite file)', () => {
  let dir: string;
  let file: string;
  let directory: SqliteDirectory;
  let seq = 0;

  const account = (overrides: Partial<NewAccount> = {}): NewAccount => {
    seq += 1;
    const employeeId = `E${seq}`;
    return {
      employeeId,
      fullName: 'Ada Lovelace',
      email: `ada.${employeeId.toLowerCase()}@example.com`,
      role: 'engineer',
      team: 'Analytical Engines',
      ...overrides,
    };
  };

  const count = (sql: string, ...params: unknown[]) => (directory.db.prepare(sql).get(...params) as { n: number }).n;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'overture-directory-'));
    file = path.join(dir, 'nested', 'directory.db');
    directory = new SqliteDirectory(file, BASE_URL);
  });

  afterAll(() => {
    directory.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('createAccount', () => {
    it('is idempotent: a second call returns the same account and stores no second row', async () => {
      const input = account();
      const first = await directory.createAccount(input);
      const second = await directory.createAccount(input);

      expect(second).toEqual(first);
      expect(first).toMatchObject({ employeeId: input.employeeId, status: 'active' });
      expect(first.accountId).toBe(`acct-${input.employeeId.toLowerCase()}`);
      expect(count('SELECT COUNT(*) AS n FROM accounts WHERE employee_id = ?', input.employeeId)).toBe(1);
      expect(directory.inventory(input.employeeId).accounts).toEqual([first]);
    });

    it('re-enables a disabled account instead of creating another one', async () => {
      const input = account();
      const created = await directory.createAccount(input);
      expect(await directory.disableAccount(input.employeeId)).toBe(true);
      expect(directory.inventory(input.employeeId).accounts[0]?.status).toBe('disabled');

      const again = await directory.createAccount(input);

      expect(again).toEqual({ ...created, status: 'active' });
      expect(directory.inventory(input.employeeId).accounts).toEqual([{ ...created, status: 'active' }]);
    });

    it('refuses a second employee with the same email as a permanent directory conflict', async () => {
      const first = account();
      await directory.createAccount(first);
      const other = account({ email: first.email });

      const attempt = directory.createAccount(other);
      await expect(attempt).rejects.toBeInstanceOf(PermanentError);
      await expect(directory.createAccount(other)).rejects.toThrow(/directory conflict/);
      expect(directory.inventory(other.employeeId).accounts).toEqual([]);
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
      expect(directory.inventory(input.employeeId).grants).toEqual([...first].sort());
      expect(count('SELECT COUNT(*) AS n FROM grants WHERE employee_id = ?', input.employeeId)).toBe(first.length);
    });

    it('refuses an unknown role permanently and grants nothing', async () => {
      const input = account();
      await directory.createAccount(input);

      await expect(directory.grantPermissions(input.employeeId, 'astronaut', [])).rejects.toBeInstanceOf(PermanentError);
      await expect(directory.grantPermissions(input.employeeId, 'astronaut', [])).rejects.toThrow(/role "astronaut"/);
      expect(directory.inventory(input.employeeId).grants).toEqual([]);
    });

    it('refuses an unknown extra permission permanently and grants nothing', async () => {
      const input = account();
      await directory.createAccount(input);

      const attempt = directory.grantPermissions(input.employeeId, 'engineer', ['vpn:access', 'launch:rockets']);
      await expect(attempt).rejects.toBeInstanceOf(PermanentError);
      await expect(directory.grantPermissions(input.employeeId, 'engineer', ['launch:rockets'])).rejects.toThrow(/launch:rockets/);
      expect(directory.inventory(input.employeeId).grants).toEqual([]);
    });

    it('refuses grants for an employee without an account', async () => {
      await expect(directory.grantPermissions('NOBODY-1', 'engineer', [])).rejects.toBeInstanceOf(PermanentError);
      await expect(directory.grantPermissions('NOBODY-1', 'engineer', [])).rejects.toThrow(/no active account/);
      expect(directory.inventory('NOBODY-1').grants).toEqual([]);
    });

    it('refuses grants for a disabled account', async () => {
      const input = account();
      await directory.createAccount(input);
      await directory.disableAccount(input.employeeId);

      await expect(directory.grantPermissions(input.employeeId, 'engineer', [])).rejects.toBeInstanceOf(PermanentError);
    });
  });

  describe('createWorkspace', () => {
    it('is idempotent and uses the URL from workspaceUrlFor', async () => {
      const input = account({ employeeId: 'Mixed-Case_7' });
      await directory.createAccount(input);

      const first = await directory.createWorkspace(input.employeeId, input.team);
      const second = await directory.createWorkspace(input.employeeId, input.team);

      expect(second).toEqual(first);
      expect(first.url).toBe(workspaceUrlFor(BASE_URL, input.employeeId));
      expect(first.url).toBe('https://workspaces.example.test/w/mixed-case_7');
      expect(directory.inventory(input.employeeId).workspaces).toEqual([first]);
    });

    it('refuses a workspace for an employee without an account', async () => {
      await expect(directory.createWorkspace('NOBODY-2', 'Team')).rejects.toBeInstanceOf(PermanentError);
      expect(directory.inventory('NOBODY-2').workspaces).toEqual([]);
    });
  });

  describe('openTicket', () => {
    it('opens one ticket per idempotency key', async () => {
      const input = account();
      const first = await directory.openTicket('wf-1/run-1/openWorkspaceTicket', input.employeeId, 'Provision by hand');
      const again = await directory.openTicket('wf-1/run-1/openWorkspaceTicket', input.employeeId, 'Provision by hand (retry)');
      const other = await directory.openTicket('wf-1/run-2/openWorkspaceTicket', input.employeeId, 'Provision by hand');

      expect(again).toEqual(first);
      expect(first.summary).toBe('Provision by hand');
      expect(other.ticketId).not.toBe(first.ticketId);
      expect(first.ticketId).toMatch(/^IT-\d+$/);
      expect(directory.inventory(input.employeeId).tickets.map((t) => t.ticketId).sort()).toEqual([first.ticketId, other.ticketId].sort());
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
      const afterFirst = directory.inventory(input.employeeId);

      expect(await directory.revokePermissions(input.employeeId)).toBe(0);
      expect(await directory.deleteWorkspace(input.employeeId)).toBe(false);
      expect(await directory.disableAccount(input.employeeId)).toBe(false);

      expect(directory.inventory(input.employeeId)).toEqual(afterFirst);
      expect(afterFirst.grants).toEqual([]);
      expect(afterFirst.workspaces).toEqual([]);
      expect(afterFirst.accounts).toHaveLength(1);
      expect(afterFirst.accounts[0]?.status).toBe('disabled');
    });

    it('do not fail for an employee the directory never saw', async () => {
      await expect(directory.revokePermissions('NOBODY-3')).resolves.toBe(0);
      await expect(directory.deleteWorkspace('NOBODY-3')).resolves.toBe(false);
      await expect(directory.disableAccount('NOBODY-3')).resolves.toBe(false);
    });
  });

  describe('two processes on one file', () => {
    it('a second SqliteDirectory on the same file sees and respects what the first wrote', async () => {
      const other = new SqliteDirectory(file, BASE_URL);
      try {
        const input = account();
        const created = await directory.createAccount(input);
        await directory.grantPermissions(input.employeeId, 'analyst', []);
        const workspace = await directory.createWorkspace(input.employeeId, input.team);

        expect(other.inventory(input.employeeId)).toEqual({
          accounts: [created],
          grants: [...ROLE_PERMISSIONS.analyst!].sort(),
          workspaces: [workspace],
          tickets: [],
        });
        // Idempotency holds across connections too: the second one finds the account rather than adding one.
        expect(await other.createAccount(input)).toEqual(created);
        await expect(other.createAccount(account({ email: input.email }))).rejects.toBeInstanceOf(PermanentError);

        // And writes go the other way as well.
        const ticket = await other.openTicket(`shared/${input.employeeId}`, input.employeeId, 'Shared ticket');
        expect(await directory.openTicket(`shared/${input.employeeId}`, input.employeeId, 'Shared ticket')).toEqual(ticket);
        expect(directory.inventory(input.employeeId).tickets).toEqual([ticket]);
      } finally {
        other.close();
      }
    });
  });
});
