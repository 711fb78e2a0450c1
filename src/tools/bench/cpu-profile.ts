/**
 * V8 CPU profiles (`node --cpu-prof`, one `.cpuprofile` per thread) turned into milliseconds per run: by function
 * and by area of the code, over one phase's window of the bench. Pure functions; ./profile-summary.ts reads the files.
 */

/** The parts of a `.cpuprofile` this reads (Chrome DevTools protocol `Profiler.Profile`). */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  /** Monotonic clock, µs (the clock of `process.hrtime`). */
  startTime: number;
  endTime: number;
  samples: number[];
  /** µs since the sample before (the first: since `startTime`). */
  timeDeltas: number[];
}

/** A module's lines in the workflow bundle: webpack's development build marks each with its path. */
export interface BundleModule {
  path: string;
  firstLine: number;
}

/** Areas of the code a sample's function belongs to. */
export type Area =
  | 'workflow sandbox'
  | 'workflows kit'
  | 'workflows (process code)'
  | 'activities'
  | 'codec'
  | '@temporalio'
  | 'Overture (client, worker setup, bench)'
  | 'other dependencies'
  | 'node internals'
  | 'native, outside JS (program)'
  | 'GC';

/** The modules of a webpack development bundle, by the `/***\/ "path"` line that opens each, in line order. */
export function bundleModules(code: string): BundleModule[] {
  const modules: BundleModule[] = [];
  code.split('\n').forEach((text, line) => {
    // `/***/ "./workflows/kit/dag.ts"`, with a colon or (as the SDK's bundler writes it) without.
    const match = /^\/\*\*\*\/ "([^"]+)":?\s*$/.exec(text);
    if (match) modules.push({ path: match[1]!, firstLine: line });
  });
  return modules;
}

/** The bundle module holding a 0-based line, or undefined before the first module. */
export function moduleAt(modules: readonly BundleModule[], line: number): string | undefined {
  let found: string | undefined;
  for (const m of modules) {
    if (m.firstLine > line) break;
    found = m.path;
  }
  return found;
}

/** The workflow bundle as the worker's sandbox names it (`workflow-bundle-<hash>.js`). */
const BUNDLE_URL = /workflow-bundle-[0-9a-f]+\.js$/;

/**
 * Where a function's code lives; `modules` maps lines of the workflow bundle to its source modules. On a workflow
 * thread everything but GC and Overture's own workflow code is the sandbox's (the SDK's vm machinery, the bundle's
 * module loading, its @temporalio/workflow runtime).
 */
export function areaOf(
  frame: { functionName: string; url: string; lineNumber: number },
  modules: readonly BundleModule[],
  onWorkflowThread = false,
): Area {
  const { functionName, url } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (BUNDLE_URL.test(url)) {
    const source = moduleAt(modules, frame.lineNumber) ?? '';
    if (source.includes('workflows/kit/')) return 'workflows kit';
    if (/(^|\/)workflows\//.test(source) && !source.includes('node_modules')) return 'workflows (process code)';
    return 'workflow sandbox';
  }
  if (onWorkflowThread) return 'workflow sandbox';
  if (functionName === '(program)') return 'native, outside JS (program)';
  if (url.includes('/temporal/codec/')) return 'codec';
  if (url.includes('@temporalio/')) return '@temporalio';
  if (url.includes('/node_modules/')) return 'other dependencies';
  if (url.includes('/activities/')) return 'activities';
  if (url.includes('/workflows/kit/')) return 'workflows kit';
  if (url.startsWith('node:') || url === '' || !url.includes('/')) return 'node internals';
  return 'Overture (client, worker setup, bench)';
}

/** One function's time over the window, in ms: its own (self) and with what it called (total). */
export interface FunctionTime {
  name: string;
  area: Area;
  thread: string;
  selfMs: number;
  totalMs: number;
}

/** What one thread's profile spent inside the window. */
export interface ThreadTime {
  thread: string;
  /** Sampled time not idle, ms. */
  busyMs: number;
  functions: FunctionTime[];
  byArea: Partial<Record<Area, number>>;
  /** Collapsed stacks (`thread;outer;…;inner` → µs), for a flame graph. */
  folded: Map<string, number>;
}

/** A function's name as the tables show it: `name (file:line)`, the file shortened to its last two parts. */
export function functionLabel(frame: { functionName: string; url: string; lineNumber: number }, modules: readonly BundleModule[]): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const source = BUNDLE_URL.test(frame.url) ? (moduleAt(modules, frame.lineNumber) ?? frame.url) : frame.url;
  const short = source
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-2)
    .join('/');
  return `${name} (${short}:${frame.lineNumber + 1})`;
}

