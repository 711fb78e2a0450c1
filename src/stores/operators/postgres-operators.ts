/**
 * The operators on the PostgreSQL every host shares (OPERATORS_URL): the SQLite store's rules (./store.ts) for every
 * host's console and CLI at once, so a token made on one host signs in on all, and a removal or rotation made on one
 * takes effect on all at the next request.
 *
 * A name is claimed by its primary key (`INSERT ... ON CONFLICT DO NOTHING`): two hosts adding the same name at once
 * make one operator, and the other is told the name is taken.
 */
import type pg from 'pg';
import { endPool, openPool } from '../postgres/connection';
import { migrate } from '../postgres/migrate';
import { looksLikeToken, newToken, tokenHash } from './tokens';
import {
  nameTaken,
  noOperator,
  operatorKey,
  operatorOfHash,
  operatorsWithEmail,
  parseNewOperator,
  parseRole,
  toOperator,
  type Operator,
  type OperatorRecords,
  type OperatorRow,
} from './store';

/** Connections per process: a console checks a token per request, each query takes a few milliseconds. */
const POOL_SIZE = 5;

export interface PostgresOperatorsOptions {
  log?: (line: string) => void;
}

/** The operators of every host, on PostgreSQL. */
export class PostgresOperators implements OperatorRecords {
  private constructor(private readonly pool: pg.Pool) {}

  /** Brings the database at `url` to the operators' schema (creating it when missing) and opens a pool on it. */
  static async open(url: string, opts: PostgresOperatorsOptions = {}): Promise<PostgresOperators> {
    await migrate(url, 'operators', { log: opts.log });
    return new PostgresOperators(openPool(url, 'overture-operators', POOL_SIZE));
  }

  /** Registers an operator and returns its token, which is never shown again. */
  async add(input: { name: string; role: string; email?: string }): Promise<{ operator: Operator; token: string }> {
    const { name, role, email } = parseNewOperator(input);
    const token = newToken();
    const createdAt = new Date().toISOString();
    const inserted = await this.pool.query(
      `INSERT INTO operators (name_key, name, email, role, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (name_key) DO NOTHING`,
      [operatorKey(name), name, email ?? null, role, tokenHash(token), createdAt],
    );
    if (inserted.rowCount !== 1) throw nameTaken((await this.row(name))!);
    return { operator: { name, ...(email ? { email } : {}), role, createdAt, disabled: false }, token };
  }

  /** Every operator, by name (without tokens or hashes). */
  async list(): Promise<Operator[]> {
    return (await this.rows('SELECT * FROM operators ORDER BY name_key')).map(toOperator);
  }

  /** The operator of this name (any case), if there is one. */
  async find(name: string): Promise<Operator | undefined> {
    const row = await this.row(name);
    return row ? toOperator(row) : undefined;
  }

  /** The operators registered with this email address (compared without case), removed ones included. */
  async byEmail(email: string): Promise<Operator[]> {
    return operatorsWithEmail(await this.rows('SELECT * FROM operators WHERE email IS NOT NULL ORDER BY name_key'), email);
  }

  /** Disables an operator: its token stops working on every host at once; the name stays reserved. */
  async remove(name: string): Promise<Operator> {
    const row = await this.changeOf(name, 'UPDATE operators SET disabled = true WHERE name_key = $1 AND NOT disabled RETURNING *');
    return toOperator(row);
  }

  /** Gives an operator another role. */
  async setRole(name: string, role: string): Promise<Operator> {
    return toOperator(
      await this.changeOf(name, 'UPDATE operators SET role = $2 WHERE name_key = $1 AND NOT disabled RETURNING *', [parseRole(role)]),
    );
  }

  /** Replaces an operator's token: the old one stops working on every host at once; the new one is returned. */
  async rotateToken(name: string): Promise<string> {
    const token = newToken();
    await this.changeOf(name, 'UPDATE operators SET token_hash = $2 WHERE name_key = $1 AND NOT disabled RETURNING *', [tokenHash(token)]);
    return token;
  }

  /** The enabled operator this token belongs to, or undefined. */
  async authenticate(token: string): Promise<Operator | undefined> {
    const candidate = token.trim();
    return looksLikeToken(candidate) ? this.byTokenHash(tokenHash(candidate)) : undefined;
  }

  /** The enabled operator whose current token has this hash. */
  async byTokenHash(hash: string): Promise<Operator | undefined> {
    // Every row is compared, timing-safe, as in SQLite: how long this takes says nothing about which hashes exist.
    return operatorOfHash(await this.rows('SELECT * FROM operators'), hash);
  }

  /** Ends the pool once its connections in use are back. */
  async close(): Promise<void> {
    await endPool(this.pool);
  }

  private async rows(sql: string, params: unknown[] = []): Promise<OperatorRow[]> {
    return (await this.pool.query<OperatorRow>(sql, params)).rows;
  }

  private async row(name: string): Promise<OperatorRow | undefined> {
    return (await this.rows('SELECT * FROM operators WHERE name_key = $1', [operatorKey(name)]))[0];
  }

  /** Applies a change to an enabled operator in one statement; refuses an unknown or removed name. */
  private async changeOf(name: string, sql: string, params: unknown[] = []): Promise<OperatorRow> {
    const changed = (await this.rows(sql, [operatorKey(name), ...params]))[0];
    if (!changed) throw noOperator(name, await this.row(name));
    return changed;
  }
}
