/**
 * The event gateway against a real Temporal server and worker: signed events start the onboarding of a hire
 * (the `hr.employee-hired` route) or reach its open run; everything else is refused and starts nothing.
 */
import http from 'node:http';
import { WorkflowNotFoundError } from '@temporalio/client';
import { connectClient, getRunStatus } from '../../src/client';
import { startEventGateway, type RunningEventGateway } from '../../src/apps/events/server';
import { signatureOf, signedHeaders, unixSeconds } from '../../src/apps/events/signature';
import { eventually, startTestStack, type TestStack } from '../helpers/test-stack';
import type { NewHire } from '../../workflows/onboarding/types';
import { newHire } from '../processes/onboarding/helpers';

const TYPE = 'hr.employee-hired';
const HR_SECRET = 'h'.repeat(64);
const CRM_SECRET = 'c'.repeat(64);

let stack: TestStack;
let gateway: RunningEventGateway;
const logs: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    EVENT_SOURCES: JSON.stringify({ hr: { secret: HR_SECRET, types: [TYPE] }, crm: { secret: CRM_SECRET, types: ['crm.deal-won'] } }),
    EVENTS_MAX_BODY_BYTES: '4096',
  });
  gateway = await startEventGateway({ client: stack.client, config: stack.config, port: 0, log: (line) => logs.push(line) });
});
afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
});

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

let eventCounter = 0;
const eventId = () => `hris-${Date.now().toString(36)}-${++eventCounter}`;

/** Posts a body signed as `source` (or with the given headers instead). */
async function post(
  type: string,
  body: string,
  opts: { source?: string; secret?: string; timestamp?: number; headers?: Record<string, string>; method?: string } = {},
): Promise<Reply> {
  const signed = signedHeaders(opts.source ?? 'hr', opts.secret ?? HR_SECRET, body, opts.timestamp);
  const res = await fetch(`${gateway.url}/events/${type}`, {
    method: opts.method ?? 'POST',
    headers: { 'Content-Type': 'application/json', ...signed, ...opts.headers },
    body: opts.method === 'GET' ? undefined : body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const hired = (hire: NewHire, id = eventId()) => JSON.stringify({ id, data: hire });

async function expectNoRun(hire: NewHire): Promise<void> {
  await expect(stack.client.workflow.getHandle(`onboarding-${hire.employeeId}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
}

describe('accepted events', () => {
  it('starts one onboarding run for a hire, and answers a repeat of the same event as a duplicate', async () => {
    const hire = newHire();
    const id = eventId();
    const sentAt = unixSeconds();
    const first = await post(TYPE, hired(hire, id), { timestamp: sentAt });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      accepted: true,
      type: TYPE,
      eventId: id,
      process: 'onboarding',
      workflowId: `onboarding-${hire.employeeId}`,
      started: true,
    });

    const status = await eventually(
      async () => {
        const s = await getRunStatus(stack.client, `onboarding-${hire.employeeId}`);
        return s.state === 'completed' ? s : undefined;
      },
      30_000,
      'the onboarding to complete',
    );
    expect(status.log.map((l) => l.message)).toContain(`event ${TYPE} received (${id})`);

    // The sender retries, signed anew (a later timestamp, so another signature): acted on once.
    const again = await post(TYPE, hired(hire, id), { timestamp: sentAt + 1 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      duplicate: true,
      eventId: id,
      workflowId: `onboarding-${hire.employeeId}`,
      runId: first.body.runId,
      started: true,
    });
    const runs = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = 'onboarding-${hire.employeeId}'` })) runs.push(run.runId);
    expect(runs).toEqual([first.body.runId]);
  });

  it('delivers a second event to the open run instead of starting another', async () => {
    const hire = newHire({ role: 'admin' }); // privileged: the run waits at the approval gate
    const first = await post(TYPE, hired(hire));
    expect(first.status).toBe(202);
    const secondId = eventId();
    const second = await post(TYPE, hired(hire, secondId));
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({
      accepted: true,
      workflowId: `onboarding-${hire.employeeId}`,
      runId: first.body.runId,
      started: false,
    });
    await eventually(
      async () => {
        const s = await getRunStatus(stack.client, `onboarding-${hire.employeeId}`);
        return s.log.some((l) => l.message === `event ${TYPE} received (${secondId})`);
      },
      20_000,
      'the second event in the run log',
    );
  });

  it('refuses an event for a run that already completed (409), and signals nothing', async () => {
    const hire = newHire();
    expect((await post(TYPE, hired(hire))).status).toBe(202);
    await eventually(
      async () => (await getRunStatus(stack.client, `onboarding-${hire.employeeId}`)).state === 'completed',
      30_000,
      'completion',
    );
    const late = await post(TYPE, hired(hire));
    expect(late.status).toBe(409);
    expect(late.body.error).toMatch(/already completed/);
  });

  it("answers 503 when Temporal cannot be reached, and gives the event back: the sender's retry is acted on", async () => {
    const unreachable = await connectClient(stack.config);
    const down = await startEventGateway({ client: unreachable, config: stack.config, port: 0 });
    await unreachable.connection.close();
    const hire = newHire();
    const body = hired(hire);
    const headers = { 'Content-Type': 'application/json', ...signedHeaders('hr', HR_SECRET, body) };
    try {
      const failed = await fetch(`${down.url}/events/${TYPE}`, { method: 'POST', headers, body });
      expect(failed.status).toBe(503);
      expect(failed.headers.get('retry-after')).toBe('5');
    } finally {
      await down.stop();
    }
    await expectNoRun(hire);
    // The very same request, retried: neither a replay nor a duplicate.
    const retried = await fetch(`${gateway.url}/events/${TYPE}`, { method: 'POST', headers, body });
    expect(retried.status).toBe(202);
  });

  it('never logs event data', () => {
    const joined = logs.join('\n');
    expect(joined).toContain('accepted, started onboarding-');
    expect(joined).not.toMatch(/Katherine|example\.com/);
  });
});

