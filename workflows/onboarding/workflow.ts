/**
 * Employee onboarding: createAccount → assignPermissions → (sendWelcomeEmail ‖ createWorkspace ‖ requestEquipment)
 * → notifyTeam, on the process kit.
 *
 * Each step is one activity with its own retry policy. A step that cannot succeed takes its fallback path
 * when it has one, and is otherwise escalated to a person. Privileged permissions wait for the manager's
 * approval. IT prepares listed equipment as a manual step. An abandoned run undoes its completed steps.
 */
import { activitiesOf, runProcess, type NoticeActivities } from '../kit';
import type { OnboardingActivities } from '../../activities/onboarding';
import { ONBOARDING } from './shape';
import type { OnboardingInput, OnboardingResult } from './types';

/** Onboards one new hire, durably, from account creation to the team's welcome. */
export async function onboarding(input: OnboardingInput): Promise<OnboardingResult> {
  const { hire, options } = input;
  const target = { employeeId: hire.employeeId };
  return runProcess(
    {
      shape: ONBOARDING,
      options,
      activities: activitiesOf<OnboardingActivities & NoticeActivities>(),
      subject: hire.employeeId,
      onAbandoned: async (p, reason) => {
        await p.support('Undo an onboarding step').announceCancellation({ employeeId: hire.employeeId, team: hire.team, reason });
        p.log('team told that the onboarding was cancelled');
      },
    },
    async (p) => {
      const done = await p.dag({
        createAccount: (step) =>
          step.run(
            (a) =>
              a.createAccount({
                employeeId: hire.employeeId,
                fullName: hire.fullName,
                email: hire.email,
                role: hire.role,
                team: hire.team,
              }),
            {
              undo: { done: 'account disabled', run: (a) => a.disableAccount(target) },
            },
          ),
        assignPermissions: async (step, { createAccount }) => {
          const privileged = [hire.role, ...hire.extraPermissions].filter((perm) => options.approval.privilegedPermissions.includes(perm));
          if (privileged.length > 0) {
            await step.approval({
              subject: `privileged permissions (${privileged.join(', ')})`,
              approver: hire.managerEmail,
              details: `Employee ${hire.employeeId} is to receive ${privileged.join(', ')}.`,
            });
          }
          return step.run(
            (a) =>
              a.assignPermissions({
                employeeId: hire.employeeId,
                accountId: createAccount.accountId,
                role: hire.role,
                extraPermissions: hire.extraPermissions,
              }),
            { summary: 'Grant role and permissions', undo: { done: 'permissions revoked', run: (a) => a.revokePermissions(target) } },
          );
        },
        sendWelcomeEmail: (step, { createAccount }) =>
          step.run((a) => a.sendWelcomeEmail({ hire, accountId: createAccount.accountId }), {
            cannotUndo: 'the welcome email cannot be recalled',
          }),
        createWorkspace: (step, { createAccount }) =>
          step.run((a) => a.createWorkspace({ employeeId: hire.employeeId, accountId: createAccount.accountId, team: hire.team }), {
            undo: { done: 'workspace deleted', run: (a) => a.deleteWorkspace(target) },
            fallback: {
              describe: 'open an IT ticket to provision the workspace by hand',
              run: async (reason, a) => {
                const ticket = await a.openWorkspaceTicket({
                  employeeId: hire.employeeId,
                  accountId: createAccount.accountId,
                  team: hire.team,
                  reason,
                });
                step.log(`opened IT ticket ${ticket.ticketId} for the workspace`, 'warn');
                return { ticketId: ticket.ticketId };
              },
            },
          }),
        requestEquipment: {
          when: { holds: () => (hire.equipment ?? []).length > 0, otherwise: 'the hire lists no equipment' },
          run: (step) =>
            step.manual({
              instructions: `Prepare for employee ${hire.employeeId} (team ${hire.team}, starting ${hire.startDate}): ${(hire.equipment ?? []).join(', ')}. Report the asset tags when it is ready.`,
              assignee: options.escalation.contacts[0] ?? '',
            }),
        },
        notifyTeam: (step, { createWorkspace }) => {
          const team = {
            employeeId: hire.employeeId,
            fullName: hire.fullName,
            role: hire.role,
            team: hire.team,
            startDate: hire.startDate,
            workspaceUrl: createWorkspace.workspaceUrl,
            ticketId: createWorkspace.ticketId,
          };
          return step.run((a) => a.notifyTeam(team), {
            fallback: {
              describe: "email the team's announcement to the manager",
              run: async (_reason, a) => {
                const sent = await a.emailTeamAnnouncement({ ...team, to: hire.managerEmail });
                step.log('team announcement emailed to the manager instead of the webhook', 'warn');
                return { messageId: sent.messageId, via: 'email' };
              },
            },
          });
        },
      });

      return {
        state: 'completed',
        accountId: done.createAccount.accountId,
        workspaceUrl: done.createWorkspace.workspaceUrl,
        ticketId: done.createWorkspace.ticketId,
        ...(done.requestEquipment ? { equipment: done.requestEquipment.assetTags } : {}),
        skippedSteps: p.skippedSteps(),
      };
    },
  );
}
