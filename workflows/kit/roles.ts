/**
 * Operator roles in order: each may do everything the roles before it may. Pure, for the workflow sandbox,
 * the console and the CLI alike.
 */
import { OPERATOR_ROLES, type OperatorRole } from './types';

/** Whether `role` is `needed` or a role above it (an unknown role is below every role). */
export function roleAtLeast(role: string | undefined, needed: OperatorRole): boolean {
  const rank = OPERATOR_ROLES.indexOf(role as OperatorRole);
  return rank >= 0 && rank >= OPERATOR_ROLES.indexOf(needed);
}

/** Whether the text names a role. */
export function isOperatorRole(role: unknown): role is OperatorRole {
  return typeof role === 'string' && (OPERATOR_ROLES as readonly string[]).includes(role);
}
