/**
 * All onboarding activities, built from their clients so tests and providers can swap any of them.
 */
import { createChatActivities, type ChatDependencies } from '../kit/chat';
import { createDirectoryActivities } from './directory';
import { createEmailActivities, type EmailDependencies } from '../kit/mail';
import type { DirectoryProvider } from '../../src/stores/directory/directory';

export type { StepAttempt } from '../kit/step-attempt';

export interface OnboardingDependencies {
  directory: DirectoryProvider;
  email: EmailDependencies;
  chat: ChatDependencies;
}

/** Every activity the onboarding workflow calls, bound to the given systems. */
export function createOnboardingActivities(deps: OnboardingDependencies) {
  return {
    ...createDirectoryActivities(deps.directory),
    ...createEmailActivities(deps.email),
    ...createChatActivities(deps.chat),
  };
}

export type OnboardingActivities = ReturnType<typeof createOnboardingActivities>;
