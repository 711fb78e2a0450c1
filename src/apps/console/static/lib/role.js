// @ts-check
/** What the signed-in operator's role allows, so a page offers only the controls the API would accept. */
import { session } from './api.js';

/** Operator roles in order: each may do everything the roles before it may (workflows/kit/vocabulary.ts). */
export const ROLES = /** @type {const} */ (['viewer', 'operator', 'approver', 'admin']);

/** Whether the signed-in operator has `needed` or a role above it. @param {(typeof ROLES)[number]} needed */
export function mayAct(needed) {
  const rank = ROLES.indexOf(/** @type {(typeof ROLES)[number]} */ (session.role));
  return rank >= 0 && rank >= ROLES.indexOf(needed);
}
