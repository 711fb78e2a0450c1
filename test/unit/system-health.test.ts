import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { SystemHealthStore } from '../../src/stores/system-health/sqlite-health';
import { SystemGuard, degradedText, recoveredText } from '../../activities/kit/system-guard';
import { PermanentError, TransientError } from '../../activities/kit/errors';
import { asPausableStep } from '../../activities/kit/pause-scope';

let dir: string;
let file: string;
const open: SystemHealthStore[] = [];
const store = () => {
  const s = new SystemHealthStore(file);
  open.push(s);
  return s;
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'systems-'));
  file = path.join(dir, 'systems.db');
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SystemHealthStore outages', () => {
  it('lets exactly one of two connections claim the degraded alert, once the system has failed long enough', () => {
    const a = store();
    const b = store();
    expect(a.recordFailure('email', 'connect ECONNREFUSED', 1_000, 10_000).claimed).toBe(false);
    expect(b.recordFailure('email', 'connect ECONNREFUSED', 1_000, 10_500).claimed).toBe(false);
    const first = a.recordFailure('email', 'connect ECONNREFUSED', 1_000, 11_000);
    const second = b.recordFailure('email', 'connect ECONNREFUSED', 1_000, 11_001);
    expect(first.claimed).toBe(true);
    expect(first.outage).toMatchObject({ system: 'email', startedAt: 10_000, failures: 3, alertedAt: 11_000 });
    expect(second.claimed).toBe(false);
    expect(second.outage.failures).toBe(4);
    // Other systems are counted apart.
    expect(a.currentOutage('chat')).toBeUndefined();
  });

  it('closes the outage on the first success, handing it to that one report only', () => {
    const a = store();
    const b = store();
    a.recordFailure('chat', 'webhook answered HTTP 503', 0, 1_000);
    b.recordFailure('chat', 'webhook answered HTTP 503', 0, 2_000);
    const ended = b.recordSuccess('chat', 5_000);
    expect(ended).toMatchObject({ system: 'chat', startedAt: 1_000, endedAt: 5_000, failures: 2, alertedAt: 1_000 });
    expect(a.recordSuccess('chat', 5_001)).toBeUndefined();
    expect(a.currentOutage('chat')).toBeUndefined();
    expect(a.outages('chat').map((o) => o.id)).toEqual([ended!.id]);
    // The next failure opens a new outage, alerted again.
    const next = a.recordFailure('chat', 'webhook answered HTTP 503', 0, 9_000);
    expect(next.claimed).toBe(true);
    expect(next.outage.id).not.toBe(ended!.id);
  });

  it('forgets a blip that ended before it was alerted, and restarts one whose last failure is old', () => {
    const s = store();
    s.recordFailure('email', 'timeout', 60_000, 0);
    expect(s.recordSuccess('email', 1_000)).toBeUndefined();
    expect(s.currentOutage('email')).toBeUndefined();
    s.recordFailure('email', 'timeout', 60_000, 100_000);
    // No failure (and no traffic) for longer than the alert delay: this is a new failing spell, not an outage of 5 min.
    const later = s.recordFailure('email', 'timeout', 60_000, 400_000);
    expect(later.claimed).toBe(false);
    expect(later.outage).toMatchObject({ startedAt: 400_000, failures: 1 });
    expect(s.outages('email')).toEqual([]);
  });

  it('gives a claim back when the alert could not be delivered, so the next report tries again', () => {
    const s = store();
    const claimed = s.recordFailure('email', 'down', 0, 1);
    expect(claimed.claimed).toBe(true);
    expect(s.recordFailure('email', 'down', 0, 2).claimed).toBe(false);
    s.releaseAlert(claimed.outage.id);
    expect(s.recordFailure('email', 'down', 0, 3).claimed).toBe(true);
  });
});

