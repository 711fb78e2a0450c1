/**
 * `npm run bench`: the onboarding benchmark (its options are this command's: `npm run bench -- --runs 20`),
 * then the fan-out benchmark with its defaults. Each starts its own dev server; they never overlap.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const tsx = (script: string, args: string[]) =>
  spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, script), ...args], { stdio: 'inherit' }).status ?? 1;

const onboarding = tsx('onboarding-bench.ts', process.argv.slice(2));
const fanOut = tsx('fan-out-bench.ts', []);
process.exitCode = onboarding || fanOut;
