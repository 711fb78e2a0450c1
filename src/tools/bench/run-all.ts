/**
 * `npm run bench`: the onboarding benchmark (its options are this command's: `npm run bench -- --runs 20`), then the
 * fan-out benchmark, then the pipeline benchmark, each timed. Each starts its own dev server; they never overlap.
 * Writes `bench/results/<yyyy-mm-dd>-<short sha>/`: latest.json, fan-out.json, pipeline.json and summary.md (with
 * the targets and a comparison against the previous results folder).
 *
 * Its own options: `--fan-out-args "--items 100 --repeat 1"` and `--pipeline-args "--rows 2000 --runs 1"` replace
 * the other two benches' arguments (default: their defaults, the pipeline with fewer killed runs), `--only
 * onboarding` skips the other two, `--results-dir DIR` writes the folder elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RESULTS_DIR } from './bench-support';
import { compareHeadlines, type AllResults } from './compare';
import type { BenchResults } from './report';
import { resultsFolder } from './results-folder';
import { summaryMarkdown, type Durations } from './summary';

/** The pipeline's defaults but one killed run instead of three: a killed run waits out a heartbeat timeout. */
/** Two repetitions of the 1,000-item fan-out (its own default is three): the whole bench stays under 20 minutes. */
const FAN_OUT_DEFAULT_ARGS = ['--repeat', '2'];
const PIPELINE_DEFAULT_ARGS = ['--kill-runs', '1'];

/** Splits run-all's own options off the onboarding bench's. */
export function splitArgs(argv: readonly string[]): {
  onboarding: string[];
  fanOut: string[];
  pipeline: string[];
  only: boolean;
  resultsDir?: string;
} {
  const onboarding: string[] = [];
  let fanOut = FAN_OUT_DEFAULT_ARGS;
  let pipeline = PIPELINE_DEFAULT_ARGS;
  let only = false;
  let resultsDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const words = (text: string) => text.split(/\s+/).filter(Boolean);
    if (arg === '--fan-out-args') fanOut = words(value());
    else if (arg === '--pipeline-args') pipeline = words(value());
    else if (arg === '--results-dir') resultsDir = value();
    else if (arg === '--only') {
      if (value() !== 'onboarding') throw new Error('--only takes "onboarding"');
      only = true;
    } else onboarding.push(arg);
  }
  return { onboarding, fanOut, pipeline, only, ...(resultsDir ? { resultsDir } : {}) };
}

const tsx = (script: string, args: string[]) =>
  spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, script), ...args], { stdio: 'inherit' }).status ?? 1;

/** Runs one bench and says how long it took, in minutes. */
function timed(script: string, args: string[]): { code: number; minutes: number } {
  const t0 = performance.now();
  const code = tsx(script, args);
  return { code, minutes: Math.round((performance.now() - t0) / 6_000) / 10 };
}

/** A results file a bench wrote after `since` (ms since the epoch), else undefined: an older one is not this run's. */
function freshJson<T>(file: string, since: number): T | undefined {
  return existsSync(file) && statSync(file).mtimeMs >= since ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

/** The newest other results folder, by name (they start with the date). */
function previousResults(resultsRoot: string, current: string): { name: string; results: AllResults } | undefined {
  const name = existsSync(resultsRoot)
    ? readdirSync(resultsRoot)
        .filter((n) => n !== path.basename(current) && existsSync(path.join(resultsRoot, n, 'latest.json')))
        .sort()
        .pop()
    : undefined;
  if (!name) return undefined;
  const read = <T>(file: string) => {
    const p = path.join(resultsRoot, name, file);
    return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : undefined;
  };
  return { name, results: { onboarding: read('latest.json'), fanOut: read('fan-out.json'), pipeline: read('pipeline.json') } };
}

function main(): number {
  const args = splitArgs(process.argv.slice(2));
  if (args.onboarding.includes('--help')) return tsx('onboarding-bench.ts', ['--help']);
  const { folder, sha, dirty } = resultsFolder(args.resultsDir);
  const resultsRoot = path.dirname(folder);
  mkdirSync(folder, { recursive: true });
  const started = Date.now();

  const onboarding = timed('onboarding-bench.ts', [...args.onboarding, '--out', path.join(folder, 'latest.json')]);
  const fanOut = args.only ? undefined : timed('fan-out-bench.ts', args.fanOut);
  const pipeline = args.only ? undefined : timed('pipeline-bench.ts', args.pipeline);
  const durations: Durations = {
    onboarding: onboarding.minutes,
    ...(fanOut ? { fanOut: fanOut.minutes } : {}),
    ...(pipeline ? { pipeline: pipeline.minutes } : {}),
    total: Math.round((Date.now() - started) / 6_000) / 10,
  };

  const now: AllResults = {
    onboarding: freshJson<BenchResults>(path.join(folder, 'latest.json'), started),
    fanOut: freshJson(path.join(RESULTS_DIR, 'fan-out.json'), started),
    pipeline: freshJson(path.join(RESULTS_DIR, 'pipeline.json'), started),
  };
  if (now.fanOut) copyFileSync(path.join(RESULTS_DIR, 'fan-out.json'), path.join(folder, 'fan-out.json'));
  if (now.pipeline) copyFileSync(path.join(RESULTS_DIR, 'pipeline.json'), path.join(folder, 'pipeline.json'));
  const parts = [
    `onboarding ${durations.onboarding}`,
    ...(fanOut ? [`fan-out ${fanOut.minutes}`] : []),
    ...(pipeline ? [`pipeline ${pipeline.minutes}`] : []),
  ];
  const took = `npm run bench took ${durations.total} min (${parts.join(', ')})`;

  if (now.onboarding) {
    let markdown = summaryMarkdown(now.onboarding, { sha: dirty ? `${sha} (with uncommitted changes)` : sha, durations, ...now });
    const previous = previousResults(resultsRoot, folder);
    if (previous) {
      const sameOptions = JSON.stringify(previous.results.onboarding?.options) === JSON.stringify(now.onboarding.options);
      const rows = compareHeadlines(previous.results, now).map(
        (c) =>
          `- ${c.regression ? '**REGRESSION** ' : ''}${c.figure}: ${c.before} → ${c.now} (${c.changePercent > 0 ? '+' : ''}${c.changePercent}%)`,
      );
      markdown += `\n## Against ${previous.name}${sameOptions ? '' : ' (run with other options: compare with care)'}\n\n${rows.join('\n')}\n`;
      const regressions = rows.filter((r) => r.includes('REGRESSION'));
      if (regressions.length) console.log(`\nregressions above 10% against ${previous.name}:\n${regressions.join('\n')}`);
    }
    writeFileSync(path.join(folder, 'summary.md'), markdown);
  }
  console.log(`\n${took}`);
  console.log(`results folder: ${path.relative(process.cwd(), folder)}`);
  return onboarding.code || (fanOut?.code ?? 0) || (pipeline?.code ?? 0);
}

if (require.main === module) process.exitCode = main();