describe('refused events start nothing', () => {
  it('refuses a bad signature, a stale or future timestamp, a replay, an unknown source (401)', async () => {
    const hire = newHire();
    const body = hired(hire);
    const now = unixSeconds();
    const cases: Array<[string, Promise<Reply>]> = [
      ['bad signature', post(TYPE, body, { secret: 'x'.repeat(64) })],
      ['stale', post(TYPE, body, { timestamp: now - 301 })],
      // Well past the window: a future timestamp gets closer to it with every second the machine is slow.
      ['future', post(TYPE, body, { timestamp: now + 330 })],
      ['unknown source', post(TYPE, body, { source: 'payroll' })],
      ['no source', post(TYPE, body, { headers: { 'X-Overture-Source': '' } })],
      ['no signature', post(TYPE, body, { headers: { 'X-Overture-Signature': '' } })],
    ];
    for (const [what, reply] of cases) {
      const { status, body: answer } = await reply;
      expect({ what, status }).toEqual({ what, status: 401 });
      expect(answer.error).toMatch(/^not authenticated: /);
    }
    await expectNoRun(hire);
  });

  it('refuses the very same signed request sent twice (a replay)', async () => {
    const hire = newHire({ role: 'admin' });
    const body = hired(hire);
    const timestamp = unixSeconds();
    const headers = { 'Content-Type': 'application/json', ...signedHeaders('hr', HR_SECRET, body, timestamp) };
    const first = await fetch(`${gateway.url}/events/${TYPE}`, { method: 'POST', headers, body });
    expect(first.status).toBe(202);
    const replay = await fetch(`${gateway.url}/events/${TYPE}`, { method: 'POST', headers, body });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: string }).error).toMatch(/replayed/);
  });

  it('refuses a replay before anything is started', async () => {
    const hire = newHire();
    const body = hired(hire);
    const timestamp = unixSeconds();
    // A refused request (unknown type) still burns its signature: the same bytes sent again are a replay.
    const signed = { 'Content-Type': 'application/json', ...signedHeaders('hr', HR_SECRET, body, timestamp) };
    expect((await fetch(`${gateway.url}/events/hr.unknown`, { method: 'POST', headers: signed, body })).status).toBe(404);
    expect((await fetch(`${gateway.url}/events/hr.unknown`, { method: 'POST', headers: signed, body })).status).toBe(401);
    await expectNoRun(hire);
  });

  it('refuses invalid data with 400, naming each bad field and never a value', async () => {
    const hire = { ...newHire(), email: 'not-an-address', startDate: 'tomorrow', nickname: 'Kat' };
    const reply = await post(TYPE, JSON.stringify({ id: eventId(), data: hire }));
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe(`invalid ${TYPE} event data`);
    expect(reply.body.problems).toEqual(
      expect.arrayContaining([
        { path: 'data.email', message: 'must be an email address' },
        { path: 'data.startDate', message: 'must be a date as YYYY-MM-DD' },
        { path: 'data', message: 'unknown field(s) nickname' },
      ]),
    );
    expect(JSON.stringify(reply.body)).not.toContain('not-an-address');
    await expectNoRun(hire);
  });

  it('refuses an envelope without a valid id or data object (400)', async () => {
    const hire = newHire();
    const reply = await post(TYPE, JSON.stringify({ id: 'has spaces', data: hire, extra: 1 }));
    expect(reply.status).toBe(400);
    expect(reply.body.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'id' }), { path: '(input)', message: 'unknown field(s) extra' }]),
    );
    expect((await post(TYPE, 'not json')).status).toBe(400);
    await expectNoRun(hire);
  });

  it('refuses an oversized body with 413 without reading it', async () => {
    const hire = newHire();
    const big = JSON.stringify({ id: eventId(), data: { ...hire, team: 'x'.repeat(5_000) } });
    expect((await post(TYPE, big)).status).toBe(413);
    // Without a declared length (chunked), the gateway stops reading at the limit.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${gateway.url}/events/${TYPE}`,
        { method: 'POST', headers: { 'Content-Type': 'application/json', ...signedHeaders('hr', HR_SECRET, big) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(big.slice(0, 3_000));
      setTimeout(() => req.end(big.slice(3_000)), 50);
    });
    expect(chunked).toBe(413);
    await expectNoRun(hire);
  });

  it('refuses an unknown type (404, listing the known ones) and a source not allowed the type (403)', async () => {
    const hire = newHire();
    const unknown = await post('hr.employee-fired', hired(hire));
    expect(unknown.status).toBe(404);
    expect(unknown.body.knownTypes).toContain(TYPE);
    const notAllowed = await post(TYPE, hired(hire), { source: 'crm', secret: CRM_SECRET });
    expect(notAllowed.status).toBe(403);
    expect(notAllowed.body.error).toBe(`source crm may not send ${TYPE} events`);
    await expectNoRun(hire);
  });

  it('refuses other methods (405), other content types (415) and other paths (404)', async () => {
    const hire = newHire();
    expect((await post(TYPE, hired(hire), { method: 'GET' })).status).toBe(405);
    expect((await post(TYPE, hired(hire), { headers: { 'Content-Type': 'text/plain' } })).status).toBe(415);
    expect((await fetch(`${gateway.url}/hooks/team`, { method: 'POST' })).status).toBe(404);
    await expectNoRun(hire);
  });
});

it('signs with the one shared function', () => {
  const body = '{}';
  expect(signedHeaders('hr', HR_SECRET, body, 1)['X-Overture-Signature']).toBe(signatureOf(HR_SECRET, 1, body));
});
