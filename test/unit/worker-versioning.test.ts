/**
 * Worker versioning settings: OVERTURE_BUILD_ID and OVERTURE_DEPLOYMENT_NAME are checked at startup, and a set
 * build id makes the worker a pinned build of its deployment; unset, the worker stays unversioned.
 */
import { loadConfig } from '../../src/config';
import { deploymentVersionLabel, workerDeploymentOptionsFor } from '../../src/temporal/deployments/settings';
import { problemOf } from '../helpers/config-errors';

it('leaves the worker unversioned without a build id (a blank one counts as unset)', () => {
  for (const env of [{}, { OVERTURE_BUILD_ID: '' }, { OVERTURE_BUILD_ID: '  ' }]) {
    const config = loadConfig(env);
    expect(config.OVERTURE_BUILD_ID).toBeUndefined();
    expect(config.OVERTURE_DEPLOYMENT_NAME).toBe('overture');
    expect(workerDeploymentOptionsFor(config)).toBeUndefined();
    expect(deploymentVersionLabel(config)).toBe('unversioned');
  }
});

it('makes the worker a pinned build of its deployment when a build id is set', () => {
  const config = loadConfig({ OVERTURE_BUILD_ID: '2026.11.27-3f9c2e1', OVERTURE_DEPLOYMENT_NAME: 'overture-prod' });
  expect(workerDeploymentOptionsFor(config)).toEqual({
    version: { deploymentName: 'overture-prod', buildId: '2026.11.27-3f9c2e1' },
    useWorkerVersioning: true,
    defaultVersioningBehavior: 'PINNED',
  });
  expect(deploymentVersionLabel(config)).toBe('deployment version overture-prod.2026.11.27-3f9c2e1 (pinned)');
});

it('upgrades runs at their next workflow task when asked to', () => {
  const config = loadConfig({ OVERTURE_BUILD_ID: 'v7', OVERTURE_VERSIONING_BEHAVIOR: 'auto-upgrade' });
  expect(workerDeploymentOptionsFor(config)?.defaultVersioningBehavior).toBe('AUTO_UPGRADE');
  expect(deploymentVersionLabel(config)).toBe('deployment version overture.v7 (auto-upgrade)');
});

it.each([
  ['OVERTURE_BUILD_ID', '__internal', 'OVERTURE_BUILD_ID: must be 1-63 letters, digits, ".", "_" or "-"'],
  ['OVERTURE_BUILD_ID', 'v1:beta', 'OVERTURE_BUILD_ID: must be 1-63'],
  ['OVERTURE_BUILD_ID', 'v1\nFAKE LOG LINE', 'OVERTURE_BUILD_ID: must be 1-63'],
  ['OVERTURE_BUILD_ID', `v${'1'.repeat(63)}`, 'OVERTURE_BUILD_ID: must be 1-63'],
  [
    'OVERTURE_DEPLOYMENT_NAME',
    'overture.prod',
    'OVERTURE_DEPLOYMENT_NAME: must be 1-63 letters, digits, "_" or "-", starting with a letter or digit (no "." or ":")',
  ],
  ['OVERTURE_VERSIONING_BEHAVIOR', 'sometimes', 'OVERTURE_VERSIONING_BEHAVIOR: must be pinned or auto-upgrade'],
])('refuses %s=%j at startup', (name, value, message) => {
  expect(problemOf({ [name]: value })).toContain(message);
});
