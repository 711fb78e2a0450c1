/**
 * Activities against the directory: accounts, permissions, workspaces, IT tickets, and their undoing.
 */
import type { DirectoryProvider } from '../../src/stores/directory/directory';
import { stepActivity, idempotencyKey } from '../kit/step-attempt';
import { classified } from '../kit/classified';

/** Directory activities, bound to a directory provider (SQLite by default). */
export function createDirectoryActivities(directory: DirectoryProvider) {
  return {
    createAccount: stepActivity(async (input: { employeeId: string; fullName: string; email: string; role: string; team: string }) => {
      const account = await directory.createAccount(input);
      return { accountId: account.accountId, username: account.username };
    }),

    assignPermissions: stepActivity(async (input: { employeeId: string; accountId: string; role: string; extraPermissions: string[] }) => {
      const permissions = await directory.grantPermissions(input.employeeId, input.role, input.extraPermissions);
      return { permissions: permissions.join(',') };
    }),

    createWorkspace: stepActivity(async (input: { employeeId: string; accountId: string; team: string }) => {
      const workspace = await directory.createWorkspace(input.employeeId, input.team);
      return { workspaceId: workspace.workspaceId, workspaceUrl: workspace.url };
    }),

    /** Fallback of createWorkspace: ask IT to provision the workspace by hand. */
    async openWorkspaceTicket(input: { employeeId: string; accountId: string; team: string; reason: string }) {
      return classified(async () => {
        const summary = `Provision the ${input.team} workspace for employee ${input.employeeId} by hand (automatic provisioning failed: ${input.reason})`;
        const ticket = await directory.openTicket(idempotencyKey('openWorkspaceTicket'), input.employeeId, summary);
        return { ticketId: ticket.ticketId };
      });
    },

    async deleteWorkspace(input: { employeeId: string }) {
      return classified(async () => ({ deleted: await directory.deleteWorkspace(input.employeeId) }));
    },

    async revokePermissions(input: { employeeId: string }) {
      return classified(async () => ({ revoked: await directory.revokePermissions(input.employeeId) }));
    },

    async disableAccount(input: { employeeId: string }) {
      return classified(async () => ({ disabled: await directory.disableAccount(input.employeeId) }));
    },
  };
}
