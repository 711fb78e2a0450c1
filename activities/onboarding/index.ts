/**
 * The onboarding's worker part: its activities against the directory, email and the team chat the worker shares.
 */
import type { SharedSystems } from '../kit/shared-systems';
import { defineWorker } from '../kit/process-worker';
import { createDirectoryActivities } from './directory';
import { createWelcomeActivities } from './welcome';

/** Every activity the onboarding workflow calls, bound to the given systems (tests and providers swap any of them). */
export function createOnboardingActivities(systems: Pick<SharedSystems, 'directory' | 'mail' | 'chat'> & { workspaceBaseUrl: string }) {
  return {
    ...createDirectoryActivities(systems.directory),
    ...createWelcomeActivities({ mail: systems.mail, chat: systems.chat, workspaceBaseUrl: systems.workspaceBaseUrl }),
  };
}

export type OnboardingActivities = ReturnType<typeof createOnboardingActivities>;

export const worker = defineWorker({
  connect: (systems) => ({ activities: createOnboardingActivities({ ...systems, workspaceBaseUrl: systems.config.WORKSPACE_BASE_URL }) }),
});
