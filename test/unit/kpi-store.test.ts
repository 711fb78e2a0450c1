/** The KPI projection's contract (test/helpers/kpi-store-contract.ts) on SQLite: a kpis.db file, as the worker opens it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteKpiStore } from '../../src/stores/kpis/sqlite-kpis';
import { parseSince } from '../../src/kpis/window';
import { describeKpiStoreContract } from '../helpers/kpi-store-contract';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpis-contract-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describeKpiStoreContract('SqliteKpiStore', async () => new SqliteKpiStore(path.join(dir, 'kpis.db')));

describe('--since', () => {
  const now = Date.UTC(2026, 11, 7, 12);
  it('reads minutes, hours, days and weeks before now, and dates', () => {
    expect(parseSince('7d', now)).toEqual({ since: now - 7 * 86_400_000, until: now });
    expect(parseSince('24h', now).since).toBe(now - 86_400_000);
    expect(parseSince('30m', now).since).toBe(now - 1_800_000);
    expect(parseSince('2w', now).since).toBe(now - 14 * 86_400_000);
    expect(parseSince('2026-12-01', now).since).toBe(Date.UTC(2026, 11, 1));
    expect(parseSince(undefined, now).since).toBe(now - 7 * 86_400_000);
  });
  it('refuses anything else with a message that says what it takes', () => {
    expect(() => parseSince('last week', now)).toThrow(/--since must be like 7d/);
    expect(() => parseSince('2027-01-01', now)).toThrow(/in the future/);
  });
});
