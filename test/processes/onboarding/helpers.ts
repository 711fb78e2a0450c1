/** What the onboarding's tests share: a valid new hire with a unique employee id, and starting an onboarding. */
import type { Client } from '@temporalio/client';
import { startProcess, type StartedRun, type StartOptions } from '../../../src/client';
import type { OvertureConfig } from '../../../src/config/platform';
import type { onboarding } from '../../../workflows/onboarding/workflow';
import type { NewHire } from '../../../workflows/onboarding/types';

let counter = 0;

/** A valid new hire with a unique employee id. */
export function newHire(overrides: Partial<NewHire> = {}): NewHire {
  counter += 1;
  const employeeId = `T${Date.now().toString(36)}${counter}`.toUpperCase();
  return {
    employeeId,
    fullName: 'Katherine Johnson',
    email: `k.johnson.${employeeId.toLowerCase()}@example.com`,
    role: 'engineer',
    team: 'Flight Research',
    managerEmail: 'dorothy.vaughan@example.com',
    startDate: '2026-12-07',
    extraPermissions: [],
    ...overrides,
  };
}

export type StartedOnboarding = StartedRun<typeof onboarding>;

/** Starts an employee's onboarding. */
export async function startOnboarding(
  client: Client,
  config: OvertureConfig,
  raw: unknown,
  opts: StartOptions = {},
): Promise<StartedOnboarding> {
  return (await startProcess(client, config, 'onboarding', raw, opts)) as StartedOnboarding;
}
