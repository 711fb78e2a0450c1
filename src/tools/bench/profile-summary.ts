/**
 * `npm run bench:profile`'s second half: reads the `.cpuprofile` files `node --cpu-prof` wrote for the profiled
 * bench process (its main thread: client, worker, activities, codec; its workflow thread: the sandbox), keeps the
 * samples inside one closed loop of variant (d), and writes `cpu-profile-d.md` into today's results folder: ms per
 * run by area and the top 30 functions by self time. Collapsed stacks go beside the profiles
 * (`cpu-profile-d.folded`, for flamegraph.pl or speedscope).
 *
 * `npx tsx src/tools/bench/profile-summary.ts [--profile-dir .data/bench/profile] [--concurrency 20] [--results-dir DIR]`
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RESULTS_DIR } from './bench-support';
import { areasPerRun, bundleModules, threadTime, topFunctions, type CpuProfile, type ThreadTime } from './cpu-profile';
import { loopNear } from './report';
import type { BenchResults } from './report';
import { PROFILED_BUNDLE_FILE, PROFILED_PROCESS_FILE, PROFILED_RESULTS_FILE } from './profile-files';
import { resultsFolder } from './results-folder';
import { r1 } from './stats';

/** `CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile`, as node names them. */
const PROFILE_NAME = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.\d+\.cpuprofile$/;

const cellMs = (ms: number) => r1(ms).toFixed(1);
const percent = (share: number) => `${Math.round(share * 100)}%`;

/** The markdown of the summary. */
export function profileMarkdown(
  threads: readonly ThreadTime[],
  phase: { variant: string; concurrency: number; runs: number; nodeMsPerRun: number; wallMs: number },
): string {
  const sampled = threads.reduce((sum, t) => sum + t.busyMs, 0) / phase.runs;
  const lines = [
    `# CPU profile of (${phase.variant}) at ${phase.concurrency} in flight`,
    '',
    `${phase.runs} runs in ${r1(phase.wallMs / 1000)} s, profiled with \`node --cpu-prof\` (\`npm run bench:profile\`). ` +
      `JS threads sampled: ${cellMs(sampled)} ms per run; the process's CPU (user + system, every thread): ${phase.nodeMsPerRun} ms per run. ` +
      `A sample is time a thread was not idle, so it counts time the thread waited for a core as well: on a busy machine ` +
      `the sampled time exceeds the CPU, and the shares (%) are the figures to read. Below the CPU, the gap is native work on ` +
      `threads V8 does not sample: the SDK's core (Rust, gRPC, TLS), libuv. The profiler itself adds CPU to every figure.`,
    '',
    '| thread | sampled ms/run |',
    '|---|---|',
    ...threads.map((t) => `| ${t.thread} | ${cellMs(t.busyMs / phase.runs)} |`),
    '',
    '## By area (self time)',
    '',
    '| area | sampled ms/run | share |',
    '|---|---|---|',
    ...areasPerRun(threads, phase.runs).map((a) => `| ${a.area} | ${cellMs(a.msPerRun)} | ${percent(a.msPerRun / sampled)} |`),
    '',
    '## Top 30 functions by self time',
    '',
    '| function | area | thread | self ms/run | self share | total ms/run |',
    '|---|---|---|---|---|---|',
    ...topFunctions(threads, phase.runs).map(
      (f) =>
        `| \`${f.name.replace(/\|/g, '\\|').slice(0, 120)}\` | ${f.area} | ${f.thread} | ${cellMs(f.selfMs)} | ${percent(f.selfMs / sampled)} | ${cellMs(f.totalMs)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      'profile-dir': { type: 'string', default: path.join(RESULTS_DIR, 'profile') },
      concurrency: { type: 'string', default: '20' },
      'results-dir': { type: 'string' },
    },
  });
  const dir = values['profile-dir'];
  const { pid } = JSON.parse(readFileSync(path.join(dir, PROFILED_PROCESS_FILE), 'utf8')) as { pid: number };
  const results = JSON.parse(readFileSync(path.join(dir, PROFILED_RESULTS_FILE), 'utf8')) as BenchResults;
  const d = results.variants.d;
  const loop = loopNear(d, Number(values.concurrency));
  if (!d || !loop) throw new Error(`the profiled run has no closed loop of (d): run npm run bench:profile`);
  const modules = bundleModules(readFileSync(path.join(dir, PROFILED_BUNDLE_FILE), 'utf8'));
  const window = { fromUs: loop.window.startUs, toUs: loop.window.endUs };
  const threads = readdirSync(dir)
    .flatMap((name) => {
      const match = PROFILE_NAME.exec(name);
      return match && Number(match[1]) === pid ? [{ name, tid: Number(match[2]) }] : [];
    })
    .sort((x, y) => x.tid - y.tid)
    .map(({ name, tid }) => {
      const profile = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as CpuProfile;
      // Thread 0 is the main thread; the bench starts no worker threads of its own, so the others are the SDK's
      // workflow threads (the sandbox).
      const thread = tid === 0 ? { name: 'main', workflowThread: false } : { name: `workflow thread ${tid}`, workflowThread: true };
      return threadTime(profile, thread, window, modules);
    });
  if (!threads.length) throw new Error(`no CPU profile of process ${pid} in ${dir}`);
  const markdown = profileMarkdown(threads, {
    variant: 'd',
    concurrency: loop.concurrency,
    runs: loop.completed,
    nodeMsPerRun: loop.cpu.nodeMsPerRun,
    wallMs: loop.wallMs,
  });
  const { folder } = resultsFolder(values['results-dir']);
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'cpu-profile-d.md');
  writeFileSync(file, markdown);
  const folded = threads.flatMap((t) => [...t.folded].map(([stack, us]) => `${stack} ${Math.round(us)}`));
  writeFileSync(path.join(dir, 'cpu-profile-d.folded'), `${folded.join('\n')}\n`);
  console.log(markdown);
  console.log(`written to ${path.relative(process.cwd(), file)}; collapsed stacks in ${path.join(dir, 'cpu-profile-d.folded')}`);
}

if (require.main === module) main();
