/**
 * One transaction on one pooled connection, for the PostgreSQL stores whose writes read before they write (the
 * directory, the close's books, the pipeline's warehouse): rolled back if the work throws, the connection discarded if even the
 * rollback failed.
 */
import type pg from 'pg';

/** Runs `work` in a transaction on one connection of `pool`; what `work` returns is committed, a throw rolls back. */
export async function inPoolTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
    throw err;
  } finally {
    client.release(broken ?? false);
  }
}
