/**
 * The gateway's SQLite memory: one claim per (source, event id), receipts of delivered events, and the
 * signatures seen within their window.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventReceipts } from '../../src/stores/event-receipts/sqlite-receipts';

let dir: string;
let receipts: EventReceipts;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'event-receipts-'));
  receipts = new EventReceipts(path.join(dir, 'events.db'), 1_000);
});
afterEach(() => {
  receipts.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('claims and receipts', () => {
  it('claims an event once; once delivered, the same event is a duplicate with where it went', () => {
    expect(receipts.claim('hr', 'evt-1', 'hr.employee-hired', 'onboarding-E1', 0)).toEqual({ kind: 'claimed' });
    expect(receipts.claim('hr', 'evt-1', 'hr.employee-hired', 'onboarding-E1', 10)).toEqual({ kind: 'in-progress' });
    receipts.delivered('hr', 'evt-1', { workflowId: 'onboarding-E1', runId: 'run-1', started: true });
    expect(receipts.claim('hr', 'evt-1', 'hr.employee-hired', 'onboarding-E1', 20)).toMatchObject({
      kind: 'duplicate',
      receipt: { source: 'hr', eventId: 'evt-1', workflowId: 'onboarding-E1', runId: 'run-1', started: true },
    });
  });

  it('keys events by source: another source may use the same id', () => {
    receipts.claim('hr', 'evt-1', 'hr.employee-hired', 'onboarding-E1', 0);
    expect(receipts.claim('ats', 'evt-1', 'hr.employee-hired', 'onboarding-E1', 0)).toEqual({ kind: 'claimed' });
  });

  it('gives a released claim back, and lets a claim older than the lease be taken over', () => {
    receipts.claim('hr', 'evt-1', 'hr.employee-hired', 'onboarding-E1', 0);
    receipts.release('hr', 'evt-1');
    expect(receipts.claim('hr', 'evt-1', 'hr.employee-hired', 'onboarding-E1', 1)).toEqual({ kind: 'claimed' });
    expect(receipts.claim('hr', 'evt-1', 'hr.employee-hired', 'onboarding-E1', 5_000)).toEqual({ kind: 'claimed' });
  });

  it('never releases a delivered event', () => {
    receipts.claim('hr', 'evt-1', 'hr.employee-hired', 'onboarding-E1', 0);
    receipts.delivered('hr', 'evt-1', { workflowId: 'onboarding-E1', runId: 'run-1', started: false });
    receipts.release('hr', 'evt-1');
    expect(receipts.receipt('hr', 'evt-1')).toMatchObject({ runId: 'run-1', started: false });
  });
});

describe('seen signatures', () => {
  it('refuses a signature seen before until it expires, then forgets it', () => {
    const nowMs = 1_790_000_000_000;
    const nowS = nowMs / 1000;
    expect(receipts.rememberSignature('hr:abc', nowS + 300, nowMs)).toBe(true);
    expect(receipts.rememberSignature('hr:abc', nowS + 300, nowMs + 1_000)).toBe(false);
    expect(receipts.rememberSignature('hr:abc', nowS + 1_000, nowMs + 301_000)).toBe(true);
  });

  it('forgets a signature on request', () => {
    expect(receipts.rememberSignature('hr:abc', 2_000, 1_000_000)).toBe(true);
    receipts.forgetSignature('hr:abc');
    expect(receipts.rememberSignature('hr:abc', 2_000, 1_000_000)).toBe(true);
  });

  it('is shared by every gateway on the same file', () => {
    const other = new EventReceipts(path.join(dir, 'events.db'));
    try {
      expect(receipts.rememberSignature('hr:abc', 2_000, 1_000_000)).toBe(true);
      expect(other.rememberSignature('hr:abc', 2_000, 1_000_000)).toBe(false);
    } finally {
      other.close();
    }
  });
});
