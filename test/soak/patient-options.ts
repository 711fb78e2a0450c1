/** Run options for the soak: short retry intervals (as the tests' fastOptions) but attempts enough to outlast kills and faults. */
import type { ProcessOptions } from '../../workflows/kit/types';
import { fastOptions } from '../helpers/test-stack';

/**
 * Each step retries every 0.2-1 s up to 30 times: a worker killed mid-step costs an attempt (its timeout), an
 * injected fault two more, and neither may push a step onto its fallback or to a person, which would hide a lost
 * or repeated side effect behind a legitimate detour.
 */
export function patientOptions<O extends ProcessOptions>(options: O): O {
  const fast = fastOptions()(options);
  const policies = Object.fromEntries(
    Object.entries(fast.policies).map(([step, p]) => [
      step,
      { ...p, initialIntervalMs: 200, maximumIntervalMs: 1_000, maximumAttempts: 30 },
    ]),
  );
  return { ...fast, policies, supportPolicy: { ...fast.supportPolicy, maximumAttempts: 30 } };
}
