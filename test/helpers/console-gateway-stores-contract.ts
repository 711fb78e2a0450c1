/**
 * What the operators, the used approval links and the event receipts promise, as suites run against each real store
 * (SQLite file, PostgreSQL), with two instances on one store standing for two hosts: a token made on one host works
 * on the other, a link used on one is refused on the other, and one event claimed by two gateways at once acts once.
 */
import { randomUUID } from 'node:crypto';
import { OperatorError, type OperatorRecords } from '../../src/stores/operators/store';
import type { UsedLinkRecords } from '../../src/stores/approval-links/used-links';
import type { EventReceiptRecords } from '../../src/stores/event-receipts/sqlite-receipts';
import type { ApprovalLink } from '../../src/approval-links/token';

/** Two instances on the same store: two hosts (or two processes of one host, for SQLite). */
export interface TwoHosts<T> {
  a: T;
  b: T;
  close(): Promise<void>;
}

/** The claim lease the receipts under test were opened with (short, so a test can outlast it). */
export const TEST_CLAIM_LEASE_MS = 1_000;

/** Declares the suite with two instances opened once for it. */
function describeTwoHosts<T>(name: string, open: () => Promise<TwoHosts<T>>, timeoutMs: number, body: (hosts: () => TwoHosts<T>) => void) {
  describe(name, () => {
    let hosts: TwoHosts<T>;
    beforeAll(async () => {
      hosts = await open();
    }, timeoutMs);
    afterAll(async () => hosts?.close());
    body(() => hosts);
  });
}

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** The operators' contract. */
export function describeOperatorsContract(name: string, open: () => Promise<TwoHosts<OperatorRecords>>, timeoutMs = 5_000): void {
  describeTwoHosts(name, open, timeoutMs, (hosts) => {
    it('verifies on one host a token made on the other, and a rotation or removal on one holds on both', async () => {
      const { a, b } = hosts();
      const name = unique('Ada');
      const { operator, token } = await a.add({ name, role: 'approver', email: `${name}@Example.com` });
      expect(operator).toMatchObject({ name, role: 'approver', disabled: false });
      expect(await b.authenticate(`  ${token}\n`)).toMatchObject({ name, role: 'approver', email: `${name}@Example.com` });
      expect(await b.find(name.toUpperCase())).toMatchObject({ name });
      expect((await b.byEmail(`${name.toLowerCase()}@example.COM`)).map((o) => o.name)).toEqual([name]);
      expect((await b.list()).map((o) => o.name)).toContain(name);

      expect(await b.setRole(name, 'viewer')).toMatchObject({ name, role: 'viewer' });
      expect(await a.authenticate(token)).toMatchObject({ role: 'viewer' });
      const next = await b.rotateToken(name);
      expect(await a.authenticate(token)).toBeUndefined();
      expect(await a.authenticate(next)).toMatchObject({ name });
      expect(await b.remove(name)).toMatchObject({ name, disabled: true });
      expect(await a.authenticate(next)).toBeUndefined();
      expect(await a.find(name)).toMatchObject({ name, disabled: true });
      await expect(Promise.resolve().then(() => a.add({ name: name.toLowerCase(), role: 'admin' }))).rejects.toThrow(
        /was removed; names are not reused/,
      );
      await expect(Promise.resolve().then(() => b.setRole(name, 'admin'))).rejects.toThrow(`no operator "${name}" (removed)`);
    });

    it('makes one operator of a name added on both hosts at once; the other is told it is taken', async () => {
      const { a, b } = hosts();
      const name = unique('grace');
      const results = await Promise.allSettled(
        [a, b, a, b].map((host) => Promise.resolve().then(() => host.add({ name, role: 'operator' }))),
      );
      const made = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(made).toHaveLength(1);
      expect(refused.map((r) => r.reason instanceof OperatorError && String(r.reason.message))).toEqual(
        refused.map(() => `operator "${name}" already exists`),
      );
      expect((await a.list()).filter((o) => o.name === name)).toHaveLength(1);
    });

    it('refuses a wrong token, an unknown name and a bad role', async () => {
      const { a, b } = hosts();
      expect(await a.authenticate('ovt_guess')).toBeUndefined();
      expect(await a.authenticate(`ovt_${'A'.repeat(43)}`)).toBeUndefined();
      await expect(Promise.resolve().then(() => b.rotateToken(unique('nobody')))).rejects.toThrow(/^no operator "nobody-/);
      await expect(Promise.resolve().then(() => a.add({ name: unique('x'), role: 'emperor' }))).rejects.toThrow(/role/);
    });
  });
}

const NOW = Date.UTC(2026, 0, 5, 9);

function approvalLink(overrides: Partial<ApprovalLink> = {}): ApprovalLink {
  return {
    workflowId: 'purchase-request-PO-1',
    question: 'approval#1',
    decision: 'approve',
    approver: 'manager@example.com',
    expiresAt: NOW + 3_600_000,
    nonce: randomUUID(),
    ...overrides,
  };
}

/** The used approval links' contract. */
export function describeUsedLinksContract(name: string, open: () => Promise<TwoHosts<UsedLinkRecords>>, timeoutMs = 5_000): void {
  describeTwoHosts(name, open, timeoutMs, (hosts) => {
    it('refuses on one host a link used on the other, saying who used it, when and what came of it', async () => {
      const { a, b } = hosts();
      const link = approvalLink();
      expect(await b.find(link.nonce)).toBeUndefined();
      expect(await a.claim(link, NOW)).toEqual({ claimed: true });
      expect(await b.claim(link, NOW + 1_000)).toEqual({
        claimed: false,
        use: { approver: 'manager@example.com', usedAt: new Date(NOW).toISOString(), decision: 'approve' },
      });
      await a.settle(link.nonce, 'approve by manager@example.com');
      expect(await b.find(link.nonce)).toMatchObject({ outcome: 'approve by manager@example.com' });
      // A settled link is not given back.
      await b.release(link.nonce);
      expect(await a.find(link.nonce)).toBeDefined();
    });

    it('lets exactly one of many clicks on both hosts at once claim a link', async () => {
      const { a, b } = hosts();
      const link = approvalLink();
      const claims = await Promise.all(
        Array.from({ length: 12 }, (_, i) => Promise.resolve().then(() => (i % 2 ? a : b).claim(link, NOW))),
      );
      expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    });

    it('gives back a claim whose decision never reached the run, and forgets links a day after they expired', async () => {
      const { a, b } = hosts();
      const link = approvalLink();
      await a.claim(link, NOW);
      await a.release(link.nonce);
      expect(await b.claim(link, NOW)).toEqual({ claimed: true });
      await a.claim(approvalLink(), link.expiresAt + 86_400_001);
      expect(await b.find(link.nonce)).toBeUndefined();
    });
  });
}

/** The event receipts' contract; the stores must have been opened with a claim lease of {@link TEST_CLAIM_LEASE_MS}. */
export function describeEventReceiptsContract(name: string, open: () => Promise<TwoHosts<EventReceiptRecords>>, timeoutMs = 5_000): void {
  describeTwoHosts(name, open, timeoutMs, (hosts) => {
    it('lets one of two gateways claiming an event at once deliver it; the other then sees a duplicate', async () => {
      const { a, b } = hosts();
      const id = unique('evt');
      const claims = await Promise.all(
        Array.from({ length: 10 }, (_, i) => Promise.resolve().then(() => (i % 2 ? a : b).claim('billing', id, 'invoice.paid', 'wf-1'))),
      );
      expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c.kind === 'in-progress')).toHaveLength(9);
      await a.delivered('billing', id, { workflowId: 'wf-1', runId: 'run-1', started: true }, new Date(NOW));
      expect(await b.claim('billing', id, 'invoice.paid', 'wf-1')).toEqual({
        kind: 'duplicate',
        receipt: {
          source: 'billing',
          eventId: id,
          type: 'invoice.paid',
          workflowId: 'wf-1',
          runId: 'run-1',
          started: true,
          deliveredAt: new Date(NOW).toISOString(),
        },
      });
      expect(await a.receipt('billing', id)).toMatchObject({ runId: 'run-1', started: true });
      // Another source's event of the same id is its own.
      expect(await b.claim('crm', id, 'invoice.paid', 'wf-2')).toEqual({ kind: 'claimed' });
    });

    it("takes over a crashed gateway's claim after the lease, and acts on a retry after a failed delivery", async () => {
      const { a, b } = hosts();
      const stale = unique('evt');
      expect(await a.claim('billing', stale, 'invoice.paid', 'wf-1', NOW)).toEqual({ kind: 'claimed' });
      expect(await b.claim('billing', stale, 'invoice.paid', 'wf-1', NOW + TEST_CLAIM_LEASE_MS - 1)).toEqual({ kind: 'in-progress' });
      expect(await b.claim('billing', stale, 'invoice.paid', 'wf-1', NOW + TEST_CLAIM_LEASE_MS)).toEqual({ kind: 'claimed' });
      const failed = unique('evt');
      expect(await a.claim('billing', failed, 'invoice.paid', 'wf-1')).toEqual({ kind: 'claimed' });
      await a.release('billing', failed);
      expect(await b.claim('billing', failed, 'invoice.paid', 'wf-1')).toEqual({ kind: 'claimed' });
      expect(await a.receipt('billing', failed)).toBeUndefined();
    });

    it('refuses a signature seen by the other gateway until it expires or is forgotten', async () => {
      const { a, b } = hosts();
      const signature = unique('billing:v1=abc');
      const expiresAt = Math.floor(NOW / 1000) + 300;
      expect(await a.rememberSignature(signature, expiresAt, NOW)).toBe(true);
      expect(await b.rememberSignature(signature, expiresAt, NOW + 1_000)).toBe(false);
      const raced = unique('sig');
      const copies = await Promise.all(
        Array.from({ length: 8 }, (_, i) => Promise.resolve().then(() => (i % 2 ? a : b).rememberSignature(raced, expiresAt, NOW))),
      );
      expect(copies.filter(Boolean)).toHaveLength(1);
      await b.forgetSignature(signature);
      expect(await a.rememberSignature(signature, expiresAt, NOW + 2_000)).toBe(true);
      // Past its expiry the signature no longer counts, pruned or not.
      expect(await b.rememberSignature(signature, expiresAt + 600, (expiresAt + 1) * 1000)).toBe(true);
    });
  });
}
