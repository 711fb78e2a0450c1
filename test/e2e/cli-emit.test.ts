/**
 * `overture emit` end to end: the real CLI process signs with the embedded `local` source's secret (the data
 * directory's event-sources.json) and posts to a real gateway, which starts the run on a real worker.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startEventGateway, type RunningEventGateway } from '../../src/apps/events/server';
import { runOverture } from '../helpers/processes';
import { eventually, startTestStack, type TestStack } from '../helpers/test-stack';
import { newHire } from '../processes/onboarding/helpers';

let stack: TestStack;
let gateway: RunningEventGateway;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack();
  gateway = await startEventGateway({ client: stack.client, config: stack.config, port: 0 });
  // The CLI finds the gateway from the configuration, as it would find `npm start`'s.
  env = { ...stack.env, EVENTS_PORT: new URL(gateway.url).port };
  dir = fs.mkdtempSync(path.join(stack.config.OVERTURE_DATA_DIR, 'emit-'));
});
afterAll(async () => {
  await gateway?.stop();
  await stack?.stop();
});

function writeJson(value: unknown): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

const describeRun = (workflowId: string) => stack.client.workflow.getHandle(workflowId).describe();

it("signs with the local source from the data directory's secrets file, created readable by its owner only", () => {
  const file = path.join(stack.config.OVERTURE_DATA_DIR, 'event-sources.json');
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  const sources = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { secret: string; types: string[] }>;
  expect(Object.keys(sources)).toEqual(['local']);
  expect(sources.local!.secret).toMatch(/^[0-9a-f]{64}$/);
  expect(sources.local!.types).toEqual(['*']);
});

it('sends a file of event data under a generated id, and starts the run', async () => {
  const hire = newHire();
  const result = await runOverture(['emit', 'hr.employee-hired', writeJson(hire)], env);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const generated = /event id ([0-9a-f-]{36}) \(generated/.exec(result.stdout)?.[1];
  expect(generated).toBeDefined();
  expect(result.stdout).toMatch(new RegExp(`started onboarding-${hire.employeeId} \\(run [0-9a-f-]+\\) with event ${generated}`));
  await eventually(
    async () => (await describeRun(`onboarding-${hire.employeeId}`)).status.name === 'COMPLETED',
    30_000,
    'the run to complete',
  );
});

it('sends an envelope from stdin with its own id; the same event again is a duplicate', async () => {
  const hire = newHire({ role: 'admin' }); // the run waits for approval: it stays open
  const envelope = JSON.stringify({ id: `hris-${hire.employeeId}`, data: hire });
  const first = await runOverture(['emit', 'hr.employee-hired', '-', '--json'], env, envelope);
  expect(first.code).toBe(0);
  expect(JSON.parse(first.stdout)).toMatchObject({
    status: 202,
    accepted: true,
    eventId: `hris-${hire.employeeId}`,
    workflowId: `onboarding-${hire.employeeId}`,
    started: true,
  });
  // Signed a second later: another signature, the same event.
  await new Promise((r) => setTimeout(r, 1_100));
  const again = await runOverture(['emit', 'hr.employee-hired', '-'], env, envelope);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(`duplicate: event hris-${hire.employeeId} was already delivered to onboarding-${hire.employeeId}`);
  const other = await runOverture(['emit', 'hr.employee-hired', '-'], env, JSON.stringify({ id: `hris-${hire.employeeId}-2`, data: hire }));
  expect(other.stdout).toContain(`delivered event hris-${hire.employeeId}-2 to onboarding-${hire.employeeId}`);
});

it('exits 2 with each bad field the gateway named, and starts nothing', async () => {
  const hire = { ...newHire(), email: 'nope' };
  const result = await runOverture(['emit', 'hr.employee-hired', writeJson(hire)], env);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('refused (400): invalid hr.employee-hired event data');
  expect(result.stderr).toContain('  - data.email: must be an email address');
  await expect(describeRun(`onboarding-${hire.employeeId}`)).rejects.toThrow();
});

it("exits 1 with the gateway's refusal for an unknown type, listing the known ones", async () => {
  const result = await runOverture(['emit', 'hr.employee-promoted', writeJson(newHire())], env);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('refused (404): unknown event type hr.employee-promoted');
  expect(result.stderr).toMatch(/known event types: .*hr\.employee-hired/);
});

it('refuses an unknown source before sending, and says when the gateway is not there', async () => {
  const unknown = await runOverture(['emit', 'hr.employee-hired', writeJson(newHire()), '--source', 'payroll'], env);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('no source "payroll"');
  const away = await runOverture(['emit', 'hr.employee-hired', writeJson(newHire()), '--url', 'http://127.0.0.1:9'], env);
  expect(away.code).toBe(1);
  expect(away.stderr).toContain('cannot reach the event gateway at http://127.0.0.1:9');
});
