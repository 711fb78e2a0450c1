/**
 * Employee onboarding: createAccount → assignPermissions → (sendWelcomeEmail ‖ createWorkspace ‖ requestEquipment)
 * → notifyTeam, on the process kit.
 *
 * Each step is one activity with its own retry policy. A step that cannot succeed takes its fallback path
 * when it has one, and is otherwise escalated to a person. Privileged permissions wait for the manager's
 * approval. IT prepares listed equipment as a manual step. An abandoned run undoes its completed steps.
 */
import { runProcess } from '../kit';
import type { NoticeActivities } from '../kit';
import type { OnboardingActivities } from '../../activities/onboarding';
import { ONBOARDING } from './shape';
import type { OnboardingInput, OnboardingResult } from './types';

type Activities = OnboardingActivities & NoticeActivities;

/** Onboards one new hire, durably, from account creation to the team's welcome. */
export async function onboarding(input: OnboardingInput): Promise<OnboardingResult> {
  const { hire, options } = input;
  return runProcess(
    {
      shape: ONBOARDING,
      options,
      subject: hire.employeeId,
      onAbandoned: async (p, reason) => {
        await p.support<Activities>('Undo an onboarding step').announceCancellation({ employeeId: hire.employeeId, team: hire.team, reason });
        p.log('team told that the onboarding was cancelled');
      },
    },
    async (p) => {
      const system = (step: string, summary: string) => p.activities<Activities>(step, summary);
      const undo = p.support<Activities>('Undo an onboarding step');
      const target = { employeeId: hire.employeeId };
      let accountId = '';
      let workspace: { workspaceUrl?: string; ticketId?: string } = {};
      let equipment: string | undefined;

      await p.dag([
        {
          step: 'createAccount',
          run: async () => {
            const account = await p.step(
              'createAccount',
              () =>
                system('createAccount', 'Create the directory account').createAccount({
                  employeeId: hire.employeeId,
                  fullName: hire.fullName,
                  email: hire.email,
                  role: hire.role,
                  team: hire.team,
                  fault: p.fault('createAccount'),
                }),
              { undo: { done: 'account disabled', run: () => undo.disableAccount(target) }, outputs: ['accountId'] },
            );
            accountId = account.accountId;
          },
        },
        {
          step: 'assignPermissions',
          run: async () => {
            const privileged = [hire.role, ...hire.extraPermissions].filter((perm) => options.approval.privilegedPermissions.includes(perm));
            if (privileged.length > 0) {
              await p.approval('assignPermissions', {
                subject: `privileged permissions (${privileged.join(', ')})`,
                approver: hire.managerEmail,
                details: `Employee ${hire.employeeId} is to receive ${privileged.join(', ')}.`,
              });
            }
            await p.step(
              'assignPermissions',
              () =>
                system('assignPermissions', 'Grant role and permissions').assignPermissions({
                  employeeId: hire.employeeId,
                  accountId,
                  role: hire.role,
                  extraPermissions: hire.extraPermissions,
                  fault: p.fault('assignPermissions'),
                }),
              { undo: { done: 'permissions revoked', run: () => undo.revokePermissions(target) } },
            );
          },
        },
        {
          step: 'sendWelcomeEmail',
          run: () =>
            p.step(
              'sendWelcomeEmail',
              () => system('sendWelcomeEmail', 'Send the welcome email').sendWelcomeEmail({ hire, accountId, fault: p.fault('sendWelcomeEmail') }),
              { cannotUndo: 'the welcome email cannot be recalled' },
            ),
        },
        {
          step: 'createWorkspace',
          run: async () => {
            workspace = await p.step<{ workspaceId?: string; workspaceUrl?: string; ticketId?: string }>(
              'createWorkspace',
              () =>
                system('createWorkspace', 'Provision the workspace').createWorkspace({
                  employeeId: hire.employeeId,
                  accountId,
                  team: hire.team,
                  fault: p.fault('createWorkspace'),
                }),
              {
                undo: { done: 'workspace deleted', run: () => undo.deleteWorkspace(target) },
                fallback: {
                  describe: 'open an IT ticket to provision the workspace by hand',
                  run: async (reason) => {
                    const ticket = await p.support<Activities>('Open an IT ticket for the workspace').openWorkspaceTicket({
                      employeeId: hire.employeeId,
                      accountId,
                      team: hire.team,
                      reason,
                    });
                    p.log(`opened IT ticket ${ticket.ticketId} for the workspace`, 'createWorkspace', 'warn');
                    return { ticketId: ticket.ticketId };
                  },
                },
              },
            );
          },
        },
        {
          step: 'requestEquipment',
          when: { holds: () => (hire.equipment ?? []).length > 0, otherwise: 'the hire lists no equipment' },
          run: async () => {
            const done = await p.manualStep('requestEquipment', {
              instructions: `Prepare for employee ${hire.employeeId} (team ${hire.team}, starting ${hire.startDate}): ${(hire.equipment ?? []).join(', ')}. Report the asset tags when it is ready.`,
              assignee: options.escalation.contacts[0] ?? '',
              outputs: ['assetTags'],
            });
            equipment = done.assetTags;
          },
        },
        {
          step: 'notifyTeam',
          run: async () => {
            const team = {
              employeeId: hire.employeeId,
              fullName: hire.fullName,
              role: hire.role,
              team: hire.team,
              startDate: hire.startDate,
              workspaceUrl: workspace.workspaceUrl,
              ticketId: workspace.ticketId,
            };
            await p.step<{ deliveryId?: string; messageId?: string; via?: string }>('notifyTeam', () => system('notifyTeam', 'Notify the team').notifyTeam({ ...team, fault: p.fault('notifyTeam') }), {
              fallback: {
                describe: "email the team's announcement to the manager",
                run: async () => {
                  const sent = await p.support<Activities>("Email the team's announcement to the manager").emailTeamAnnouncement({ ...team, to: hire.managerEmail });
                  p.log('team announcement emailed to the manager instead of the webhook', 'notifyTeam', 'warn');
                  return { messageId: sent.messageId, via: 'email' };
                },
              },
            });
          },
        },
      ]);

      return {
        state: 'completed',
        accountId,
        workspaceUrl: workspace.workspaceUrl,
        ticketId: workspace.ticketId,
        ...(equipment !== undefined ? { equipment } : {}),
        skippedSteps: p.skippedSteps(),
      };
    },
  );
}
