/**
 * `overture operators add|list|remove|set-role|rotate-token`: the machine administrator's commands on the operator
 * store (`<OVERTURE_DATA_DIR>/operators.db`, or the PostgreSQL every host shares at OPERATORS_URL). They take no token:
 * whoever can write the data directory (or holds the database's credentials) can change the store anyway, so that
 * access is the boundary here.
 */
import { parseArgs } from 'node:util';
import type { OvertureConfig } from '../../../config/platform';
import { UsageError, type Io } from '../io';
import { printJson, type CliCommand } from '../command';
import { OperatorError, type Operator, type OperatorRecords } from '../../../stores/operators/store';
import { openOperators } from '../../../stores/open';
import { OPERATOR_ROLES } from '../../../../workflows/kit/types';

const ROLES = OPERATOR_ROLES.join('|');

const OPERATORS_USAGE = `usage: overture operators add NAME --role ${ROLES} [--email ADDR] [--json]
                                                     register an operator; prints their token once
       overture operators list [--json]              operators, roles and addresses (never tokens)
       overture operators set-role NAME --role ROLE [--json]
                                                     change an operator's role
       overture operators rotate-token NAME [--json] a new token; the old one stops working at once
       overture operators remove NAME [--json]       disable an operator (the name is not reused)

The machine administrator's commands on the operator store (OVERTURE_DATA_DIR/operators.db, or OPERATORS_URL); they
take no token: access to that store is the boundary.

  --json   add: {name, role, email?, createdAt, disabled, token}; list: [{name, role, email?, createdAt, disabled}];
           set-role and remove: the operator {name, role, email?, createdAt, disabled}; rotate-token: {name, token}`;

function oneName(positionals: string[], verb: string): string {
  if (positionals.length !== 1) throw new UsageError(`operators ${verb} takes one NAME`);
  return positionals[0]!;
}

function showToken(io: Io, name: string, token: string): void {
  io.stdout(`token: ${token}`);
  io.stdout(
    `This token is shown once. Give it to ${name}, who keeps it in OVERTURE_TOKEN or ~/.config/overture/token (chmod 600) and signs in to the console with it.`,
  );
}

function formatOperators(operators: Operator[]): string {
  if (operators.length === 0) return 'no operators (add one with: overture operators add NAME --role ROLE)';
  return operators.map((o) => `${o.name}  ${o.role}  ${o.email ?? '-'}  since ${o.createdAt}${o.disabled ? '  (removed)' : ''}`).join('\n');
}

async function act(store: OperatorRecords, verb: string | undefined, args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { role: { type: 'string' }, email: { type: 'string' }, json: { type: 'boolean' } },
  });
  switch (verb) {
    case 'add': {
      const name = oneName(positionals, verb);
      if (!values.role) throw new UsageError(`operators add takes NAME --role ${ROLES} [--email ADDR]`);
      const { operator, token } = await store.add({ name, role: values.role, email: values.email });
      if (values.json) io.stdout(JSON.stringify({ ...operator, token }, null, 2));
      else {
        io.stdout(`added operator ${operator.name} (${operator.role}${operator.email ? `, ${operator.email}` : ''})`);
        showToken(io, operator.name, token);
      }
      return 0;
    }
    case 'list': {
      const operators = await store.list();
      io.stdout(values.json ? JSON.stringify(operators, null, 2) : formatOperators(operators));
      return 0;
    }
    case 'set-role': {
      const name = oneName(positionals, verb);
      if (!values.role) throw new UsageError(`operators set-role takes NAME --role ${ROLES}`);
      const operator = await store.setRole(name, values.role);
      if (values.json) printJson(io, operator);
      else io.stdout(`${operator.name} is now ${operator.role}`);
      return 0;
    }
    case 'rotate-token': {
      const name = oneName(positionals, verb);
      const token = await store.rotateToken(name);
      const registered = (await store.find(name))?.name ?? name;
      if (values.json) io.stdout(JSON.stringify({ name: registered, token }, null, 2));
      else {
        io.stdout(`new token for ${registered}; the old one no longer works`);
        showToken(io, name, token);
      }
      return 0;
    }
    case 'remove': {
      const operator = await store.remove(oneName(positionals, verb));
      if (values.json) printJson(io, operator);
      else io.stdout(`removed ${operator.name}: their token no longer works (the name stays reserved for the record)`);
      return 0;
    }
    default:
      throw new UsageError(`operators takes add, list, set-role, rotate-token or remove\n\n${OPERATORS_USAGE}`);
  }
}

/** Runs `operators SUBCOMMAND ...` on the configured operator store (this machine's file, or OPERATORS_URL). */
export async function operators(config: OvertureConfig, args: string[], io: Io): Promise<number> {
  const [verb, ...rest] = args;
  const store = await openOperators(config);
  try {
    return await act(store, verb, rest, io);
  } catch (err) {
    if (err instanceof OperatorError) throw new UsageError(err.message);
    throw err;
  } finally {
    await store.close();
  }
}

/** `overture operators ...`. */
export const command: CliCommand = {
  name: 'operators',
  summary: "the operator store: add, list, set-role, rotate-token, remove (the machine administrator's)",
  usage: OPERATORS_USAGE,
  verbs: ['add', 'list', 'set-role', 'rotate-token', 'remove'],
  options: ['role=', 'email=', 'json'],
  run: (args, io, env) => operators(env.config(), args, io),
};
