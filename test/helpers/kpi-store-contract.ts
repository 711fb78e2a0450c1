/**
 * What every KPI projection promises (SQLite file, PostgreSQL), as one suite run against each real store: the sink's
 * upserts are idempotent and never go back to an earlier report, and the aggregation's SQL gives the same KPIs —
 * nearest-rank percentiles, UTC days, manual against automated — on both databases.
 */
import type { KpiRow, KpiStepRow } from '../../workflows/kit/kpi-events';
import type { KpiStore } from '../../src/stores/kpis/store';
import { kpiOverview, processKpis } from '../../src/kpis/aggregate';

const DAY = 86_400_000;
const MIN = 60_000;
/** Monday 2026-11-30, 00:00 UTC: the window of the tests is this day and the next two. */
const T0 = Date.UTC(2026, 10, 30);
const WINDOW = { since: T0, until: T0 + 3 * DAY };

/** A run row of a process. */
const runRow = (process: string, id: string, startedAt: number, state: string, endedAt?: number, seq = 2): KpiRow => ({
  kind: 'run',
  process,
  workflowId: id,
  runId: `${id}-run`,
  seq,
  startedAt,
  state,
  ...(endedAt !== undefined ? { endedAt } : {}),
});

/** A step visit of a run. */
const stepRow = (
  process: string,
  id: string,
  step: string,
  startedAt: number,
  minutes: number,
  more: Partial<KpiStepRow> = {},
): KpiRow => ({
  kind: 'step',
  process,
  workflowId: id,
  runId: `${id}-run`,
  seq: 2,
  step,
  visit: 1,
  mode: 'automated',
  startedAt,
  endedAt: startedAt + minutes * MIN,
  outcome: 'completed',
  attempts: 1,
  errors: 0,
  escalations: 0,
  personWaitMs: 0,
  ...more,
});

