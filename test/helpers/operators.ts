/**
 * Identities and operators for tests: decisions carry an authenticated identity, which the clients fill from
 * an operator's token; tests that call the client functions directly fill it here, and tests of the CLI and
 * the console register real operators in the stack's operator store.
 */
import path from 'node:path';
import { OperatorStore, operatorsDbPath } from '../../src/stores/operators/store';
import type { DecisionIdentity, OperatorRole } from '../../workflows/kit/types';

/** The identity a client would send for this operator (an admin unless said otherwise: admins may answer anything). */
export function identityOf(
  operator: string,
  role: OperatorRole = 'admin',
  email?: string,
  via: DecisionIdentity['via'] = 'api',
): DecisionIdentity {
  return { operator, role, via, ...(email ? { email } : {}) };
}

/** The `by` and `identity` of a decision taken by this operator, to spread into a decision: `{ step, ...decidedBy('ops.alice') }`. */
export function decidedBy(operator: string, role: OperatorRole = 'admin', email?: string): { by: string; identity: DecisionIdentity } {
  return { by: operator, identity: identityOf(operator, role, email) };
}

export interface TestOperator {
  name: string;
  role: OperatorRole;
  email?: string;
  token: string;
}

/** Registers an operator in the store of a data directory (as `overture operators add` does) and returns its token. */
export function addOperator(dataDir: string, name: string, role: OperatorRole, email?: string): TestOperator {
  const store = new OperatorStore(operatorsDbPath(path.resolve(dataDir)));
  try {
    const { token } = store.add({ name, role, email });
    return { name, role, email, token };
  } finally {
    store.close();
  }
}

/** The environment for a CLI call as this operator: the stack's environment with the operator's token. */
export function envAs(env: Record<string, string>, operator: TestOperator): Record<string, string> {
  return { ...env, OVERTURE_TOKEN: operator.token };
}
