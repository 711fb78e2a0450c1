/** The onboarding's own settings: which permissions wait for the manager's approval. */
import { z } from 'zod';
import { defineSettings } from '../kit/settings';

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    );

export const settings = defineSettings({ PRIVILEGED_PERMISSIONS: list('admin,root,billing-admin,security-admin') }, (raw) => ({
  /** Roles and permissions that only the new hire's manager may grant (the approval gate of assignPermissions). */
  privilegedPermissions: raw.PRIVILEGED_PERMISSIONS,
}));

export type OnboardingSettings = ReturnType<typeof settings.of>;
