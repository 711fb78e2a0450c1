/**
 * Worker versioning settings (docs/versioning.md): with OVERTURE_BUILD_ID set, a worker
 * joins the Worker Deployment OVERTURE_DEPLOYMENT_NAME as that build, and each run stays on the build it started
 * on (pinned), so new workflow code never replays a run that old code began. Unset: the worker is unversioned.
 */
import { z } from 'zod';
import type { WorkerDeploymentOptions } from '@temporalio/worker';

/** A blank variable is unset: a compose file passes `OVERTURE_BUILD_ID: ${OVERTURE_BUILD_ID:-}` through as an empty string. */
const blankAsUnset = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

// Temporal derives workflow ids from both names (limit.maxIDLength is 255 on the cluster): 63 characters each
// stays well inside it. A deployment name may not hold "." or ":" (Temporal's separators); neither may start with "__".
const BUILD_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** The zod fields that src/config/platform.ts spreads into its schema. */
export const VERSIONING_SETTINGS = {
  OVERTURE_BUILD_ID: z.preprocess(
    blankAsUnset,
    z
      .string()
      .regex(BUILD_ID, 'must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. 2026.11.27-3f9c2e1)')
      .optional(),
  ),
  OVERTURE_DEPLOYMENT_NAME: z.preprocess(
    blankAsUnset,
    z
      .string()
      .regex(DEPLOYMENT_NAME, 'must be 1-63 letters, digits, "_" or "-", starting with a letter or digit (no "." or ":")')
      .default('overture'),
  ),
  // pinned: a run finishes on the build it started on; auto-upgrade: it moves to the current build at its next
  // workflow task, so every change must then be replay-safe (patched()).
  OVERTURE_VERSIONING_BEHAVIOR: z.preprocess(
    blankAsUnset,
    z.enum(['pinned', 'auto-upgrade'], { error: 'must be pinned or auto-upgrade' }).default('pinned'),
  ),
};

/** What of worker versioning a configuration sets. */
export interface VersioningSettings {
  OVERTURE_BUILD_ID?: string;
  OVERTURE_DEPLOYMENT_NAME: string;
  OVERTURE_VERSIONING_BEHAVIOR: 'pinned' | 'auto-upgrade';
}

/** Whether a build id is well-formed for OVERTURE_BUILD_ID (the CLI checks an operator's argument the same way). */
export function isBuildId(text: string): boolean {
  return BUILD_ID.test(text);
}

/** The worker's deployment options when OVERTURE_BUILD_ID is set; undefined for an unversioned worker. */
export function workerDeploymentOptionsFor(settings: VersioningSettings): WorkerDeploymentOptions | undefined {
  if (!settings.OVERTURE_BUILD_ID) return undefined;
  return {
    version: { deploymentName: settings.OVERTURE_DEPLOYMENT_NAME, buildId: settings.OVERTURE_BUILD_ID },
    useWorkerVersioning: true,
    defaultVersioningBehavior: settings.OVERTURE_VERSIONING_BEHAVIOR === 'pinned' ? 'PINNED' : 'AUTO_UPGRADE',
  };
}

/** How the worker's startup line names its version: `deployment version overture.v1 (pinned)`, or `unversioned`. */
export function deploymentVersionLabel(settings: VersioningSettings): string {
  if (!settings.OVERTURE_BUILD_ID) return 'unversioned';
  return `deployment version ${settings.OVERTURE_DEPLOYMENT_NAME}.${settings.OVERTURE_BUILD_ID} (${settings.OVERTURE_VERSIONING_BEHAVIOR})`;
}