describe('SystemHealthStore pauses', () => {
  it('records who paused and resumed, and hands the refused runs to the resume once', () => {
    const a = store();
    const b = store();
    expect(a.pause('email', { operator: 'grace', role: 'operator' }, 'relay maintenance', 1_000)).toBe(true);
    expect(b.pauseOf('email')).toEqual({
      system: 'email',
      pausedBy: 'grace',
      role: 'operator',
      pausedAt: 1_000,
      reason: 'relay maintenance',
    });
    expect(b.pauseOf('chat')).toBeUndefined();
    b.noteRefusedRun('email', 'onboarding-E1', 1_100);
    a.noteRefusedRun('email', 'onboarding-E1', 1_200);
    a.noteRefusedRun('email', 'onboarding-E2', 1_300);
    expect(b.resume('email', { operator: 'alan', role: 'admin' }, undefined, 2_000)).toEqual({
      wasPaused: true,
      refusedRuns: ['onboarding-E1', 'onboarding-E2'],
    });
    expect(a.pauseOf('email')).toBeUndefined();
    expect(a.resume('email', { operator: 'alan', role: 'admin' }, undefined, 3_000)).toEqual({ wasPaused: false, refusedRuns: [] });
    expect(a.pauseHistory('email').map((r) => [r.action, r.by, r.at])).toEqual([
      ['resume', 'alan', 3_000],
      ['resume', 'alan', 2_000],
      ['pause', 'grace', 1_000],
    ]);
  });
});

describe('SystemGuard', () => {
  const alerts: Array<{ system: string; key: string; text: string }> = [];
  const guardOn = (s: SystemHealthStore) =>
    new SystemGuard({
      store: s,
      alertAfterMs: 0,
      alertBy: {
        email: async (key, _subject, text) => void alerts.push({ system: 'email', key, text }),
        chat: async (key, _subject, text) => void alerts.push({ system: 'chat', key, text }),
      },
      log: () => undefined,
    });
  beforeEach(() => alerts.splice(0));

  it('sends one degraded alert and one recovery note per outage, and counts only transient failures', async () => {
    const guard = guardOn(store());
    const failing = () =>
      Promise.reject(new TransientError('SMTP delivery failed: connect ECONNREFUSED 127.0.0.1:2525 for ada@example.com'));
    for (let i = 0; i < 3; i++) await expect(guard.run('email', failing)).rejects.toThrow(TransientError);
    await expect(guard.run('email', () => Promise.reject(new PermanentError('550 mailbox unavailable')))).rejects.toThrow(PermanentError);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.key).toMatch(/^outage\/email\/\d+-\d+\/degraded$/);
    expect(alerts[0]!.text).toContain('email is degraded');
    expect(alerts[0]!.text).not.toContain('ada@example.com');
    await expect(guard.run('email', async () => 'sent')).resolves.toBe('sent');
    await expect(guard.run('email', async () => 'sent')).resolves.toBe('sent');
    expect(alerts).toHaveLength(2);
    expect(alerts[1]!.key).toMatch(/\/recovered$/);
    expect(alerts[1]!.text).toMatch(/email has recovered after \d+ s: 3 attempts failed meanwhile/);
  });

  it("refuses a step's send to a paused system before sending, with the non-retryable SystemPaused failure", async () => {
    const s = store();
    s.pause('chat', { operator: 'grace', role: 'operator' }, 'webhook rotation');
    let sent = false;
    const refusal = await asPausableStep(() =>
      guardOn(s).run('chat', async () => {
        sent = true;
      }),
    ).catch((err: unknown) => err);
    expect(sent).toBe(false);
    // A notice, fallback or undo is not held: refusing it would fail what the pause keeps from failing.
    await expect(guardOn(s).run('chat', async () => 'notice sent')).resolves.toBe('notice sent');
    expect(refusal).toBeInstanceOf(ApplicationFailure);
    expect(refusal).toMatchObject({ type: 'SystemPaused', nonRetryable: true, message: 'chat paused by grace: webhook rotation' });
    expect((refusal as ApplicationFailure).details?.[0]).toMatchObject({ system: 'chat', pausedBy: 'grace', reason: 'webhook rotation' });
  });

  it('words its alerts without personal data', () => {
    const outage = {
      id: 1,
      system: 'email',
      startedAt: 0,
      lastFailureAt: 61_000,
      failures: 37,
      lastError: 'refused for bob@example.com',
      alertedAt: 61_000,
      endedAt: 303_000,
    };
    expect(degradedText(outage, 61_000)).toContain('every send has failed for 1 min 1 s (37 failed attempts');
    expect(degradedText(outage, 61_000)).not.toContain('bob@example.com');
    expect(recoveredText(outage)).toContain('recovered after 5 min 3 s: 37 attempts failed meanwhile');
  });
});
