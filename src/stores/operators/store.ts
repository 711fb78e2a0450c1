/**
 * The operators who may use Overture, each with a role and a personal token, in `<data dir>/operators.db` (or on
 * the PostgreSQL every host shares, OPERATORS_URL: ./postgres-operators.ts, behind {@link OperatorRecords}).
 *
 * A token is shown once, when it is made; only its hash is kept. A removed operator is disabled, not deleted:
 * decisions name operators, so a name is never handed to someone else.
 */
import path from 'node:path';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { openDatabase } from '../sqlite';
import { emailAddress, identityText, parseInput } from '../../../workflows/kit/input';
import { OPERATOR_ROLES, type OperatorRole } from '../../../workflows/kit/types';
import { looksLikeToken, newToken, sameHash, tokenHash } from './tokens';

/** An operator as the store shows it: never the token or its hash. */
export interface Operator {
  name: string;
  email?: string;
  role: OperatorRole;
  createdAt: string;
  disabled: boolean;
}

/** A refused change (unknown or taken name, bad role or address); the message says which, never a token. */
export class OperatorError extends Error {
  override readonly name = 'OperatorError';
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS operators (
  name_key TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT,
  role TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);`;

export const operatorNameSchema = identityText({ max: 64 });
const newOperatorSchema = z
  .object({
    name: operatorNameSchema,
    role: z.enum(OPERATOR_ROLES, { error: `must be one of ${OPERATOR_ROLES.join(', ')}` }),
    email: emailAddress().optional(),
  })
  .strict();

/** A value now (SQLite) or later (PostgreSQL): callers await either. */
type MaybePromise<T> = T | Promise<T>;

/** What every operator store offers (this SQLite file, or PostgreSQL); the methods are those of {@link OperatorStore}. */
export interface OperatorRecords {
  add(input: { name: string; role: string; email?: string }): MaybePromise<{ operator: Operator; token: string }>;
  list(): MaybePromise<Operator[]>;
  find(name: string): MaybePromise<Operator | undefined>;
  byEmail(email: string): MaybePromise<Operator[]>;
  remove(name: string): MaybePromise<Operator>;
  setRole(name: string, role: string): MaybePromise<Operator>;
  rotateToken(name: string): MaybePromise<string>;
  authenticate(token: string): MaybePromise<Operator | undefined>;
  byTokenHash(hash: string): MaybePromise<Operator | undefined>;
  close(): MaybePromise<void>;
}

/** A new operator's fields, checked: an InputError names a bad one. */
export function parseNewOperator(input: { name: string; role: string; email?: string }): {
  name: string;
  role: OperatorRole;
  email?: string;
} {
  return parseInput(newOperatorSchema, input, 'operator');
}

/** A role, checked. */
export function parseRole(role: string): OperatorRole {
  return parseInput(newOperatorSchema.pick({ role: true }), { role }, 'role').role;
}

/** An operator store row, the same in SQLite and PostgreSQL but for how `disabled` is typed. */
export interface OperatorRow {
  name: string;
  email: string | null;
  role: OperatorRole;
  token_hash: string;
  created_at: string;
  disabled: number | boolean;
}
type Row = OperatorRow;

/** Why a name cannot be added: it is taken, or was removed (names are not reused). */
export function nameTaken(taken: OperatorRow): OperatorError {
  return new OperatorError(
    isDisabled(taken)
      ? `operator "${taken.name}" was removed; names are not reused, so past decisions stay unambiguous`
      : `operator "${taken.name}" already exists`,
  );
}

/** Why a name cannot be changed: no such operator, or a removed one. */
export function noOperator(name: string, row: OperatorRow | undefined): OperatorError {
  return new OperatorError(`no operator "${name}"${row ? ' (removed)' : ''}; see overture operators list`);
}

const isDisabled = (row: OperatorRow) => row.disabled === 1 || row.disabled === true;

/** The operator of the row whose token has this hash, compared with every row in time that says nothing of which matched. */
export function operatorOfHash(rows: OperatorRow[], hash: string): Operator | undefined {
  let found: OperatorRow | undefined;
  for (const row of rows) if (sameHash(row.token_hash, hash)) found = row;
  return found && !isDisabled(found) ? toOperator(found) : undefined;
}

/** The operators among the rows registered with this address, compared without case (JavaScript folds beyond ASCII). */
export function operatorsWithEmail(rows: OperatorRow[], email: string): Operator[] {
  const wanted = email.trim().normalize('NFC').toLowerCase();
  if (!wanted) return [];
  return rows.filter((row) => row.email !== null && row.email.normalize('NFC').toLowerCase() === wanted).map(toOperator);
}

/** Where the operator store of a data directory lives. */
export function operatorsDbPath(dataDir: string): string {
  return path.join(dataDir, 'operators.db');
}

/** "Alice" and "alice" are one operator: names are compared by this key. */
export const operatorKey = (name: string) => name.normalize('NFC').toLowerCase();
const keyOf = operatorKey;

/** The operator a row shows: never the token's hash. */
export const toOperator = (row: OperatorRow): Operator => ({
  name: row.name,
  ...(row.email ? { email: row.email } : {}),
  role: row.role,
  createdAt: row.created_at,
  disabled: isDisabled(row),
});

/** The operators of one host, in its SQLite file. */
export class OperatorStore implements OperatorRecords {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openDatabase(file, { schema: SCHEMA });
  }

  /** Registers an operator and returns its token, which is never shown again. */
  add(input: { name: string; role: string; email?: string }): { operator: Operator; token: string } {
    const { name, role, email } = parseNewOperator(input);
    const token = newToken();
    const createdAt = new Date().toISOString();
    const taken = this.row(name);
    if (taken) throw nameTaken(taken);
    this.db
      .prepare('INSERT INTO operators (name_key, name, email, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(keyOf(name), name, email ?? null, role, tokenHash(token), createdAt);
    return { operator: { name, ...(email ? { email } : {}), role, createdAt, disabled: false }, token };
  }

  /** Every operator, by name (without tokens or hashes). */
  list(): Operator[] {
    return (this.db.prepare('SELECT * FROM operators ORDER BY name_key').all() as Row[]).map(toOperator);
  }

  /** The operator of this name (any case), if there is one. */
  find(name: string): Operator | undefined {
    const row = this.row(name);
    return row ? toOperator(row) : undefined;
  }

  /**
   * The operators registered with this email address, compared without case (`Ana@Example.com` is
   * `ana@example.com`), removed ones included: OIDC sign-in finds the operator of a verified email here.
   */
  byEmail(email: string): Operator[] {
    // Compared in JavaScript: SQLite's lower() folds ASCII only. The table holds a team's operators, not thousands.
    return operatorsWithEmail(this.db.prepare('SELECT * FROM operators WHERE email IS NOT NULL ORDER BY name_key').all() as Row[], email);
  }

  /** Disables an operator: its token stops working at once; the name stays reserved. */
  remove(name: string): Operator {
    const row = this.existing(name);
    this.db.prepare('UPDATE operators SET disabled = 1 WHERE name_key = ?').run(keyOf(row.name));
    return { ...toOperator(row), disabled: true };
  }

  /** Gives an operator another role. */
  setRole(name: string, role: string): Operator {
    const parsed = parseRole(role);
    const row = this.existing(name);
    this.db.prepare('UPDATE operators SET role = ? WHERE name_key = ?').run(parsed, keyOf(row.name));
    return { ...toOperator(row), role: parsed };
  }

  /** Replaces an operator's token: the old one stops working at once; the new one is returned (and never shown again). */
  rotateToken(name: string): string {
    const row = this.existing(name);
    const token = newToken();
    this.db.prepare('UPDATE operators SET token_hash = ? WHERE name_key = ?').run(tokenHash(token), keyOf(row.name));
    return token;
  }

  /** The enabled operator this token belongs to, or undefined. */
  authenticate(token: string): Operator | undefined {
    const candidate = token.trim();
    return looksLikeToken(candidate) ? this.byTokenHash(tokenHash(candidate)) : undefined;
  }

  /** The enabled operator whose current token has this hash (a console session keeps the hash, not the token). */
  byTokenHash(hash: string): Operator | undefined {
    // Every row is compared, timing-safe, so how long this takes says nothing about which hashes exist.
    return operatorOfHash(this.db.prepare('SELECT * FROM operators').all() as Row[], hash);
  }

  close(): void {
    this.db.close();
  }

  private row(name: string): Row | undefined {
    return this.db.prepare('SELECT * FROM operators WHERE name_key = ?').get(keyOf(name)) as Row | undefined;
  }

  private existing(name: string): Row {
    const row = this.row(name);
    if (!row || row.disabled) throw noOperator(name, row);
    return row;
  }
}
