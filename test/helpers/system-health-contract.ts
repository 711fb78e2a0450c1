/**
 * What every store of the systems' health and pauses promises, as one suite run against each real store (SQLite
 * file, PostgreSQL), with two instances on one store standing for two worker hosts: one degraded alert per outage,
 * one recovered note, and a pause that holds both.
 */
import type { SystemHealthRecords } from '../../src/stores/system-health/sqlite-health';

export interface SystemHealthUnderTest {
  /** Two instances on the same store: two hosts (or two processes of one host, for SQLite). */
  a: SystemHealthRecords;
  b: SystemHealthRecords;
  close(): Promise<void>;
}

const grace = { operator: 'grace', role: 'operator' };
const alan = { operator: 'alan', role: 'admin' };

/** Declares the contract's tests; `open` is called once for the suite. Each test uses a system name of its own. */
export function describeSystemHealthContract(name: string, open: () => Promise<SystemHealthUnderTest>, setupTimeoutMs = 5_000): void {
  describe(name, () => {
    let store: SystemHealthUnderTest;
    let a: SystemHealthRecords;
    let b: SystemHealthRecords;
    let seq = 0;
    const system = () => `system-${Date.now().toString(36)}-${++seq}`;

    beforeAll(async () => {
      store = await open();
      ({ a, b } = store);
    }, setupTimeoutMs);
    afterAll(async () => store?.close());

    it('gives the degraded alert to exactly one report, from either host, once the system has failed long enough', async () => {
      const s = system();
      expect((await a.recordFailure(s, 'connect ECONNREFUSED', 1_000, 10_000)).claimed).toBe(false);
      expect((await b.recordFailure(s, 'connect ETIMEDOUT', 1_000, 10_500)).claimed).toBe(false);
      const claim = await b.recordFailure(s, 'connect ECONNREFUSED again', 1_000, 11_000);
      expect(claim.claimed).toBe(true);
      expect(claim.outage).toMatchObject({
        system: s,
        startedAt: 10_000,
        lastFailureAt: 11_000,
        failures: 3,
        alertedAt: 11_000,
        lastError: 'connect ECONNREFUSED again',
      });
      expect((await a.recordFailure(s, 'still down', 1_000, 12_000)).claimed).toBe(false);
      expect(await b.currentOutage(s)).toMatchObject({ id: claim.outage.id, failures: 4, alertedAt: 11_000 });
    });

    it('gives the alert to one of many reports racing from both hosts, counting every failure', async () => {
      const s = system();
      const reports = await Promise.all(Array.from({ length: 40 }, async (_, i) => (i % 2 ? a : b).recordFailure(s, `failure ${i}`, 0)));
      expect(reports.filter((r) => r.claimed)).toHaveLength(1);
      expect(new Set(reports.map((r) => r.outage.id)).size).toBe(1);
      expect((await a.currentOutage(s))?.failures).toBe(40);
    });

    it('lets the next failure, on the other host, claim an alert that was given back', async () => {
      const s = system();
      expect((await a.recordFailure(s, 'down', 1_000, 1_000)).claimed).toBe(false);
      const first = await a.recordFailure(s, 'down', 1_000, 2_000);
      expect(first.claimed).toBe(true);
      await a.releaseAlert(first.outage.id);
      expect((await b.currentOutage(s))?.alertedAt).toBeUndefined();
      const again = await b.recordFailure(s, 'down', 1_000, 2_500);
      expect(again).toMatchObject({ claimed: true, outage: { id: first.outage.id, failures: 3, alertedAt: 2_500 } });
      expect((await a.recordFailure(s, 'down', 1_000, 3_000)).claimed).toBe(false);
    });

    it('ends an alerted outage once when both hosts report a success at once, and forgets an unalerted blip', async () => {
      const s = system();
      const { outage } = await a.recordFailure(s, 'down', 0, 1_000);
      const ended = await Promise.all([
        a.recordSuccess(s, 5_000),
        b.recordSuccess(s, 5_000),
        a.recordSuccess(s, 5_000),
        b.recordSuccess(s, 5_000),
      ]);
      expect(ended.filter((o) => o !== undefined)).toEqual([{ ...outage, endedAt: 5_000 }]);
      expect(await b.currentOutage(s)).toBeUndefined();
      expect(await b.outages(s)).toEqual([{ ...outage, endedAt: 5_000 }]);

      expect((await b.recordFailure(s, 'blip', 60_000, 6_000)).claimed).toBe(false);
      expect(await a.recordSuccess(s, 6_500)).toBeUndefined();
      expect(await a.currentOutage(s)).toBeUndefined();
      expect((await a.outages(s)).map((o) => o.id)).toEqual([outage.id]);
    });

    it('starts afresh after a quiet gap longer than the alert delay, instead of alerting on the old failure', async () => {
      const s = system();
      const old = await a.recordFailure(s, 'once', 1_000, 1_000);
      const fresh = await b.recordFailure(s, 'again', 1_000, 5_000);
      expect(fresh.claimed).toBe(false);
      expect(fresh.outage.id).not.toBe(old.outage.id);
      expect(fresh.outage).toMatchObject({ startedAt: 5_000, failures: 1 });
    });

    it("holds the other host's sends with one host's pause, and the resume returns the runs both refused, once", async () => {
      const s = system();
      expect(await a.pause(s, grace, 'relay maintenance', 1_000)).toBe(true);
      expect(await b.pauseOf(s)).toEqual({ system: s, pausedBy: 'grace', role: 'operator', pausedAt: 1_000, reason: 'relay maintenance' });
      expect(await b.pause(s, alan, undefined, 1_500)).toBe(false);
      expect(await a.pauseOf(s)).toEqual({ system: s, pausedBy: 'alan', role: 'admin', pausedAt: 1_500 });
      await a.noteRefusedRun(s, 'wf-1', 2_000);
      await b.noteRefusedRun(s, 'wf-2', 2_100);
      await b.noteRefusedRun(s, 'wf-1', 2_200);
      const resumes = await Promise.all([b.resume(s, grace, 'done', 3_000), a.resume(s, alan, undefined, 3_000)]);
      expect(resumes.filter((r) => r.wasPaused)).toHaveLength(1);
      expect(resumes.flatMap((r) => r.refusedRuns)).toEqual(['wf-1', 'wf-2']);
      expect(await a.pauseOf(s)).toBeUndefined();
      expect(await b.resume(s, alan, undefined, 4_000)).toEqual({ wasPaused: false, refusedRuns: [] });
      const history = await a.pauseHistory(s);
      expect(history.slice(3)).toEqual([
        { system: s, action: 'pause', by: 'alan', role: 'admin', at: 1_500 },
        { system: s, action: 'pause', by: 'grace', role: 'operator', at: 1_000, reason: 'relay maintenance' },
      ]);
      expect(history[0]).toMatchObject({ action: 'resume', by: 'alan', at: 4_000 });
      expect(history.map((r) => r.action)).toEqual(['resume', 'resume', 'resume', 'pause', 'pause']);
      expect(await b.pauseHistory(s, 1)).toHaveLength(1);
    });

    it('uses its own clock when no time is given', async () => {
      const s = system();
      const before = Date.now();
      const { outage } = await a.recordFailure(s, 'down', 60_000);
      await b.pause(s, grace);
      // The database's clock on PostgreSQL: the same machine here, so within a few seconds of this one.
      expect(Math.abs(outage.startedAt - before)).toBeLessThan(5_000);
      expect(Math.abs((await a.pauseOf(s))!.pausedAt - before)).toBeLessThan(5_000);
    });
  });
}
