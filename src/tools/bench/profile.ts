/**
 * `npm run bench:profile`: variant (d) alone, 20 in flight, under `node --cpu-prof`, then ./profile-summary.ts
 * turns the profiles into `bench/results/<date>-<sha>/cpu-profile-d.md`. Options after `--` go to the onboarding
 * bench and win over these defaults (e.g. `npm run bench:profile -- --loop-runs 100`).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { RESULTS_DIR } from './bench-support';
import { PROFILED_RESULTS_FILE } from './profile-files';

const PROFILE_DIR = path.join(RESULTS_DIR, 'profile');
const DEFAULTS = ['--variants', 'd', '--warmup', '5', '--runs', '1', '--concurrent', '20', '--loop-runs', '400'];
const FIXED = [
  '--history-sample',
  '1',
  '--parked',
  '0',
  '--out',
  path.join(PROFILE_DIR, PROFILED_RESULTS_FILE),
  '--profile-dir',
  PROFILE_DIR,
];

const node = (args: string[]) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1;

rmSync(PROFILE_DIR, { recursive: true, force: true });
const bench = node([
  '--cpu-prof',
  `--cpu-prof-dir=${PROFILE_DIR}`,
  '--require',
  'tsx/cjs',
  path.join(__dirname, 'onboarding-bench.ts'),
  ...DEFAULTS,
  ...process.argv.slice(2),
  ...FIXED,
]);
process.exitCode = bench || node(['--require', 'tsx/cjs', path.join(__dirname, 'profile-summary.ts'), '--profile-dir', PROFILE_DIR]);
