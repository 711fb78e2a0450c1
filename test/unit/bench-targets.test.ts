/** The onboarding bench's targets (issue 18) and its (d)/(e) ratios, from hand-made figures. */
import { evaluateTargets, ratiosAgainstE, type Target } from '../../src/tools/bench/report';
import type { ParkedFigures } from '../../src/tools/bench/parked';
import { variantOf } from '../helpers/bench-figures';

const find = (targets: Target[], text: string) => {
  const t = targets.find((x) => x.target.includes(text));
  if (!t) throw new Error(`no target with "${text}" in ${targets.map((x) => x.target).join(' | ')}`);
  return t;
};

describe('evaluateTargets', () => {
  it("holds (d)'s p50 to 0.6 × (b)'s when that is below 45 ms", () => {
    const targets = evaluateTargets({ b: variantOf('b', { p50: 60 }), d: variantOf('d', { p50: 40 }) }, undefined, 2);
    const p50 = find(targets, '(d) p50');
    expect(p50).toMatchObject({ threshold: 36, measured: 40, met: false });
    expect(p50.limit).toMatch(/^(CPU|waiting)/);
  });

  it("holds (d)'s p50 to 45 ms when 0.6 × (b)'s is above it, and p95 to 70 ms", () => {
    const targets = evaluateTargets({ b: variantOf('b', { p50: 100 }), d: variantOf('d', { p50: 44, p95: 71 }) }, undefined, 2);
    expect(find(targets, '(d) p50')).toMatchObject({ threshold: 45, met: true });
    expect(find(targets, '(d) p50').limit).toBeUndefined();
    expect(find(targets, '(d) p95')).toMatchObject({ threshold: 70, measured: 71, met: false });
  });

  it("asks (d) for twice (b)'s runs/s at 20 in flight, and says the whole machine's cores are the limit when they are busy", () => {
    const met = evaluateTargets({ b: variantOf('b', { rps20: 24 }), d: variantOf('d', { rps20: 50 }) }, undefined, 2);
    expect(find(met, 'runs/s at 20')).toMatchObject({ measured: 2.08, threshold: 2, met: true });
    // The bench process and the server use 1.1 cores, the machine 1.9: the machine is the limit.
    const busy = { rps20: 40, loop20: { cpu: { coresBusy: 1.1, machineCoresBusy: 1.9 } } };
    const unmet = find(evaluateTargets({ b: variantOf('b', { rps20: 24 }), d: variantOf('d', busy) }, undefined, 2), 'runs/s at 20');
    expect(unmet).toMatchObject({ measured: 1.67, met: false });
    expect(unmet.limit).toMatch(/^CPU: 1\.9 of 2 cores busy/);
    const idle = { rps20: 40, loop20: { cpu: { coresBusy: 0.5, machineCoresBusy: 0.7 } } };
    const waiting = find(evaluateTargets({ b: variantOf('b', { rps20: 24 }), d: variantOf('d', idle) }, undefined, 2), 'runs/s at 20');
    expect(waiting.limit).toMatch(/^not CPU/);
  });

  it("says a latency off the run's CPU waits for a core when the whole machine is busy, and waits otherwise", () => {
    const p50Limit = (machineCoresBusy: number) =>
      find(evaluateTargets({ d: variantOf('d', { p50: 100, sequentialCpu: { machineCoresBusy } }) }, undefined, 2), '(d) p50').limit;
    // 20 + 15 ms CPU of a 100 ms run: 65 ms off the run's CPU.
    expect(p50Limit(1.9)).toMatch(/^CPU of the whole machine: 1\.9 of 2 cores busy .* 65 of 100 ms per run off CPU/);
    expect(p50Limit(0.6)).toMatch(/^waiting, not CPU: 65 of 100 ms/);
  });

  it('leaves out the throughput target without (b), and bounds p50 by 45 ms alone', () => {
    const targets = evaluateTargets({ d: variantOf('d', { p50: 46 }) }, undefined, 2);
    expect(targets.some((t) => t.target.includes('runs/s'))).toBe(false);
    expect(find(targets, '(d) p50')).toMatchObject({ threshold: 45, met: false });
  });

  it('counts events and workflow tasks by the largest sampled run, and names what woke the extra tasks', () => {
    const targets = evaluateTargets({ d: variantOf('d', { events: { median: 11, max: 13 }, tasks: { median: 1, max: 3 } }) }, undefined, 2);
    const events = find(targets, 'history events');
    expect(events).toMatchObject({ threshold: 12, measured: 13, met: false });
    expect(events.limit).toContain('5 marker:core_local_activity');
    const tasks = find(targets, 'workflow tasks');
    expect(tasks).toMatchObject({ threshold: 2, measured: 3, met: false });
    expect(tasks.limit).toContain('2 activityTaskCompleted');
    const happy = evaluateTargets({ d: variantOf('d', { events: { median: 11, max: 12 }, tasks: { median: 1, max: 2 } }) }, undefined, 2);
    expect(find(happy, 'history events').met).toBe(true);
    expect(find(happy, 'workflow tasks').met).toBe(true);
  });

  it("holds Node CPU (client + worker) to 20 ms and server CPU to 30 ms per run at 20 in flight, with the systems' CPU beside", () => {
    const d = variantOf('d', { loop20: { cpu: { nodeMsPerRun: 21, serverMsPerRun: 31, systemsMsPerRun: 6 } } });
    const targets = evaluateTargets({ d }, undefined, 2);
    const node = find(targets, 'Node CPU');
    expect(node).toMatchObject({ threshold: 20, measured: 21, met: false });
    expect(node.limit).toContain("systems' process 6 ms/run");
    expect(find(targets, 'server CPU')).toMatchObject({ threshold: 30, measured: 31, met: false });
    const lean = variantOf('d', { loop20: { cpu: { nodeMsPerRun: 20, serverMsPerRun: 30 } } });
    const leanTargets = evaluateTargets({ d: lean }, undefined, 2);
    expect(find(leanTargets, 'Node CPU').met).toBe(true);
    expect(find(leanTargets, 'server CPU').met).toBe(true);
  });

  it('holds parked worker RSS to 300 MB and keeps the decision → next step targets', () => {
    const parked = {
      parked: 10_000,
      rssMb: { baseline: 220, parkingPeak: 400, waitingPeak: 301, waitingMedian: 290, approvingPeak: 350, perParkedRunKb: 8.4 },
      heapUsedMbWaiting: 120,
      approvals: { applied: 10_000, wallMs: 1, updateRoundTripMs: { n: 1, p50: 20, p95: 30 } },
      decisionToNextStep: {
        sampled: 5,
        fromUpdateEventMs: { n: 5, p50: 10, p95: 20 },
        fromSendMs: { n: 5, p50: 51, p95: 70 },
        sendToTaskStartMs: { n: 5, p50: 5, p95: 9 },
      },
      cpu: {
        parking: { serverMsPerRun: 1, workerMsPerRun: 1, clientMsPerRun: 1, coresBusy: 1 },
        approving: { serverMsPerRun: 1, workerMsPerRun: 1, clientMsPerRun: 1, coresBusy: 1 },
      },
    } as unknown as ParkedFigures;
    const targets = evaluateTargets({}, parked, 2);
    const rss = find(targets, 'RSS');
    expect(rss).toMatchObject({ threshold: 300, measured: 301, met: false });
    expect(rss.limit).toContain('220 MB before parking + 8.4 KB per parked run');
    expect(find(targets, 'update event → next step').met).toBe(true);
    expect(find(targets, 'decision sent → next step').met).toBe(false);
  });

  /** Parked figures that differ only in how their worker ran. */
  const parkedWorker = (how: Partial<Pick<ParkedFigures, 'workerRuns' | 'heap'>>) =>
    ({
      parked: 10,
      ...how,
      rssMb: { baseline: 190, waitingPeak: 290, perParkedRunKb: 1 },
      heapUsedMbWaiting: 50,
      decisionToNextStep: { fromUpdateEventMs: { p50: 1 }, fromSendMs: { p50: 1 } },
      cpu: { approving: { serverMsPerRun: 1, workerMsPerRun: 1, clientMsPerRun: 1, coresBusy: 1 } },
    }) as unknown as ParkedFigures;
  const rssTarget = (how: Partial<Pick<ParkedFigures, 'workerRuns' | 'heap'>>) =>
    find(evaluateTargets({}, parkedWorker(how), 2), 'RSS').target;

  it('names which worker the parked RSS is of: the compiled build, as deployed, or the sources under tsx', () => {
    expect(rssTarget({ workerRuns: 'compiled' })).toContain('worker compiled');
    expect(rssTarget({ workerRuns: 'sources' })).toContain('worker under tsx');
    // Results from before the field existed were measured under tsx.
    expect(rssTarget({})).toContain('worker under tsx');
  });

  it('names the parked worker heap sizing: WORKER_HEAP, V8 own sizing in results from before the setting', () => {
    expect(rssTarget({ workerRuns: 'compiled', heap: 'compact' })).toContain('WORKER_HEAP=compact');
    expect(rssTarget({ workerRuns: 'compiled' })).toContain('WORKER_HEAP=default');
  });
});

describe('ratiosAgainstE', () => {
  it('divides (d) by (e) phase by phase at the same concurrency', () => {
    const e = variantOf('e', { p50: 40, p95: 50, rps20: 50, loop20: { cpu: { serverMsPerRun: 20, nodeMsPerRun: 10 } } });
    const d = variantOf('d', { p50: 50, p95: 75, rps20: 40, loop20: { cpu: { serverMsPerRun: 30, nodeMsPerRun: 25 } } });
    expect(ratiosAgainstE({ d, e })).toEqual({
      p50Latency: 1.25,
      p95Latency: 1.5,
      throughput: { c20: 0.8 },
      serverCpu: { c1: 1, c20: 1.5 },
      nodeCpu: { c1: 1, c20: 2.5 },
    });
  });

  it('is undefined without (e)', () => {
    expect(ratiosAgainstE({ d: variantOf('d') })).toBeUndefined();
  });
});
