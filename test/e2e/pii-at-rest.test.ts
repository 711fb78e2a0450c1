/**
 * Personal data at rest: a completed onboarding, run with payload encryption on a real Temporal dev server that
 * keeps its history in a SQLite file, leaves neither the hire's email nor full name in its exported history
 * (the SDK's and `temporal workflow show --output json`) nor in the server's database files (db, -wal, -shm).
 * The control, on the same server: the same onboarding with encryption off leaves both there, so the search
 * can find them and the check can fail.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import { connectClient } from '../../src/client';
import { findFreePort, startTemporalDevServer, type DevServer } from '../../src/tools/dev-stack/temporal-server';
import { startMailReceiver, type MailReceiver } from '../../src/tools/dev-stack/mail-receiver';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/tools/dev-stack/webhook-receiver';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../workflows/kit/search-attributes';
import { createWorker } from '../../workers/overture-worker';
import { fastOptions } from '../helpers/test-stack';
import { newHire, startOnboarding } from '../processes/onboarding/helpers';

jest.setTimeout(180_000);

const run = promisify(execFile);
let server: DevServer;
let dbFile: string;
let mail: MailReceiver;
let webhooks: WebhookReceiver;
const closers: Array<() => Promise<void>> = [];

/** Letters only (names are validated as plain text); random so nothing else in the files can match by chance. */
const randomWord = () => [...randomBytes(10)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
const capital = (w: string) => w[0]!.toUpperCase() + w.slice(1);

/**
 * Every string of an exported history, and for base64 strings (payload data, metadata) also what they decode to:
 * the exported JSON carries payload bytes in base64, and a plain payload's JSON is readable once decoded.
 */
function searchableText(value: unknown): string {
  const parts: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      parts.push(v);
      if (/^[A-Za-z0-9+/]+={0,2}$/.test(v) && v.length % 4 === 0) parts.push(Buffer.from(v, 'base64').toString('latin1'));
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return parts.join('\n');
}

/** Which of the needles occur in the server's database files, by file. */
function foundInDatabase(needles: string[]): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const suffix of ['', '-wal', '-shm']) {
    const file = `${dbFile}${suffix}`;
    if (!fs.existsSync(file)) continue;
    const bytes = fs.readFileSync(file);
    found[path.basename(file)] = needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8')));
  }
  return found;
}

beforeAll(async () => {
  const binary = process.env.OVERTURE_TEST_TEMPORAL_BINARY;
  if (!binary) throw new Error('OVERTURE_TEST_TEMPORAL_BINARY is not set: run the tests with jest (globalSetup provisions Temporal)');
  const dir = fs.mkdtempSync(path.join(process.env.OVERTURE_TEST_DIR ?? '/tmp', 'pii-'));
  dbFile = path.join(dir, 'temporal.db');
  server = await startTemporalDevServer({
    binary,
    port: await findFreePort(),
    headless: true,
    dbFile,
    searchAttributes: SEARCH_ATTRIBUTE_DEFINITIONS,
    logFile: path.join(dir, 'temporal.log'),
  });
  mail = await startMailReceiver();
  webhooks = await startWebhookReceiver();
}, 120_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await mail?.stop();
  await webhooks?.stop();
  await server?.stop();
});

/** A client and worker on the test's server, with payload encryption on (the run's key file) or off. */
async function onboardingSide(encryption: 'on' | 'off'): Promise<Client> {
  const dataDir = fs.mkdtempSync(path.join(path.dirname(dbFile), `data-${encryption}-`));
  const config = loadConfig({
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: `pii-${encryption}-${randomUUID()}`,
    OVERTURE_DATA_DIR: dataDir,
    SMTP_URL: mail.url,
    NOTIFY_WEBHOOK_URL: webhooks.url,
    OVERTURE_PAYLOAD_ENCRYPTION: encryption,
    ...(encryption === 'on' ? { OVERTURE_CODEC_KEY_FILE: process.env.OVERTURE_TEST_CODEC_KEY_FILE ?? '' } : {}),
  });
  const bundle = process.env.OVERTURE_TEST_WORKFLOW_BUNDLE;
  const { worker, shutdown } = await createWorker(config, bundle ? { workflowBundle: { codePath: bundle } } : {});
  const running = worker.run();
  const client = await connectClient(config);
  closers.push(async () => {
    await client.connection.close();
    worker.shutdown();
    await running;
    await shutdown();
  });
  const hire = newHire({
    fullName: `${capital(randomWord())} ${capital(randomWord())}`,
    email: `${randomWord()}.${randomWord()}@example.com`,
    managerEmail: `${randomWord()}@example.com`,
  });
  const started = await startOnboarding(client, config, hire, { tuneOptions: fastOptions() });
  await expect(started.handle.result()).resolves.toMatchObject({ state: 'completed' });
  // The welcome email reached the hire: the run used the decrypted address, in clear where it must be.
  expect(mail.messages().some((m) => m.to.includes(hire.email))).toBe(true);
  sides[encryption] = { client, workflowId: started.workflowId, needles: [hire.email, hire.fullName, hire.managerEmail] };
  return client;
}

const sides: Partial<Record<'on' | 'off', { client: Client; workflowId: string; needles: string[] }>> = {};

it('completes an onboarding with encryption on and one with it off, on one server with a database file', async () => {
  await onboardingSide('on');
  await onboardingSide('off');
  expect(sides.on?.workflowId).toMatch(/^onboarding-/);
  expect(sides.off?.workflowId).toMatch(/^onboarding-/);
});

it("keeps the hire's email and name out of the encrypted run's exported history, and the control shows them", async () => {
  for (const side of ['on', 'off'] as const) {
    const { client, workflowId, needles } = sides[side]!;
    const exported = historyToJSON(await client.workflow.getHandle(workflowId).fetchHistory());
    const text = searchableText(JSON.parse(exported));
    const found = needles.filter((n) => text.includes(n));
    if (side === 'on') expect(found).toEqual([]);
    else expect(found).toEqual(needles);
    // The run's history is really there: the workflow type and id are plain, by design.
    expect(text).toContain('onboarding');
  }
});

it('keeps them out of `temporal workflow show --output json` for the encrypted run, and the control shows them', async () => {
  const binary = process.env.OVERTURE_TEST_TEMPORAL_BINARY!;
  for (const side of ['on', 'off'] as const) {
    const { workflowId, needles } = sides[side]!;
    const { stdout } = await run(
      binary,
      ['workflow', 'show', '--workflow-id', workflowId, '--address', server.address, '--output', 'json'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const text = searchableText(JSON.parse(stdout));
    expect(text).toContain(workflowId);
    const found = needles.filter((n) => text.includes(n));
    if (side === 'on') expect(found).toEqual([]);
    else expect(found).toEqual(needles);
  }
});

it("keeps them out of the server's database files (db, -wal, -shm), where the control's are found", async () => {
  const on = foundInDatabase(sides.on!.needles);
  const off = foundInDatabase(sides.off!.needles);
  expect(Object.keys(on)).toContain('temporal.db');
  // Nothing of the encrypted run in any file...
  expect(Object.values(on).flat()).toEqual([]);
  // ...while each of the plain run's values is in at least one of them (the WAL until a checkpoint, then the db).
  const offFound = new Set(Object.values(off).flat());
  expect([...offFound].sort()).toEqual([...sides.off!.needles].sort());
});
