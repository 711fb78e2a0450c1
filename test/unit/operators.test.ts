/** The operator store (real SQLite in a temporary directory) and how the CLI finds and checks its caller's token. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { adminTokenPath, cliIdentity, IdentityError } from '../../src/apps/cli/identity';
import { ensureBootstrapAdmin } from '../../src/stores/operators/bootstrap';
import { OperatorStore, operatorsDbPath } from '../../src/stores/operators/store';
import { tokenHash } from '../../src/stores/operators/tokens';
import { roleAtLeast } from '../../workflows/kit/roles';

let dir: string;
let store: OperatorStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'operators-'));
  store = new OperatorStore(operatorsDbPath(dir));
});
afterEach(() => store.close());

describe('the operator store', () => {
  it('makes a 256-bit token, keeps only its hash, and knows its operator by it', () => {
    const { operator, token } = store.add({ name: 'Ada', role: 'approver', email: 'ada@example.com' });
    expect(token).toMatch(/^ovt_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);
    expect(operator).toEqual({
      name: 'Ada',
      email: 'ada@example.com',
      role: 'approver',
      createdAt: expect.any(String) as unknown,
      disabled: false,
    });
    expect(store.authenticate(token)).toMatchObject({ name: 'Ada', role: 'approver' });
    expect(store.authenticate(`  ${token}\n`)).toMatchObject({ name: 'Ada' });
    expect(store.byTokenHash(tokenHash(token))).toMatchObject({ name: 'Ada' });
    for (const wrong of ['', 'ovt_', `${token}x`, token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), 'not-a-token'])
      expect(store.authenticate(wrong)).toBeUndefined();
    store.close();
    const bytes = fs.readFileSync(operatorsDbPath(dir));
    expect(bytes.includes(token)).toBe(false);
    store = new OperatorStore(operatorsDbPath(dir));
    expect(JSON.stringify(store.list())).not.toContain(tokenHash(token));
  });

  it('takes one operator per name whatever its case, and refuses unsafe names, bad roles and addresses', () => {
    store.add({ name: 'Ops.Bea', role: 'operator' });
    expect(() => store.add({ name: 'ops.bea', role: 'viewer' })).toThrow('operator "Ops.Bea" already exists');
    expect(() => store.add({ name: 'x\u202e', role: 'viewer' })).toThrow(/name: must be plain text/);
    expect(() => store.add({ name: 'cy', role: 'owner' })).toThrow(/role: must be one of viewer, operator, approver, admin/);
    expect(() => store.add({ name: 'cy', role: 'viewer', email: 'not an address' })).toThrow(/email: must be an email address/);
    expect(store.list().map((o) => o.name)).toEqual(['Ops.Bea']);
  });

  it('stops a token at once when rotated or its operator removed; a removed name is not reused', () => {
    const { token } = store.add({ name: 'dee', role: 'admin' });
    const next = store.rotateToken('DEE');
    expect(store.authenticate(token)).toBeUndefined();
    expect(store.authenticate(next)).toMatchObject({ name: 'dee' });
    expect(store.setRole('dee', 'viewer')).toMatchObject({ role: 'viewer' });
    expect(store.authenticate(next)).toMatchObject({ role: 'viewer' });
    store.remove('dee');
    expect(store.authenticate(next)).toBeUndefined();
    expect(store.list()).toEqual([expect.objectContaining({ name: 'dee', disabled: true })]);
    expect(() => store.add({ name: 'Dee', role: 'viewer' })).toThrow(/names are not reused/);
    expect(() => store.rotateToken('dee')).toThrow('no operator "dee" (removed); see overture operators list');
  });
});

describe('roles', () => {
  it('orders viewer < operator < approver < admin', () => {
    expect(roleAtLeast('admin', 'approver')).toBe(true);
    expect(roleAtLeast('approver', 'approver')).toBe(true);
    expect(roleAtLeast('operator', 'approver')).toBe(false);
    expect(roleAtLeast('viewer', 'operator')).toBe(false);
    expect(roleAtLeast('root', 'viewer')).toBe(false);
  });
});

describe('the CLI caller', () => {
  const home = () => fs.mkdtempSync(path.join(os.tmpdir(), 'home-'));

  it('is the operator of OVERTURE_TOKEN, else of the private token file, else (on this machine) the bootstrap admin', async () => {
    const config = loadConfig({ OVERTURE_DATA_DIR: dir });
    await expect(cliIdentity(config, { HOME: home() })).rejects.toThrow(/^no operator token: set OVERTURE_TOKEN/);
    await ensureBootstrapAdmin({ OVERTURE_DATA_DIR: dir }, () => undefined);
    expect(fs.statSync(adminTokenPath(dir)).mode & 0o777).toBe(0o600);
    expect(await cliIdentity(config, { HOME: home() })).toEqual({ operator: 'admin', role: 'admin', via: 'cli' });
    // Against a Temporal elsewhere, the local bootstrap file is not the caller's credential.
    const remote = loadConfig({ OVERTURE_DATA_DIR: dir, TEMPORAL_ADDRESS: 'temporal.example.com:7233' });
    await expect(cliIdentity(remote, { HOME: home() })).rejects.toThrow(/^no operator token/);
    // Only a fresh store gets a bootstrap admin: a second start changes nothing.
    const before = fs.readFileSync(adminTokenPath(dir), 'utf8');
    await ensureBootstrapAdmin({ OVERTURE_DATA_DIR: dir }, () => undefined);
    expect(fs.readFileSync(adminTokenPath(dir), 'utf8')).toBe(before);

    const { token } = store.add({ name: 'eve', role: 'operator', email: 'eve@example.com' });
    expect(await cliIdentity(config, { OVERTURE_TOKEN: token, HOME: home() })).toEqual({
      operator: 'eve',
      email: 'eve@example.com',
      role: 'operator',
      via: 'cli',
    });
    const h = home();
    fs.mkdirSync(path.join(h, '.config', 'overture'), { recursive: true });
    const file = path.join(h, '.config', 'overture', 'token');
    fs.writeFileSync(file, `${token}\n`, { mode: 0o640 });
    await expect(cliIdentity(config, { HOME: h })).rejects.toThrow(
      `the token file ${file} is readable by others (mode 640): make it private with chmod 600 ${file}`,
    );
    fs.chmodSync(file, 0o600);
    expect(await cliIdentity(config, { HOME: h })).toMatchObject({ operator: 'eve' });
  });

  it('says where it looked when there is no operator store in the data directory', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-store-'));
    const config = loadConfig({ OVERTURE_DATA_DIR: empty });
    await expect(cliIdentity(config, { OVERTURE_TOKEN: 'ovt_x', HOME: home() })).rejects.toThrow(
      `no operator store at ${path.join(empty, 'operators.db')}`,
    );
    expect(fs.existsSync(path.join(empty, 'operators.db'))).toBe(false);
  });

  it('refuses a wrong token without falling back to anyone', async () => {
    await ensureBootstrapAdmin({ OVERTURE_DATA_DIR: dir }, () => undefined);
    const config = loadConfig({ OVERTURE_DATA_DIR: dir });
    const wrong = cliIdentity(config, { OVERTURE_TOKEN: 'ovt_guess', HOME: home() });
    await expect(wrong).rejects.toBeInstanceOf(IdentityError);
    await expect(wrong).rejects.toThrow(/^the operator token from OVERTURE_TOKEN is not valid \(unknown, rotated or removed\)/);
  });
});
