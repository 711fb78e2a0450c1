/**
 * The shared directory on a real PostgreSQL against the directory contract every provider keeps
 * (test/helpers/directory-contract.ts; SqliteDirectory runs the same suite).
 */
import { PostgresDirectory } from '../../src/stores/directory/postgres-directory';
import { CONTRACT_BASE_URL, describeDirectoryContract } from '../helpers/directory-contract';
import { startTestPostgres, type TestPostgres } from '../helpers/private-postgres';

describeDirectoryContract(
  'PostgresDirectory (real PostgreSQL)',
  async () => {
    const server: TestPostgres = await startTestPostgres();
    // The database does not exist yet: opening the directory creates and migrates it.
    const url = server.urlFor('overture_directory');
    const directory = await PostgresDirectory.open(url, CONTRACT_BASE_URL);
    return {
      directory,
      openAnother: () => PostgresDirectory.open(url, CONTRACT_BASE_URL),
      rows: async (table, employeeId) =>
        (
          await server.query<{ n: number }>('overture_directory', `SELECT count(*)::int AS n FROM ${table} WHERE employee_id = $1`, [
            employeeId,
          ])
        )[0]!.n,
      close: async () => {
        await directory.close();
        await server.stop();
      },
    };
  },
  60_000,
);
