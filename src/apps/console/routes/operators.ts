/**
 * The operators who may use Overture, for admins only (403 for anyone else, reading included), on the same store
 * as `overture operators` (this host's operators.db, or OPERATORS_URL):
 *
 *   GET  /api/operators                      -> { operators: { name, role, createdAt, revoked }[] }
 *   POST /api/operators  { name, role, email? }  -> 201 { name, role, token }   the token is shown this once
 *   POST /api/operators/:name/role { role }      -> { name, role }
 *   POST /api/operators/:name/revoke {}          -> { name, revoked: true }       the name stays reserved
 *
 * An admin may not change or revoke themselves here: the console would otherwise let its last admin lock everyone out.
 */
import type http from 'node:http';
import { z } from 'zod';
import { parseInput } from '../../../../workflows/kit/input';
import { openOperators } from '../../../stores/open';
import { OperatorError, operatorKey, type Operator, type OperatorRecords } from '../../../stores/operators/store';
import { HttpError, json, readJson } from '../http-helpers';
import type { ApiContext } from '../api-context';
import { requireCallerRole, type Caller } from '../session';
import { routeOf, type Handled } from './route-kit';

/** The store's own checks (name, role, address) answer 400 through its InputError; these bound the body's shape first. */
const addBody = z.object({ name: z.string().max(64), role: z.string().max(20), email: z.string().max(254).optional() }).strict();
const roleBody = z.object({ role: z.string().max(20) }).strict();
const emptyBody = z.object({}).strict();

const row = (o: Operator) => ({ name: o.name, role: o.role, createdAt: o.createdAt, revoked: o.disabled });

async function withStore<T>(ctx: ApiContext, work: (store: OperatorRecords) => Promise<T>): Promise<T> {
  const store = await openOperators(ctx.config, ctx.log);
  try {
    return await work(store);
  } catch (err) {
    if (err instanceof OperatorError) {
      const missing = err.message.startsWith('no operator');
      throw new HttpError(missing ? 404 : 409, err.message);
    }
    throw err;
  } finally {
    await store.close();
  }
}

function notOneself(caller: Caller, name: string, what: string): void {
  if (operatorKey(name) === operatorKey(caller.operator))
    throw new HttpError(409, `you may not ${what} yourself here; another admin can, or \`overture operators\` on the host`);
}

/** Answers the operators routes; false for any other request. */
export async function handleOperatorsRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  ctx: ApiContext,
  caller: Caller,
): Handled {
  const { method, parts } = routeOf(req, url);
  if (parts[1] !== 'operators') return false;
  requireCallerRole(caller, 'admin', 'managing operators');
  if (method === 'GET' && parts.length === 2) {
    json(res, 200, { operators: await withStore(ctx, async (store) => (await store.list()).map(row)) });
    return true;
  }
  if (method !== 'POST') return false;
  if (parts.length === 2) {
    const body = parseInput(addBody, await readJson(req), 'operator');
    const { operator, token } = await withStore(ctx, async (store) => store.add(body));
    ctx.log(`${caller.operator}: added operator ${operator.name} (${operator.role})`);
    json(res, 201, { name: operator.name, role: operator.role, token });
    return true;
  }
  if (parts.length !== 4) return false;
  const name = parts[2]!;
  if (parts[3] === 'role') {
    const { role } = parseInput(roleBody, await readJson(req), 'request');
    notOneself(caller, name, 'change the role of');
    const operator = await withStore(ctx, async (store) => store.setRole(name, role));
    ctx.log(`${caller.operator}: ${operator.name} is now ${operator.role}`);
    json(res, 200, { name: operator.name, role: operator.role });
    return true;
  }
  if (parts[3] === 'revoke') {
    parseInput(emptyBody, await readJson(req), 'request');
    notOneself(caller, name, 'revoke');
    const operator = await withStore(ctx, async (store) => store.remove(name));
    ctx.log(`${caller.operator}: revoked operator ${operator.name}`);
    json(res, 200, { name: operator.name, revoked: true });
    return true;
  }
  return false;
}
