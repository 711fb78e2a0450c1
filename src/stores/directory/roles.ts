/**
 * The roles and permissions every directory provider knows, and the checks they share: an unknown role or
 * permission is a PermanentError before anything is written.
 */
import { PermanentError } from '../../../activities/kit/errors';

/** Roles the directory knows and the permissions each one grants. */
export const ROLE_PERMISSIONS: Record<string, string[]> = {
  engineer: ['repo:read', 'repo:write', 'ci:run', 'chat:join'],
  designer: ['design:edit', 'repo:read', 'chat:join'],
  analyst: ['warehouse:read', 'dashboards:edit', 'chat:join'],
  support: ['tickets:handle', 'crm:read', 'chat:join'],
  sales: ['crm:read', 'crm:write', 'chat:join'],
  manager: ['reports:read', 'hiring:review', 'chat:join'],
  admin: ['admin', 'repo:read', 'chat:join'],
};

const EXTRA_PERMISSIONS = new Set([
  ...Object.values(ROLE_PERMISSIONS).flat(),
  'root',
  'billing-admin',
  'security-admin',
  'vpn:access',
  'oncall:page',
  'finance:read',
]);

/** The permissions a grant of `role` plus extras gives, each once; throws a PermanentError for an unknown one. */
export function permissionsFor(role: string, extraPermissions: string[]): string[] {
  const rolePermissions = ROLE_PERMISSIONS[role];
  if (!rolePermissions) throw new PermanentError(`role "${role}" does not exist in the directory`);
  const unknown = extraPermissions.filter((p) => !EXTRA_PERMISSIONS.has(p));
  if (unknown.length) throw new PermanentError(`permission(s) ${unknown.join(', ')} do not exist in the directory`);
  return [...new Set([...rolePermissions, ...extraPermissions])];
}

/** The username a full name asks for (`ada.lovelace`). */
export function usernameBase(fullName: string): string {
  return (
    fullName
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z]+/g, '.')
      .replace(/^\.+|\.+$/g, '') || 'user'
  );
}

/** The username of a second person whose name asks for a taken one: the employee id appended. */
export function distinctUsername(base: string, employeeId: string): string {
  return `${base}.${employeeId.toLowerCase()}`;
}

/** The message of a second employee's account with a taken email: it reaches notices and chat, so it names nobody. */
export const EMAIL_TAKEN = 'directory conflict: the email address already belongs to another account';