/** Declares the contract's tests; `open` gives an empty store, called once for the suite. */
export function describeKpiStoreContract(name: string, open: () => Promise<KpiStore>, setupTimeoutMs = 5_000): void {
  describe(name, () => {
    let store: KpiStore;
    let n = 0;
    /** A process name of its own per test: tests share the store. */
    const processName = () => `process-${++n}-${Date.now().toString(36)}`;

    beforeAll(async () => {
      store = await open();
    }, setupTimeoutMs);
    afterAll(async () => store?.close());

    it('keeps a row only when its report is at least as late: a replay from the start never takes a run back', async () => {
      const p = processName();
      await store.record([runRow(p, 'r1', T0, 'running', undefined, 1)]);
      await store.record([runRow(p, 'r1', T0, 'completed', T0 + 10 * MIN, 5)]);
      // The replay of the run sends its reports again, from the first.
      await store.record([runRow(p, 'r1', T0, 'running', undefined, 1)]);
      await store.record([runRow(p, 'r1', T0, 'completed', T0 + 10 * MIN, 5)]);
      const kpis = await processKpis(store, p, WINDOW);
      expect(kpis.runs).toMatchObject({ started: 1, completed: 1, failed: 0, aborted: 0 });
      expect(kpis.duration).toMatchObject({ p50Ms: 10 * MIN, p95Ms: 10 * MIN });
    });

    it('counts runs per UTC day: started by their start, ended by their end, failed and aborted with their kin', async () => {
      const p = processName();
      await store.record([
        runRow(p, 'a', T0 + 1 * MIN, 'completed', T0 + 2 * MIN),
        runRow(p, 'b', T0 + 23 * 60 * MIN, 'completed', T0 + DAY + 30 * MIN), // ends the next day
        runRow(p, 'c', T0 + DAY + MIN, 'compensation_failed', T0 + DAY + 5 * MIN),
        runRow(p, 'd', T0 + DAY + MIN, 'rejected', T0 + DAY + 9 * MIN),
        runRow(p, 'e', T0 + 2 * DAY, 'aborted', T0 + 2 * DAY + MIN),
        runRow(p, 'f', T0 + 2 * DAY, 'failed', T0 + 2 * DAY + MIN),
        runRow(p, 'g', T0 + 2 * DAY + MIN, 'running'),
        runRow(p, 'old', T0 - DAY, 'completed', T0 - DAY + MIN), // before the window
      ]);
      const kpis = await processKpis(store, p, WINDOW);
      expect(kpis.runs).toMatchObject({ started: 7, completed: 2, failed: 2, aborted: 2 });
      expect(kpis.runs.perDay).toEqual([
        { day: '2026-11-30', started: 2, completed: 1, failed: 0, aborted: 0 },
        { day: '2026-12-01', started: 2, completed: 1, failed: 1, aborted: 1 },
        { day: '2026-12-02', started: 3, completed: 0, failed: 1, aborted: 1 },
      ]);
      expect(kpis.duration.perDay).toEqual([
        { day: '2026-11-30', p50Ms: MIN, p95Ms: MIN },
        { day: '2026-12-01', p50Ms: 90 * MIN, p95Ms: 90 * MIN },
        { day: '2026-12-02' },
      ]);
    });

    it('takes nearest-rank percentiles: p50 of 1..20 minutes is 10, p95 is 19', async () => {
      const p = processName();
      await store.record(
        Array.from({ length: 20 }, (_, i) => runRow(p, `run-${i}`, T0 + i * MIN, 'completed', T0 + i * MIN + (i + 1) * MIN)),
      );
      const kpis = await processKpis(store, p, WINDOW);
      expect(kpis.duration).toMatchObject({ p50Ms: 10 * MIN, p95Ms: 19 * MIN });
      const overview = await kpiOverview(store, WINDOW);
      expect(overview.processes.find((o) => o.process === p)).toEqual({
        process: p,
        started: 20,
        completed: 20,
        failed: 0,
        aborted: 0,
        durationP50Ms: 10 * MIN,
        durationP95Ms: 19 * MIN,
      });
    });

    it('gives per step its time, its wait for people, escalation and error rates, and manual against automated', async () => {
      const p = processName();
      const rows: KpiRow[] = [];
      for (let i = 0; i < 4; i++) {
        const id = `run-${i}`;
        rows.push(runRow(p, id, T0 + i * MIN, 'completed', T0 + 60 * MIN));
        rows.push(
          stepRow(
            p,
            id,
            'createAccount',
            T0 + i * MIN,
            i + 1,
            i === 3 ? { errors: 1, escalations: 1, personWaitMs: 2 * MIN, attempts: 6 } : {},
          ),
        );
        // Two runs did the equipment by hand (10 and 30 min), two had it automated (1 and 3 min, one failing once).
        const manual = i < 2;
        rows.push(
          stepRow(p, id, 'orderEquipment', T0 + 10 * MIN, manual ? 10 + 20 * i : 1 + 2 * (i - 2), {
            mode: manual ? 'manual' : 'automated',
            personWaitMs: manual ? (10 + 20 * i) * MIN : 0,
            errors: i === 3 ? 1 : 0,
          }),
        );
      }
      rows.push(stepRow(p, 'run-0', 'sendReminder', T0, 5, { outcome: 'not_taken' }));
      await store.record(rows);
      const kpis = await processKpis(store, p, WINDOW, ['orderEquipment', 'createAccount']);
      expect(kpis.steps.map((s) => s.step)).toEqual(['orderEquipment', 'createAccount']);
      const [equipment, account] = kpis.steps;
      expect(account).toEqual({
        step: 'createAccount',
        runs: 4,
        medianMs: 2 * MIN,
        p95Ms: 4 * MIN,
        personWaitMs: { median: 0, p95: 2 * MIN, share: 0.2 },
        escalationRate: 0.25,
        errorRate: 0.25,
        manual: { runs: 0, errorRate: 0 },
        automated: { runs: 4, medianMs: 2 * MIN, errorRate: 0.25 },
      });
      expect(equipment).toMatchObject({
        runs: 4,
        manual: { runs: 2, medianMs: 10 * MIN, errorRate: 0 },
        automated: { runs: 2, medianMs: MIN, errorRate: 0.5 },
      });
      expect(equipment!.personWaitMs.share).toBeCloseTo(40 / 44, 3);
    });

    it('measures approval latency (not approvals closed by an abandoned run) and the fan-out items that failed', async () => {
      const p = processName();
      const question = (id: string, minutes: number | undefined, action?: string): KpiRow => ({
        kind: 'question',
        process: p,
        workflowId: id,
        runId: `${id}-run`,
        seq: 3,
        question: 'assignPermissions/approval#1',
        questionKind: 'approval',
        step: 'assignPermissions',
        openedAt: T0,
        ...(minutes !== undefined ? { closedAt: T0 + minutes * MIN, action: action ?? 'approve', automatic: false } : {}),
      });
      const item = (id: string, key: string, outcome: 'completed' | 'failed', round = 1): KpiRow => ({
        kind: 'item',
        process: p,
        workflowId: id,
        runId: `${id}-run`,
        seq: 4,
        step: 'reconcileEntities',
        round,
        item: key,
        outcome,
        at: T0 + MIN,
      });
      await store.record([
        question('a', 5),
        question('b', 15, 'reject'),
        question('c', 60, 'cancelled'),
        question('d', undefined),
        item('a', 'DE', 'completed'),
        item('a', 'FR', 'failed'),
        item('a', 'FR', 'completed', 2),
        item('a', 'US', 'completed'),
      ]);
      // The same item reported again (a replay) counts once.
      await store.record([item('a', 'FR', 'failed')]);
      const kpis = await processKpis(store, p, WINDOW);
      expect(kpis.approvalLatency).toEqual({ count: 2, p50Ms: 5 * MIN, p95Ms: 15 * MIN });
      expect(kpis.fanOut).toEqual({ items: 4, failed: 1, failureRate: 0.25 });
    });

    it('answers for a process without runs with zeros and no percentiles', async () => {
      const kpis = await processKpis(store, processName(), WINDOW);
      expect(kpis.runs).toMatchObject({ started: 0, completed: 0, failed: 0, aborted: 0 });
      expect(kpis.runs.perDay).toHaveLength(3);
      expect(kpis.duration).toEqual({ perDay: [{ day: '2026-11-30' }, { day: '2026-12-01' }, { day: '2026-12-02' }] });
      expect(kpis.steps).toEqual([]);
      expect(kpis.approvalLatency).toEqual({ count: 0 });
      expect(kpis.fanOut).toEqual({ items: 0, failed: 0, failureRate: 0 });
    });
  });
}
