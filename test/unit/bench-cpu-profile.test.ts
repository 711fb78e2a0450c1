/** CPU profiles to ms per run: the window, idle samples, self and total time, areas, bundle modules. */
import { areaOf, areasPerRun, bundleModules, moduleAt, threadTime, topFunctions, type CpuProfile } from '../../src/tools/bench/cpu-profile';

const BUNDLE = 'file:///tmp/workflow-bundle-0a1b2c.js';
const bundleCode = [
  '(() => {',
  '/***/ "./node_modules/@temporalio/workflow/lib/worker-interface.js":',
  'function activate() {}',
  '/***/ "./workflows/kit/process.ts"',
  'function runProcess() {}',
  '/***/ "./workflows/onboarding/workflow.ts":',
  'function onboarding() {}',
].join('\n');

describe('bundle modules', () => {
  const modules = bundleModules(bundleCode);

  it("finds each module's first line and maps a line to its module", () => {
    expect(modules).toEqual([
      { path: './node_modules/@temporalio/workflow/lib/worker-interface.js', firstLine: 1 },
      { path: './workflows/kit/process.ts', firstLine: 3 },
      { path: './workflows/onboarding/workflow.ts', firstLine: 5 },
    ]);
    expect(moduleAt(modules, 0)).toBeUndefined();
    expect(moduleAt(modules, 4)).toBe('./workflows/kit/process.ts');
    expect(moduleAt(modules, 99)).toBe('./workflows/onboarding/workflow.ts');
  });

  it('puts code in areas: the kit and process code in the bundle, the sandbox, codec, activities, GC', () => {
    const at = (url: string, lineNumber = 0, functionName = 'f', workflowThread = false) =>
      areaOf({ functionName, url, lineNumber }, modules, workflowThread);
    expect(at(BUNDLE, 4)).toBe('workflows kit');
    expect(at(BUNDLE, 6)).toBe('workflows (process code)');
    expect(at(BUNDLE, 2)).toBe('workflow sandbox');
    expect(at('node:vm', 0, 'runInContext', true)).toBe('workflow sandbox');
    expect(at('', 0, '(garbage collector)', true)).toBe('GC');
    expect(at('file:///repo/src/temporal/codec/payload-codec.ts')).toBe('codec');
    expect(at('file:///repo/activities/onboarding/email.ts')).toBe('activities');
    expect(at('file:///repo/node_modules/@temporalio/worker/lib/worker.js')).toBe('@temporalio');
    expect(at('node:internal/streams/writable')).toBe('node internals');
    expect(at('', 0, '(program)')).toBe('native, outside JS (program)');
  });
});

describe('threadTime', () => {
  // root → main (worker.js) → encode (codec) → main again (recursion); and an idle node.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 5] },
      {
        id: 2,
        callFrame: { functionName: 'poll', url: 'file:///x/node_modules/@temporalio/worker/lib/worker.js', lineNumber: 9 },
        children: [3],
      },
      { id: 3, callFrame: { functionName: 'encode', url: 'file:///x/src/temporal/codec/payload-codec.ts', lineNumber: 4 }, children: [4] },
      { id: 4, callFrame: { functionName: 'poll', url: 'file:///x/node_modules/@temporalio/worker/lib/worker.js', lineNumber: 9 } },
      { id: 5, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
    ],
    startTime: 1_000,
    endTime: 10_000,
    // Stamps 2000, 3000, 4000, 5000, 6000, 9000: each weighs the time to the next (the last: to endTime).
    samples: [2, 3, 4, 5, 2, 3],
    timeDeltas: [1_000, 1_000, 1_000, 1_000, 1_000, 3_000],
  };
  const main = { name: 'main', workflowThread: false };

  it('keeps the samples inside the window, drops idle ones, and splits self from total time', () => {
    const t = threadTime(profile, main, { fromUs: 2_000, toUs: 6_000 });
    // In the window: poll 1 ms, encode 1 ms, poll-in-encode 1 ms, idle 1 ms (dropped), poll 3 ms (to the next stamp);
    // the last sample (9000) is outside.
    expect(t.busyMs).toBe(6);
    const poll = t.functions.find((f) => f.name.startsWith('poll'))!;
    const encode = t.functions.find((f) => f.name.startsWith('encode'))!;
    expect(poll.selfMs).toBe(5);
    expect(poll.totalMs).toBe(6); // the recursive sample counts once
    expect(encode).toMatchObject({ selfMs: 1, totalMs: 2, area: 'codec' });
    expect(t.byArea).toEqual({ '@temporalio': 5, codec: 1 });
    expect(t.folded.get('main;poll (lib/worker.js:10)')).toBe(4_000);
  });

  it('gives ms per run, largest first', () => {
    const t = threadTime(profile, main, { fromUs: 0, toUs: 20_000 });
    const top = topFunctions([t], 2, 1);
    expect(top).toHaveLength(1);
    // Every sample now: poll self 5 ms, total 7 ms (the encode at 9000 runs inside it), over 2 runs.
    expect(top[0]).toMatchObject({ selfMs: 2.5, totalMs: 3.5 });
    expect(areasPerRun([t, t], 4)).toEqual([
      { area: '@temporalio', msPerRun: 2.5 },
      { area: 'codec', msPerRun: 1 },
    ]);
  });
});
