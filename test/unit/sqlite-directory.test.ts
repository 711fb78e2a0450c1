/**
 * The embedded directory (a real SQLite file) against the directory contract every provider keeps
 * (test/helpers/directory-contract.ts; PostgresDirectory runs the same suite).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteDirectory } from '../../src/stores/directory/sqlite-directory';
import { CONTRACT_BASE_URL, describeDirectoryContract } from '../helpers/directory-contract';

describeDirectoryContract('SqliteDirectory (real SQLite file)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'overture-directory-'));
  // A folder that does not exist yet: the directory creates it.
  const file = path.join(dir, 'nested', 'directory.db');
  const directory = new SqliteDirectory(file, CONTRACT_BASE_URL);
  return {
    directory,
    openAnother: async () => new SqliteDirectory(file, CONTRACT_BASE_URL),
    rows: async (table, employeeId) =>
      (directory.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE employee_id = ?`).get(employeeId) as { n: number }).n,
    close: async () => {
      directory.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
