/**
 * Who is calling the CLI: the operator whose personal token the caller holds. A decision is recorded as this
 * operator, never as a typed name.
 *
 * The token is looked for, in order: `OVERTURE_TOKEN`; the file `OVERTURE_TOKEN_FILE` (else
 * `~/.config/overture/token`), which must be readable by its owner only; and, on the embedded defaults only
 * (Temporal on this machine), the bootstrap admin's token that `npm start` writes to `<data dir>/admin-token`.
 * A wrong, unknown or disabled token is refused: there is no fallback to a name.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OvertureConfig } from '../../config/platform';
import { UsageError } from './io';
import { operatorsDbPath } from '../../stores/operators/store';
import { openOperators } from '../../stores/open';
import type { DecisionIdentity, OperatorRole } from '../../../workflows/kit/types';
import { roleAtLeast } from '../../../workflows/kit/roles';

/** The CLI caller could not be authenticated: exit code 2, nothing done. */
export class IdentityError extends UsageError {
  override readonly name = 'IdentityError';
}

/** Where `npm start` writes the bootstrap admin's token (mode 0600). */
export function adminTokenPath(dataDir: string): string {
  return path.join(dataDir, 'admin-token');
}

const HOW_TO_GET_ONE =
  'set OVERTURE_TOKEN, or write your token to ~/.config/overture/token (chmod 600); the machine administrator makes one with: overture operators add NAME --role ROLE';

/** Whether the Temporal address is this machine: the stack `npm start` runs, whose admin-token file may be used. */
function onEmbeddedStack(config: OvertureConfig): boolean {
  const host = config.TEMPORAL_ADDRESS.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return ['127.0.0.1', 'localhost', '::1'].includes(host);
}

/** A token file's first line, refusing a file others could read (a token is a password). */
function readTokenFile(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new IdentityError(`cannot read the token file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if ((stat.mode & 0o077) !== 0) {
    throw new IdentityError(
      `the token file ${file} is readable by others (mode ${(stat.mode & 0o777).toString(8)}): make it private with chmod 600 ${file}`,
    );
  }
  return fs.readFileSync(file, 'utf8').split('\n')[0]!.trim();
}

/** The token the caller holds and where it came from, or undefined when there is none anywhere. */
function findToken(config: OvertureConfig, env: NodeJS.ProcessEnv): { token: string; from: string } | undefined {
  if (env.OVERTURE_TOKEN !== undefined && env.OVERTURE_TOKEN.trim() !== '')
    return { token: env.OVERTURE_TOKEN.trim(), from: 'OVERTURE_TOKEN' };
  if (env.OVERTURE_TOKEN_FILE) return { token: readTokenFile(env.OVERTURE_TOKEN_FILE), from: env.OVERTURE_TOKEN_FILE };
  const personal = path.join(env.HOME ?? os.homedir(), '.config', 'overture', 'token');
  if (fs.existsSync(personal)) return { token: readTokenFile(personal), from: personal };
  const bootstrap = adminTokenPath(config.OVERTURE_DATA_DIR);
  if (onEmbeddedStack(config) && fs.existsSync(bootstrap)) return { token: readTokenFile(bootstrap), from: bootstrap };
  return undefined;
}

/** Authenticates the CLI caller by personal token against the operator store; an IdentityError (exit 2) otherwise. */
export async function cliIdentity(config: OvertureConfig, env: NodeJS.ProcessEnv = process.env): Promise<DecisionIdentity> {
  const found = findToken(config, env);
  if (!found) throw new IdentityError(`no operator token: ${HOW_TO_GET_ONE}`);
  const file = operatorsDbPath(config.OVERTURE_DATA_DIR);
  // Tokens are checked against the operator store of this data directory (or every host's, OPERATORS_URL); an empty
  // file made here would know nobody.
  if (!config.OPERATORS_URL && !fs.existsSync(file)) {
    throw new IdentityError(
      `no operator store at ${file}: run the CLI where Overture's data directory is (OVERTURE_DATA_DIR), set OPERATORS_URL to the shared one, or start the stack once with npm start`,
    );
  }
  const store = await openOperators(config);
  try {
    const operator = await store.authenticate(found.token);
    if (!operator)
      throw new IdentityError(`the operator token from ${found.from} is not valid (unknown, rotated or removed): ${HOW_TO_GET_ONE}`);
    return { operator: operator.name, ...(operator.email ? { email: operator.email } : {}), role: operator.role, via: 'cli' };
  } finally {
    await store.close();
  }
}

/** The caller's role is below what the command needs: refused (exit code 1), nothing done. */
export class RoleError extends Error {
  override readonly name = 'RoleError';
}

/** Refuses the command unless the operator's role is `needed` or above. */
export function requireRole(identity: DecisionIdentity, needed: OperatorRole, what: string): void {
  if (!roleAtLeast(identity.role, needed)) {
    throw new RoleError(`refused: ${what} needs the role ${needed} or above; ${identity.operator} is ${identity.role}`);
  }
}

/** The authenticated caller, refused (RoleError) unless their role is `needed` or above: what every changing command starts with. */
export async function authorisedCaller(
  config: OvertureConfig,
  needed: OperatorRole,
  what: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DecisionIdentity> {
  const identity = await cliIdentity(config, env);
  requireRole(identity, needed, what);
  return identity;
}

/** Refuses `--by`: a decision is recorded as the operator whose token the caller holds, never as a typed name. */
export function refuseTypedName(args: readonly string[]): void {
  if (args.some((a) => a === '--by' || a.startsWith('--by='))) {
    throw new UsageError(
      '--by is no longer accepted: decisions are recorded as the authenticated operator (the owner of your token: OVERTURE_TOKEN or ~/.config/overture/token)',
    );
  }
}
