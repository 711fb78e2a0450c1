/**
 * The shape of an employee onboarding: its steps and what each needs first. Read by the workflow (its DAG
 * and tracker), the registry, the CLI and the console's process graph.
 */
import type { ProcessShape } from '../kit/types';

export const ONBOARDING: ProcessShape = {
  name: 'onboarding',
  title: 'Employee onboarding',
  steps: [
    { name: 'createAccount', title: 'Create the directory account', needs: [], kind: 'activity' },
    { name: 'assignPermissions', title: 'Grant role and permissions (privileged ones after approval)', needs: ['createAccount'], kind: 'activity' },
    { name: 'sendWelcomeEmail', title: 'Send the welcome email', needs: ['assignPermissions'], kind: 'activity' },
    { name: 'createWorkspace', title: 'Provision the workspace', needs: ['assignPermissions'], kind: 'activity' },
    { name: 'requestEquipment', title: 'IT prepares the equipment (when the hire lists some)', needs: ['assignPermissions'], kind: 'manual', optional: true },
    { name: 'notifyTeam', title: 'Notify the team', needs: ['sendWelcomeEmail', 'createWorkspace'], kind: 'activity' },
  ],
};

/** The onboarding's steps, in the order they are shown. */
export const ONBOARDING_STEPS = ONBOARDING.steps.map((s) => s.name);
