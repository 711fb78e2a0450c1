/**
 * The shape of an employee onboarding: its steps, what each needs first, and the outputs later steps read.
 * Read by the workflow (its DAG and tracker), the registry, the CLI and the console's process graph.
 */
import { defineShape } from '../kit/shape';

export const ONBOARDING = defineShape({
  name: 'onboarding',
  title: 'Employee onboarding',
  steps: {
    createAccount: {
      title: 'Create the directory account',
      kind: 'activity',
      outputs: { accountId: 'text' },
      instructions: "Create the hire's account in the directory, with the name, email, role and team of the onboarding request",
    },
    assignPermissions: {
      title: 'Grant role and permissions (privileged ones after approval)',
      kind: 'activity',
      needs: ['createAccount'],
      instructions: "Grant the role's permissions and the extra permissions the onboarding request lists to the new account",
    },
    sendWelcomeEmail: { title: 'Send the welcome email', kind: 'activity', needs: ['assignPermissions'] },
    createWorkspace: {
      title: 'Provision the workspace',
      kind: 'activity',
      needs: ['assignPermissions'],
      outputs: { workspaceUrl: 'text?', ticketId: 'text?' },
    },
    requestEquipment: {
      title: 'IT prepares the equipment (when the hire lists some)',
      kind: 'manual',
      needs: ['assignPermissions'],
      optional: true,
      outputs: { assetTags: 'text' },
    },
    notifyTeam: { title: 'Notify the team', kind: 'activity', needs: ['sendWelcomeEmail', 'createWorkspace'] },
  },
});

/** The onboarding's steps, in the order they are shown. */
export const ONBOARDING_STEPS = ONBOARDING.steps.map((s) => s.name);