/**
 * The time of one thread's profile inside [fromUs, toUs] (monotonic µs): each sample weighs the time to the next
 * sample, idle samples are left out.
 */
export function threadTime(
  profile: CpuProfile,
  thread: { name: string; workflowThread: boolean },
  window: { fromUs: number; toUs: number },
  modules: readonly BundleModule[] = [],
): ThreadTime {
  const area = (frame: CpuProfile['nodes'][number]['callFrame']) => areaOf(frame, modules, thread.workflowThread);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const functions = new Map<string, FunctionTime>();
  const byArea: Partial<Record<Area, number>> = {};
  const folded = new Map<string, number>();
  let busyUs = 0;
  let at = profile.startTime;
  const stamps = profile.timeDeltas.map((delta) => (at += delta));
  stamps.forEach((stamp, i) => {
    const weight = (stamps[i + 1] ?? profile.endTime) - stamp;
    if (stamp < window.fromUs || stamp > window.toUs || weight <= 0) return;
    const leaf = byId.get(profile.samples[i]!);
    if (!leaf || leaf.callFrame.functionName === '(idle)') return;
    busyUs += weight;
    const leafArea = area(leaf.callFrame);
    byArea[leafArea] = (byArea[leafArea] ?? 0) + weight / 1000;
    const stack: string[] = [];
    const counted = new Set<string>();
    for (let node: typeof leaf | undefined = leaf; node; node = byId.get(parent.get(node.id) ?? -1)) {
      if (node.callFrame.functionName === '(root)') break;
      const label = functionLabel(node.callFrame, modules);
      stack.push(label);
      if (counted.has(label)) continue; // recursion: a function's total counts a sample once
      counted.add(label);
      const f = functions.get(label) ?? { name: label, area: area(node.callFrame), thread: thread.name, selfMs: 0, totalMs: 0 };
      f.totalMs += weight / 1000;
      if (node === leaf) f.selfMs += weight / 1000;
      functions.set(label, f);
    }
    const key = [thread.name, ...stack.reverse()].join(';');
    folded.set(key, (folded.get(key) ?? 0) + weight);
  });
  return { thread: thread.name, busyMs: busyUs / 1000, functions: [...functions.values()], byArea, folded };
}

/** Rows of ms per run, largest first: `count` functions by self time. */
export function topFunctions(threads: readonly ThreadTime[], runs: number, count = 30): FunctionTime[] {
  return threads
    .flatMap((t) => t.functions)
    .sort((x, y) => y.selfMs - x.selfMs)
    .slice(0, count)
    .map((f) => ({ ...f, selfMs: f.selfMs / runs, totalMs: f.totalMs / runs }));
}

/** Self time per area over every thread, ms per run, largest first. */
export function areasPerRun(threads: readonly ThreadTime[], runs: number): Array<{ area: Area; msPerRun: number }> {
  const sum: Partial<Record<Area, number>> = {};
  for (const t of threads) for (const [area, ms] of Object.entries(t.byArea) as Array<[Area, number]>) sum[area] = (sum[area] ?? 0) + ms;
  return (Object.entries(sum) as Array<[Area, number]>)
    .map(([area, ms]) => ({ area, msPerRun: ms / runs }))
    .sort((x, y) => y.msPerRun - x.msPerRun);
}
